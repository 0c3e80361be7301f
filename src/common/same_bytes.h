// SameBytes: whether two strings are equal, for the short names and values a reader compares
// (field names, measure ids, closed-list values): the sizes first, then the bytes in at most two
// loads of a word for up to 16 of them, each load within the strings. std::string_view's == calls
// memcmp, whose call and size dispatch cost more than the comparison itself at these sizes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace qgrant {

namespace same_bytes_internal {
template <typename T>
inline T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
// Equal `n` bytes at a and b, by two loads of T that overlap when n < 2 * sizeof(T).
template <typename T>
inline bool Ends(const char* a, const char* b, size_t n) {
  return Load<T>(a) == Load<T>(b) && Load<T>(a + n - sizeof(T)) == Load<T>(b + n - sizeof(T));
}
}  // namespace same_bytes_internal

[[gnu::always_inline]] inline bool SameBytes(std::string_view a, std::string_view b) {
  using namespace same_bytes_internal;
  const size_t n = a.size();
  if (n != b.size()) return false;
  if (n > 16) return std::memcmp(a.data(), b.data(), n) == 0;
  if (n >= 8) return Ends<uint64_t>(a.data(), b.data(), n);
  if (n >= 4) return Ends<uint32_t>(a.data(), b.data(), n);
  if (n >= 2) return Ends<uint16_t>(a.data(), b.data(), n);
  return n == 0 || a[0] == b[0];
}

}  // namespace qgrant
