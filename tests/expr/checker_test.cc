// Checker: the static types it infers and the diagnostics a policy author sees (undeclared
// facts, misspelled functions, comparing a string with a number), each with line and column.
#include "expr/checker.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expr/types.h"
#include "expr_test_util.h"

namespace qgrant::expr {
namespace {

using K = CelType::Kind;
using testing::CheckDiagnostics;
using testing::JoinDiagnostics;

CelType T(std::string_view text) {
  CelType t;
  std::string error;
  EXPECT_TRUE(ParseCelType(text, &t, &error)) << text << ": " << error;
  return t;
}

// The environment a subsidy policy condition is checked in.
TypeEnv PolicyEnv() {
  TypeEnv env;
  env.AddVariable("applicant", T("map(string, dyn)"));
  env.AddVariable("facts", T("map(string, dyn)"));
  env.AddVariable("years_operating", T("int"));
  env.AddVariable("requested_fen", T("int"));
  env.AddVariable("name", T("string"));
  env.AddVariable("tags", T("list(string)"));
  env.AddVariable("scores", T("map(string, int)"));
  env.AddVariable("granted_at", T("timestamp"));
  return env;
}

// The type of a well-typed expression, as text; the test fails on any diagnostic.
std::string TypeOf(std::string_view source, const TypeEnv& env = PolicyEnv()) {
  CheckResult result;
  std::vector<Diagnostic> diags = CheckDiagnostics(source, env, &result);
  EXPECT_TRUE(diags.empty()) << source << "\n" << JoinDiagnostics(diags);
  return result.type.ToString();
}

void ExpectDiagnostic(std::string_view source, int line, int column, std::string_view fragment,
                      const TypeEnv& env = PolicyEnv()) {
  std::vector<Diagnostic> diags = CheckDiagnostics(source, env);
  ASSERT_FALSE(diags.empty()) << "expected a check error for: " << source;
  EXPECT_EQ(diags[0].pos.line, line) << source << "\n" << JoinDiagnostics(diags);
  EXPECT_EQ(diags[0].pos.column, column) << source << "\n" << JoinDiagnostics(diags);
  EXPECT_NE(diags[0].message.find(fragment), std::string::npos) << source << "\n" << JoinDiagnostics(diags);
}

TEST(CelTypeTest, ParseAndPrint) {
  EXPECT_EQ(T("map(string, list(int))").ToString(), "map(string, list(int))");
  EXPECT_EQ(T("list").ToString(), "list(dyn)");
  EXPECT_EQ(T("google.protobuf.Timestamp").ToString(), "timestamp");
  EXPECT_EQ(T("type(uint)").ToString(), "type(uint)");
  EXPECT_EQ(T("A").kind(), K::kParam);
  EXPECT_EQ(T("list(int)"), CelType::List(CelType::Of(K::kInt)));
  EXPECT_NE(T("list(int)"), T("list(uint)"));

  CelType t;
  std::string error;
  EXPECT_FALSE(ParseCelType("strng", &t, &error));
  EXPECT_NE(error.find("unknown type 'strng'"), std::string::npos) << error;
  EXPECT_FALSE(ParseCelType("map(string)", &t, &error));
  EXPECT_FALSE(ParseCelType("list(int", &t, &error));
  EXPECT_FALSE(ParseCelType("int int", &t, &error));
}

TEST(CheckerTest, LiteralAndOperatorTypes) {
  EXPECT_EQ(TypeOf("1 + 2"), "int");
  EXPECT_EQ(TypeOf("1u * 2u"), "uint");
  EXPECT_EQ(TypeOf("1.5 / 2.0"), "double");
  EXPECT_EQ(TypeOf("'a' + 'b'"), "string");
  EXPECT_EQ(TypeOf("b'a' + b'b'"), "bytes");
  EXPECT_EQ(TypeOf("null"), "null_type");
  EXPECT_EQ(TypeOf("!true"), "bool");
  EXPECT_EQ(TypeOf("1 < 2 && 'a' != 'b'"), "bool");
  EXPECT_EQ(TypeOf("[1, 2]"), "list(int)");
  EXPECT_EQ(TypeOf("[1, 'a']"), "list(dyn)");
  EXPECT_EQ(TypeOf("[]"), "list(dyn)");
  EXPECT_EQ(TypeOf("{'a': 1}"), "map(string, int)");
  EXPECT_EQ(TypeOf("{'a': 1, 'b': 'x'}"), "map(string, dyn)");
  EXPECT_EQ(TypeOf("[[1], [2]]"), "list(list(int))");
  EXPECT_EQ(TypeOf("[1, 2] + [3]"), "list(int)");
  EXPECT_EQ(TypeOf("true ? 1 : 2"), "int");
  EXPECT_EQ(TypeOf("true ? 1 : 'a'"), "dyn");
  EXPECT_EQ(TypeOf("[1, 2][0]"), "int");
  EXPECT_EQ(TypeOf("{'a': 1u}['a']"), "uint");
  EXPECT_EQ(TypeOf("size('abc')"), "int");
  EXPECT_EQ(TypeOf("'abc'.size()"), "int");
  EXPECT_EQ(TypeOf("type(1)"), "type(int)");
  EXPECT_EQ(TypeOf("int"), "type(int)");
  EXPECT_EQ(TypeOf("type(1) == int"), "bool");
  EXPECT_EQ(TypeOf("dyn(1)"), "dyn");
  EXPECT_EQ(TypeOf("timestamp('2024-01-01T00:00:00Z') - timestamp('2023-01-01T00:00:00Z')"), "duration");
  EXPECT_EQ(TypeOf("duration('1h') + timestamp('2024-01-01T00:00:00Z')"), "timestamp");
  EXPECT_EQ(TypeOf("'x'.matches('^x$')"), "bool");
}

TEST(CheckerTest, VariablesAndSelections) {
  EXPECT_EQ(TypeOf("years_operating >= 2"), "bool");
  EXPECT_EQ(TypeOf("applicant.kind"), "dyn");
  EXPECT_EQ(TypeOf("applicant.address.district"), "dyn");
  EXPECT_EQ(TypeOf("scores.quality"), "int");
  EXPECT_EQ(TypeOf("scores['quality'] + 1"), "int");
  EXPECT_EQ(TypeOf("has(applicant.kind)"), "bool");
  EXPECT_EQ(TypeOf("has(scores.quality)"), "bool");
  EXPECT_EQ(TypeOf("granted_at.getFullYear('Asia/Shanghai')"), "int");
  EXPECT_EQ(TypeOf("tags[0].startsWith('green')"), "bool");
  EXPECT_EQ(TypeOf("'green' in tags"), "bool");
  EXPECT_EQ(TypeOf("'quality' in scores"), "bool");
  // dyn is accepted wherever a type is expected: it is decided at run time.
  EXPECT_EQ(TypeOf("applicant.employees > 100 && applicant.kind == 'enterprise'"), "bool");
  EXPECT_EQ(TypeOf("facts.amount_fen * 2"), "int");
}

TEST(CheckerTest, MacroTypes) {
  EXPECT_EQ(TypeOf("tags.all(t, t != '')"), "bool");
  EXPECT_EQ(TypeOf("tags.exists(t, t == 'green')"), "bool");
  EXPECT_EQ(TypeOf("tags.exists_one(t, t == 'green')"), "bool");
  EXPECT_EQ(TypeOf("tags.map(t, size(t))"), "list(int)");
  EXPECT_EQ(TypeOf("tags.map(t, t != '', t + '!')"), "list(string)");
  EXPECT_EQ(TypeOf("tags.filter(t, t != '')"), "list(string)");
  EXPECT_EQ(TypeOf("scores.filter(k, scores[k] > 1)"), "list(string)");
  EXPECT_EQ(TypeOf("scores.all(k, v, v > 0 && k != '')"), "bool");
  EXPECT_EQ(TypeOf("tags.all(i, t, i >= 0 && t != '')"), "bool");  // i is the int index
  EXPECT_EQ(TypeOf("tags.transformList(i, t, i)"), "list(int)");
  EXPECT_EQ(TypeOf("scores.transformMap(k, v, v * 2u)",
                   [] {
                     TypeEnv env;
                     env.AddVariable("scores", T("map(string, uint)"));
                     return env;
                   }()),
            "map(string, uint)");
  EXPECT_EQ(TypeOf("[[1, 2], [3]].map(l, l.map(x, x * 2))"), "list(list(int))");
  // Iteration variables are scoped to their macro.
  ExpectDiagnostic("tags.all(t, t != '') && t == ''", 1, 25, "undeclared reference to 't'");
}

TEST(CheckerTest, UndeclaredVariable) {
  ExpectDiagnostic("applicnt.kind == 'enterprise'", 1, 1, "undeclared reference to 'applicnt'");
  ExpectDiagnostic("years_operating >= 2 &&\n    yaers > 1", 2, 5, "undeclared reference to 'yaers'");
  // Every undeclared name is reported, not just the first.
  std::vector<Diagnostic> diags = CheckDiagnostics("x + y", TypeEnv());
  ASSERT_EQ(diags.size(), 2u) << JoinDiagnostics(diags);
  EXPECT_EQ(diags[0].pos.column, 1);
  EXPECT_EQ(diags[1].pos.column, 5);
  EXPECT_NE(diags[1].message.find("'y'"), std::string::npos);
}

TEST(CheckerTest, UndeclaredFunction) {
  ExpectDiagnostic("sizee(tags)", 1, 6, "undeclared reference to function 'sizee'");
  ExpectDiagnostic("name.lowerAscii()", 1, 16, "undeclared reference to function 'lowerAscii'");
}

TEST(CheckerTest, NoMatchingOverload) {
  ExpectDiagnostic("'a' + 1", 1, 5, "found no matching overload for '_+_' applied to (string, int)");
  ExpectDiagnostic("years_operating + 1u", 1, 17, "no matching overload for '_+_' applied to (int, uint)");
  ExpectDiagnostic("size(1)", 1, 5, "no matching overload for 'size' applied to (int)");
  ExpectDiagnostic("name.startsWith(1)", 1, 16, "no matching overload for 'startsWith'");
  ExpectDiagnostic("!name", 1, 1, "no matching overload for '!_' applied to (string)");
  ExpectDiagnostic("granted_at.getFullYear(8)", 1, 23, "no matching overload for 'getFullYear'");
  ExpectDiagnostic("timestamp(1.5)", 1, 10, "no matching overload for 'timestamp'");
}

TEST(CheckerTest, ComparingStringWithInt) {
  ExpectDiagnostic("name == 1", 1, 6, "comparison of string with int is always false");
  ExpectDiagnostic("name != 1", 1, 6, "comparison of string with int is always true");
  ExpectDiagnostic("'a' < 1", 1, 5, "found no matching overload for '_<_' applied to (string, int)");
  ExpectDiagnostic("years_operating >= '2'", 1, 17, "no matching overload for '_>=_' applied to (int, string)");
  ExpectDiagnostic("[1] < [2]", 1, 5, "no matching overload for '_<_'");
  // Numbers of different kinds compare by value: not an error.
  EXPECT_EQ(TypeOf("years_operating == 2u && years_operating < 2.5"), "bool");
  // Neither is comparing anything with null or with dyn.
  EXPECT_EQ(TypeOf("name == null && applicant.kind == 1"), "bool");
}

TEST(CheckerTest, LogicalOperatorsNeedBool) {
  ExpectDiagnostic("years_operating && true", 1, 1, "expected bool, found int in '_&&_'");
  ExpectDiagnostic("true || name", 1, 9, "expected bool, found string in '_||_'");
  ExpectDiagnostic("1 ? 2 : 3", 1, 1, "expected bool, found int in '_?_:_'");
  ExpectDiagnostic("tags.all(t, size(t))", 1, 17, "expected a bool condition, found int");
}

TEST(CheckerTest, SelectionErrors) {
  ExpectDiagnostic("years_operating.value", 1, 16, "type 'int' has no field 'value'");
  ExpectDiagnostic("tags.first", 1, 5, "type 'list(string)' has no field 'first'");
  TypeEnv env;
  env.AddVariable("by_id", T("map(int, string)"));
  ExpectDiagnostic("by_id.x", 1, 6, "field selection '.x' on a map with int keys", env);
  ExpectDiagnostic("years_operating.all(x, true)", 1, 1, "cannot be the range of a comprehension");
  ExpectDiagnostic("{[1]: 2}", 1, 2, "unsupported map key type 'list(int)'");
  ExpectDiagnostic("pkg.Msg{f: 1}", 1, 8, "undeclared message type 'pkg.Msg'");
}

TEST(CheckerTest, ErrorsAreReportedOnceNotCascaded) {
  // The bad sub-expression has an error type that satisfies everything above it.
  std::vector<Diagnostic> diags = CheckDiagnostics("size(nope) + 1 > 2 && nope2", TypeEnv());
  ASSERT_EQ(diags.size(), 2u) << JoinDiagnostics(diags);
  EXPECT_NE(diags[0].message.find("'nope'"), std::string::npos);
  EXPECT_NE(diags[1].message.find("'nope2'"), std::string::npos);
}

TEST(CheckerTest, ContainerResolution) {
  TypeEnv env;
  env.container = "qgrant.policy";
  env.AddVariable("qgrant.policy.level", T("string"));
  env.AddVariable("qgrant.cap", T("int"));
  env.AddVariable("level", T("int"));
  // Innermost first: "level" is qgrant.policy.level (string), not the global int.
  EXPECT_EQ(TypeOf("level", env), "string");
  EXPECT_EQ(TypeOf("cap", env), "int");
  EXPECT_EQ(TypeOf(".level", env), "int");  // a leading dot means the root
  EXPECT_EQ(TypeOf("qgrant.cap + 1", env), "int");
}

TEST(CheckerTest, CustomFunctions) {
  TypeEnv env;
  Overload global;
  global.params = {CelType::Of(K::kInt), CelType::Of(K::kString)};
  global.result = CelType::Of(K::kBool);
  env.AddFunction("eligible", global);
  Overload member;
  member.receiver = true;
  member.params = {CelType::Of(K::kString)};
  member.result = CelType::Of(K::kInt);
  env.AddFunction("fen", member);
  EXPECT_EQ(TypeOf("eligible(1, 'a')", env), "bool");
  EXPECT_EQ(TypeOf("'100.50'.fen() + 1", env), "int");
  ExpectDiagnostic("eligible('a', 1)", 1, 9, "no matching overload for 'eligible' applied to (string, int)", env);
  // A global-only overload does not match a receiver call and vice versa.
  ExpectDiagnostic("fen('x')", 1, 4, "no matching overload for 'fen'", env);
  ExpectDiagnostic("1.eligible('a')", 1, 11, "no matching overload for 'eligible'", env);
}

TEST(CheckerTest, TypeParametersBindConsistently) {
  EXPECT_EQ(TypeOf("[1] + [2]"), "list(int)");
  ExpectDiagnostic("[1] + ['a']", 1, 5, "no matching overload for '_+_' applied to (list(int), list(string))");
  ExpectDiagnostic("1 in ['a']", 1, 3, "no matching overload for '@in' applied to (int, list(string))");
  EXPECT_EQ(TypeOf("1 in [dyn('a')]"), "bool");
}

TEST(CheckerTest, CheckFailsWithoutARoot) {
  ParsedExpr empty;
  std::vector<Diagnostic> diags;
  CheckResult result;
  EXPECT_FALSE(Check(empty, TypeEnv(), &result, &diags));
}

TEST(CheckerTest, ExistingDiagnosticsAreKeptAndDoNotFailTheCheck) {
  ParsedExpr parsed = testing::MustParse("1 + 1");
  std::vector<Diagnostic> diags(1);
  diags[0].message = "from an earlier stage";
  CheckResult result;
  EXPECT_TRUE(Check(parsed, TypeEnv(), &result, &diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(diags[0].message, "from an earlier stage");
}

}  // namespace
}  // namespace qgrant::expr
