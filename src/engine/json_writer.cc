#include "engine/json_writer.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace qgrant::engine {

void JsonWriter::Grow(size_t need) {
  const size_t capacity = std::max(need, std::max<size_t>(capacity_ * 2, 4096));
  std::unique_ptr<char[]> bigger(new char[capacity]);
  if (size_ != 0) std::memcpy(bigger.get(), buffer_.get(), size_);
  buffer_ = std::move(bigger);
  capacity_ = capacity;
}

namespace {

#ifdef __SSE2__
// A bit per byte of `v` that JSON must escape: control bytes, '"' and '\\'.
inline unsigned SpecialBytes(__m128i v) {
  const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
  const __m128i special = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(control, special)));
}
#endif

// One byte that must be escaped, written at `o`; returns the end.
inline char* WriteEscape(unsigned char c, char* o) {
  *o++ = '\\';
  switch (c) {
    case '"':
      *o++ = '"';
      return o;
    case '\\':
      *o++ = '\\';
      return o;
    case '\n':
      *o++ = 'n';
      return o;
    case '\r':
      *o++ = 'r';
      return o;
    case '\t':
      *o++ = 't';
      return o;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      const char u[] = {'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      std::memcpy(o, u, sizeof u);
      return o + sizeof u;
    }
  }
}

}  // namespace

size_t WriteJsonString(std::string_view s, char* out) {
  char* o = out;
  *o++ = '"';
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0;
#ifdef __SSE2__
  // Sixteen bytes at a time: copied as they are, then the position of the first byte to escape
  // among them, if any, found from a bit mask. The room for 6 bytes per input byte covers the
  // whole store.
  while (i + 16 <= n) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);
    const unsigned mask = SpecialBytes(v);
    if (mask == 0) {
      i += 16;
      o += 16;
      continue;
    }
    const unsigned clean = static_cast<unsigned>(__builtin_ctz(mask));
    i += clean;
    o += clean;
    o = WriteEscape(static_cast<unsigned char>(p[i++]), o);
  }
#endif
  // The last bytes (most strings of a decision are shorter than sixteen): eight as one word when
  // none of them needs escaping, then one by one. Copying them to a block on the stack and
  // loading that as sixteen bytes stalled on store forwarding (a third of this function's time).
  if (n - i >= 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (!JsonSpecialWord(w)) {
      std::memcpy(o, &w, 8);
      i += 8;
      o += 8;
    }
  }
  // Fewer than eight left in a string of eight or more: the string's last eight bytes as one
  // word, when none needs escaping. Those before the rest were then copied as they are, so
  // writing the word over their copy changes nothing.
  if (i < n && n >= 8 && n - i < 8) {
    uint64_t w;
    std::memcpy(&w, p + n - 8, 8);
    if (!JsonSpecialWord(w)) {
      std::memcpy(o - (8 - (n - i)), &w, 8);
      o += n - i;
      i = n;
    }
  }
  for (; i < n; ++i) {
    const unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      *o++ = static_cast<char>(c);
    } else {
      o = WriteEscape(c, o);
    }
  }
  *o++ = '"';
  return static_cast<size_t>(o - out);
}

}  // namespace qgrant::engine
