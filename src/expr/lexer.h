// Lexer: CEL source text -> tokens. Literals are decoded here (every escape form of strings and
// bytes, raw and triple-quoted strings, hex and unsigned integers), so the parser sees values.
// Errors become diagnostics; the lexer always reaches the end of the text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.h"
#include "expr/value.h"

namespace qgrant::expr {

enum class TokenKind : uint8_t {
  kEnd,
  kIdent,
  kInt,  // decimal or hex; the text is kept so that -9223372036854775808 can be formed
  kUint,
  kDouble,
  kString,
  kBytes,
  kTrue,
  kFalse,
  kNull,
  kIn,
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kDot,
  kComma,
  kColon,
  kQuestion,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kBang,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kError,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  int32_t offset = 0;
  std::string text;           // identifier name, or the literal's source text
  Value value;                // decoded literal (string, bytes, double, uint)
  bool int_overflow = false;  // decimal int literal above INT64_MAX (valid only after unary minus)
  uint64_t int_magnitude = 0;
  bool quoted_ident = false;  // `a-b`: valid only as a field name after a dot
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : src_(source) {}

  std::vector<Token> Tokenize(std::vector<Diagnostic>* diagnostics);

 private:
  Token Next(std::vector<Diagnostic>* diagnostics);
  void SkipSpaceAndComments();
  bool LexPrefixedQuoted(std::vector<Diagnostic>* diagnostics, Token* t);
  Token LexIdent(Token t);
  Token LexQuotedIdent(Token t, std::vector<Diagnostic>* diagnostics);
  bool LexOperator(Token* t);
  Token LexUnknown(Token t, std::vector<Diagnostic>* diagnostics);
  Token LexNumber(std::vector<Diagnostic>* diagnostics);
  Token LexHex(Token t, std::vector<Diagnostic>* diagnostics);
  Token IntegerToken(Token t, unsigned __int128 v, bool overflow, std::vector<Diagnostic>* diagnostics);
  Token LexQuoted(size_t prefix_start, bool raw, bool bytes, std::vector<Diagnostic>* diagnostics);
  bool LexEscape(bool bytes, std::string* out, std::vector<Diagnostic>* diagnostics);
  bool LexHexEscape(char e, int32_t esc_at, bool bytes, std::string* out, std::vector<Diagnostic>* diagnostics);
  bool LexOctalEscape(char e, int32_t esc_at, bool bytes, std::string* out, std::vector<Diagnostic>* diagnostics);
  Token QuotedToken(Token t, size_t prefix_start, bool closed, bool bad, bool bytes, std::string out,
                    std::vector<Diagnostic>* diagnostics);
  void Error(int32_t offset, std::string message, std::vector<Diagnostic>* diagnostics);

  std::string_view src_;
  size_t pos_ = 0;
};

// Reserved words that may not name a variable or function (but may follow a dot).
bool IsReservedWord(std::string_view word);

}  // namespace qgrant::expr
