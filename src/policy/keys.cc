#include "policy/keys.h"

#include <utf8proc.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace qgrant::policy {

namespace {

bool IsAsciiSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Invisible or spacing code points trimmed from either end (after NFKC, which keeps them).
bool IsTrimmed(utf8proc_int32_t c) {
  if (c < 0x80) return IsAsciiSpace(static_cast<unsigned char>(c));
  if (c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF || c == 0x00AD) return true;
  const utf8proc_category_t cat = utf8proc_category(c);
  return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP ||
         cat == UTF8PROC_CATEGORY_CF;
}

std::string_view TrimAsciiSpace(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && IsAsciiSpace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && IsAsciiSpace(static_cast<unsigned char>(text[e - 1]))) --e;
  return text.substr(b, e - b);
}

char AsciiUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string AsciiKey(std::string_view text) {
  std::string out(TrimAsciiSpace(text));
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

// NFKC, then code points upper-cased, then invisible ones trimmed from both ends.
std::string UnicodeKey(std::string_view text) {
  utf8proc_uint8_t* mapped = nullptr;
  const utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()), static_cast<utf8proc_ssize_t>(text.size()),
                   &mapped, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT));
  if (n < 0) return AsciiKey(text);  // not UTF-8: compared byte for byte
  std::u32string points;
  for (utf8proc_ssize_t i = 0; i < n;) {
    utf8proc_int32_t c;
    const utf8proc_ssize_t len = utf8proc_iterate(mapped + i, n - i, &c);
    if (len <= 0) break;
    points.push_back(static_cast<char32_t>(utf8proc_toupper(c)));
    i += len;
  }
  std::free(mapped);
  size_t b = 0, e = points.size();
  while (b < e && IsTrimmed(static_cast<utf8proc_int32_t>(points[b]))) ++b;
  while (e > b && IsTrimmed(static_cast<utf8proc_int32_t>(points[e - 1]))) --e;
  std::string out;
  out.reserve(text.size());
  for (size_t i = b; i < e; ++i) {
    utf8proc_uint8_t buf[4];
    const utf8proc_ssize_t len = utf8proc_encode_char(static_cast<utf8proc_int32_t>(points[i]), buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
  }
  return out;
}

// The key of a text of ASCII and the characters Chinese subjects and project names are written
// in, worked out here rather than by utf8proc (about a microsecond a key): CJK Unified Ideographs
// (U+4E00 to U+9FFF), which NFKC leaves and which nothing composes with; full-width ASCII (U+FF01
// to U+FF5E, "（" "）" "Ａ" "１"), which NFKC makes ASCII; and the punctuation 、。〈〉《》「」『』【】—“”,
// which it leaves. Upper-casing then changes only ASCII letters, and trimming only the text's ASCII
// white space at either end. False for any other text, which takes utf8proc's way (UnicodeKey).
bool ChineseKey(std::string_view text, std::string* out) {
  text = TrimAsciiSpace(text);
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t e = text.size();
  out->clear();
  out->reserve(e);
  auto ascii = [out](unsigned char c) { out->push_back(AsciiUpper(static_cast<char>(c))); };
  for (size_t i = 0; i < e;) {
    if (p[i] < 0x80) {
      ascii(p[i++]);
      continue;
    }
    if (e - i < 3 || (p[i] & 0xF0) != 0xE0 || (p[i + 1] & 0xC0) != 0x80 || (p[i + 2] & 0xC0) != 0x80) return false;
    const uint32_t c = (p[i] & 0x0Fu) << 12 | (p[i + 1] & 0x3Fu) << 6 | (p[i + 2] & 0x3Fu);
    if (c >= 0xFF01 && c <= 0xFF5E) {
      ascii(static_cast<unsigned char>(c - 0xFEE0));
    } else if ((c >= 0x4E00 && c <= 0x9FFF) || c == 0x3001 || c == 0x3002 || (c >= 0x3008 && c <= 0x3011) ||
               c == 0x2014 || c == 0x201C || c == 0x201D) {
      out->append(text.data() + i, 3);
    } else {
      return false;
    }
    i += 3;
  }
  return true;
}

}  // namespace

namespace {

// Whether any of the eight bytes of `x` is not ASCII or is a lower-case letter. Each byte's top
// bit, once cleared, leaves room to add to it without a carry into the next byte: adding 0x1F
// sets the top bit from 'a' (0x61) up, adding 0x05 from '{' (0x7B) up.
bool AnyOutsideKey(uint64_t x) {
  constexpr uint64_t kTop = 0x8080808080808080ULL;
  const uint64_t low = x & ~kTop;
  const uint64_t from_a = (low + 0x1F1F1F1F1F1F1F1FULL) & kTop;
  const uint64_t past_z = (low + 0x0505050505050505ULL) & kTop;
  return ((x & kTop) | (from_a & ~past_z)) != 0;
}

}  // namespace

// Subjects and certificate numbers are checked for every application: eight bytes at a time, the
// last eight overlapping those before; fewer than eight as one word of their first and last four
// bytes, or of their first, middle and last byte (a byte looked at twice is no harm, and the
// zero bytes that fill the word are inside a key).
bool IsMatchKey(std::string_view text) {
  const size_t n = text.size();
  if (n == 0) return true;
  if (IsAsciiSpace(static_cast<unsigned char>(text.front())) || IsAsciiSpace(static_cast<unsigned char>(text.back()))) {
    return false;
  }
  const char* p = text.data();
  auto load = [](const char* at, auto word) {
    std::memcpy(&word, at, sizeof word);
    return static_cast<uint64_t>(word);
  };
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (AnyOutsideKey(load(p + i, uint64_t{0}))) return false;
    }
    return !AnyOutsideKey(load(p + n - 8, uint64_t{0}));
  }
  if (n >= 4) return !AnyOutsideKey(load(p, uint32_t{0}) | load(p + n - 4, uint32_t{0}) << 32);
  const auto byte = [p](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(p[i])); };
  return !AnyOutsideKey(byte(0) | byte(n / 2) << 8 | byte(n - 1) << 16);
}

std::string MatchKey(std::string_view text) {
  if (IsMatchKey(text)) return std::string(text);
  std::string key;
  if (ChineseKey(text, &key)) return key;
  return UnicodeKey(text);
}

namespace {

// The length of the separator before an edition year that ends at `end` in `key` (0: none): '-'
// or ':', or a dash as Chinese typesetting writes it (U+2010 to U+2015, U+2212 minus: "GB/T
// 29187—2012"), which NFKC leaves as it is.
size_t EditionSeparator(const std::string& key, size_t end) {
  if (end >= 1 && (key[end - 1] == '-' || key[end - 1] == ':')) return 1;
  if (end < 3) return 0;
  const auto b = [&](size_t i) { return static_cast<unsigned char>(key[end - 3 + i]); };
  const bool dash = b(0) == 0xE2 && ((b(1) == 0x80 && b(2) >= 0x90 && b(2) <= 0x95) || (b(1) == 0x88 && b(2) == 0x92));
  return dash ? 3 : 0;
}

}  // namespace

std::string StandardKey(std::string_view text) {
  std::string key = MatchKey(text);
  // A trailing edition: a separator and four digits.
  if (key.size() > 5) {
    const size_t digits = key.size() - 4;
    bool year = true;
    for (size_t i = digits; i < key.size() && year; ++i) year = key[i] >= '0' && key[i] <= '9';
    const size_t separator = year ? EditionSeparator(key, digits) : 0;
    if (separator != 0 && digits > separator) {
      key.resize(digits - separator);
      while (!key.empty() && key.back() == ' ') key.pop_back();
    }
  }
  return key;
}

}  // namespace qgrant::policy
