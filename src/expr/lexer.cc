#include "expr/lexer.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "expr/format.h"

namespace qgrant::expr {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int HexVal(char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

}  // namespace

bool IsReservedWord(std::string_view w) {
  static const char* const kReserved[] = {"as",        "break",  "const",  "continue", "else", "for",
                                          "function",  "if",     "import", "let",      "loop", "package",
                                          "namespace", "return", "var",    "void",     "while"};
  for (const char* r : kReserved) {
    if (w == r) return true;
  }
  return false;
}

void Lexer::Error(int32_t offset, std::string message, std::vector<Diagnostic>* diagnostics) {
  Diagnostic d;
  d.pos.offset = offset;
  d.message = std::move(message);
  diagnostics->push_back(std::move(d));
}

std::vector<Token> Lexer::Tokenize(std::vector<Diagnostic>* diagnostics) {
  std::vector<Token> out;
  while (true) {
    Token t = Next(diagnostics);
    bool end = t.kind == TokenKind::kEnd;
    if (t.kind != TokenKind::kError) out.push_back(std::move(t));
    if (end) break;
  }
  return out;
}

void Lexer::SkipSpaceAndComments() {
  while (pos_ < src_.size()) {
    char c = src_[pos_];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++pos_;
    } else if (c == '/' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '/') {
      while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
    } else {
      break;
    }
  }
}

Token Lexer::Next(std::vector<Diagnostic>* diagnostics) {
  SkipSpaceAndComments();
  Token t;
  t.offset = static_cast<int32_t>(pos_);
  if (pos_ >= src_.size()) return t;
  const char c = src_[pos_];
  if (c == '"' || c == '\'') return LexQuoted(pos_, false, false, diagnostics);
  if (LexPrefixedQuoted(diagnostics, &t)) return t;
  if (IsIdentStart(c)) return LexIdent(std::move(t));
  if (c == '`') return LexQuotedIdent(std::move(t), diagnostics);
  if (IsDigit(c) || (c == '.' && pos_ + 1 < src_.size() && IsDigit(src_[pos_ + 1]))) return LexNumber(diagnostics);
  if (LexOperator(&t)) return t;
  return LexUnknown(std::move(t), diagnostics);
}

// String and bytes literals with r/R and b/B prefixes in either order; false when the letters
// at pos_ start an identifier instead.
bool Lexer::LexPrefixedQuoted(std::vector<Diagnostic>* diagnostics, Token* t) {
  auto peek = [&](size_t k) -> char { return pos_ + k < src_.size() ? src_[pos_ + k] : '\0'; };
  const char c = peek(0), c1 = peek(1), c2 = peek(2);
  const bool r0 = c == 'r' || c == 'R', b0 = c == 'b' || c == 'B';
  if (!r0 && !b0) return false;
  if (c1 == '"' || c1 == '\'') {
    size_t start = pos_;
    pos_ += 1;
    *t = LexQuoted(start, r0, b0, diagnostics);
    return true;
  }
  const bool r1 = c1 == 'r' || c1 == 'R', b1 = c1 == 'b' || c1 == 'B';
  if (((r0 && b1) || (b0 && r1)) && (c2 == '"' || c2 == '\'')) {
    size_t start = pos_;
    pos_ += 2;
    *t = LexQuoted(start, true, true, diagnostics);
    return true;
  }
  return false;
}

Token Lexer::LexIdent(Token t) {
  size_t start = pos_;
  while (pos_ < src_.size() && (IsIdentStart(src_[pos_]) || IsDigit(src_[pos_]))) ++pos_;
  t.text = std::string(src_.substr(start, pos_ - start));
  if (t.text == "true")
    t.kind = TokenKind::kTrue;
  else if (t.text == "false")
    t.kind = TokenKind::kFalse;
  else if (t.text == "null")
    t.kind = TokenKind::kNull;
  else if (t.text == "in")
    t.kind = TokenKind::kIn;
  else
    t.kind = TokenKind::kIdent;
  return t;
}

// A quoted identifier, for field names that are not plain identifiers: a.`b-c`.
Token Lexer::LexQuotedIdent(Token t, std::vector<Diagnostic>* diagnostics) {
  size_t start = ++pos_;
  while (pos_ < src_.size() && src_[pos_] != '`' && src_[pos_] != '\n') ++pos_;
  if (pos_ >= src_.size() || src_[pos_] != '`') {
    Error(t.offset, "unterminated quoted identifier", diagnostics);
    t.kind = TokenKind::kError;
    return t;
  }
  t.text = std::string(src_.substr(start, pos_ - start));
  ++pos_;
  t.kind = TokenKind::kIdent;
  bool ok = !t.text.empty();
  for (char ch : t.text) {
    if (!(IsIdentStart(ch) || IsDigit(ch) || ch == '.' || ch == '-' || ch == '/' || ch == '~')) ok = false;
  }
  if (!ok) {
    Error(t.offset, "invalid quoted identifier `" + t.text + "`", diagnostics);
    t.kind = TokenKind::kError;
  }
  t.quoted_ident = true;
  return t;
}

// Operators keep their text so that diagnostics can name them ("unexpected ')'").
bool Lexer::LexOperator(Token* t) {
  auto take = [&](size_t n, TokenKind k) {
    t->text = std::string(src_.substr(pos_, n));
    pos_ += n;
    t->kind = k;
    return true;
  };
  const char next = pos_ + 1 < src_.size() ? src_[pos_ + 1] : '\0';
  switch (src_[pos_]) {
    case '(':
      return take(1, TokenKind::kLParen);
    case ')':
      return take(1, TokenKind::kRParen);
    case '[':
      return take(1, TokenKind::kLBracket);
    case ']':
      return take(1, TokenKind::kRBracket);
    case '{':
      return take(1, TokenKind::kLBrace);
    case '}':
      return take(1, TokenKind::kRBrace);
    case '.':
      return take(1, TokenKind::kDot);
    case ',':
      return take(1, TokenKind::kComma);
    case ':':
      return take(1, TokenKind::kColon);
    case '?':
      return take(1, TokenKind::kQuestion);
    case '+':
      return take(1, TokenKind::kPlus);
    case '-':
      return take(1, TokenKind::kMinus);
    case '*':
      return take(1, TokenKind::kStar);
    case '/':
      return take(1, TokenKind::kSlash);
    case '%':
      return take(1, TokenKind::kPercent);
    case '!':
      return next == '=' ? take(2, TokenKind::kNe) : take(1, TokenKind::kBang);
    case '=':
      return next == '=' && take(2, TokenKind::kEq);
    case '<':
      return next == '=' ? take(2, TokenKind::kLe) : take(1, TokenKind::kLt);
    case '>':
      return next == '=' ? take(2, TokenKind::kGe) : take(1, TokenKind::kGt);
    case '&':
      return next == '&' && take(2, TokenKind::kAnd);
    case '|':
      return next == '|' && take(2, TokenKind::kOr);
    default:
      return false;
  }
}

// An unknown character: reported once (a whole UTF-8 sequence) and skipped. A byte that does not
// start a valid sequence is named by its value, so the message itself stays valid UTF-8, and only
// that byte is skipped (the tokens after it are still read).
Token Lexer::LexUnknown(Token t, std::vector<Diagnostic>* diagnostics) {
  size_t len = 1;
  unsigned char uc = static_cast<unsigned char>(src_[pos_]);
  if (uc >= 0xC0) len = uc >= 0xF0 ? 4 : uc >= 0xE0 ? 3 : 2;
  std::string_view ch = src_.substr(pos_, len);
  if (len > 1 && (ch.size() < len || !IsValidUtf8(ch))) len = 1;
  if ((uc >= 0x80 && len == 1) || uc < 0x20 || uc == 0x7F) {
    // Named by value: an invalid byte, or a control character (an ESC would otherwise start an
    // escape sequence wherever the message is printed).
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", uc);
    Error(t.offset, std::string(uc >= 0x80 ? "invalid UTF-8 byte " : "unexpected control character ") + hex,
          diagnostics);
  } else {
    Error(t.offset, "unexpected character '" + std::string(src_.substr(pos_, len)) + "'", diagnostics);
  }
  pos_ += len;
  t.kind = TokenKind::kError;
  return t;
}

// An integer literal's value `v` (with its `u` suffix, if any, still at pos_): int or uint, or an
// error when out of range. An int's magnitude may be 2^63, which only a unary minus makes valid.
Token Lexer::IntegerToken(Token t, unsigned __int128 v, bool overflow, std::vector<Diagnostic>* diagnostics) {
  const bool is_uint = pos_ < src_.size() && (src_[pos_] == 'u' || src_[pos_] == 'U');
  if (is_uint) ++pos_;
  if (overflow || (!is_uint && v > static_cast<unsigned __int128>(INT64_MAX) + 1)) {
    Error(t.offset, "integer literal out of range: " + t.text, diagnostics);
    t.kind = TokenKind::kError;
    return t;
  }
  if (is_uint) {
    t.kind = TokenKind::kUint;
    t.value = Value::Uint(static_cast<uint64_t>(v));
  } else {
    t.kind = TokenKind::kInt;
    t.int_magnitude = static_cast<uint64_t>(v);
    t.int_overflow = v > INT64_MAX;
  }
  return t;
}

// 0x... (pos_ at the 0).
Token Lexer::LexHex(Token t, std::vector<Diagnostic>* diagnostics) {
  const size_t start = pos_;
  pos_ += 2;
  const size_t digits = pos_;
  while (pos_ < src_.size() && IsHex(src_[pos_])) ++pos_;
  t.text = std::string(src_.substr(start, pos_ - start));
  if (pos_ == digits) {
    Error(t.offset, "hexadecimal literal without digits", diagnostics);
    t.kind = TokenKind::kError;
    return t;
  }
  unsigned __int128 v = 0;
  bool overflow = false;
  for (size_t i = digits; i < pos_; ++i) {
    v = v * 16 + HexVal(src_[i]);
    if (v > UINT64_MAX) overflow = true;
  }
  return IntegerToken(std::move(t), v, overflow, diagnostics);
}

Token Lexer::LexNumber(std::vector<Diagnostic>* diagnostics) {
  Token t;
  t.offset = static_cast<int32_t>(pos_);
  size_t start = pos_;
  auto at = [&](size_t p) -> char { return p < src_.size() ? src_[p] : '\0'; };
  if (at(pos_) == '0' && (at(pos_ + 1) == 'x' || at(pos_ + 1) == 'X')) return LexHex(std::move(t), diagnostics);
  while (IsDigit(at(pos_))) ++pos_;
  bool is_double = false;
  if (at(pos_) == '.' && IsDigit(at(pos_ + 1))) {
    is_double = true;
    ++pos_;
    while (IsDigit(at(pos_))) ++pos_;
  }
  if (at(pos_) == 'e' || at(pos_) == 'E') {
    size_t p = pos_ + 1;
    if (at(p) == '+' || at(p) == '-') ++p;
    if (!IsDigit(at(p))) {
      Error(static_cast<int32_t>(pos_), "exponent without digits", diagnostics);
      pos_ = p;
      t.kind = TokenKind::kError;
      return t;
    }
    is_double = true;
    pos_ = p;
    while (IsDigit(at(pos_))) ++pos_;
  }
  t.text = std::string(src_.substr(start, pos_ - start));
  if (is_double) {
    t.kind = TokenKind::kDouble;
    t.value = Value::Double(std::strtod(t.text.c_str(), nullptr));
    return t;
  }
  unsigned __int128 v = 0;
  bool overflow = false;
  for (char ch : t.text) {
    v = v * 10 + static_cast<unsigned>(ch - '0');
    if (v > UINT64_MAX) overflow = true;
  }
  return IntegerToken(std::move(t), v, overflow, diagnostics);
}

// \x, \u and \U escapes (pos_ after the letter `e`): a byte in a bytes literal, else a code point.
bool Lexer::LexHexEscape(char e, int32_t esc_at, bool bytes, std::string* out, std::vector<Diagnostic>* diagnostics) {
  const int n = (e == 'x' || e == 'X') ? 2 : (e == 'u' ? 4 : 8);
  uint32_t cp = 0;
  for (int i = 0; i < n; ++i) {
    if (pos_ >= src_.size() || !IsHex(src_[pos_])) {
      Error(esc_at, std::string("escape \\") + e + " needs " + std::to_string(n) + " hex digits", diagnostics);
      return false;
    }
    cp = cp * 16 + HexVal(src_[pos_++]);
  }
  if ((e == 'x' || e == 'X') && bytes) {
    out->push_back(static_cast<char>(cp));
  } else if (bytes && (e == 'u' || e == 'U')) {
    Error(esc_at, "unicode escape is not allowed in a bytes literal", diagnostics);
    return false;
  } else if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    Error(esc_at, "escape is not a valid unicode code point", diagnostics);
    return false;
  } else {
    AppendUtf8(out, cp);
  }
  return true;
}

// \000 to \377 (pos_ after the first digit `e`).
bool Lexer::LexOctalEscape(char e, int32_t esc_at, bool bytes, std::string* out, std::vector<Diagnostic>* diagnostics) {
  uint32_t v = static_cast<uint32_t>(e - '0');
  for (int i = 0; i < 2; ++i) {
    if (pos_ >= src_.size() || src_[pos_] < '0' || src_[pos_] > '7') {
      Error(esc_at, "octal escape needs three digits", diagnostics);
      return false;
    }
    v = v * 8 + static_cast<uint32_t>(src_[pos_++] - '0');
  }
  if (bytes)
    out->push_back(static_cast<char>(v));
  else
    AppendUtf8(out, v);
  return true;
}

// One escape sequence (pos_ at the backslash, a character after it); false when it is invalid
// (reported), the literal then read on to its end.
bool Lexer::LexEscape(bool bytes, std::string* out, std::vector<Diagnostic>* diagnostics) {
  const int32_t esc_at = static_cast<int32_t>(pos_);
  const char e = src_[pos_ + 1];
  pos_ += 2;
  switch (e) {
    case 'a':
      out->push_back('\a');
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
    case 'v':
      out->push_back('\v');
      return true;
    case '\\':
    case '?':
    case '"':
    case '\'':
    case '`':
      out->push_back(e);
      return true;
    case 'x':
    case 'X':
    case 'u':
    case 'U':
      return LexHexEscape(e, esc_at, bytes, out, diagnostics);
    case '0':
    case '1':
    case '2':
    case '3':
      return LexOctalEscape(e, esc_at, bytes, out, diagnostics);
    default:
      Error(esc_at, std::string("invalid escape sequence \\") + e, diagnostics);
      return false;
  }
}

// The literal's text, its value once the escapes are read, or an error token.
Token Lexer::QuotedToken(Token t, size_t prefix_start, bool closed, bool bad, bool bytes, std::string out,
                         std::vector<Diagnostic>* diagnostics) {
  t.text = std::string(src_.substr(prefix_start, pos_ - prefix_start));
  if (!closed) Error(t.offset, "unterminated string literal", diagnostics);
  if (!closed || bad) {
    t.kind = TokenKind::kError;
    return t;
  }
  if (bytes) {
    t.kind = TokenKind::kBytes;
    t.value = Value::Bytes(std::move(out));
    return t;
  }
  if (!IsValidUtf8(out)) {
    Error(t.offset, "string literal is not valid UTF-8", diagnostics);
    t.kind = TokenKind::kError;
    return t;
  }
  t.kind = TokenKind::kString;
  t.value = Value::String(std::move(out));
  return t;
}

Token Lexer::LexQuoted(size_t prefix_start, bool raw, bool bytes, std::vector<Diagnostic>* diagnostics) {
  Token t;
  t.offset = static_cast<int32_t>(prefix_start);
  const char q = src_[pos_];
  const bool triple = pos_ + 2 < src_.size() && src_[pos_ + 1] == q && src_[pos_ + 2] == q;
  pos_ += triple ? 3 : 1;
  std::string out;
  bool closed = false;
  bool bad = false;
  while (pos_ < src_.size()) {
    const char c = src_[pos_];
    if (triple && c == q && pos_ + 2 < src_.size() && src_[pos_ + 1] == q && src_[pos_ + 2] == q) {
      pos_ += 3;
      closed = true;
      break;
    }
    if (!triple && c == q) {
      ++pos_;
      closed = true;
      break;
    }
    if (!triple && (c == '\n' || c == '\r')) break;
    if (c != '\\' || raw) {
      out.push_back(c);
      ++pos_;
      continue;
    }
    if (pos_ + 1 >= src_.size()) break;
    if (!LexEscape(bytes, &out, diagnostics)) bad = true;
  }
  return QuotedToken(std::move(t), prefix_start, closed, bad, bytes, std::move(out), diagnostics);
}

}  // namespace qgrant::expr
