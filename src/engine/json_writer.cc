#include "engine/json_writer.h"

#include <algorithm>
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

size_t WriteJsonString(std::string_view s, char* out) {
  char* o = out;
  *o++ = '"';
  const char* p = s.data();
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
#ifdef __SSE2__
    // Sixteen bytes at a time: copied as they are, then the position of the first control byte,
    // '"' or '\\' among them, if any, found from a bit mask. The room for 6 bytes per input byte
    // covers the whole store.
    if (i + 16 <= n) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(o), v);
      const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
      const __m128i special =
          _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(control, special)));
      if (mask == 0) {
        i += 16;
        o += 16;
        continue;
      }
      const unsigned clean = static_cast<unsigned>(__builtin_ctz(mask));
      i += clean;
      o += clean;
    } else {
      // The last few bytes, through a zeroed block on the stack (reading past the string could
      // cross into an unmapped page): when none needs escaping, they are copied at once.
      alignas(16) char tail[16] = {};
      const size_t rest = n - i;
      std::memcpy(tail, p + i, rest);
      const __m128i v = _mm_load_si128(reinterpret_cast<const __m128i*>(tail));
      const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v);
      const __m128i special =
          _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
      const unsigned mask =
          static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(control, special))) & ((1u << rest) - 1);
      if (mask == 0) {
        std::memcpy(o, tail, rest);
        o += rest;
        break;
      }
      const unsigned clean = static_cast<unsigned>(__builtin_ctz(mask));
      std::memcpy(o, tail, clean);
      i += clean;
      o += clean;
    }
#endif
    const unsigned char c = static_cast<unsigned char>(p[i++]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      *o++ = static_cast<char>(c);
      continue;
    }
    *o++ = '\\';
    switch (c) {
      case '"':
        *o++ = '"';
        break;
      case '\\':
        *o++ = '\\';
        break;
      case '\n':
        *o++ = 'n';
        break;
      case '\r':
        *o++ = 'r';
        break;
      case '\t':
        *o++ = 't';
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        *o++ = 'u';
        *o++ = '0';
        *o++ = '0';
        *o++ = kHex[c >> 4];
        *o++ = kHex[c & 15];
      }
    }
  }
  *o++ = '"';
  return static_cast<size_t>(o - out);
}

}  // namespace qgrant::engine
