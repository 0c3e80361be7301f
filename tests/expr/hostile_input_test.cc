// Hostile input through the whole pipeline (parse, check, compile, evaluate, print): each case
// must end in a clear diagnostic or error value, never a crash, a hang or invalid output.
// (Nesting depth has its own tests in parser_test.cc; the evaluation budget in
// cost_limit_test.cc.)
#include <gtest/gtest.h>

#include <string>

#include "expr/format.h"
#include "expr/value_json.h"
#include "expr_test_util.h"

namespace qgrant::expr {
namespace {

using testing::IsBool;
using testing::IsError;
using testing::IsInt;

std::vector<Diagnostic> ParseErrors(std::string_view source) {
  ParsedExpr parsed;
  std::vector<Diagnostic> diags;
  EXPECT_FALSE(Parse(source, ParseOptions{}, &parsed, &diags)) << source.substr(0, 40);
  EXPECT_EQ(parsed.root, nullptr);
  return diags;
}

bool Mentions(const std::vector<Diagnostic>& diags, std::string_view fragment) {
  for (const auto& d : diags) {
    if (d.message.find(fragment) != std::string::npos) return true;
  }
  return false;
}

TEST(HostileInputTest, SourceTextHasASizeLimit) {
  std::string huge = "1" + std::string(2 << 20, ' ');
  std::vector<Diagnostic> diags = ParseErrors(huge);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].message.find("expression too long"), std::string::npos) << diags[0].message;
  // Just under the limit is parsed as usual.
  ParseOptions small;
  small.max_source_bytes = 8;
  ParsedExpr parsed;
  std::vector<Diagnostic> none;
  EXPECT_TRUE(Parse("1 + 2   ", small, &parsed, &none));
  EXPECT_FALSE(Parse("1 + 2    ", small, &parsed, &none));
}

TEST(HostileInputTest, HugeIntegerLiteralsAreOutOfRangeErrors) {
  const std::string digits(5000, '9');
  EXPECT_TRUE(Mentions(ParseErrors(digits), "integer literal out of range"));
  EXPECT_TRUE(Mentions(ParseErrors("-" + digits), "integer literal out of range"));
  EXPECT_TRUE(Mentions(ParseErrors(digits + "u"), "integer literal out of range"));
  EXPECT_TRUE(Mentions(ParseErrors("0x" + std::string(5000, 'f')), "integer literal out of range"));
  EXPECT_TRUE(Mentions(ParseErrors("9223372036854775808"), "integer literal out of range"));
  EXPECT_TRUE(Mentions(ParseErrors("18446744073709551616u"), "integer literal out of range"));
  // The edges themselves are fine.
  EXPECT_TRUE(IsInt(testing::CheckedEval("-9223372036854775808"), INT64_MIN));
  EXPECT_TRUE(testing::IsUint(testing::CheckedEval("18446744073709551615u"), UINT64_MAX));
  // A double literal of any length is a double (beyond the range: infinity, as strtod says).
  EXPECT_TRUE(IsBool(testing::CheckedEval(digits + ".0 > 1.0e300"), true));
  EXPECT_TRUE(IsBool(testing::CheckedEval("1e999999 == double('Infinity')"), true));
}

TEST(HostileInputTest, InvalidUtf8InTheSourceIsNamedByByte) {
  std::vector<Diagnostic> diags = ParseErrors(std::string("1 + \xFF 2", 7));
  ASSERT_FALSE(diags.empty());
  EXPECT_NE(diags[0].message.find("invalid UTF-8 byte 0xFF"), std::string::npos) << diags[0].message;
  for (const auto& d : diags) EXPECT_TRUE(IsValidUtf8(d.message)) << d.message;
  // A broken lead byte does not swallow the characters after it.
  diags = ParseErrors(std::string("\xE4") + "a)");
  EXPECT_NE(diags[0].message.find("0xE4"), std::string::npos) << diags[0].message;
  EXPECT_TRUE(Mentions(diags, "')'")) << testing::JoinDiagnostics(diags);
  // Inside a string literal, raw or not: the literal is refused; bytes literals may hold any byte.
  EXPECT_TRUE(Mentions(ParseErrors("'\xC3('"), "not valid UTF-8"));
  EXPECT_TRUE(Mentions(ParseErrors("r'\xED\xA0\x80'"), "not valid UTF-8"));  // a surrogate
  EXPECT_TRUE(IsError(testing::CheckedEval("string(b'\\xff\\xfe')"), "invalid UTF-8"));
}

TEST(HostileInputTest, ControlCharactersInTheSourceAreNamedByCode) {
  // An ESC copied into a message would start an escape sequence on whatever terminal shows it.
  std::vector<Diagnostic> diags = ParseErrors("1 + \x1b[31m");
  ASSERT_FALSE(diags.empty());
  EXPECT_EQ(diags[0].message, "unexpected control character 0x1B");
  EXPECT_TRUE(Mentions(ParseErrors(std::string("a \x7f b", 5)), "control character 0x7F"));
  // Inside string literals control characters are data, as CEL allows.
  EXPECT_TRUE(testing::IsString(testing::CheckedEval("'a\x01b'"), "a\x01b"));
}

TEST(HostileInputTest, InvalidUtf8InBoundStringsIsHandled) {
  // Values from an application need not be valid UTF-8 (a caller that does not check): every
  // string function must still answer, and printing stays well formed.
  MapActivation act;
  const std::string bad("a\xFF\xC3(\xF0\x9F", 6);
  act.Bind("s", Value::String(bad));
  // size() counts the bytes that do not continue a sequence: a, 0xFF, 0xC3, (, 0xF0.
  EXPECT_TRUE(IsInt(testing::Eval("size(s)", act), 5));
  EXPECT_TRUE(IsBool(testing::Eval("s.startsWith('a') && s.contains('(') && s.matches('^a')", act), true));
  EXPECT_TRUE(IsBool(testing::Eval("s + s != s", act), true));
  Value v = testing::Eval("[s, {s: s}]", act);
  ASSERT_FALSE(v.is_error()) << v.DebugString();
  EXPECT_FALSE(v.DebugString().empty());
  std::string json = ToTypedJson(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  EXPECT_TRUE(IsValidUtf8(json)) << json;
}

TEST(HostileInputTest, DeeplyNestedJsonBindingsBecomeAnError) {
  std::string deep = std::string(5000, '[') + std::string(5000, ']');
  Value v = FromPlainJson(nlohmann::json::parse(deep));
  EXPECT_TRUE(IsError(v, "nested more than"));
  std::string ok = std::string(500, '[') + "1" + std::string(500, ']');
  Value w = FromPlainJson(nlohmann::json::parse(ok));
  ASSERT_FALSE(w.is_error());
  MapActivation act;
  act.Bind("w", w);
  EXPECT_TRUE(IsBool(testing::Eval("w == w", act), true));
}

}  // namespace
}  // namespace qgrant::expr
