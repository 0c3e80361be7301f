// Lexer: token kinds and offsets, every literal form CEL allows (escapes, raw and triple-quoted
// strings, bytes, hex and unsigned integers) and the diagnostics for malformed input.
#include "expr/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace qgrant::expr {
namespace {

struct Lexed {
  std::vector<Token> tokens;
  std::vector<Diagnostic> diags;
};

Lexed Lex(std::string_view src) {
  Lexed out;
  out.tokens = Lexer(src).Tokenize(&out.diags);
  return out;
}

std::vector<TokenKind> Kinds(const std::vector<Token>& tokens) {
  std::vector<TokenKind> kinds;
  for (const auto& t : tokens) kinds.push_back(t.kind);
  return kinds;
}

// Lexes a single literal and returns its token; fails the test on diagnostics or extra tokens.
Token One(std::string_view src) {
  Lexed l = Lex(src);
  EXPECT_TRUE(l.diags.empty()) << src << ": " << (l.diags.empty() ? "" : l.diags[0].message);
  EXPECT_EQ(l.tokens.size(), 2u) << src;  // the literal and kEnd
  return l.tokens.empty() ? Token{} : l.tokens[0];
}

// The decoded payload of a one-token string literal.
std::string StringOf(std::string_view src) {
  Token t = One(src);
  EXPECT_EQ(t.kind, TokenKind::kString) << src;
  return t.kind == TokenKind::kString ? t.value.string_value() : "";
}

std::string BytesOf(std::string_view src) {
  Token t = One(src);
  EXPECT_EQ(t.kind, TokenKind::kBytes) << src;
  return t.kind == TokenKind::kBytes ? t.value.string_value() : "";
}

// The first diagnostic for a malformed input (the test fails if there is none).
Diagnostic FirstError(std::string_view src) {
  Lexed l = Lex(src);
  EXPECT_FALSE(l.diags.empty()) << "expected a lexer error for: " << src;
  return l.diags.empty() ? Diagnostic{} : l.diags[0];
}

TEST(LexerTest, OperatorsAndPunctuation) {
  Lexed l = Lex("( ) [ ] { } . , : ? + - * / % ! == != < <= > >= && || in");
  ASSERT_TRUE(l.diags.empty());
  using K = TokenKind;
  EXPECT_EQ(Kinds(l.tokens),
            (std::vector<K>{K::kLParen,  K::kRParen, K::kLBracket, K::kRBracket, K::kLBrace, K::kRBrace, K::kDot,
                            K::kComma,   K::kColon,  K::kQuestion, K::kPlus,     K::kMinus,  K::kStar,   K::kSlash,
                            K::kPercent, K::kBang,   K::kEq,       K::kNe,       K::kLt,     K::kLe,     K::kGt,
                            K::kGe,      K::kAnd,    K::kOr,       K::kIn,       K::kEnd}));
  // Operators carry their text, so that the parser can name them in diagnostics.
  EXPECT_EQ(l.tokens[0].text, "(");
  EXPECT_EQ(l.tokens[16].text, "==");
  EXPECT_EQ(l.tokens[23].text, "||");
}

TEST(LexerTest, OffsetsAreByteOffsetsOfTokenStarts) {
  Lexed l = Lex("ab  >= 12u");
  ASSERT_EQ(l.tokens.size(), 4u);
  EXPECT_EQ(l.tokens[0].offset, 0);
  EXPECT_EQ(l.tokens[0].text, "ab");
  EXPECT_EQ(l.tokens[1].offset, 4);
  EXPECT_EQ(l.tokens[2].offset, 7);
  EXPECT_EQ(l.tokens[3].kind, TokenKind::kEnd);
  EXPECT_EQ(l.tokens[3].offset, 10);
}

TEST(LexerTest, KeywordsAndIdentifiers) {
  Lexed l = Lex("true false null in inx _a1 trueish");
  ASSERT_TRUE(l.diags.empty());
  using K = TokenKind;
  EXPECT_EQ(Kinds(l.tokens),
            (std::vector<K>{K::kTrue, K::kFalse, K::kNull, K::kIn, K::kIdent, K::kIdent, K::kIdent, K::kEnd}));
  EXPECT_EQ(l.tokens[4].text, "inx");
  EXPECT_EQ(l.tokens[6].text, "trueish");
}

TEST(LexerTest, CommentsAndWhitespaceAreSkipped) {
  Lexed l = Lex("1 // the first\n\t+ 2 // trailing");
  ASSERT_TRUE(l.diags.empty());
  using K = TokenKind;
  EXPECT_EQ(Kinds(l.tokens), (std::vector<K>{K::kInt, K::kPlus, K::kInt, K::kEnd}));
  EXPECT_EQ(l.tokens[1].offset, 16);
}

TEST(LexerTest, ReservedWords) {
  EXPECT_TRUE(IsReservedWord("while"));
  EXPECT_TRUE(IsReservedWord("package"));
  EXPECT_TRUE(IsReservedWord("namespace"));
  EXPECT_FALSE(IsReservedWord("in"));  // an operator, lexed separately
  EXPECT_FALSE(IsReservedWord("applicant"));
}

TEST(LexerTest, IntegerLiterals) {
  Token dec = One("42");
  EXPECT_EQ(dec.kind, TokenKind::kInt);
  EXPECT_EQ(dec.int_magnitude, 42u);
  EXPECT_FALSE(dec.int_overflow);

  Token hex = One("0x1F");
  EXPECT_EQ(hex.kind, TokenKind::kInt);
  EXPECT_EQ(hex.int_magnitude, 31u);

  Token upper_hex = One("0XfF");
  EXPECT_EQ(upper_hex.int_magnitude, 255u);

  // INT64_MAX + 1 lexes (the parser accepts it only after a unary minus).
  Token edge = One("9223372036854775808");
  EXPECT_EQ(edge.kind, TokenKind::kInt);
  EXPECT_TRUE(edge.int_overflow);
  EXPECT_EQ(edge.int_magnitude, 9223372036854775808ull);

  Token max = One("9223372036854775807");
  EXPECT_FALSE(max.int_overflow);
}

TEST(LexerTest, UnsignedLiterals) {
  Token u = One("42u");
  EXPECT_EQ(u.kind, TokenKind::kUint);
  EXPECT_EQ(u.value.uint_value(), 42u);
  EXPECT_EQ(One("7U").value.uint_value(), 7u);
  EXPECT_EQ(One("0xFFu").value.uint_value(), 255u);
  EXPECT_EQ(One("18446744073709551615u").value.uint_value(), UINT64_MAX);
}

TEST(LexerTest, IntegerOutOfRangeIsAnErrorAtTheLiteral) {
  Diagnostic d = FirstError("1 + 18446744073709551616u");
  EXPECT_EQ(d.pos.offset, 4);
  EXPECT_NE(d.message.find("integer literal out of range"), std::string::npos) << d.message;

  // Above INT64_MIN's magnitude there is nothing a minus could rescue.
  d = FirstError("9223372036854775809");
  EXPECT_EQ(d.pos.offset, 0);
  EXPECT_NE(d.message.find("out of range"), std::string::npos);

  d = FirstError("0x10000000000000000");
  EXPECT_NE(d.message.find("out of range"), std::string::npos);

  d = FirstError("0x");
  EXPECT_NE(d.message.find("hexadecimal literal without digits"), std::string::npos);
}

TEST(LexerTest, DoubleLiterals) {
  Token d = One("1.5");
  EXPECT_EQ(d.kind, TokenKind::kDouble);
  EXPECT_DOUBLE_EQ(d.value.double_value(), 1.5);
  EXPECT_DOUBLE_EQ(One("1e3").value.double_value(), 1000.0);
  EXPECT_DOUBLE_EQ(One("2.5E-2").value.double_value(), 0.025);
  EXPECT_DOUBLE_EQ(One(".5").value.double_value(), 0.5);
  EXPECT_DOUBLE_EQ(One("1e+2").value.double_value(), 100.0);

  // "1." is not a double: the dot starts a member access.
  Lexed l = Lex("1.size");
  using K = TokenKind;
  EXPECT_EQ(Kinds(l.tokens), (std::vector<K>{K::kInt, K::kDot, K::kIdent, K::kEnd}));

  Diagnostic e = FirstError("1e+");
  EXPECT_NE(e.message.find("exponent without digits"), std::string::npos);
  EXPECT_EQ(e.pos.offset, 1);
}

TEST(LexerTest, SimpleEscapes) {
  EXPECT_EQ(StringOf(R"("\a\b\f\n\r\t\v")"), "\a\b\f\n\r\t\v");
  EXPECT_EQ(StringOf(R"("\\ \? \" \' \`")"), "\\ ? \" ' `");
  EXPECT_EQ(StringOf(R"('it\'s')"), "it's");
  EXPECT_EQ(StringOf(R"("say \"hi\"")"), "say \"hi\"");
}

TEST(LexerTest, NumericEscapesInStringsAreCodePoints) {
  EXPECT_EQ(StringOf(R"("\x41\X42")"), "AB");
  EXPECT_EQ(StringOf(R"("\101")"), "A");           // octal
  EXPECT_EQ(StringOf(R"("\u00e9")"), "\xC3\xA9");  // é
  EXPECT_EQ(StringOf(R"("\u6df1\u5733")"), "深圳");
  EXPECT_EQ(StringOf(R"("\U0001F600")"), "\xF0\x9F\x98\x80");  // 😀
  // In a string, \xff is the code point U+00FF, encoded as two UTF-8 bytes.
  EXPECT_EQ(StringOf(R"("\xff")"), "\xC3\xBF");
  EXPECT_EQ(StringOf(R"("\377")"), "\xC3\xBF");
}

TEST(LexerTest, NumericEscapesInBytesAreOctets) {
  EXPECT_EQ(BytesOf(R"(b"\xff")"), std::string("\xff", 1));
  EXPECT_EQ(BytesOf(R"(B'\377\000')"), std::string("\xff\x00", 2));
  EXPECT_EQ(BytesOf(R"(b"abc")"), "abc");
  // A non-ASCII character in a bytes literal is its UTF-8 encoding.
  EXPECT_EQ(BytesOf("b'\xC3\xBF'"), "\xC3\xBF");
  EXPECT_EQ(BytesOf(R"(b"\n\t")"), "\n\t");
}

TEST(LexerTest, RawStrings) {
  EXPECT_EQ(StringOf(R"(r"\n")"), "\\n");
  EXPECT_EQ(StringOf(R"(R'\d+\.\d')"), "\\d+\\.\\d");
  EXPECT_EQ(StringOf(R"(r"\u00e9")"), "\\u00e9");
  // Raw bytes, with the prefixes in either order and either case.
  EXPECT_EQ(BytesOf(R"(rb"\x00")"), "\\x00");
  EXPECT_EQ(BytesOf(R"(BR'\n')"), "\\n");
  EXPECT_EQ(BytesOf(R"(bR"\t")"), "\\t");
}

TEST(LexerTest, TripleQuotedStrings) {
  EXPECT_EQ(StringOf("'''line one\nline 'two'\n'''"), "line one\nline 'two'\n");
  EXPECT_EQ(StringOf(R"("""she said "yes" twice""")"), "she said \"yes\" twice");
  EXPECT_EQ(StringOf("\"\"\"tab\\there\"\"\""), "tab\there");  // escapes still apply
  EXPECT_EQ(StringOf("r'''\\d\n'''"), "\\d\n");                // raw and triple
  EXPECT_EQ(StringOf("''''''"), "");
  EXPECT_EQ(BytesOf("b'''\\x01\n'''"), std::string("\x01\n", 2));
}

TEST(LexerTest, EmptyStrings) {
  EXPECT_EQ(StringOf("''"), "");
  EXPECT_EQ(StringOf("\"\""), "");
  EXPECT_EQ(BytesOf("b''"), "");
}

TEST(LexerTest, StringErrorsAreLocated) {
  // Unterminated: located at the opening quote (or prefix).
  Diagnostic d = FirstError("x == 'abc");
  EXPECT_EQ(d.pos.offset, 5);
  EXPECT_NE(d.message.find("unterminated string literal"), std::string::npos) << d.message;

  d = FirstError("x == r\"abc");
  EXPECT_EQ(d.pos.offset, 5);

  // A single-quoted string may not span lines; a triple-quoted one may.
  d = FirstError("'a\nb'");
  EXPECT_NE(d.message.find("unterminated"), std::string::npos);
  EXPECT_TRUE(Lex("'''a\nb'''").diags.empty());

  d = FirstError("'''never closed''");
  EXPECT_NE(d.message.find("unterminated"), std::string::npos);

  // Bad escapes: located at the backslash.
  d = FirstError(R"('ab\qc')");
  EXPECT_EQ(d.pos.offset, 3);
  EXPECT_NE(d.message.find("invalid escape sequence \\q"), std::string::npos) << d.message;

  d = FirstError(R"("\x4")");
  EXPECT_EQ(d.pos.offset, 1);
  EXPECT_NE(d.message.find("needs 2 hex digits"), std::string::npos) << d.message;

  d = FirstError(R"("\u12")");
  EXPECT_NE(d.message.find("needs 4 hex digits"), std::string::npos) << d.message;

  d = FirstError(R"("\U0011ffff")");  // beyond U+10FFFF
  EXPECT_NE(d.message.find("not a valid unicode code point"), std::string::npos) << d.message;

  d = FirstError(R"("\ud800")");  // a lone surrogate
  EXPECT_NE(d.message.find("not a valid unicode code point"), std::string::npos) << d.message;

  d = FirstError(R"(b"\u00e9")");
  EXPECT_NE(d.message.find("unicode escape is not allowed in a bytes literal"), std::string::npos);

  d = FirstError(R"("\18")");
  EXPECT_NE(d.message.find("octal escape needs three digits"), std::string::npos) << d.message;
}

TEST(LexerTest, StringMustBeValidUtf8) {
  Diagnostic d = FirstError("'\xff'");
  EXPECT_NE(d.message.find("not valid UTF-8"), std::string::npos) << d.message;
  // The same byte is fine in a bytes literal.
  EXPECT_EQ(BytesOf("b'\xff'"), "\xff");
}

TEST(LexerTest, QuotedIdentifiers) {
  Lexed l = Lex("a.`b-c/d.e~f`");
  ASSERT_TRUE(l.diags.empty());
  ASSERT_EQ(l.tokens.size(), 4u);
  EXPECT_EQ(l.tokens[2].kind, TokenKind::kIdent);
  EXPECT_EQ(l.tokens[2].text, "b-c/d.e~f");
  EXPECT_TRUE(l.tokens[2].quoted_ident);
  EXPECT_FALSE(l.tokens[0].quoted_ident);

  Diagnostic d = FirstError("a.`b c`");
  EXPECT_NE(d.message.find("invalid quoted identifier"), std::string::npos);
  EXPECT_EQ(d.pos.offset, 2);
  d = FirstError("a.`bc");
  EXPECT_NE(d.message.find("unterminated quoted identifier"), std::string::npos);
}

TEST(LexerTest, UnexpectedCharactersAreReportedAndSkipped) {
  Lexed l = Lex("a # b");
  ASSERT_EQ(l.diags.size(), 1u);
  EXPECT_EQ(l.diags[0].pos.offset, 2);
  EXPECT_NE(l.diags[0].message.find("unexpected character '#'"), std::string::npos);
  // The lexer carries on to the end, so later errors are found too.
  using K = TokenKind;
  EXPECT_EQ(Kinds(l.tokens), (std::vector<K>{K::kIdent, K::kIdent, K::kEnd}));

  // A lone '=', '&' or '|' is not an operator.
  EXPECT_EQ(Lex("a = b").diags.size(), 1u);
  EXPECT_EQ(Lex("a & b").diags.size(), 1u);
  EXPECT_EQ(Lex("a | b").diags.size(), 1u);

  // A multi-byte character is reported whole, once.
  l = Lex("x ＋ y");  // full-width plus, 3 bytes
  ASSERT_EQ(l.diags.size(), 1u);
  EXPECT_NE(l.diags[0].message.find("'＋'"), std::string::npos) << l.diags[0].message;
  EXPECT_EQ(l.tokens.size(), 3u);
}

TEST(LexerTest, TruncatedUtf8AtEndDoesNotOverrun) {
  // A lead byte promising three more bytes, at the very end of the input.
  Lexed l = Lex(std::string("x \xF0", 3));
  EXPECT_EQ(l.diags.size(), 1u);
  ASSERT_FALSE(l.tokens.empty());
  EXPECT_EQ(l.tokens.back().kind, TokenKind::kEnd);
}

TEST(LexerTest, SeveralErrorsAreAllCollected) {
  Lexed l = Lex("'a\\q' + # + 0x");
  EXPECT_EQ(l.diags.size(), 3u);
}

}  // namespace
}  // namespace qgrant::expr
