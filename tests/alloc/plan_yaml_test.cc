#include "alloc/plan_yaml.h"

#include <gtest/gtest.h>

namespace qgrant::alloc {
namespace {

TEST(PlanYamlTest, ReadsTiers) {
  const Result<AllocationPlan> plan = ParsePlanYaml(R"(
unit_fen: 100
tiers:
  - name: quality_awards
    measures: [china_quality_award, guangdong_quality_award, mayor_quality_award]
  - name: clause_1
    clauses: ["一（一）", 一（二）]
)",
                                                    "plan.yaml");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->strategy, Strategy::kTiers);  // inferred from tiers:
  EXPECT_EQ(plan->unit_fen, 100);
  EXPECT_EQ(plan->budget_fen, 0);
  ASSERT_EQ(plan->tiers.size(), 2u);
  EXPECT_EQ(plan->tiers[0].name, "quality_awards");
  EXPECT_EQ(plan->tiers[0].measures.size(), 3u);
  EXPECT_EQ(plan->tiers[1].clauses, (std::vector<std::string>{"一（一）", "一（二）"}));
}

TEST(PlanYamlTest, ReadsPools) {
  const Result<AllocationPlan> plan = ParsePlanYaml(R"(
strategy: pools
redistribute: in_order
pools:
  - {name: awards, clauses: ["三（八）"], budget_fen: 5000000000}
  - name: certification
    measures: [high_end_certification]
    budget_fen: 0
)",
                                                    "plan.yaml");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->strategy, Strategy::kPools);
  EXPECT_EQ(plan->redistribution, Redistribution::kInOrder);
  ASSERT_EQ(plan->pools.size(), 2u);
  EXPECT_EQ(plan->pools[0].budget_fen, 5'000'000'000);
  EXPECT_EQ(plan->pools[1].measures, (std::vector<std::string>{"high_end_certification"}));
}

TEST(PlanYamlTest, EmptyPlanIsProRataInFen) {
  const Result<AllocationPlan> plan = ParsePlanYaml("", "plan.yaml");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->strategy, Strategy::kProRata);
  EXPECT_EQ(plan->unit_fen, 1);
}

std::string ErrorOf(const std::string& text) {
  const Result<AllocationPlan> plan = ParsePlanYaml(text, "plan.yaml");
  EXPECT_FALSE(plan.ok()) << text;
  return plan.ok() ? "" : plan.status().message();
}

TEST(PlanYamlTest, ReportsErrorsWithTheirPosition) {
  EXPECT_EQ(ErrorOf("strategy: tiers\ntier:\n  - name: a\n"),
            "plan.yaml:2:1: unknown key 'tier' (expected strategy, unit_fen, tiers, pools, "
            "redistribute)");
  EXPECT_EQ(ErrorOf("strategy: fifo\n"),
            "plan.yaml:1:11: 未知的分配策略 'fifo'（可选 pro_rata、tiers、pools） / unknown "
            "strategy 'fifo' (expected "
            "pro_rata, tiers or pools)");
  EXPECT_EQ(ErrorOf("unit_fen: 1.5\n"), "plan.yaml:1:11: unit_fen must be a whole number of fen (got '1.5')");
  EXPECT_EQ(ErrorOf("unit_fen: 99999999999999999999\n"), "plan.yaml:1:11: unit_fen 99999999999999999999 is too large");
  EXPECT_EQ(ErrorOf("budget_fen: 100\n"),
            "plan.yaml:1:1: the total budget is given with each run (--budget-fen), not in the plan");
  EXPECT_EQ(ErrorOf("pools:\n  - name: a\n    measures: [x]\n"), "plan.yaml:2:5: pool 'a' needs a budget_fen");
  EXPECT_EQ(ErrorOf("tiers:\n  - measures: [x]\n"), "plan.yaml:2:5: a tier needs a name");
  EXPECT_EQ(ErrorOf("tiers:\n  - name: a\n    budget_fen: 5\n"),
            "plan.yaml:3:5: unknown tier key 'budget_fen' (expected name, measures, clauses)");
  EXPECT_EQ(ErrorOf("tiers:\n  - name: a\n    measures: x\n"), "plan.yaml:3:15: measures must be a list, e.g. [a, b]");
  EXPECT_EQ(ErrorOf("tiers: a\n"), "plan.yaml:1:8: tiers must be a list");
  EXPECT_EQ(ErrorOf("- 1\n"), "plan.yaml:1:1: a plan is a mapping of keys (strategy, unit_fen, tiers, pools, ...)");
  // Not YAML at all.
  EXPECT_NE(ErrorOf("tiers: [a, b\n").find("plan.yaml:"), std::string::npos);
}

TEST(PlanYamlTest, MissingFileIsAnIoError) {
  EXPECT_EQ(LoadPlanFile("/nonexistent/plan.yaml").status().code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace qgrant::alloc
