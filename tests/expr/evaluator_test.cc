// Evaluator (compiled Program): CEL semantics as policy conditions rely on them — integer
// overflow as an error, uint, heterogeneous equality, error absorption by && and ||, macros,
// has(), timestamps in time zones, durations, RE2 matches(), error locations, and a Program
// compiled once and evaluated many times (also from several threads).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "expr/value_json.h"
#include "expr_test_util.h"

namespace qgrant::expr {
namespace {

using testing::CheckedEval;
using testing::Eval;
using testing::IsBool;
using testing::IsError;
using testing::IsInt;
using testing::IsString;
using testing::IsUint;
using testing::JoinDiagnostics;

// Evaluates a boolean CEL expression that is expected to be true, checking it first.
void ExpectTrue(std::string_view source) { EXPECT_TRUE(IsBool(CheckedEval(source), true)) << source; }

// The same without the checker, for expressions the checker rightly rejects.
void ExpectTrueDynamic(std::string_view source) { EXPECT_TRUE(IsBool(Eval(source), true)) << source; }

Value Json(const char* text) { return FromPlainJson(nlohmann::json::parse(text)); }

// --- Arithmetic ---------------------------------------------------------------------------

TEST(EvaluatorTest, IntArithmetic) {
  EXPECT_TRUE(IsInt(CheckedEval("1 + 2 * 3"), 7));
  EXPECT_TRUE(IsInt(CheckedEval("-7 / 2"), -3));  // truncates toward zero
  EXPECT_TRUE(IsInt(CheckedEval("-7 % 2"), -1));
  EXPECT_TRUE(IsInt(CheckedEval("0x10 + 1"), 17));
  EXPECT_TRUE(IsInt(CheckedEval("9223372036854775807 + 0"), INT64_MAX));
  EXPECT_TRUE(IsInt(CheckedEval("-9223372036854775808"), INT64_MIN));
}

TEST(EvaluatorTest, Int64OverflowIsAnError) {
  EXPECT_TRUE(IsError(CheckedEval("9223372036854775807 + 1"), "int64 overflow"));
  EXPECT_TRUE(IsError(CheckedEval("-9223372036854775808 - 1"), "int64 overflow"));
  EXPECT_TRUE(IsError(CheckedEval("9223372036854775807 * 2"), "int64 overflow"));
  EXPECT_TRUE(IsError(CheckedEval("-(-9223372036854775808)"), "int64 overflow"));
  EXPECT_TRUE(IsError(CheckedEval("-9223372036854775808 / -1"), "int64 overflow"));
  EXPECT_TRUE(IsError(CheckedEval("-9223372036854775808 % -1"), "int64 overflow"));
  EXPECT_TRUE(IsError(CheckedEval("1 / 0"), "division by zero"));
  EXPECT_TRUE(IsError(CheckedEval("1 % 0"), "modulus by zero"));
}

TEST(EvaluatorTest, UintArithmetic) {
  EXPECT_TRUE(IsUint(CheckedEval("1u + 2u"), 3));
  EXPECT_TRUE(IsUint(CheckedEval("7u / 2u"), 3));
  EXPECT_TRUE(IsUint(CheckedEval("7u % 2u"), 1));
  EXPECT_TRUE(IsUint(CheckedEval("18446744073709551615u"), UINT64_MAX));
  EXPECT_TRUE(IsUint(CheckedEval("uint(1.9)"), 1));
  EXPECT_TRUE(IsUint(CheckedEval("uint('18446744073709551615')"), UINT64_MAX));
  EXPECT_TRUE(IsUint(CheckedEval("uint(42)"), 42));
  EXPECT_TRUE(IsError(CheckedEval("0u - 1u"), "uint64 overflow"));
  EXPECT_TRUE(IsError(CheckedEval("18446744073709551615u + 1u"), "uint64 overflow"));
  EXPECT_TRUE(IsError(CheckedEval("18446744073709551615u * 2u"), "uint64 overflow"));
  EXPECT_TRUE(IsError(CheckedEval("1u / 0u"), "division by zero"));
  EXPECT_TRUE(IsError(CheckedEval("uint(-1)"), "range error"));
  EXPECT_TRUE(IsError(CheckedEval("int(18446744073709551615u)"), "range error"));
  // A negative double is out of uint's range even when it would truncate to 0 (cel-go and
  // cel-cpp agree); -0.0 is not negative, and int() truncates toward zero within its range.
  EXPECT_TRUE(IsError(CheckedEval("uint(-0.75)"), "range error"));
  EXPECT_TRUE(IsError(CheckedEval("uint(-1.0e-300)"), "range error"));
  EXPECT_TRUE(IsError(CheckedEval("uint(18446744073709551616.0)"), "range error"));
  EXPECT_TRUE(IsError(CheckedEval("uint(double('NaN'))"), "range error"));
  EXPECT_TRUE(IsUint(CheckedEval("uint(-0.0)"), 0));
  EXPECT_TRUE(IsUint(CheckedEval("uint(0.75)"), 0));
  EXPECT_TRUE(IsInt(CheckedEval("int(-0.75)"), 0));
  EXPECT_TRUE(IsError(CheckedEval("int(-9223372036854775808.0)"), "range error"));
  EXPECT_TRUE(IsError(CheckedEval("uint('-1')"), "cannot convert"));
  // Mixing int and uint in arithmetic has no overload (the checker rejects it too).
  EXPECT_TRUE(IsError(Eval("1u + 1"), "no such overload: _+_(uint, int)"));
  EXPECT_TRUE(IsError(Eval("-(1u)"), "no such overload: -_(uint)"));
}

TEST(EvaluatorTest, DoubleArithmeticAndConversions) {
  ExpectTrue("0.1 + 0.2 > 0.3");
  ExpectTrue("1.0 / 0.0 > 1e308");
  ExpectTrue("string(1.5) == '1.5'");
  ExpectTrue("string(1e21) == '1e+21'");
  ExpectTrue("double('2.5') == 2.5");
  ExpectTrue("int(-1.5) == -1");
  ExpectTrue("int('42') == 42");
  ExpectTrue("string(42u) == '42'");
  ExpectTrue("bool('true') && !bool('false')");
  EXPECT_TRUE(IsError(CheckedEval("int(1e19)"), "range error"));
  EXPECT_TRUE(IsError(CheckedEval("int('9223372036854775808')"), "cannot convert"));
  EXPECT_TRUE(IsError(CheckedEval("int('4x')"), "cannot convert '4x' to int"));
  EXPECT_TRUE(IsError(CheckedEval("double('abc')"), "cannot convert"));
}

// --- Equality and ordering ----------------------------------------------------------------

TEST(EvaluatorTest, HeterogeneousNumericEquality) {
  ExpectTrue("1 == 1u");
  ExpectTrue("1 == 1.0");
  ExpectTrue("1u == 1.0");
  ExpectTrue("-1 != 18446744073709551615u");
  ExpectTrue("[1, 2] == [1u, 2.0]");
  ExpectTrue("{1: 'a'} == {1u: 'a'}");
  ExpectTrue("{'a': [1]} == {'a': [1.0]}");
  ExpectTrue("dyn(1) in [1u, 2u]");
  // The checker wants the declared key type for an index; at run time any equal number finds it.
  ExpectTrueDynamic("{1u: 'x'}[1] == 'x'");
  ExpectTrueDynamic("{1: 'x'}[1.0] == 'x'");
  ExpectTrue("1 < 2u && -1 < 0u && 2.5 > 2 && 9223372036854775807 < 18446744073709551615u");
  ExpectTrue("double('NaN') != double('NaN')");
  ExpectTrue("!(double('NaN') < 1.0) && !(double('NaN') >= 1.0)");
  ExpectTrue("null == null");
  ExpectTrue("[1] != [1, 2]");
  ExpectTrue("duration('1s') == duration('1000ms')");
}

TEST(EvaluatorTest, ValuesOfDifferentKindsAreUnequalNotErrors) {
  // The checker rejects these; evaluated dynamically (as with dyn data) they are just false.
  EXPECT_TRUE(IsBool(Eval("1 == '1'"), false));
  EXPECT_TRUE(IsBool(Eval("'a' == b'a'"), false));
  EXPECT_TRUE(IsBool(Eval("[1] == {'a': 1}"), false));
  EXPECT_TRUE(IsBool(Eval("null != 0"), true));
  // Ordering across kinds, by contrast, has no overload.
  EXPECT_TRUE(IsError(Eval("'a' < 1"), "no such overload: _<_(string, int)"));
}

TEST(EvaluatorTest, StringAndTimeOrdering) {
  ExpectTrue("'abc' < 'abd' && 'b' > 'abc'");
  ExpectTrue("b'a' < b'b'");
  ExpectTrue("false < true");
  ExpectTrue("timestamp('2024-01-01T00:00:00Z') < timestamp('2024-01-01T00:00:01Z')");
  ExpectTrue("duration('-1s') < duration('0s')");
}

// --- Logical operators --------------------------------------------------------------------

TEST(EvaluatorTest, ErrorsAreAbsorbedByAndOrInEitherOrder) {
  // && is commutative over errors: false wins on either side.
  EXPECT_TRUE(IsBool(CheckedEval("false && 1 / 0 == 1"), false));
  EXPECT_TRUE(IsBool(CheckedEval("1 / 0 == 1 && false"), false));
  EXPECT_TRUE(IsError(CheckedEval("true && 1 / 0 == 1"), "division by zero"));
  EXPECT_TRUE(IsError(CheckedEval("1 / 0 == 1 && true"), "division by zero"));
  // || likewise with true.
  EXPECT_TRUE(IsBool(CheckedEval("true || 1 / 0 == 1"), true));
  EXPECT_TRUE(IsBool(CheckedEval("1 / 0 == 1 || true"), true));
  EXPECT_TRUE(IsError(CheckedEval("false || 1 / 0 == 1"), "division by zero"));
  EXPECT_TRUE(IsError(CheckedEval("1 / 0 == 1 || false"), "division by zero"));
  // A missing fact (no checker) is an error that the other side can absorb.
  EXPECT_TRUE(IsBool(Eval("missing || true"), true));
  EXPECT_TRUE(IsBool(Eval("true || missing"), true));
  EXPECT_TRUE(IsBool(Eval("missing && false"), false));
  EXPECT_TRUE(IsError(Eval("missing && true"), "undeclared reference to 'missing'"));
  // Both sides errors: the result is an error (the left one).
  EXPECT_TRUE(IsError(Eval("1 / 0 == 1 && 1 % 0 == 1"), "division by zero"));
  EXPECT_TRUE(IsError(Eval("1 % 0 == 1 || 1 / 0 == 1"), "modulus by zero"));
  // Long chains absorb from anywhere.
  EXPECT_TRUE(IsBool(Eval("missing && 1 / 0 == 1 && false && also_missing"), false));
}

TEST(EvaluatorTest, NonBoolOperandsOfLogicalOperators) {
  // A non-bool operand is absorbed like an error when the other side decides...
  EXPECT_TRUE(IsBool(Eval("1 && false"), false));
  EXPECT_TRUE(IsBool(Eval("true || 'x'"), true));
  // ...and otherwise there is no such overload.
  EXPECT_TRUE(IsError(Eval("1 && true"), "no such overload"));
  EXPECT_TRUE(IsError(Eval("!1"), "no such overload: !_(int)"));
}

TEST(EvaluatorTest, Conditional) {
  EXPECT_TRUE(IsInt(CheckedEval("true ? 1 : 1 / 0"), 1));
  EXPECT_TRUE(IsInt(CheckedEval("false ? 1 / 0 : 2"), 2));
  EXPECT_TRUE(IsError(CheckedEval("1 / 0 == 1 ? 1 : 2"), "division by zero"));
  EXPECT_TRUE(IsError(Eval("1 ? 2 : 3"), "no such overload"));
}

TEST(EvaluatorTest, UnknownsWinOverErrorsAndMerge) {
  MapActivation act;
  act.Bind("u", Value::Unknown({"facts.level"}));
  act.Bind("v", Value::Unknown({"applicant.kind"}));
  EXPECT_TRUE(IsBool(Eval("u && false", act), false));
  EXPECT_TRUE(IsBool(Eval("u || true", act), true));
  Value r = Eval("u && true", act);
  ASSERT_TRUE(r.is_unknown()) << r.DebugString();
  EXPECT_EQ(r.unknown_attributes(), std::vector<std::string>{"facts.level"});
  EXPECT_TRUE(Eval("u && 1 / 0 == 1", act).is_unknown());
  EXPECT_TRUE(Eval("1 / 0 == 1 || u", act).is_unknown());
  EXPECT_TRUE(Eval("u + 1 > 2", act).is_unknown());
  EXPECT_TRUE(Eval("[u, 1 / 0]", act).is_unknown());
  r = Eval("u && v", act);
  ASSERT_TRUE(r.is_unknown()) << r.DebugString();
  EXPECT_EQ(r.unknown_attributes(), (std::vector<std::string>{"facts.level", "applicant.kind"}));
}

// --- Strings, bytes, lists, maps ----------------------------------------------------------

TEST(EvaluatorTest, StringsAndEscapesEndToEnd) {
  ExpectTrue("size('深圳市') == 3");  // code points, not bytes
  ExpectTrue("size(b'\\xe6\\xb7\\xb1') == 3");
  ExpectTrue("'深圳' + '市' == '深圳市'");
  ExpectTrue("'\\u6df1\\u5733' == '深圳'");
  ExpectTrue("'\\U00006DF1' == '深'");
  ExpectTrue(R"('\a\b\f\n\r\t\v\\\'\"\`\?' == '\x07\x08\x0c\x0a\x0d\x09\x0b\x5c\x27\x22\x60\x3f')");
  ExpectTrue(R"('\101\102' == 'AB' && b'\101' == b'A')");
  ExpectTrue(R"('\xff' == '\u00ff' && b'\xff' != b'\xc3\xbf' && bytes('\xff') == b'\xc3\xbf')");
  ExpectTrue(R"(r'\d+' == '\\d+' && R"\n" == "\\n")");
  ExpectTrue("'''a\nb''' == 'a\\nb'");
  ExpectTrue(R"("""x "quoted" y""" == 'x "quoted" y')");
  ExpectTrue("'abc'.contains('b') && 'abc'.startsWith('ab') && 'abc'.endsWith('bc')");
  ExpectTrue("!'abc'.contains('d')");
  ExpectTrue("string(b'\\xe6\\xb7\\xb1') == '深'");
  EXPECT_TRUE(IsError(CheckedEval("string(b'\\xff')"), "invalid UTF-8"));
}

TEST(EvaluatorTest, ListsAndMaps) {
  EXPECT_TRUE(IsInt(CheckedEval("[1, 2, 3][1]"), 2));
  EXPECT_TRUE(IsInt(CheckedEval("[1, 2][1u]"), 2));
  EXPECT_TRUE(IsInt(CheckedEval("[1, 2][1.0]"), 2));
  EXPECT_TRUE(IsError(CheckedEval("[1][5]"), "index out of bounds: 5 (size 1)"));
  EXPECT_TRUE(IsError(CheckedEval("[1][-1]"), "index out of bounds"));
  EXPECT_TRUE(IsError(CheckedEval("[1][0.5]"), "invalid list index"));
  EXPECT_TRUE(IsError(CheckedEval("{'a': 1}['b']"), "no such key: \"b\""));
  ExpectTrue("'a' in {'a': 1} && !('b' in {'a': 1})");
  ExpectTrue("!(3 in [1, 2]) && 2 in [1, 2]");
  ExpectTrue("[1] + [2] == [1, 2]");
  ExpectTrue("size({'a': 1, 'b': 2}) == 2 && size([]) == 0");
  EXPECT_TRUE(IsError(CheckedEval("{'a': 1, 'a': 2}"), "repeated key"));
  // 1 and 1u are the same key.
  EXPECT_TRUE(IsError(Eval("{1: 'a', 1u: 'b'}"), "repeated key"));
  EXPECT_TRUE(IsError(Eval("{[1]: 2}"), "unsupported key type list"));
  EXPECT_TRUE(IsError(Eval("{1.5: 2}"), "unsupported key type double"));
}

TEST(EvaluatorTest, TypeValues) {
  ExpectTrue("type(1) == int && type(1u) == uint && type(1.0) == double");
  ExpectTrue("type('a') == string && type(b'a') == bytes && type(true) == bool");
  ExpectTrue("type([]) == list && type({}) == map && type(null) == null_type");
  ExpectTrue("type(int) == type");
  ExpectTrue("type(timestamp('2024-01-01T00:00:00Z')) == google.protobuf.Timestamp");
  ExpectTrue("type(duration('1s')) == google.protobuf.Duration");
  ExpectTrue("type(1) != uint");
}

// --- Macros -------------------------------------------------------------------------------

TEST(EvaluatorTest, OneVariableMacros) {
  ExpectTrue("[1, 2, 3].all(x, x > 0)");
  ExpectTrue("![1, 2, 3].all(x, x > 1)");
  ExpectTrue("[].all(x, false)");
  ExpectTrue("[1, 2, 3].exists(x, x == 2)");
  ExpectTrue("![].exists(x, true)");
  ExpectTrue("[1, 2, 3].exists_one(x, x > 2)");
  ExpectTrue("![1, 2, 3].exists_one(x, x > 1)");
  ExpectTrue("![].exists_one(x, true)");
  ExpectTrue("[1, 2, 3].existsOne(x, x == 1)");
  ExpectTrue("[1, 2, 3].map(x, x * 10) == [10, 20, 30]");
  ExpectTrue("[1, 2, 3, 4].map(x, x % 2 == 0, x * 10) == [20, 40]");
  ExpectTrue("[1, 2, 3, 4].filter(x, x % 2 == 0) == [2, 4]");
  ExpectTrue("[].map(x, x) == []");
  // Over a map, the variable is the key, in insertion order.
  ExpectTrue("{'a': 1, 'b': 2}.all(k, k in ['a', 'b'])");
  ExpectTrue("{'b': 1, 'a': 2}.map(k, k) == ['b', 'a']");
  ExpectTrue("{'a': 1, 'b': 2}.filter(k, k == 'b') == ['b']");
}

TEST(EvaluatorTest, TwoVariableMacros) {
  ExpectTrue("[10, 20, 30].all(i, v, v == (i + 1) * 10)");
  ExpectTrue("{'a': 1, 'b': 2}.exists(k, v, k == 'b' && v == 2)");
  ExpectTrue("{'a': 1, 'b': 2}.exists_one(k, v, v > 1)");
  ExpectTrue("[5, 6].transformList(i, v, i * v) == [0, 6]");
  ExpectTrue("[5, 6, 7].transformList(i, v, i != 1, v) == [5, 7]");
  ExpectTrue("{'a': 1, 'b': 2}.transformMap(k, v, v * 100) == {'a': 100, 'b': 200}");
  ExpectTrue("{'a': 1, 'b': 2}.transformMap(k, v, v > 1, k + k) == {'b': 'bb'}");
  ExpectTrue("[7, 8].transformMap(i, v, v) == {0: 7, 1: 8}");
  ExpectTrue("{'a': 1}.transformMapEntry(k, v, {v: k}) == {1: 'a'}");
  EXPECT_TRUE(IsError(CheckedEval("{'a': 1, 'b': 1}.transformMapEntry(k, v, {v: k})"), "repeated key"));
}

TEST(EvaluatorTest, NestedMacrosAndShadowing) {
  ExpectTrue("[1, 2].all(x, [3, 4].exists(x, x > 3))");  // the inner x shadows the outer
  ExpectTrue("[[1, 2], [3]].map(l, l.map(x, x + 1)) == [[2, 3], [4]]");
  ExpectTrue("[1, 2].map(x, [10, 20].map(y, x + y)) == [[11, 21], [12, 22]]");
  ExpectTrue("[1, 2, 3].filter(x, x > 1).map(x, x * x) == [4, 9]");
  ExpectTrue("[[1], [2, 3]].exists(l, l.all(x, x > 1))");
}

TEST(EvaluatorTest, MacroErrorAbsorption) {
  // exists: a true element absorbs an error elsewhere; all: a false element does.
  EXPECT_TRUE(IsBool(CheckedEval("[0, 1].exists(x, 1 / x > 0)"), true));
  EXPECT_TRUE(IsBool(CheckedEval("[1, 0].exists(x, 1 / x > 0)"), true));
  EXPECT_TRUE(IsBool(CheckedEval("[0, 1].all(x, 1 / x < 0)"), false));
  EXPECT_TRUE(IsError(CheckedEval("[0, 1].all(x, 1 / x > 0)"), "division by zero"));
  EXPECT_TRUE(IsError(CheckedEval("[0, 1].exists(x, 1 / x < 0)"), "division by zero"));
  EXPECT_TRUE(IsError(CheckedEval("[0, 1].exists_one(x, 1 / x > 0)"), "division by zero"));
  EXPECT_TRUE(IsError(CheckedEval("[0, 1].map(x, 1 / x)"), "division by zero"));
  EXPECT_TRUE(IsError(CheckedEval("[0, 1].filter(x, 1 / x > 0)"), "division by zero"));
  EXPECT_TRUE(IsError(Eval("1.all(x, true)"), "comprehension over int"));
  EXPECT_TRUE(IsError(Eval("[1].all(x, x)"), "no such overload"));
}

// --- has() and field selection ------------------------------------------------------------

TEST(EvaluatorTest, HasAndFieldSelection) {
  MapActivation act;
  act.Bind("m", Json(R"({"a": 1, "n": {"b": 2}, "empty": ""})"));
  act.Bind("x", Value::Int(1));
  EXPECT_TRUE(IsBool(Eval("has(m.a)", act), true));
  EXPECT_TRUE(IsBool(Eval("has(m.z)", act), false));
  EXPECT_TRUE(IsBool(Eval("has(m.empty)", act), true));  // presence, not truthiness
  EXPECT_TRUE(IsBool(Eval("has(m.n.b)", act), true));
  EXPECT_TRUE(IsBool(Eval("has(m.n.z)", act), false));
  EXPECT_TRUE(IsError(Eval("has(m.z.b)", act), "no such key: z"));
  EXPECT_TRUE(IsError(Eval("has(x.a)", act), "type 'int' has no field 'a'"));
  EXPECT_TRUE(IsBool(Eval("has({'a': 1}.a)", act), true));
  EXPECT_TRUE(IsInt(Eval("m.n.b", act), 2));
  EXPECT_TRUE(IsInt(Eval("m['n']['b']", act), 2));
  EXPECT_TRUE(IsError(Eval("m.z", act), "no such key: z"));
  // The typical guard: has() before use, with && short-circuiting the missing case.
  EXPECT_TRUE(IsBool(Eval("has(m.z) && m.z > 1", act), false));
}

TEST(EvaluatorTest, QualifiedNamesAndContainers) {
  MapActivation act;
  act.Bind("a.b", Value::Int(1));
  act.Bind("a", Json(R"({"b": 2, "c": 3})"));
  // The longest bound prefix wins; the rest are field selections.
  EXPECT_TRUE(IsInt(Eval("a.b", act), 1));
  EXPECT_TRUE(IsInt(Eval("a.c", act), 3));

  MapActivation scoped;
  scoped.Bind("qgrant.policy.level", Value::String("inner"));
  scoped.Bind("level", Value::String("root"));
  CompileOptions options;
  options.container = "qgrant.policy";
  auto program = testing::MustCompile("level", options);
  ASSERT_NE(program, nullptr);
  EXPECT_TRUE(IsString(program->Evaluate(scoped), "inner"));
  auto rooted = testing::MustCompile(".level", options);
  ASSERT_NE(rooted, nullptr);
  EXPECT_TRUE(IsString(rooted->Evaluate(scoped), "root"));
}

// Binds `m` as a MapActivation would, and also answers m.field by FindField (as an application's
// applicant is answered), counting how often the whole map was asked for.
class FieldsApart : public Activation {
 public:
  explicit FieldsApart(Value m) : m_(std::move(m)) {}
  const Value* Find(std::string_view name) const override {
    if (name != "m") return nullptr;
    ++maps_asked;
    return &m_;
  }
  Field FindField(std::string_view name, std::string_view field, Value* out) const override {
    if (name != "m") return Field::kNotOffered;
    const Value* v = m_.map_value().FindString(field);
    if (v == nullptr) return Field::kAbsent;
    *out = *v;
    return Field::kFound;
  }
  mutable int maps_asked = 0;

 private:
  Value m_;
};

TEST(EvaluatorTest, FieldsAnsweredApartAgreeWithTheMap) {
  std::string error;
  const Value m = Value::Map(MapValue::Make({{Value::String("a"), Value::Int(1)},
                                             {Value::String("u"), Value::Unknown({"m.u"})},
                                             {Value::String("n"), Json(R"({"b": 2})")}},
                                            &error));
  MapActivation whole;
  whole.Bind("m", m);
  const FieldsApart apart(m);
  for (const char* source :
       {"has(m.a)", "has(m.z)", "has(m.u)", "m.a", "m.z", "m.u", "m.n.b", "has(m.n.b)", "has(m.n.z)", "m.n.z",
        "has(m.z) && m.z > 1", "[{'a': 5}].all(m, has(m.a) && m.a == 5)", "[{'b': 5}].exists(m, has(m.a))"}) {
    const Value expected = Eval(source, whole), got = Eval(source, apart);
    EXPECT_EQ(got.DebugString(), expected.DebugString()) << source;
  }
  // has(m.f) and m.f did not make the map; a comprehension's own m is its element, not the
  // activation's (had it been asked, `m.a == 5` would be false and exists() true).
  EXPECT_TRUE(IsBool(Eval("has(m.a) && !has(m.z) && m.a == 1", apart), true));
  EXPECT_TRUE(IsError(Eval("m.z", apart), "no such key: z"));
  EXPECT_TRUE(IsBool(Eval("[{'a': 5}].all(m, has(m.a) && m.a == 5)", apart), true));
  EXPECT_TRUE(IsBool(Eval("[{'b': 5}].exists(m, has(m.a))", apart), false));
  const int before = apart.maps_asked;
  EXPECT_TRUE(IsBool(Eval("has(m.a) && !has(m.z) && m.a == 1", apart), true));
  EXPECT_TRUE(Eval("has(m.u)", apart).is_unknown());
  EXPECT_EQ(apart.maps_asked, before);
  // Within a container the name might be another variable's: the map is asked for, as before.
  CompileOptions options;
  options.container = "qgrant.policy";
  auto program = testing::MustCompile("has(m.a)", options);
  ASSERT_NE(program, nullptr);
  EXPECT_TRUE(IsBool(program->Evaluate(apart), true));
  EXPECT_EQ(apart.maps_asked, before + 1);
}

TEST(EvaluatorTest, UnknownFunctionsAndMessagesAreRuntimeErrors) {
  EXPECT_TRUE(IsError(Eval("nosuch(1)"), "no such overload: nosuch(int)"));
  EXPECT_TRUE(IsError(Eval("'a'.nosuch()"), "no such overload"));
  EXPECT_TRUE(IsError(Eval("pkg.Msg{f: 1}"), "unknown message type 'pkg.Msg'"));
}

// --- Time ---------------------------------------------------------------------------------

TEST(EvaluatorTest, TimestampsParseOffsetsIntoUtc) {
  ExpectTrue("timestamp('2024-03-01T08:00:00+08:00') == timestamp('2024-03-01T00:00:00Z')");
  ExpectTrue("string(timestamp('2024-03-01T08:00:00+08:00')) == '2024-03-01T00:00:00Z'");
  ExpectTrue("string(timestamp('2024-01-01T00:00:00.123456789Z')) == '2024-01-01T00:00:00.123456789Z'");
  ExpectTrue("string(timestamp('2024-01-01T00:00:00.500Z')) == '2024-01-01T00:00:00.5Z'");
  ExpectTrue("timestamp(0) == timestamp('1970-01-01T00:00:00Z')");
  ExpectTrue("int(timestamp('1970-01-02T00:00:00Z')) == 86400");
  ExpectTrue("timestamp('2024-01-01T00:00:00.5Z').getMilliseconds() == 500");
}

TEST(EvaluatorTest, TimestampFieldsInTimeZones) {
  // 2023-12-31 17:00 UTC is already New Year's Day in Shenzhen.
  ExpectTrue("timestamp('2023-12-31T17:00:00Z').getFullYear() == 2023");
  ExpectTrue("timestamp('2023-12-31T17:00:00Z').getFullYear('Asia/Shanghai') == 2024");
  ExpectTrue("timestamp('2023-12-31T17:00:00Z').getFullYear('+08:00') == 2024");
  ExpectTrue("timestamp('2023-12-31T17:00:00Z').getFullYear('08:00') == 2024");
  ExpectTrue("timestamp('2024-01-01T03:00:00Z').getFullYear('-05:00') == 2023");
  ExpectTrue("timestamp('2024-01-01T00:30:00Z').getHours('Asia/Shanghai') == 8");
  ExpectTrue("timestamp('2024-01-01T00:30:00Z').getHours() == 0");
  ExpectTrue("timestamp('2024-01-01T00:30:00Z').getMinutes('Asia/Shanghai') == 30");
  // 2024-02-29 16:00 UTC is 2024-03-01 00:00 in Shenzhen (a Friday); getMonth and
  // getDayOfMonth are zero-based, getDate one-based, as in CEL.
  ExpectTrue("timestamp('2024-02-29T16:00:00Z').getDate('Asia/Shanghai') == 1");
  ExpectTrue("timestamp('2024-02-29T16:00:00Z').getMonth('Asia/Shanghai') == 2");
  ExpectTrue("timestamp('2024-02-29T16:00:00Z').getDayOfMonth('Asia/Shanghai') == 0");
  ExpectTrue("timestamp('2024-02-29T16:00:00Z').getDayOfYear('Asia/Shanghai') == 60");
  ExpectTrue("timestamp('2024-02-29T16:00:00Z').getDayOfWeek('Asia/Shanghai') == 5");
  ExpectTrue("timestamp('2024-02-29T16:00:00Z').getDayOfWeek() == 4");
  ExpectTrue("timestamp('2024-02-29T16:00:00Z').getDate() == 29");
  // Zones with daylight saving time follow the tz database rules.
  ExpectTrue("timestamp('2024-07-01T12:00:00Z').getHours('America/New_York') == 8");
  ExpectTrue("timestamp('2024-01-15T12:00:00Z').getHours('America/New_York') == 7");
  // Half-hour offsets.
  ExpectTrue("timestamp('2024-01-01T12:00:00Z').getHours('Asia/Kolkata') == 17");
  ExpectTrue("timestamp('2024-01-01T12:00:00Z').getMinutes('+05:30') == 30");
}

TEST(EvaluatorTest, TimestampErrors) {
  EXPECT_TRUE(IsError(CheckedEval("timestamp('2024-01-01T00:00:00Z').getHours('Mars/Olympus')"),
                      "unknown time zone 'Mars/Olympus'"));
  EXPECT_TRUE(IsError(CheckedEval("timestamp('2024-01-01T00:00:00Z').getHours('+25:00')"), "unknown time zone"));
  EXPECT_TRUE(IsError(CheckedEval("timestamp('2024-13-01T00:00:00Z')"), "not a valid date"));
  EXPECT_TRUE(IsError(CheckedEval("timestamp('2023-02-29T00:00:00Z')"), "not a valid date"));
  EXPECT_TRUE(IsError(CheckedEval("timestamp('2024-01-01T00:00:00')"), "needs a zone"));
  EXPECT_TRUE(IsError(CheckedEval("timestamp('2024-01-01')"), "timestamp"));
  EXPECT_TRUE(IsError(CheckedEval("timestamp('9999-12-31T23:59:59Z') + duration('1s')"), "timestamp out of range"));
  EXPECT_TRUE(IsError(CheckedEval("timestamp('0001-01-01T00:00:00Z') - duration('1ns')"), "timestamp out of range"));
  EXPECT_TRUE(IsError(CheckedEval("timestamp(253402300800)"), "range"));
}

TEST(EvaluatorTest, TimestampArithmetic) {
  ExpectTrue("timestamp('2024-01-02T00:00:00Z') - timestamp('2024-01-01T00:00:00Z') == duration('24h')");
  ExpectTrue("timestamp('2024-01-01T00:00:00Z') + duration('36h') == timestamp('2024-01-02T12:00:00Z')");
  ExpectTrue("duration('1h') + timestamp('2024-01-01T00:00:00Z') == timestamp('2024-01-01T01:00:00Z')");
  ExpectTrue("timestamp('2024-01-01T00:00:00Z') - duration('1ns') < timestamp('2024-01-01T00:00:00Z')");
}

TEST(EvaluatorTest, Durations) {
  ExpectTrue("duration('1h30m') == duration('90m')");
  ExpectTrue("duration('1.5s').getMilliseconds() == 1500");
  ExpectTrue("duration('90m').getHours() == 1 && duration('90m').getMinutes() == 90");
  ExpectTrue("duration('3723s').getSeconds() == 3723");
  ExpectTrue("string(duration('-1m30s')) == '-90s'");
  ExpectTrue("string(duration('1ms')) == '0.001s'");
  ExpectTrue("duration('1h') + duration('30m') == duration('5400s')");
  ExpectTrue("duration('100us') == duration('100µs') && duration('1000ns') == duration('1us')");
  ExpectTrue("-duration('1s') == duration('-1s')");
  ExpectTrue("duration('2562047h') > duration('0s')");
  EXPECT_TRUE(IsError(CheckedEval("duration('1d')"), "unknown unit 'd'"));
  EXPECT_TRUE(IsError(CheckedEval("duration('1')"), "missing unit"));
  EXPECT_TRUE(IsError(CheckedEval("duration('2562048h')"), "out of range"));
  EXPECT_TRUE(IsError(CheckedEval("duration('')"), "empty"));
}

// --- matches() ----------------------------------------------------------------------------

TEST(EvaluatorTest, MatchesUsesRe2) {
  ExpectTrue("'ABC-123'.matches('^[A-Z]+-[0-9]+$')");
  ExpectTrue("matches('abc', 'b')");  // unanchored: a partial match suffices
  ExpectTrue("!'abc'.matches('^b')");
  ExpectTrue("'深圳市'.matches('^\\\\p{Han}+$')");
  // A unified social credit code (统一社会信用代码): 18 characters, no I, O, S, V, Z.
  ExpectTrue(R"('91440300MA5FXXXX1Q'.matches('^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$'))");
  ExpectTrue(R"(!'91440300MA5FXXXXIQ'.matches('^[0-9A-HJ-NPQRTUWXY]{2}\\d{6}[0-9A-HJ-NPQRTUWXY]{10}$'))");
  ExpectTrue(R"('a.b'.matches(r'^a\.b$') && !'axb'.matches(r'^a\.b$'))");
  // RE2 runs in linear time: the classic catastrophic-backtracking pattern is harmless.
  ExpectTrue("!'" + std::string(5000, 'a') + "b'.matches('^(a+)+$')");
}

TEST(EvaluatorTest, MatchesWithDynamicPattern) {
  auto program = testing::MustCompile("code.matches(pattern)");
  ASSERT_NE(program, nullptr);
  MapActivation act;
  act.Bind("code", Value::String("GB/T 19001"));
  act.Bind("pattern", Value::String("^GB(/T)? [0-9]+$"));
  EXPECT_TRUE(IsBool(program->Evaluate(act), true));
  act.Bind("pattern", Value::String("^ISO"));
  EXPECT_TRUE(IsBool(program->Evaluate(act), false));
  act.Bind("pattern", Value::String("(unclosed"));
  EXPECT_TRUE(IsError(program->Evaluate(act), "invalid regular expression"));
  EXPECT_TRUE(IsError(Eval("1.matches('a')"), "no such overload: matches(int)"));
}

TEST(EvaluatorTest, InvalidConstantPatternFailsTheCheckWithItsPosition) {
  std::vector<Diagnostic> diags = testing::CheckDiagnostics("name != '' &&\n  name.matches('(')", [] {
    TypeEnv env;
    env.AddVariable("name", CelType::Of(CelType::Kind::kString));
    return env;
  }());
  ASSERT_EQ(diags.size(), 1u) << JoinDiagnostics(diags);
  EXPECT_EQ(diags[0].pos.line, 2);
  EXPECT_EQ(diags[0].pos.column, 16);
  EXPECT_NE(diags[0].message.find("invalid regular expression"), std::string::npos) << diags[0].message;
}

// Unchecked (qgrant expr --no-check), an invalid constant pattern is an error of the call
// alone, raised only when the call is evaluated: && , || and ?: that never reach it decide.
TEST(EvaluatorTest, InvalidConstantPatternIsARuntimeErrorOfItsCallOnly) {
  EXPECT_TRUE(IsBool(Eval("false && 'a'.matches('[')"), false));
  EXPECT_TRUE(IsBool(Eval("'a'.matches('[') || true"), true));
  EXPECT_TRUE(IsBool(Eval("true ? true : matches('a', '(')"), true));
  EXPECT_TRUE(IsBool(Eval("[].all(x, x.matches('['))"), true));
  Value v = Eval("1 == 1 && 'a'.matches('[')");
  EXPECT_TRUE(IsError(v, "invalid regular expression: missing ]"));
  EXPECT_EQ(v.error_offset(), 21);  // the call's '(', as for other calls
  // The target's own error or unknown still comes first, as in any strict call.
  EXPECT_TRUE(IsError(Eval("(1 / 0 == 1 ? 'a' : 'b').matches('[')"), "division by zero"));
}

// --- Error locations ----------------------------------------------------------------------

TEST(EvaluatorTest, ErrorOffsetsPointAtTheFailingOperation) {
  EXPECT_EQ(Eval("1 + (2 / 0)").error_offset(), 7);
  EXPECT_EQ(Eval("9223372036854775807 + 1").error_offset(), 20);
  // An error keeps the location where it arose as it travels outward.
  EXPECT_EQ(Eval("(1 / 0) + 1 > 2").error_offset(), 3);
  EXPECT_EQ(Eval("true && 1 / 0 == 1").error_offset(), 10);
  EXPECT_EQ(Eval("[1, 2][5]").error_offset(), 6);
  EXPECT_EQ(Eval("1 + missing").error_offset(), 4);
  EXPECT_EQ(Eval("nosuch(1)").error_offset(), 6);
  EXPECT_EQ(Eval("[0, 1].all(x, 1 / x > 0)").error_offset(), 16);
  MapActivation act;
  act.Bind("m", Json(R"({"a": {"b": 1}})"));
  EXPECT_EQ(Eval("m.a.c", act).error_offset(), 3);  // at the selection of c
  EXPECT_EQ(Eval("m.a.b + m.x", act).error_offset(), 9);
}

// --- Fast paths ---------------------------------------------------------------------------
// The compiler specialises common shapes (constant list and map literals, `x in [constants]`,
// field paths on bound names); these pin down that the results are those of the general rules.

TEST(FastPathTest, InConstantList) {
  ExpectTrue("'enterprise' in ['enterprise', 'public_institution']");
  ExpectTrue("!('individual' in ['enterprise', 'public_institution'])");
  ExpectTrue("!('a' in [])");
  ExpectTrueDynamic("1u in [1, 2] && 2.0 in [1, 2] && !(3 in [1, 2.5])");
  ExpectTrueDynamic("'a' in [1, 'a', 2.0] && [1] in [[1u], 2]");
  EXPECT_TRUE(IsError(CheckedEval("1 / 0 in [1]"), "division by zero"));
  EXPECT_EQ(Eval("1 / 0 in [1]").error_offset(), 2);
  MapActivation act;
  act.Bind("u", Value::Unknown({"facts.kind"}));
  EXPECT_TRUE(Eval("u in ['a']", act).is_unknown());
  // A non-constant element keeps the general path, with the same answer.
  act.Bind("k", Value::String("b"));
  EXPECT_TRUE(IsBool(Eval("'b' in ['a', k]", act), true));
  EXPECT_TRUE(IsError(Eval("'b' in ['a', 1 / 0]", act), "division by zero"));
}

TEST(FastPathTest, ConstantLiteralsAreSharedButStillValues) {
  auto program = testing::MustCompile("[[1, 2], {'a': [3]}]");
  ASSERT_NE(program, nullptr);
  Value first = program->Evaluate(MapActivation());
  Value second = program->Evaluate(MapActivation());
  EXPECT_TRUE(IsBool(Equals(first, second), true));
  EXPECT_EQ(first.DebugString(), "[[1, 2], {\"a\": [3]}]");
  // An invalid constant map is still an error raised, and located, at evaluation.
  Value bad = Eval("1 + size({'a': 1, 'a': 2})");
  EXPECT_TRUE(IsError(bad, "repeated key"));
  EXPECT_EQ(bad.error_offset(), 9);
}

TEST(FastPathTest, FieldPathsOnBoundNames) {
  MapActivation act;
  act.Bind("m", Json(R"({"a": 1, "n": {"b": {"c": "deep"}}})"));
  act.Bind("u", Value::Unknown({"u"}));
  act.Bind("e", Value::Error("bad fact", 0));
  EXPECT_TRUE(IsString(Eval("m.n.b.c", act), "deep"));
  EXPECT_TRUE(IsError(Eval("m.a.b", act), "type 'int' has no field 'b'"));
  EXPECT_TRUE(IsError(Eval("m.n.x.c", act), "no such key: x"));
  EXPECT_TRUE(Eval("u.a.b", act).is_unknown());
  EXPECT_TRUE(IsError(Eval("e.a", act), "bad fact"));
}

TEST(FastPathTest, QualifiedBindingsAreFoundWhenBoundLater) {
  MapActivation act;
  act.Bind("a", Json(R"({"b": 2})"));
  EXPECT_EQ(act.Find("a.b"), nullptr);
  EXPECT_TRUE(IsInt(Eval("a.b", act), 2));
  // Binding a qualified name afterwards must make it visible (and win, as the longer name).
  act.Bind("a.b", Value::Int(1));
  ASSERT_NE(act.Find("a.b"), nullptr);
  EXPECT_TRUE(IsInt(Eval("a.b", act), 1));
}

// --- Programs -----------------------------------------------------------------------------

TEST(ProgramTest, CompileOnceEvaluateManyWithDifferentBindings) {
  auto program = testing::MustCompile(
      "applicant.kind in ['enterprise', 'public_institution'] && years_operating >= 2 &&\n"
      "facts.certificates.all(c, c.type in ['green_product', 'carbon_footprint'])");
  ASSERT_NE(program, nullptr);

  MapActivation eligible;
  eligible.Bind("applicant", Json(R"({"kind": "enterprise"})"));
  eligible.Bind("years_operating", Value::Int(3));
  eligible.Bind("facts", Json(R"({"certificates": [{"type": "green_product"}]})"));

  MapActivation too_young;
  too_young.Bind("applicant", Json(R"({"kind": "public_institution"})"));
  too_young.Bind("years_operating", Value::Int(1));
  too_young.Bind("facts", Json(R"({"certificates": []})"));

  MapActivation wrong_cert;
  wrong_cert.Bind("applicant", Json(R"({"kind": "enterprise"})"));
  wrong_cert.Bind("years_operating", Value::Int(5));
  wrong_cert.Bind("facts", Json(R"({"certificates": [{"type": "green_product"}, {"type": "iso9001"}]})"));

  MapActivation missing_facts;
  missing_facts.Bind("applicant", Json(R"({"kind": "enterprise"})"));
  missing_facts.Bind("years_operating", Value::Int(5));

  // Interleaved, repeated: no state may leak from one evaluation into the next.
  for (int round = 0; round < 3; ++round) {
    EXPECT_TRUE(IsBool(program->Evaluate(eligible), true));
    EXPECT_TRUE(IsBool(program->Evaluate(too_young), false));
    EXPECT_TRUE(IsBool(program->Evaluate(wrong_cert), false));
    Value r = program->Evaluate(missing_facts);
    EXPECT_TRUE(IsError(r, "undeclared reference to 'facts")) << r.DebugString();
    EXPECT_EQ(LocateOffset("applicant.kind in ['enterprise', 'public_institution'] && years_operating >= 2 &&\n"
                           "facts.certificates.all(c, c.type in ['green_product', 'carbon_footprint'])",
                           r.error_offset())
                  .line,
              2);
  }
}

TEST(ProgramTest, ComprehensionSlotsAreFreshPerEvaluation) {
  auto program = testing::MustCompile("items.map(x, x * k).filter(y, y > 10)");
  ASSERT_NE(program, nullptr);
  MapActivation a;
  a.Bind("items", Json("[1, 5, 10]"));
  a.Bind("k", Value::Int(3));
  MapActivation b;
  b.Bind("items", Json("[100]"));
  b.Bind("k", Value::Int(-1));
  EXPECT_TRUE(IsBool(Equals(program->Evaluate(a), Json("[15, 30]")), true));
  EXPECT_TRUE(IsBool(Equals(program->Evaluate(b), Json("[]")), true));
  EXPECT_TRUE(IsBool(Equals(program->Evaluate(a), Json("[15, 30]")), true));
}

TEST(ProgramTest, ManyNestedComprehensionsUseMoreThanTheInlineSlots) {
  // Nine nested one-variable macros need nine slots, beyond Evaluate's inline eight.
  const std::string source =
      "[1].all(a, [2].all(b, [3].all(c, [4].all(d, [5].all(e, [6].all(f, [7].all(g, "
      "[8].all(h, [9].all(i, a + b + c + d + e + f + g + h + i == 45)))))))))";
  EXPECT_TRUE(IsBool(CheckedEval(source), true));
}

TEST(ProgramTest, EvaluatesConcurrentlyFromSeveralThreads) {
  auto program = testing::MustCompile("xs.map(x, x * n).all(y, y % n == 0) && size(xs) == len");
  ASSERT_NE(program, nullptr);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      MapActivation act;
      ValueList xs;
      for (int i = 0; i <= t; ++i) xs.push_back(Value::Int(i + 1));
      act.Bind("xs", Value::List(xs));
      act.Bind("n", Value::Int(t + 2));
      act.Bind("len", Value::Int(t + 1));
      for (int i = 0; i < 2000; ++i) {
        Value v = program->Evaluate(act);
        if (v.kind() != Kind::kBool || !v.bool_value()) failures.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(ProgramTest, CompileFailsWithoutARoot) {
  ParsedExpr parsed;
  std::vector<Diagnostic> diags;
  std::unique_ptr<Program> program;
  EXPECT_FALSE(Compile(parsed, CompileOptions{}, &program, &diags));
  EXPECT_EQ(program, nullptr);
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].message.find("did not parse"), std::string::npos);
}

// Calls on literals are worked out when compiling; the results must be those of evaluating them,
// and a call that fails must still fail when evaluated, where it stands in the expression.
TEST(EvaluatorTest, CallsOnLiteralsAreFoldedWithoutChangingResults) {
  EXPECT_TRUE(IsBool(CheckedEval("timestamp('2025-01-01T00:00:00+08:00') == timestamp('2024-12-31T16:00:00Z')"), true));
  EXPECT_TRUE(IsBool(CheckedEval("duration('90m') > duration('1h')"), true));
  EXPECT_TRUE(IsInt(CheckedEval("size('深圳') + size([1, 2, 3])"), 5));
  EXPECT_TRUE(IsError(CheckedEval("timestamp('not a time')"), ""));
  EXPECT_EQ(Eval("true && timestamp('2025-13-01T00:00:00Z') == timestamp('2025-01-01T00:00:00Z')").error_offset(),
            17);  // the call's parenthesis
  // Folded once, the program is still evaluated as often as asked, with the same result.
  auto program = testing::MustCompile("int('42') + 1");
  MapActivation none;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(IsInt(program->Evaluate(none), 43));
}

}  // namespace
}  // namespace qgrant::expr

namespace qgrant::expr {
namespace {

// The protobuf wrapper messages are the primitives they hold; the rest of protobuf is absent.
TEST(WrapperTest, WrappersAreTheirPrimitives) {
  EXPECT_TRUE(testing::IsInt(testing::CheckedEval("google.protobuf.Int32Value{value: 123}"), 123));
  EXPECT_TRUE(testing::IsBool(testing::CheckedEval("google.protobuf.BoolValue{} == false"), true));
  EXPECT_TRUE(testing::IsBool(testing::CheckedEval("google.protobuf.StringValue{} != null"), true));
  EXPECT_TRUE(testing::IsBool(testing::CheckedEval("dyn(google.protobuf.Value{}) == null"), true));
  EXPECT_TRUE(testing::IsBool(testing::CheckedEval("google.protobuf.FloatValue{value: 0.1} != 0.1"), true));
  EXPECT_TRUE(
      testing::IsError(testing::Eval("google.protobuf.Int32Value{value: 2147483648}"), "int32 value out of range"));
  EXPECT_TRUE(testing::IsError(testing::Eval("google.protobuf.UInt32Value{value: 1}"), "no such overload"));
  EXPECT_TRUE(testing::IsError(testing::Eval("google.protobuf.Int64Value{nope: 1}"), "no such field 'nope'"));
  EXPECT_TRUE(testing::IsError(testing::Eval("TestAllTypes{}"), "unknown message type"));
  // The checker holds the field to its type.
  std::vector<Diagnostic> diags = testing::CheckDiagnostics("google.protobuf.Int64Value{value: 'x'}", TypeEnv());
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_NE(diags[0].message.find("expected int, found string"), std::string::npos) << diags[0].message;
}

}  // namespace
}  // namespace qgrant::expr
