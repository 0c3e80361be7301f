// Parser: operator precedence and associativity, every primary and member form, macro
// expansion, diagnostics with line and column, and the nesting limit (a diagnostic, not a crash).
#include "expr/parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "expr_test_util.h"

namespace qgrant::expr {
namespace {

using testing::JoinDiagnostics;

const char* MacroName(MacroKind m) {
  switch (m) {
    case MacroKind::kAll:
      return "all";
    case MacroKind::kExists:
      return "exists";
    case MacroKind::kExistsOne:
      return "exists_one";
    case MacroKind::kMap:
      return "map";
    case MacroKind::kFilter:
      return "filter";
    case MacroKind::kTransformMap:
      return "transformMap";
    case MacroKind::kTransformMapEntry:
      return "transformMapEntry";
  }
  return "?";
}

// A compact prefix rendering of the AST, so a test states the whole tree in one string.
std::string S(const Expr& e) {
  auto join = [](const std::vector<ExprPtr>& xs) {
    std::string out;
    for (size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + S(*xs[i]);
    return out;
  };
  switch (e.type) {
    case Expr::Type::kConst:
      return e.constant.DebugString();
    case Expr::Type::kIdent:
      return e.name;
    case Expr::Type::kSelect:
      if (e.test_only) return "has(" + S(*e.operand) + "." + e.name + ")";
      return S(*e.operand) + "." + e.name;
    case Expr::Type::kCall:
      return (e.operand ? S(*e.operand) + "." : "") + e.name + "(" + join(e.args) + ")";
    case Expr::Type::kList:
      return "[" + join(e.args) + "]";
    case Expr::Type::kMap: {
      std::string out = "{";
      for (size_t i = 0; i < e.args.size(); ++i) {
        out += (i ? ", " : "") + S(*e.args[i]) + ": " + S(*e.values[i]);
      }
      return out + "}";
    }
    case Expr::Type::kStruct: {
      std::string out = e.name + "{";
      for (size_t i = 0; i < e.names.size(); ++i) out += (i ? ", " : "") + e.names[i] + ": " + S(*e.values[i]);
      return out + "}";
    }
    case Expr::Type::kComprehension: {
      std::string out = std::string(MacroName(e.macro)) + "(" + S(*e.iter_range) + ", " + e.iter_var;
      if (!e.iter_var2.empty()) out += ", " + e.iter_var2;
      if (e.predicate) out += ", " + S(*e.predicate);
      if (e.transform) out += ", " + S(*e.transform);
      return out + ")";
    }
  }
  return "?";
}

std::string Tree(std::string_view source, const ParseOptions& options = {}) {
  ParsedExpr parsed;
  std::vector<Diagnostic> diags;
  if (!Parse(source, options, &parsed, &diags)) return "ERROR: " + JoinDiagnostics(diags);
  return S(*parsed.root);
}

std::vector<Diagnostic> Errors(std::string_view source, const ParseOptions& options = {}) {
  ParsedExpr parsed;
  std::vector<Diagnostic> diags;
  EXPECT_FALSE(Parse(source, options, &parsed, &diags)) << "expected a parse error for: " << source;
  EXPECT_FALSE(diags.empty());
  return diags;
}

// Asserts that the first diagnostic is at line:column and mentions `fragment`.
void ExpectFirstError(std::string_view source, int line, int column, std::string_view fragment) {
  std::vector<Diagnostic> diags = Errors(source);
  if (diags.empty()) return;
  EXPECT_EQ(diags[0].pos.line, line) << source << "\n" << JoinDiagnostics(diags);
  EXPECT_EQ(diags[0].pos.column, column) << source << "\n" << JoinDiagnostics(diags);
  EXPECT_NE(diags[0].message.find(fragment), std::string::npos) << source << "\n" << JoinDiagnostics(diags);
}

TEST(ParserTest, Precedence) {
  EXPECT_EQ(Tree("a || b && c"), "_||_(a, _&&_(b, c))");
  EXPECT_EQ(Tree("a && b || c"), "_||_(_&&_(a, b), c)");
  EXPECT_EQ(Tree("a + b * c"), "_+_(a, _*_(b, c))");
  EXPECT_EQ(Tree("a * b + c % d"), "_+_(_*_(a, b), _%_(c, d))");
  EXPECT_EQ(Tree("a + 1 < b * 2"), "_<_(_+_(a, 1), _*_(b, 2))");
  EXPECT_EQ(Tree("a < b && c >= d || e != f"), "_||_(_&&_(_<_(a, b), _>=_(c, d)), _!=_(e, f))");
  EXPECT_EQ(Tree("!a == b"), "_==_(!_(a), b)");
  EXPECT_EQ(Tree("-x * 2"), "_*_(-_(x), 2)");
  EXPECT_EQ(Tree("(a + b) * c"), "_*_(_+_(a, b), c)");
  EXPECT_EQ(Tree("x in [1, 2] && y"), "_&&_(@in(x, [1, 2]), y)");
}

TEST(ParserTest, Associativity) {
  EXPECT_EQ(Tree("a - b - c"), "_-_(_-_(a, b), c)");
  EXPECT_EQ(Tree("a / b / c"), "_/_(_/_(a, b), c)");
  EXPECT_EQ(Tree("1 < 2 == true"), "_==_(_<_(1, 2), true)");
  // The conditional is right-associative.
  EXPECT_EQ(Tree("a ? b : c ? d : e"), "_?_:_(a, b, _?_:_(c, d, e))");
  EXPECT_EQ(Tree("a || b ? c : d"), "_?_:_(_||_(a, b), c, d)");
}

TEST(ParserTest, UnaryMinusFoldsIntoNumberLiterals) {
  EXPECT_EQ(Tree("-5"), "-5");
  EXPECT_EQ(Tree("-5.5"), "-5.5");
  EXPECT_EQ(Tree("--5"), "-_(-5)");
  EXPECT_EQ(Tree("!!true"), "!_(!_(true))");
  // The smallest int exists only as a negative literal.
  ParsedExpr parsed = testing::MustParse("-9223372036854775808");
  ASSERT_NE(parsed.root, nullptr);
  ASSERT_EQ(parsed.root->type, Expr::Type::kConst);
  EXPECT_EQ(parsed.root->constant.kind(), Kind::kInt);
  EXPECT_EQ(parsed.root->constant.int_value(), INT64_MIN);
  EXPECT_EQ(Tree("-0x10"), "-16");
  EXPECT_EQ(Tree("-1.size()"), "-1.size()");
}

TEST(ParserTest, IntegerLiteralOutOfRange) {
  ExpectFirstError("9223372036854775808", 1, 1, "integer literal out of range");
  ExpectFirstError("x + 9223372036854775808", 1, 5, "integer literal out of range");
  ExpectFirstError("-9223372036854775809", 1, 2, "out of range");
  ExpectFirstError("-(9223372036854775808)", 1, 3, "out of range");
  EXPECT_EQ(Tree("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(Tree("18446744073709551615u"), "18446744073709551615u");
}

TEST(ParserTest, LiteralsAndAggregates) {
  EXPECT_EQ(Tree("null"), "null");
  EXPECT_EQ(Tree("[1, 2u, 3.0, 'a', b'b', true]"), "[1, 2u, 3.0, \"a\", b\"b\", true]");
  EXPECT_EQ(Tree("[]"), "[]");
  EXPECT_EQ(Tree("[1, 2,]"), "[1, 2]");  // a trailing comma is allowed in lists
  EXPECT_EQ(Tree("{'a': 1, 2: b}"), "{\"a\": 1, 2: b}");
  EXPECT_EQ(Tree("{}"), "{}");
  EXPECT_EQ(Tree("{'a': 1,}"), "{\"a\": 1}");
  EXPECT_EQ(Tree("pkg.Msg{f: 1, g: x}"), "pkg.Msg{f: 1, g: x}");
  EXPECT_EQ(Tree("Msg{}"), "Msg{}");
}

TEST(ParserTest, MembersCallsAndIndexing) {
  EXPECT_EQ(Tree("a.b.c"), "a.b.c");
  EXPECT_EQ(Tree(".pkg.name"), ".pkg.name");
  EXPECT_EQ(Tree("a[0]['k']"), "_[_](_[_](a, 0), \"k\")");
  EXPECT_EQ(Tree("f(x, y)"), "f(x, y)");
  EXPECT_EQ(Tree("f()"), "f()");
  EXPECT_EQ(Tree("a.f(1).g()"), "a.f(1).g()");
  EXPECT_EQ(Tree("a.b[1].c"), "_[_](a.b, 1).c");
  EXPECT_EQ(Tree("'abc'.size()"), "\"abc\".size()");
  // Keywords and quoted identifiers may follow a dot.
  EXPECT_EQ(Tree("m.in"), "m.in");
  EXPECT_EQ(Tree("m.null"), "m.null");
  EXPECT_EQ(Tree("m.`b-c`"), "m.b-c");
  EXPECT_EQ(Tree("m.while"), "m.while");
}

TEST(ParserTest, NodeOffsets) {
  ParsedExpr parsed = testing::MustParse("ab + c.d");
  ASSERT_NE(parsed.root, nullptr);
  const Expr& plus = *parsed.root;
  EXPECT_EQ(plus.offset, 3);  // operators are located at the operator
  EXPECT_EQ(plus.args[0]->offset, 0);
  EXPECT_EQ(plus.args[1]->offset, 6);  // selections at the dot
  EXPECT_EQ(plus.args[1]->operand->offset, 5);
  // Every node has its own id.
  EXPECT_NE(plus.id, plus.args[0]->id);
  EXPECT_NE(plus.args[0]->id, plus.args[1]->id);
  EXPECT_GT(parsed.next_id, plus.id);
  EXPECT_EQ(parsed.source, "ab + c.d");
}

TEST(ParserTest, Macros) {
  EXPECT_EQ(Tree("[1, 2].all(x, x > 0)"), "all([1, 2], x, _>_(x, 0))");
  EXPECT_EQ(Tree("l.exists(x, x == 1)"), "exists(l, x, _==_(x, 1))");
  EXPECT_EQ(Tree("l.exists_one(x, x)"), "exists_one(l, x, x)");
  EXPECT_EQ(Tree("l.existsOne(x, x)"), "exists_one(l, x, x)");
  EXPECT_EQ(Tree("l.map(x, x * 2)"), "map(l, x, _*_(x, 2))");
  EXPECT_EQ(Tree("l.map(x, x > 1, x * 2)"), "map(l, x, _>_(x, 1), _*_(x, 2))");
  EXPECT_EQ(Tree("l.filter(x, x > 1)"), "filter(l, x, _>_(x, 1))");
  EXPECT_EQ(Tree("has(a.b.c)"), "has(a.b.c)");
  EXPECT_EQ(Tree("has(a.b).c"), "has(a.b).c");
}

TEST(ParserTest, TwoVariableMacros) {
  EXPECT_EQ(Tree("m.all(k, v, v > k)"), "all(m, k, v, _>_(v, k))");
  EXPECT_EQ(Tree("m.exists(k, v, v)"), "exists(m, k, v, v)");
  EXPECT_EQ(Tree("m.exists_one(k, v, v)"), "exists_one(m, k, v, v)");
  EXPECT_EQ(Tree("l.transformList(i, v, v * i)"), "map(l, i, v, _*_(v, i))");
  EXPECT_EQ(Tree("l.transformList(i, v, i > 0, v)"), "map(l, i, v, _>_(i, 0), v)");
  EXPECT_EQ(Tree("m.transformMap(k, v, v + 1)"), "transformMap(m, k, v, _+_(v, 1))");
  EXPECT_EQ(Tree("m.transformMapEntry(k, v, {v: k})"), "transformMapEntry(m, k, v, {v: k})");
}

TEST(ParserTest, MacroNamesWithOtherArityAreOrdinaryCalls) {
  EXPECT_EQ(Tree("l.all(x)"), "l.all(x)");
  EXPECT_EQ(Tree("l.map(a, b, c, d)"), "l.map(a, b, c, d)");
  EXPECT_EQ(Tree("all(l, x, true)"), "all(l, x, true)");  // global form is not a macro
  EXPECT_EQ(Tree("has(a.b, c)"), "has(a.b, c)");
}

TEST(ParserTest, MacrosCanBeDisabled) {
  ParseOptions options;
  options.enable_macros = false;
  EXPECT_EQ(Tree("[1].all(x, x > 0)", options), "[1].all(x, _>_(x, 0))");
  EXPECT_EQ(Tree("has(a.b)", options), "has(a.b)");
}

TEST(ParserTest, MacroErrorsAreLocated) {
  ExpectFirstError("has(a)", 1, 5, "invalid argument to has() macro");
  // Located at the argument's node: a call at its '(', a selection at its '.'.
  ExpectFirstError("has(a.b())", 1, 8, "invalid argument to has() macro");
  ExpectFirstError("l.all(x.y, true)", 1, 8, "argument must be a simple name");
  ExpectFirstError("l.map(1, 2)", 1, 7, "argument must be a simple name");
  ExpectFirstError("m.all(k, k, true)", 1, 10, "two iteration variables must have different names");
}

TEST(ParserTest, SyntaxErrorsHaveLineAndColumn) {
  ExpectFirstError("1 +", 1, 4, "unexpected end of input");
  ExpectFirstError("(1 + 2", 1, 7, "expected ')', found end of input");
  ExpectFirstError("a b", 1, 3, "unexpected 'b' after the expression");
  ExpectFirstError("[1, 2", 1, 6, "expected ']'");
  ExpectFirstError("{'a' 1}", 1, 6, "expected ':' in map literal");
  ExpectFirstError("a ? b", 1, 6, "expected ':' of the conditional");
  ExpectFirstError("a.", 1, 3, "expected a field name after '.'");
  ExpectFirstError("a.1", 1, 2, "");  // ".1" lexes as a double after `a`
  ExpectFirstError("f(1,)", 1, 5, "unexpected ')'");
  ExpectFirstError("while + 1", 1, 1, "reserved identifier 'while'");
  ExpectFirstError("`a` + 1", 1, 1, "expected an identifier");
  ExpectFirstError("1 + #", 1, 5, "unexpected character '#'");
}

TEST(ParserTest, ErrorPositionOnLaterLine) {
  ExpectFirstError("applicant.kind == 'enterprise' &&\n  facts.level ==", 2, 17, "unexpected end of input");
  ExpectFirstError("a &&\n\n   (b ||\n c", 4, 3, "expected ')'");
}

TEST(ParserTest, ColumnsCountCodePoints) {
  // '深圳' is 8 bytes in UTF-8 but 4 code points; the column counts what the author sees.
  std::vector<Diagnostic> diags = Errors("'深圳' + ");
  ASSERT_FALSE(diags.empty());
  EXPECT_EQ(diags[0].pos.offset, 11);
  EXPECT_EQ(diags[0].pos.column, 8);
}

TEST(ParserTest, SeveralErrorsAreCollected) {
  std::vector<Diagnostic> diags = Errors("(1 + ) * (2 + )");
  ASSERT_GE(diags.size(), 2u) << JoinDiagnostics(diags);
  EXPECT_EQ(diags[0].pos.column, 6);
  EXPECT_EQ(diags[0].message, "unexpected ')'");
  EXPECT_GE(diags.back().pos.column, 10) << JoinDiagnostics(diags);

  // Lexer and parser errors come together.
  diags = Errors("'a\\q' + ) ");
  EXPECT_GE(diags.size(), 2u) << JoinDiagnostics(diags);
}

TEST(ParserTest, ErrorCountIsCapped) {
  std::string many = "[" + std::string(100, ',') + "]";  // one error per two commas
  ParseOptions options;
  EXPECT_EQ(Errors(many, options).size(), options.max_errors);
  options.max_errors = 5;
  EXPECT_EQ(Errors(many, options).size(), 5u);
}

TEST(ParserTest, FailedParseLeavesNoRoot) {
  ParsedExpr parsed;
  std::vector<Diagnostic> diags;
  ASSERT_TRUE(Parse("1", {}, &parsed, &diags));
  ASSERT_NE(parsed.root, nullptr);
  // Reusing the ParsedExpr for a bad expression must not leave the old tree behind.
  EXPECT_FALSE(Parse("1 +", {}, &parsed, &diags));
  EXPECT_EQ(parsed.root, nullptr);
  EXPECT_EQ(parsed.source, "1 +");
}

// --- Nesting limit ------------------------------------------------------------------------

bool MentionsDepth(const std::vector<Diagnostic>& diags) {
  for (const auto& d : diags) {
    if (d.message.find("nests too deeply") != std::string::npos) return true;
  }
  return false;
}

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(ParserDepthTest, CustomLimit) {
  ParseOptions options;
  options.max_recursion_depth = 10;
  EXPECT_EQ(Tree("((1))", options), "1");
  std::vector<Diagnostic> diags = Errors(Repeat("(", 10) + "1" + Repeat(")", 10), options);
  EXPECT_TRUE(MentionsDepth(diags)) << JoinDiagnostics(diags);
  EXPECT_NE(diags[0].message.find("limit 10"), std::string::npos) << diags[0].message;
  // Only one depth diagnostic, however deep it goes.
  int depth_errors = 0;
  for (const auto& d : Errors(Repeat("(", 50) + "1" + Repeat(")", 50), options)) {
    if (d.message.find("nests too deeply") != std::string::npos) ++depth_errors;
  }
  EXPECT_EQ(depth_errors, 1);
}

TEST(ParserDepthTest, LongOperatorChainsCountAgainstTheLimit) {
  ParseOptions options;
  options.max_recursion_depth = 20;
  EXPECT_NE(Tree("1" + Repeat(" + 1", 10), options).rfind("ERROR", 0), 0u);
  EXPECT_TRUE(MentionsDepth(Errors("1" + Repeat(" + 1", 30), options)));
  EXPECT_TRUE(MentionsDepth(Errors("a" + Repeat(".b", 30), options)));
  EXPECT_TRUE(MentionsDepth(Errors("a" + Repeat("[0]", 30), options)));
}

// Pathologically deep input at the default limit: each shape must give a diagnostic, never
// exhaust the stack. 100000 levels would overflow any unguarded recursive descent.
TEST(ParserDepthTest, PathologicalInputsGiveDiagnostics) {
  const int n = 100000;
  const std::vector<std::string> inputs = {
      Repeat("(", n) + "1" + Repeat(")", n),
      Repeat("[", n) + Repeat("]", n),
      Repeat("{1: ", n) + "1" + Repeat("}", n),
      Repeat("!", n) + "true",
      Repeat("-", n) + "x",
      "1" + Repeat(" + 1", n),
      "a" + Repeat(" && a", n),
      "x" + Repeat(".y", n),
      "x" + Repeat("[0]", n),
      "x" + Repeat(".f()", n),
      Repeat("f(", n),
      Repeat("1 ? 2 : ", n) + "3",
      Repeat("l.all(x, ", n) + "true" + Repeat(")", n),
      Repeat("(", n),
  };
  for (const std::string& input : inputs) {
    std::vector<Diagnostic> diags = Errors(input);
    EXPECT_TRUE(MentionsDepth(diags)) << input.substr(0, 40) << "...\n" << JoinDiagnostics(diags);
  }
}

// Regression: operator chains are built by loops, so they used to escape the limit when nested
// in parentheses: each level stayed under it while the tree grew thousands of levels deep and
// the checker, compiler or evaluator then overflowed the stack (a crash, found by review after
// fuzzing with short inputs had not).
TEST(ParserDepthTest, TreeDepthIsLimitedNotJustParserRecursion) {
  ParseOptions options;
  options.max_recursion_depth = 20;
  // The parser never recurses deeper than 15 here, but the tree is 25 levels deep.
  std::string source = "((1" + Repeat(" + 1", 12) + ")" + Repeat(" + 1", 12) + ")";
  std::vector<Diagnostic> diags = Errors(source, options);
  EXPECT_TRUE(MentionsDepth(diags)) << JoinDiagnostics(diags);
  EXPECT_EQ(Tree("((1" + Repeat(" + 1", 8) + ")" + Repeat(" + 1", 8) + ")", options).rfind("ERROR", 0),
            std::string::npos);
}

// The shapes that crashed, at full size: chains of every binary operator at every level of 90
// nested parentheses, about 45000 levels deep.
std::string ChainsInParentheses(const std::vector<std::string>& ops, int levels) {
  std::string p = "1";
  for (int k = 1; k <= levels; ++k) {
    int chain = 195 - 2 * (levels - k + 1);  // just under the limit at each level's depth
    std::string s = "(" + p;
    for (const std::string& op : ops) s += Repeat(" " + op + " 1", chain);
    p = s + ")";
  }
  return p;
}

TEST(ParserDepthTest, DeepChainsInParenthesesGiveADiagnosticNotACrash) {
  for (const auto& ops : std::vector<std::vector<std::string>>{{"+"}, {"*", "+", "==", "&&", "||"}}) {
    std::string source = ChainsInParentheses(ops, 90);
    std::vector<Diagnostic> diags = Errors(source);
    EXPECT_TRUE(MentionsDepth(diags)) << JoinDiagnostics(diags);
  }
  // The same inside macro arguments that are rejected, whose subtrees are dropped.
  std::string deep = ChainsInParentheses({"+"}, 90);
  EXPECT_FALSE(Errors("has(" + deep + ")").empty());
  EXPECT_FALSE(Errors("l.all(" + deep + ", true)").empty());
  EXPECT_FALSE(Errors("l.map(x, x, " + deep + ")").empty());
}

TEST(ParserDepthTest, DeepestAcceptedExpressionsCheckCompileAndEvaluate) {
  // Just inside the default limit, every later stage (all recursive) must cope too.
  const std::vector<std::pair<std::string, int64_t>> cases = {
      {Repeat("(", 95) + "1" + Repeat(")", 95), 1},
      {"1" + Repeat(" + 1", 180), 181},
      {Repeat("-", 190) + "1", 1},
      {"[" + Repeat("[", 90) + "7" + Repeat("]", 90) + "][0]" + Repeat("[0]", 90), 7},
  };
  for (const auto& [source, expected] : cases) {
    Value v = testing::CheckedEval(source);
    EXPECT_TRUE(testing::IsInt(v, expected)) << source.substr(0, 40);
  }
}

}  // namespace
}  // namespace qgrant::expr
