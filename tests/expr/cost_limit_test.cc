// The evaluation budget (EvaluateOptions::max_cost): expressions whose work or size explodes end
// with the cost-limit error instead of running for minutes and taking gigabytes, and ordinary
// expressions (the shipped policy's kinds of conditions) stay far below the default.
#include <gtest/gtest.h>

#include <string>

#include "expr_test_util.h"

namespace qgrant::expr {
namespace {

using testing::IsBool;
using testing::IsError;
using testing::IsInt;

Value EvalWithBudget(std::string_view source, int64_t max_cost, const Activation& act = MapActivation()) {
  std::unique_ptr<Program> program = testing::MustCompile(source);
  if (program == nullptr) return Value::Error("test helper: did not compile");
  EvaluateOptions options;
  options.max_cost = max_cost;
  return program->Evaluate(act, options);
}

// n nested .map() calls over a ten-element list: 10^n results.
std::string NestedMaps(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "[0,1,2,3,4,5,6,7,8,9].map(v" + std::to_string(i) + ", ";
  s += "1";
  for (int i = 0; i < n; ++i) s += ")";
  return s;
}

TEST(CostLimitTest, SevenNestedMapsStopWithTheCostError) {
  // Ten million leaves, as many iterations again above them: over the default budget.
  Value v = testing::Eval(NestedMaps(7));
  EXPECT_TRUE(IsError(v, kCostLimitMessage));
  EXPECT_TRUE(IsError(v, "cost limit exceeded"));
}

TEST(CostLimitTest, NestedMapsWithinTheBudgetEvaluate) {
  Value v = testing::Eval("size(" + NestedMaps(3) + ")");
  EXPECT_TRUE(IsInt(v, 10));
}

TEST(CostLimitTest, BigValuesBuiltInALoopStop) {
  std::string forty = "[";
  for (int i = 0; i < 40; ++i) forty += std::string(i ? "," : "") + std::to_string(i);
  forty += "]";
  // Strings: a megabyte doubled forty times over.
  MapActivation act;
  act.Bind("s", Value::String(std::string(1 << 20, 'x')));
  EXPECT_TRUE(IsError(EvalWithBudget(forty + ".map(i, s + s)", 100000, act), "cost limit exceeded"));
  // Lists: a hundred pairs concatenated three times per element.
  Value pairs = testing::Eval("[0,1,2,3,4,5,6,7,8,9].map(a, [0,1,2,3,4,5,6,7,8,9].map(b, [a, b]))");
  ASSERT_FALSE(pairs.is_error()) << pairs.DebugString();
  act.Bind("l", pairs);
  EXPECT_TRUE(IsError(EvalWithBudget("l.map(x, l + l + l)", 10000, act), "cost limit exceeded"));
  // Maps: transformMap over the ten rows, each value the whole list (310 units) again.
  EXPECT_TRUE(IsError(EvalWithBudget("l.transformMap(i, x, l)", 3000, act), "cost limit exceeded"));
  EXPECT_FALSE(EvalWithBudget("l.transformMap(i, x, l)", 3200, act).is_error());
}

TEST(CostLimitTest, RepeatedScansOfASharedValueAreCharged) {
  // Building [L, L, ...] shares L, but comparing or searching it walks every copy.
  MapActivation act;
  ValueList big(100000, Value::Int(7));
  act.Bind("l", Value::List(big));
  EXPECT_TRUE(IsError(EvalWithBudget("l.all(x, x in l)", 1000000, act), "cost limit exceeded"));
  EXPECT_TRUE(IsError(EvalWithBudget("l.all(x, l == l)", 1000000, act), "cost limit exceeded"));
  // Indexing and size() of a list look at a part only and stay cheap.
  EXPECT_TRUE(IsBool(EvalWithBudget("l.all(x, size(l) > 0 && l[0] == 7)", 1000000, act), true));
}

TEST(CostLimitTest, AnOverspentBudgetIsTheResultEvenWhereOrWouldAbsorbIt) {
  Value v = testing::Eval(NestedMaps(7) + " == [] || true");
  EXPECT_TRUE(IsError(v, "cost limit exceeded"));
}

TEST(CostLimitTest, TheBudgetIsPerEvaluationAndConfigurable) {
  std::unique_ptr<Program> program = testing::MustCompile("[1, 2, 3].map(x, x * 2).size() == 3");
  ASSERT_NE(program, nullptr);
  MapActivation act;
  EvaluateOptions tight;
  tight.max_cost = 2;  // three iterations and three elements do not fit
  EXPECT_TRUE(IsError(program->Evaluate(act, tight), "cost limit exceeded (2)"));
  EvaluateOptions enough;
  enough.max_cost = 6;
  EXPECT_TRUE(IsBool(program->Evaluate(act, enough), true));
  // The same program, evaluated again with the default: a fresh budget each time.
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(IsBool(program->Evaluate(act), true));
}

TEST(CostLimitTest, PolicyStyleConditionsCostLittle) {
  // Conditions like the shipped guide's, over a large application: well inside a small budget.
  MapActivation act;
  ValueList certs;
  for (int i = 0; i < 1000; ++i) {
    std::string err;
    certs.push_back(Value::Map(MapValue::Make({{Value::String("type"), Value::String("green_product")}}, &err)));
  }
  act.Bind("certs", Value::List(std::move(certs)));
  act.Bind("level", Value::String("winner"));
  Value v = EvalWithBudget("level == 'winner' && size(certs) > 3 && certs.all(c, c.type in ['green_product', 'robot'])",
                           2000, act);
  EXPECT_TRUE(IsBool(v, true));
}

}  // namespace
}  // namespace qgrant::expr
