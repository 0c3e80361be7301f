#include "engine/json_tape.h"

#include <emmintrin.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace qgrant::engine::json {

bool Node::operator==(const Node& o) const {
  if (type != o.type || size != o.size || skip != o.skip) return false;
  switch (type) {
    case Type::kNull:
    case Type::kArray:
    case Type::kObject:
      return true;
    case Type::kBool:
      return boolean == o.boolean;
    case Type::kInt64:
      return int64 == o.int64;
    case Type::kUint64:
      return uint64 == o.uint64;
    case Type::kDouble:
      return std::memcmp(&number, &o.number, sizeof number) == 0;
    case Type::kString:
      return std::memcmp(chars, o.chars, size) == 0;
  }
  return false;
}

// Where the text's quotes, backslashes and control characters are, a bit for each byte, and its
// first and last bytes above 127: found sixteen bytes at a time before the text is walked. A
// string's end is then the first quote bit after its opening quote, and the walk's next step does
// not wait on a search through the string's bytes (as it did when each string was
// searched for its end: 200 ns a workload line natively, against 165 ns so). Only a string with a
// backslash in it is walked byte by byte, to decode it and find its end.
class LineIndex {
 public:
  LineIndex() = default;
  LineIndex(const LineIndex&) = delete;
  LineIndex& operator=(const LineIndex&) = delete;

  // `text` is followed by at least Tape::kPadding readable bytes: a block of 64 is read whole.
  void Build(const char* text, size_t n) {
    text_ = text;
    n_ = n;
    words_ = (n + 63) / 64;
    if (specials_.size() < words_) {
      quotes_.resize(words_);
      specials_.resize(words_);
    }
    // A string decodes to no more bytes than it is written in: room for all of them at once, so
    // that the nodes' pointers into it stay valid.
    if (decoded_.size() < n) decoded_.resize(n);
    decoded_used_ = 0;
    wide_from_ = wide_to_ = 0;
    for (size_t w = 0; w < words_; ++w) {
      uint64_t q = 0, sp = 0, wide = 0;
      Block(text + w * 64, &q, &sp, &wide);
      // Bytes past the text (the padding) are not the text's.
      const uint64_t in_text = n - w * 64 >= 64 ? ~uint64_t{0} : (uint64_t{1} << (n - w * 64)) - 1;
      specials_[w] = sp & in_text;
      if (const uint64_t wides = wide & in_text; wides != 0) {
        if (wide_to_ == 0) wide_from_ = w * 64 + static_cast<size_t>(__builtin_ctzll(wides));
        wide_to_ = w * 64 + 64 - static_cast<size_t>(__builtin_clzll(wides));
      }
      quotes_[w] = q & in_text;
    }
    next_special_ = NextBit(specials_, 0);
  }

  const char* text() const { return text_; }
  // Where the string whose opening quote is at `open` ends unless it holds escapes: the next
  // quote after it (false: none in the text). A quote the walk reads is always a string's
  // opening one (the walk takes a string only at a quote, and past its closing quote), so the
  // quote after it is the closing one, or an escaped one, which AnySpecial tells.
  bool StringAt(size_t open, size_t* close) const {
    size_t w = (open + 1) >> 6;
    if (w >= words_) return false;
    uint64_t m = quotes_[w] & (~uint64_t{0} << ((open + 1) & 63));
    while (m == 0) {
      if (++w == words_) return false;
      m = quotes_[w];
    }
    *close = (w << 6) | static_cast<size_t>(__builtin_ctzll(m));
    return true;
  }
  // Room for a decoded string's bytes, valid until the next Build: at most the text's size in
  // all, which Commit counts.
  char* Decoded() { return decoded_.data() + decoded_used_; }
  void Commit(size_t bytes) { decoded_used_ += bytes; }
  // Whether [from, to) holds a backslash or a control character; asked with `from` never less
  // than the time before.
  bool AnySpecial(size_t from, size_t to) { return Any(specials_, &next_special_, from, to); }
  // From the text's first byte above 127 to past its last ([0, 0) if there is none).
  size_t WideFrom() const { return wide_from_; }
  size_t WideTo() const { return wide_to_; }

 private:
  size_t NextBit(const std::vector<uint64_t>& mask, size_t from) const {
    size_t w = from >> 6;
    if (w >= words_) return n_;
    uint64_t m = mask[w] & (~uint64_t{0} << (from & 63));
    while (m == 0) {
      if (++w == words_) return n_;
      m = mask[w];
    }
    return (w << 6) | static_cast<size_t>(__builtin_ctzll(m));
  }
  // `*next` is the first bit at or after some place before `from`: when it lies before `from`,
  // the first one from `from` is found (such bytes are rare, so this is seldom).
  bool Any(const std::vector<uint64_t>& mask, size_t* next, size_t from, size_t to) const {
    if (*next < from) *next = NextBit(mask, from);
    return *next < to;
  }

  // The quotes, the backslashes and control characters, and the bytes above 127 among 64 bytes.
  static void Block(const char* at, uint64_t* quotes, uint64_t* specials, uint64_t* wides) {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i zero = _mm_setzero_si128();
    for (int k = 0; k < 4; ++k) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at + 16 * k));
      const __m128i negative = _mm_cmplt_epi8(x, zero);  // above 127
      const __m128i control = _mm_andnot_si128(negative, _mm_cmplt_epi8(x, space));
      const auto bits = [k](__m128i m) {
        return static_cast<uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(m))) << (16 * k);
      };
      *quotes |= bits(_mm_cmpeq_epi8(x, quote));
      *specials |= bits(_mm_or_si128(_mm_cmpeq_epi8(x, backslash), control));
      *wides |= bits(negative);
    }
  }

  const char* text_ = nullptr;
  size_t n_ = 0, words_ = 0;
  std::vector<uint64_t> quotes_, specials_;
  size_t wide_from_ = 0, wide_to_ = 0;
  size_t next_special_ = 0;
  std::vector<char> decoded_;  // the strings with escapes, decoded
  size_t decoded_used_ = 0;
};

namespace {

// The scanner works on its position `p` in the text and the next node to write, both kept in
// locals of each container's loop (as members they were stored and reloaded after every node
// written, which might alias them). Every node takes at least one byte of text, so a tape of
// text.size() + 1 nodes always has room.
struct Cursor {
  const char* p;  // null: the text is not taken
  Node* next;
};

template <Type kType, char kClose>
Cursor Container(Cursor at, const char* end, int depth, LineIndex& ix);

// JSON's white space: space, tab, line feed, carriage return. Every other byte up to ' ' is a
// control character, which no JSON has outside a string.
[[gnu::always_inline]] inline void SkipSpace(const char*& p, const char* end) {
  constexpr uint64_t kSpace = (1ull << ' ') | (1ull << '\t') | (1ull << '\n') | (1ull << '\r');
  while (p < end && static_cast<unsigned char>(*p) <= ' ' && ((kSpace >> *p) & 1) != 0) ++p;
}

// simdjson's implementation for this processor, whose UTF-8 validator is called directly rather
// than through simdjson::validate_utf8, which looks the implementation up at every call. Until a
// first call through it, simdjson's active implementation is a stand-in that detects the
// processor's again (reading the environment) at every call, so one is made first.
const simdjson::implementation* Utf8() {
  static const simdjson::implementation* const active = [] {
    [[maybe_unused]] const bool picked = simdjson::validate_utf8("", 0);
    return static_cast<const simdjson::implementation*>(simdjson::get_active_implementation());
  }();
  return active;
}

// Four hex digits, either case, as a code point.
bool Hex4(const char* at, uint32_t* out) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const char c = at[i];
    uint32_t d;
    if (c >= '0' && c <= '9')
      d = static_cast<uint32_t>(c - '0');
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
      d = static_cast<uint32_t>((c | 0x20) - 'a' + 10);
    else
      return false;
    v = v << 4 | d;
  }
  *out = v;
  return true;
}

// What the escape \c stands for, for the escapes of one character; 0 for any other c (a switch:
// strchr in a list of them was a call for every \u, the commonest escape, which it never finds).
char ShortEscape(char c) {
  switch (c) {
    case '"':
    case '\\':
    case '/':
      return c;
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    default:
      return 0;
  }
}

// A code point outside the surrogates as UTF-8 at `out`: its length.
size_t Utf8Bytes(uint32_t cp, char* out) {
  auto byte = [](uint32_t b) { return static_cast<char>(static_cast<unsigned char>(b)); };
  if (cp < 0x80) {
    out[0] = byte(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = byte(0xC0 | cp >> 6);
    out[1] = byte(0x80 | (cp & 0x3F));
    return 2;
  }
  out[0] = byte(0xE0 | cp >> 12);
  out[1] = byte(0x80 | (cp >> 6 & 0x3F));
  out[2] = byte(0x80 | (cp & 0x3F));
  return 3;
}

}  // namespace

const char* DecodeString(const char* s, const char* end, char* out, size_t* size) {
  char* o = out;
  for (;;) {
    if (s >= end) return nullptr;
    const char c = *s;
    if (c == '"') break;
    if (static_cast<unsigned char>(c) < 0x20) return nullptr;
    if (c != '\\') {
      *o++ = c;
      ++s;
      continue;
    }
    if (end - s < 2) return nullptr;
    if (const char short_form = ShortEscape(s[1]); short_form != 0) {
      *o++ = short_form;
      s += 2;
      continue;
    }
    uint32_t cp;
    if (s[1] != 'u' || end - s < 6 || !Hex4(s + 2, &cp) || (cp >= 0xD800 && cp <= 0xDFFF)) return nullptr;
    o += Utf8Bytes(cp, o);
    s += 6;
  }
  *size = static_cast<size_t>(o - out);
  return s;
}

namespace {

// The length of the number JSON's grammar allows at `p` (0 if none): -?(0|[1-9][0-9]*)
// (.[0-9]+)?([eE][+-]?[0-9]+)?; `*integer` when it has neither fraction nor exponent.
size_t NumberToken(const char* p, const char* end, bool* integer) {
  const char* q = p;
  auto digits = [&] {
    const char* from = q;
    while (q < end && *q >= '0' && *q <= '9') ++q;
    return q > from;
  };
  if (q < end && *q == '-') ++q;
  if (q < end && *q == '0') {
    ++q;
  } else if (!digits()) {
    return 0;
  }
  *integer = true;
  if (q < end && *q == '.') {
    ++q;
    if (!digits()) return 0;
    *integer = false;
  }
  if (q < end && (*q == 'e' || *q == 'E')) {
    ++q;
    if (q < end && (*q == '+' || *q == '-')) ++q;
    if (!digits()) return 0;
    *integer = false;
  }
  return static_cast<size_t>(q - p);
}

// Whether the number `token` (JSON's grammar) is at least one in magnitude, from its digits and
// exponent alone (a double cannot say: the number is beyond its range).
bool AboveOne(std::string_view token) {
  const size_t sign = token[0] == '-' ? 1 : 0;
  const size_t e_at = std::min(token.find_first_of("eE"), token.size());
  const std::string_view mantissa = token.substr(sign, e_at - sign);
  const size_t dot = mantissa.find('.');
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  // The first significant digit stands for 10^(place - 1).
  int64_t place;
  if (const size_t nz = whole.find_first_not_of('0'); nz != std::string_view::npos) {
    place = static_cast<int64_t>(whole.size() - nz);
  } else if (const size_t fz = fraction.find_first_not_of('0'); fz != std::string_view::npos) {
    place = -static_cast<int64_t>(fz);
  } else {
    return false;  // zero
  }
  int64_t exponent = 0;
  if (e_at < token.size()) {
    const char* from = token.data() + e_at + 1;
    if (*from == '+') ++from;
    if (std::from_chars(from, token.data() + token.size(), exponent).ec != std::errc())
      exponent = *from == '-' ? INT32_MIN : INT32_MAX;  // more digits than 64 bits hold
  }
  return place + std::clamp<int64_t>(exponent, INT32_MIN, INT32_MAX) > 0;
}

// The stand-in for the number `token`, or empty when 64 bits hold it.
std::string_view StandIn(std::string_view token, bool integer) {
  const char* b = token.data();
  const char* e = b + token.size();
  const bool negative = token[0] == '-';
  if (integer) {
    int64_t i;
    uint64_t u;
    if (std::from_chars(b, e, i).ec == std::errc() || (!negative && std::from_chars(b, e, u).ec == std::errc()))
      return {};
    return negative ? "-9223372036854775808" : "18446744073709551615";
  }
  double d = 0;
  if (std::from_chars(b, e, d).ec != std::errc::result_out_of_range || !AboveOne(token)) return {};
  // Too small a magnitude reads as zero, as simdjson reads it; too large is out of range.
  return negative ? "-1e308" : "1e308";
}

}  // namespace

bool NumbersInRange(std::string_view text, std::string* out) {
  const char* p = text.data();
  const char* const end = p + text.size();
  bool replaced = false;
  out->clear();
  const char* copied = p;  // text before it is in `out`
  while (p < end) {
    if (*p == '"') {  // a string, to its closing quote
      for (++p; p < end && *p != '"'; ++p) {
        if (*p == '\\') ++p;
      }
      ++p;
      continue;
    }
    bool integer = false;
    const size_t n = (*p == '-' || (*p >= '0' && *p <= '9')) ? NumberToken(p, end, &integer) : 0;
    if (n == 0) {
      ++p;
      continue;
    }
    if (const std::string_view stand_in = StandIn({p, n}, integer); !stand_in.empty()) {
      out->append(copied, p);
      out->append(stand_in);
      copied = p + n;
      replaced = true;
    }
    p += n;
  }
  if (replaced) out->append(copied, end);
  return replaced;
}

namespace {

// A string whose bytes start at `s` and hold escapes, decoded (DecodeString) into the index's
// buffer (`*chars`, `*size`), and where its closing quote is (`*close`); false: the DOM's.
[[gnu::noinline]] bool Unescaped(const char* s, const char* end, LineIndex& ix, size_t* close, const char** chars,
                                 size_t* size) {
  char* const out = ix.Decoded();
  const char* const quote = DecodeString(s, end, out, size);
  if (quote == nullptr) return false;
  *close = static_cast<size_t>(quote - ix.text());
  *chars = out;
  ix.Commit(*size);
  return true;
}

// A string, at its opening quote, without control characters (the line's bytes above 127 were
// found to be UTF-8 before the walk). One without escapes is the text between its quotes; the
// others are decoded (Unescaped).
[[gnu::always_inline]] inline bool String(const char*& p, const char* end, Node*& next, LineIndex& ix) {
  const char* text = ix.text();
  const size_t open = static_cast<size_t>(p - text);
  size_t close;
  if (!ix.StringAt(open, &close)) return false;
  const char* chars = p + 1;
  size_t size = close - open - 1;
  if (ix.AnySpecial(open + 1, close) && !Unescaped(p + 1, end, ix, &close, &chars, &size)) return false;
  Node* node = next++;
  node->type = Type::kString;
  node->size = static_cast<uint32_t>(size);
  node->skip = 1;
  node->chars = chars;
  p = text + close + 1;
  return true;
}

inline bool Literal(const char*& p, const char* end, Node*& next, std::string_view word, Type type, bool value) {
  if (static_cast<size_t>(end - p) < word.size() || std::memcmp(p, word.data(), word.size()) != 0) return false;
  p += word.size();
  Node* node = next++;
  node->type = type;
  node->boolean = value;
  node->size = 0;
  node->skip = 1;
  return true;
}

// At most 18 digits, without a leading zero unless it is the only one: a value below 10^18, an
// INT64 to simdjson. What follows must be a delimiter, which the caller checks.
inline bool Integer(const char*& p, const char* end, Node*& next) {
  const char* start = p;
  uint64_t v = 0;
  while (p < end && static_cast<unsigned char>(*p - '0') < 10) v = v * 10 + static_cast<uint64_t>(*p++ - '0');
  const size_t digits = static_cast<size_t>(p - start);
  if (digits == 0 || digits > 18 || (digits > 1 && *start == '0')) return false;
  if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) return false;
  Node* node = next++;
  node->type = Type::kInt64;
  node->size = 0;
  node->skip = 1;
  node->int64 = static_cast<int64_t>(v);
  return true;
}

template <Type kType, char kClose>
[[gnu::always_inline]] inline bool Nested(const char*& p, const char* end, Node*& next, int depth, LineIndex& ix) {
  const Cursor after = Container<kType, kClose>({p, next}, end, depth + 1, ix);
  p = after.p;
  next = after.next;
  return p != nullptr;
}

// A member's value or an item, at p < end.
[[gnu::always_inline]] inline bool Value(const char*& p, const char* end, Node*& next, int depth, LineIndex& ix) {
  switch (*p) {
    case '"':
      return String(p, end, next, ix);
    case '{':
      return Nested<Type::kObject, '}'>(p, end, next, depth, ix);
    case '[':
      return Nested<Type::kArray, ']'>(p, end, next, depth, ix);
    case 't':
      return Literal(p, end, next, "true", Type::kBool, true);
    case 'f':
      return Literal(p, end, next, "false", Type::kBool, false);
    case 'n':
      return Literal(p, end, next, "null", Type::kNull, false);
    default:
      return Integer(p, end, next);
  }
}

// An object's members or an array's items, at its opening bracket, up to the closing one.
// Scalars are read here; only a nested container is a call. The usual separators, ":" and ","
// followed by one space or none, are tried first; a value after one of them that starts with more
// white space leaves the line to the DOM.
template <Type kType, char kClose>
Cursor Container(Cursor at, const char* end, int depth, LineIndex& ix) {
  constexpr Cursor kRefused{nullptr, nullptr};
  if (depth == Tape::kMaxDepth) return kRefused;
  const char* p = at.p + 1;
  Node* next = at.next;
  Node* node = next++;
  node->type = kType;
  uint32_t size = 0;
  SkipSpace(p, end);
  if (p < end && *p == kClose) {
    ++p;
  } else {
    for (;;) {
      if constexpr (kType == Type::kObject) {
        if (p >= end || *p != '"' || !String(p, end, next, ix)) return kRefused;
        if (p < end && *p == ':') {
          p += 1 + (p[1] == ' ');  // past the end (in the padding) only where the text ends early
        } else {
          SkipSpace(p, end);
          if (p >= end || *p != ':') return kRefused;
          ++p;
          SkipSpace(p, end);
        }
      }
      if (p >= end || !Value(p, end, next, depth, ix)) return kRefused;
      ++size;
      if (p < end && *p == ',') {
        p += 1 + (p[1] == ' ');
        continue;
      }
      SkipSpace(p, end);
      if (p >= end) return kRefused;
      const char c = *p++;
      if (c == kClose) break;
      if (c != ',') return kRefused;
      SkipSpace(p, end);
    }
  }
  node->size = size;
  node->skip = static_cast<uint32_t>(next - node);
  return {p, next};
}

// The text is one object, with nothing but white space around it.
bool ScanLine(std::string_view text, Node* nodes, LineIndex* ix, size_t* used) {
  const char* p = text.data();
  const char* const end = text.data() + text.size();
  SkipSpace(p, end);
  if (p >= end || *p != '{') return false;
  ix->Build(text.data(), text.size());
  // Bytes above 127 belong in strings only (elsewhere the walk refuses them), and a sequence of
  // UTF-8 never spans an ASCII byte such as a quote: so the bytes from the first above 127 to the
  // last are valid UTF-8 exactly when each string's bytes are. One call for the line costs less
  // than one for each string with such bytes (a call has a fixed cost of about 40 ns).
  if (ix->WideTo() != 0 && !Utf8()->validate_utf8(text.data() + ix->WideFrom(), ix->WideTo() - ix->WideFrom()))
    return false;
  const Cursor after = Container<Type::kObject, '}'>({p, nodes}, end, 0, *ix);
  if (after.p == nullptr) return false;
  p = after.p;
  SkipSpace(p, end);
  *used = static_cast<size_t>(after.next - nodes);
  return p == end;
}

}  // namespace

Tape::Tape() : index_(std::make_unique<LineIndex>()) {}
Tape::~Tape() = default;

bool Tape::Scan(std::string_view text) {
  if (text.size() > kMaxScanned) return false;
  if (nodes_.size() < text.size() + 1) nodes_.resize(text.size() + 1);
  return ScanLine(text, nodes_.data(), index_.get(), &used_);
}

void Tape::FromDom(const simdjson::dom::element& e) {
  used_ = 0;
  Add(e);
}

size_t Tape::Push() {
  if (nodes_.size() == used_) nodes_.resize(std::max<size_t>(16, 2 * nodes_.size()));
  return used_++;
}

void Tape::Add(const simdjson::dom::element& e) {
  const size_t at = Push();
  Node node;
  switch (e.type()) {
    case simdjson::dom::element_type::NULL_VALUE:
      break;
    case simdjson::dom::element_type::BOOL:
      node.type = Type::kBool;
      node.boolean = e.get_bool().value_unsafe();
      break;
    case simdjson::dom::element_type::INT64:
      node.type = Type::kInt64;
      node.int64 = e.get_int64().value_unsafe();
      break;
    case simdjson::dom::element_type::UINT64:
      node.type = Type::kUint64;
      node.uint64 = e.get_uint64().value_unsafe();
      break;
    case simdjson::dom::element_type::DOUBLE:
      node.type = Type::kDouble;
      node.number = e.get_double().value_unsafe();
      break;
    case simdjson::dom::element_type::STRING: {
      const std::string_view s = e.get_string().value_unsafe();
      node.type = Type::kString;
      node.chars = s.data();
      node.size = static_cast<uint32_t>(s.size());
      break;
    }
    case simdjson::dom::element_type::ARRAY: {
      node.type = Type::kArray;
      const simdjson::dom::array items(e);
      for (const simdjson::dom::element item : items) {
        Add(item);
        ++node.size;
      }
      break;
    }
    case simdjson::dom::element_type::OBJECT: {
      node.type = Type::kObject;
      const simdjson::dom::object members(e);
      for (const auto [key, value] : members) {
        Node& k = nodes_[Push()];
        k = Node();
        k.type = Type::kString;
        k.chars = key.data();
        k.size = static_cast<uint32_t>(key.size());
        Add(value);
        ++node.size;
      }
      break;
    }
  }
  node.skip = static_cast<uint32_t>(used_ - at);
  nodes_[at] = node;
}

}  // namespace qgrant::engine::json
