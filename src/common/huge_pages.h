// Transparent huge pages for large arrays. On the virtual machines this runs on, each 4 KB page
// fault costs microseconds (the hypervisor takes part in it); a large array first written after
// madvise(MADV_HUGEPAGE) faults once per 2 MB instead. Only advice: where the kernel refuses it,
// the pages are just smaller.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

namespace qgrant {

// Advises huge pages for the 2 MB pages that lie wholly within [data, data + bytes): call before
// the memory is first written.
inline void AdviseHugePages(const void* data, size_t bytes) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// The same under the capacity of `v` (a vector or a string).
template <typename Contiguous>
void AdviseHugePages(const Contiguous& v) {
  AdviseHugePages(v.data(), v.capacity() * sizeof(*v.data()));
}

// Room for `n` elements in `v`, on huge pages where its size allows: what it holds is moved there.
template <typename T>
void ReserveOnHugePages(std::vector<T>* v, size_t n) {
  if (n <= v->capacity()) return;
  std::vector<T> grown;
  grown.reserve(n);
  AdviseHugePages(grown);
  grown.insert(grown.end(), std::make_move_iterator(v->begin()), std::make_move_iterator(v->end()));
  *v = std::move(grown);
}

}  // namespace qgrant
