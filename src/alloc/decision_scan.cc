#include "alloc/decision_scan.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <span>
#include <tuple>

#include "common/money.h"
#include "common/printable.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace qgrant::alloc {
namespace {

// Deeper nesting than any decision has is refused rather than followed (no unbounded recursion).
constexpr int kMaxDepth = 256;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The length of the valid UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF), or 0 when the bytes there are not one.
size_t Utf8Sequence(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  const unsigned b0 = byte(0);
  const auto cont = [&](size_t k) { return (byte(k) & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    const unsigned b1 = byte(1);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b0 == 0xED && b1 >= 0xA0) return 0;  // a surrogate
    return cont(1) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    const unsigned b1 = byte(1);
    if (b0 == 0xF0 && b1 < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return 0;  // above U+10FFFF
    return cont(1) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

// What the scan keeps of a top-level member the allocation reads.
struct DecisionScanner::Member {
  bool present = false;
  char kind = 0;          // 's' string, 'n' number, 'z' null, 'b' true/false, 'o' object, 'a' array
  std::string_view raw;   // the value's JSON text
  std::string_view text;  // a string's decoded content
  bool integer = false;   // a number without fraction or exponent
  bool negative = false;
  bool fits = false;  // its magnitude fits in 64 bits
  uint64_t magnitude = 0;
};

class DecisionScanner::Parser {
 public:
  Parser(std::string_view s, bool valid_utf8, std::deque<std::string>* decoded, std::vector<std::string_view>* keys)
      : s_(s), valid_utf8_(valid_utf8), decoded_(decoded), keys_(*keys) {
    keys_.clear();
  }

  std::string error;
  bool canonical = true;
  Member id, outcome, amount, cap, measure, clause;
  bool has_allocation = false;

  bool Document() {
    SkipSpace();
    if (At() != '{') {
      error = "决定须为 JSON 对象 / a decision must be a JSON object";
      return false;
    }
    if (!Object(0)) return false;
    SkipSpace();
    if (pos_ != s_.size()) return Fail("JSON 之后多出内容 / text after the JSON value");
    return true;
  }

 private:
  char At() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

  // A syntax error, located by its column.
  bool Fail(std::string message) {
    if (error.empty()) {
      error = std::string(kNotJson) + ": " + std::move(message) + " (column " + std::to_string(pos_ + 1) + ")";
    }
    return false;
  }

  std::string_view Failed(std::string message) {
    Fail(std::move(message));
    return {};
  }

  void SkipSpace() {
    const size_t start = pos_;
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\r' || s_[pos_] == '\n')) ++pos_;
    if (pos_ != start) canonical = false;
  }

  Member* TopMember(std::string_view key) {
    if (key == "id") return &id;
    if (key == "outcome") return &outcome;
    if (key == "amount_fen") return &amount;
    if (key == "cap_fen") return &cap;
    if (key == "measure") return &measure;
    if (key == "clause") return &clause;
    if (key == "allocated_fen" || key == "allocation") has_allocation = true;
    return nullptr;
  }

  bool Object(int depth) {
    if (depth >= kMaxDepth) return Fail("嵌套过深 / nested too deeply");
    ++pos_;  // '{'
    const size_t first_key = keys_.size();
    SkipSpace();
    if (At() == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (At() != '"') return Fail("此处应为成员名 / expected a member name");
      const std::string_view key = String();
      if (key.data() == nullptr) return false;
      keys_.push_back(key);
      SkipSpace();
      if (At() != ':') return Fail("成员名后应为冒号 / expected ':' after a member name");
      ++pos_;
      SkipSpace();
      if (!Value(depth + 1, depth == 0 ? TopMember(key) : nullptr)) return false;
      SkipSpace();
      if (At() == ',') {
        ++pos_;
        continue;
      }
      if (At() != '}') return Fail("此处应为逗号或右花括号 / expected ',' or '}'");
      ++pos_;
      break;
    }
    const bool unique = KeysUnique(first_key);
    keys_.resize(first_key);
    return unique;
  }

  // The member names of the object just read, from keys_[first] on, must differ.
  bool KeysUnique(size_t first) {
    std::span<std::string_view> keys(keys_.data() + first, keys_.size() - first);
    std::string_view repeated;
    if (keys.size() <= 16) {  // a decision's objects are small: pairs are cheaper than sorting
      // Names of one length mostly differ in their first byte: compared before the whole name.
      const auto same = [](std::string_view a, std::string_view b) {
        return a.size() == b.size() && (a.empty() || (a[0] == b[0] && a == b));
      };
      for (size_t i = 0; i < keys.size() && repeated.empty(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (same(keys[i], keys[j])) repeated = keys[i];
        }
      }
    } else {
      std::vector<std::string_view> sorted(keys.begin(), keys.end());
      std::sort(sorted.begin(), sorted.end());
      const auto it = std::adjacent_find(sorted.begin(), sorted.end());
      if (it != sorted.end()) repeated = *it;
    }
    if (repeated.empty()) return true;
    error = "成员名 \"" + Printable(repeated) + "\" 在同一对象中重复 / the member name \"" + Printable(repeated) +
            "\" appears twice in one object (a repeated key is refused, not guessed)";
    return false;
  }

  bool Array(int depth) {
    if (depth >= kMaxDepth) return Fail("嵌套过深 / nested too deeply");
    ++pos_;  // '['
    SkipSpace();
    if (At() == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (!Value(depth + 1, nullptr)) return false;
      SkipSpace();
      if (At() == ',') {
        ++pos_;
        continue;
      }
      if (At() != ']') return Fail("此处应为逗号或右方括号 / expected ',' or ']'");
      ++pos_;
      return true;
    }
  }

  bool Value(int depth, Member* member) {
    const size_t start = pos_;
    char kind = 0;
    bool ok = false;
    std::string_view text;
    switch (At()) {
      case '{':
        kind = 'o', ok = Object(depth);
        break;
      case '[':
        kind = 'a', ok = Array(depth);
        break;
      case '"':
        kind = 's', text = String(), ok = text.data() != nullptr;
        break;
      case 't':
        kind = 'b', ok = Literal("true");
        break;
      case 'f':
        kind = 'b', ok = Literal("false");
        break;
      case 'n':
        kind = 'z', ok = Literal("null");
        break;
      default:
        if (At() == '-' || IsDigit(At())) {
          kind = 'n';
          ok = Number(member);
        } else {
          return Fail("此处应为 JSON 值 / expected a JSON value");
        }
    }
    if (ok && member != nullptr) {
      member->present = true;
      member->kind = kind;
      member->raw = s_.substr(start, pos_ - start);
      member->text = text;
    }
    return ok;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return Fail("此处应为 JSON 值 / expected a JSON value");
    pos_ += word.size();
    return true;
  }

  // JSON number grammar. Canonical (as the writer prints it) only as an integer that is not "-0"
  // and fits the writer's 64-bit integers; anything else it would print differently.
  bool Number(Member* member) {
    const size_t start = pos_;
    const bool negative = At() == '-';
    if (negative) ++pos_;
    if (!IsDigit(At())) return Fail("数字格式错误 / malformed number");
    uint64_t magnitude = 0;
    bool fits = true;
    if (At() == '0') {
      ++pos_;
    } else {
      while (IsDigit(At())) {
        const uint64_t digit = static_cast<uint64_t>(At() - '0');
        if (magnitude > (UINT64_MAX - digit) / 10) fits = false;
        magnitude = magnitude * 10 + digit;
        ++pos_;
      }
    }
    bool integer = true;
    if (At() == '.') {
      integer = false;
      ++pos_;
      if (!IsDigit(At())) return Fail("数字格式错误 / malformed number");
      while (IsDigit(At())) ++pos_;
    }
    if (At() == 'e' || At() == 'E') {
      integer = false;
      ++pos_;
      if (At() == '+' || At() == '-') ++pos_;
      if (!IsDigit(At())) return Fail("数字格式错误 / malformed number");
      while (IsDigit(At())) ++pos_;
    }
    const bool in_range = fits && (!negative || magnitude <= uint64_t{1} << 63);
    if (!integer || !in_range || (negative && magnitude == 0) || (pos_ - start > 1 && s_[start] == '0'))
      canonical = false;
    if (member != nullptr) {
      member->integer = integer;
      member->negative = negative;
      member->fits = fits;
      member->magnitude = magnitude;
    }
    return true;
  }

  // The next byte of a string that needs a look: '"', '\\', a control byte or, unless the text is
  // known to be valid UTF-8, a non-ASCII byte.
  size_t NextSpecial(size_t i) const {
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), space = _mm_set1_epi8(0x20);
    const __m128i below_space = _mm_set1_epi8(0x1F);
    for (; i + 16 <= s_.size(); i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s_.data() + i));
      // Signed compare: bytes >= 0x80 are negative, so "below 0x20" catches them and controls;
      // unsigned (max(v, 0x1F) == 0x1F) catches the controls alone.
      const __m128i low =
          valid_utf8_ ? _mm_cmpeq_epi8(_mm_max_epu8(v, below_space), below_space) : _mm_cmplt_epi8(v, space);
      const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)), low);
      const int mask = _mm_movemask_epi8(hit);
      if (mask != 0) return i + static_cast<size_t>(std::countr_zero(static_cast<unsigned>(mask)));
    }
#endif
    for (; i < s_.size(); ++i) {
      const auto c = static_cast<unsigned char>(s_[i]);
      if (c == '"' || c == '\\' || c < 0x20 || (c >= 0x80 && !valid_utf8_)) return i;
    }
    return i;
  }

  // A string starting at the opening quote: its decoded content, or a view without data when it
  // is not a valid string. (Returned by value, in registers: a view written through a pointer and
  // read back as one 16-byte load stalled the processor on every member name.)
  std::string_view String() {
    const size_t begin = ++pos_;
    std::string* decoded = nullptr;  // only for strings with escapes
    size_t copied = begin;           // s_[copied, pos_) is yet to be appended to *decoded
    for (;;) {
      pos_ = NextSpecial(pos_);
      if (pos_ >= s_.size()) return Failed("字符串未结束 / unterminated string");
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') break;
      if (c < 0x20) return Failed("字符串中有未转义的控制字符 / unescaped control character in a string");
      if (c >= 0x80) {
        const size_t n = Utf8Sequence(s_, pos_);
        if (n == 0) return Failed("无效的 UTF-8 / invalid UTF-8");
        pos_ += n;
        continue;
      }
      if (decoded == nullptr) decoded = &decoded_->emplace_back();
      decoded->append(s_.substr(copied, pos_ - copied));
      if (!Escape(decoded)) return {};
      copied = pos_;
    }
    ++pos_;  // closing quote
    if (decoded == nullptr) return s_.substr(begin, pos_ - 1 - begin);
    decoded->append(s_.substr(copied, pos_ - 1 - copied));
    return *decoded;
  }

  bool Hex4(uint32_t* cp) {
    *cp = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = At();
      const int v = IsDigit(c)               ? c - '0'
                    : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                             : -1;
      if (v < 0) return Fail("\\u 之后应为四位十六进制数 / expected four hex digits after \\u");
      *cp = *cp * 16 + static_cast<uint32_t>(v);
      ++pos_;
    }
    return true;
  }

  // An escape at the backslash; appends what it stands for.
  bool Escape(std::string* out) {
    const size_t start = pos_;
    ++pos_;
    const char c = At();
    ++pos_;
    switch (c) {
      case '"':
        out->push_back('"');
        return true;
      case '\\':
        out->push_back('\\');
        return true;
      case 'b':
        out->push_back('\b');
        return true;
      case 'f':
        out->push_back('\f');
        return true;
      case 'n':
        out->push_back('\n');
        return true;
      case 'r':
        out->push_back('\r');
        return true;
      case 't':
        out->push_back('\t');
        return true;
      case '/':
        canonical = false, out->push_back('/');
        return true;
      case 'u':
        break;
      default:
        --pos_;
        return Fail("无效的转义 / invalid escape");
    }
    uint32_t cp;
    if (!Hex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("孤立的代理项 / a lone surrogate in \\u");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low;
      if (At() != '\\' || pos_ + 1 >= s_.size() || s_[pos_ + 1] != 'u')
        return Fail("孤立的代理项 / a lone surrogate in \\u");
      pos_ += 2;
      if (!Hex4(&low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return Fail("孤立的代理项 / a lone surrogate in \\u");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    // The writer escapes only control characters this way, as \u00XX in lower case, and those
    // with a short form (\b \t \n \f \r) by it.
    char expected[12];
    std::snprintf(expected, sizeof expected, "\\u%04x", cp);
    const bool short_form = cp == '\b' || cp == '\t' || cp == '\n' || cp == '\f' || cp == '\r';
    if (cp >= 0x20 || short_form || s_.substr(start, pos_ - start) != expected) canonical = false;
    AppendUtf8(cp, out);
    return true;
  }

  std::string_view s_;
  bool valid_utf8_;  // checked by the caller: only JSON's own bytes need a look in strings
  size_t pos_ = 0;
  std::deque<std::string>* decoded_;
  std::vector<std::string_view>& keys_;  // member names of the objects being read, innermost last
};

namespace {

// A member holding fen must be a JSON integer from 0 to 10^15 (CONTRACT §6: money is integers).
bool ReadFen(const DecisionScanner::Member& m, int64_t* fen) {
  if (m.kind != 'n' || !m.integer || !m.fits || (m.negative && m.magnitude != 0)) return false;
  if (m.magnitude > static_cast<uint64_t>(money::kMaxFen)) return false;
  *fen = static_cast<int64_t>(m.magnitude);
  return true;
}

std::string FenError(std::string_view name, const DecisionScanner::Member& m) {
  return "\"" + std::string(name) + "\" 须为 0 到 10^15 的整数分 / an eligible decision needs \"" + std::string(name) +
         "\", a whole number of fen from 0 to 10^15" + (m.present ? " (got " + std::string(m.raw) + ")" : "");
}

}  // namespace

std::string DecisionScanner::Scan(std::string_view line, ScannedDecision* out, bool valid_utf8) {
  decoded_.clear();
  *out = ScannedDecision{};
  Parser p(line, valid_utf8, &decoded_, &keys_);
  if (!p.Document()) return p.error;
  if (!p.outcome.present || p.outcome.kind != 's') return "缺少字符串 \"outcome\" / no \"outcome\" string";
  if (p.id.present && p.id.kind != 'z') {
    out->id = p.id.raw;
    out->id_is_string = p.id.kind == 's';
    out->id_key = out->id_is_string ? p.id.text : p.id.raw;
  }
  const std::string_view o = p.outcome.text;
  if (o == "ineligible" || o == "referred" || o == "invalid") return "";
  if (o != "eligible") {
    return "未知的 outcome \"" + Printable(o) + "\" / outcome \"" + Printable(o) +
           "\" is not one of eligible, ineligible, referred, invalid";
  }
  // The id is what keeps a decision from being paid twice: an eligible one without its string id
  // (eval always writes one) is refused, not paid.
  if (!out->id_is_string || out->id_key.empty()) {
    return "符合条件的决定须有字符串 \"id\" / an eligible decision needs its \"id\", a non-empty string (the "
           "application it pays; without it a decision given twice would be paid twice)";
  }
  out->eligible = true;
  if (!ReadFen(p.amount, &out->amount_fen)) return FenError("amount_fen", p.amount);
  if (p.cap.present && p.cap.kind != 'z') {
    if (!ReadFen(p.cap, &out->cap_fen)) return FenError("cap_fen", p.cap);
    out->has_cap = true;
    if (out->amount_fen > out->cap_fen) {
      return "核定金额超过上限：amount_fen " + std::to_string(out->amount_fen) + " > cap_fen " +
             std::to_string(out->cap_fen) + " / the amount is above the decision's ceiling";
    }
  }
  for (auto [name, member, field] :
       {std::tuple{"measure", &p.measure, &out->measure}, std::tuple{"clause", &p.clause, &out->clause}}) {
    if (!member->present || member->kind == 'z') continue;
    if (member->kind != 's') return std::string("\"") + name + "\" 须为字符串 / \"" + name + "\" must be a string";
    *field = member->text;
  }
  out->canonical = p.canonical && !p.has_allocation;
  return "";
}

}  // namespace qgrant::alloc
