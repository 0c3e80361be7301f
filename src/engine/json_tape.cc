#include "engine/json_tape.h"

#include <emmintrin.h>
#include <simdjson.h>

#include <algorithm>

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

namespace {

// The scanner's state: where it is in the text, and the nodes written so far. Every node takes
// at least one byte of text, so a tape of text.size() + 1 nodes always has room.
class Scanner {
 public:
  Scanner(std::string_view text, Node* nodes) : p_(text.data()), end_(text.data() + text.size()), nodes_(nodes) {}

  // The text is one object, with nothing but white space around it.
  bool Line(size_t* used) {
    SkipSpace();
    if (p_ >= end_ || *p_ != '{' || !Container<Type::kObject, '}'>(0)) return false;
    SkipSpace();
    *used = static_cast<size_t>(next_ - nodes_);
    return p_ == end_;
  }

 private:
  // JSON's white space: space, tab, line feed, carriage return. Every other byte up to ' ' is a
  // control character, which no JSON has outside a string.
  void SkipSpace() {
    constexpr uint64_t kSpace = (1ull << ' ') | (1ull << '\t') | (1ull << '\n') | (1ull << '\r');
    while (p_ < end_ && static_cast<unsigned char>(*p_) <= ' ' && ((kSpace >> *p_) & 1) != 0) ++p_;
  }
  // Whether the next two bytes are `a` and `b`.
  bool Next2(char a, char b) const { return end_ - p_ >= 2 && p_[0] == a && p_[1] == b; }

  // An object's members or an array's items, up to the closing bracket. Scalars are read here;
  // only a nested container is a call. The usual separators, ": " and ", ", are tried first; a
  // value after one of them that starts with more white space leaves the line to the DOM.
  template <Type kType, char kClose>
  bool Container(int depth) {
    if (depth == Tape::kMaxDepth) return false;
    Node* node = next_++;
    node->type = kType;
    ++p_;
    uint32_t size = 0;
    SkipSpace();
    if (p_ < end_ && *p_ == kClose) {
      ++p_;
    } else {
      for (;;) {
        if constexpr (kType == Type::kObject) {
          if (p_ >= end_ || *p_ != '"' || !String()) return false;
          if (Next2(':', ' ')) {
            p_ += 2;
          } else {
            SkipSpace();
            if (p_ >= end_ || *p_ != ':') return false;
            ++p_;
            SkipSpace();
          }
        }
        if (p_ >= end_ || !Value(depth)) return false;
        ++size;
        if (Next2(',', ' ')) {
          p_ += 2;
          continue;
        }
        SkipSpace();
        if (p_ >= end_) return false;
        const char c = *p_++;
        if (c == kClose) break;
        if (c != ',') return false;
        SkipSpace();
      }
    }
    node->size = size;
    node->skip = static_cast<uint32_t>(next_ - node);
    return true;
  }

  // A member's value or an item, at p_ < end_.
  [[gnu::always_inline]] bool Value(int depth) {
    switch (*p_) {
      case '"':
        return String();
      case '{':
        return Container<Type::kObject, '}'>(depth + 1);
      case '[':
        return Container<Type::kArray, ']'>(depth + 1);
      case 't':
        return Literal("true", Type::kBool, true);
      case 'f':
        return Literal("false", Type::kBool, false);
      case 'n':
        return Literal("null", Type::kNull, false);
      default:
        return Integer();
    }
  }

  bool Literal(std::string_view word, Type type, bool value) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size()) != 0) return false;
    p_ += word.size();
    Node* node = next_++;
    node->type = type;
    node->boolean = value;
    node->size = 0;
    node->skip = 1;
    return true;
  }

  // At most 18 digits, without a leading zero unless it is the only one: a value below 10^18,
  // an INT64 to simdjson. What follows must be a delimiter, which the caller checks.
  bool Integer() {
    const char* start = p_;
    uint64_t v = 0;
    while (p_ < end_ && static_cast<unsigned char>(*p_ - '0') < 10) v = v * 10 + static_cast<uint64_t>(*p_++ - '0');
    const size_t digits = static_cast<size_t>(p_ - start);
    if (digits == 0 || digits > 18 || (digits > 1 && *start == '0')) return false;
    if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return false;
    Node* node = next_++;
    node->type = Type::kInt64;
    node->size = 0;
    node->skip = 1;
    node->int64 = static_cast<int64_t>(v);
    return true;
  }

  // A string without escapes or control characters; one with bytes above 127 must be UTF-8.
  [[gnu::always_inline]] bool String() {
    const char* start = ++p_;
    const char* q = FindSpecial(start, /*ascii=*/true);
    if (q == end_) return false;
    if (*q != '"') {
      if (static_cast<unsigned char>(*q) < 0x80) return false;
      const char* wide = q;
      q = FindSpecial(q, /*ascii=*/false);
      if (q == end_ || *q != '"' || !simdjson::validate_utf8(wide, static_cast<size_t>(q - wide))) return false;
    }
    Node* node = next_++;
    node->type = Type::kString;
    node->size = static_cast<uint32_t>(q - start);
    node->skip = 1;
    node->chars = start;
    p_ = q + 1;
    return true;
  }

  // The first quote, backslash or control character from `p` on (with `ascii`, also the first
  // byte above 127), or end_ if there is none before it. Sixteen bytes at a time: the text is
  // padded for the loads that reach past its end.
  [[gnu::always_inline]] const char* FindSpecial(const char* p, bool ascii) const {
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i zero = _mm_setzero_si128();
    for (; p < end_; p += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      // Signed, bytes above 127 are below 0x20 too.
      __m128i low = _mm_cmplt_epi8(x, space);
      if (!ascii) low = _mm_andnot_si128(_mm_cmplt_epi8(x, zero), low);
      const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)), low);
      const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(special));
      if (mask != 0) {
        const char* found = p + __builtin_ctz(mask);
        return found < end_ ? found : end_;
      }
    }
    return end_;
  }

  const char* p_;
  const char* end_;
  Node* nodes_;
  Node* next_ = nodes_;
};

}  // namespace

bool Tape::Scan(std::string_view text) {
  if (text.size() > kMaxScanned) return false;
  if (nodes_.size() < text.size() + 1) nodes_.resize(text.size() + 1);
  return Scanner(text, nodes_.data()).Line(&used_);
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
