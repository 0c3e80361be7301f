#include "alloc/plan_yaml.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <string>

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
  // Numbers are read by the policy loader's reader, with its words.
  EXPECT_EQ(ErrorOf("unit_fen: 1.5\n"), "plan.yaml:1:11: field 'unit_fen' must be a whole number, found '1.5'");
  EXPECT_EQ(ErrorOf("unit_fen: 1e3\n"), "plan.yaml:1:11: field 'unit_fen' must be a whole number, found '1e3'");
  EXPECT_EQ(ErrorOf("unit_fen: 99999999999999999999\n"),
            "plan.yaml:1:11: unit_fen 须为 1 至 10^15 的整数分 / unit_fen must be a whole number of fen from 1 to "
            "10^15 (got 99999999999999999999)");
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

// policy_format.md: "`_` may group digits: `300_000_000`", in plans as in policy files.
TEST(PlanYamlTest, DigitsMayBeGroupedAsInPolicyFiles) {
  const Result<AllocationPlan> plan = ParsePlanYaml(
      "unit_fen: 1_000\npools: [{name: a, measures: [metrology], budget_fen: 5_000_000_000}]\n", "plan.yaml");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->unit_fen, 1'000);
  ASSERT_EQ(plan->pools.size(), 1u);
  EXPECT_EQ(plan->pools[0].budget_fen, 5'000'000'000);
}

// CONTRACT §6: no reader may silently keep the first or the last of a repeated key.
TEST(PlanYamlTest, RefusesAKeyGivenTwice) {
  EXPECT_EQ(ErrorOf("unit_fen: 1\nunit_fen: 100\n"),
            "plan.yaml:2:1: field 'unit_fen' is given twice in the same map; remove one (only the last would count)");
  EXPECT_EQ(ErrorOf("pools:\n  - name: a\n    measures: [x]\n    budget_fen: 1\n    budget_fen: 2\n"),
            "plan.yaml:5:5: field 'budget_fen' is given twice in the same map; remove one (only the last would count)");
  EXPECT_EQ(ErrorOf("strategy: tiers\ntiers: [{name: a, measures: [x], name: b}]\n"),
            "plan.yaml:2:34: field 'name' is given twice in the same map; remove one (only the last would count)");
}

// allocation.md: out-of-range numbers are errors at their line and column; a quoted number is text.
TEST(PlanYamlTest, RefusesNumbersOutOfRangeWhereTheyStand) {
  const std::string pool = "pools:\n  - name: a\n    measures: [x]\n    budget_fen: ";
  const std::string budget_range =
      "plan.yaml:4:17: budget_fen 须为 0 至 10^15 的整数分 / budget_fen must be a whole number of fen from 0 to 10^15";
  EXPECT_EQ(ErrorOf(pool + "-5\n"), budget_range + " (got -5)");
  EXPECT_EQ(ErrorOf(pool + "1_000_000_000_000_001\n"), budget_range + " (got 1_000_000_000_000_001)");
  EXPECT_EQ(ErrorOf(pool + "\"100\"\n"), budget_range + ", not text (got \"100\"; write it without quotes)");
  EXPECT_EQ(ErrorOf(pool + "'100'\n"), budget_range + ", not text (got \"100\"; write it without quotes)");
  EXPECT_EQ(ErrorOf(pool + "[1]\n"), budget_range);
  const std::string unit_range =
      "plan.yaml:1:11: unit_fen 须为 1 至 10^15 的整数分 / unit_fen must be a whole number of fen from 1 to 10^15";
  EXPECT_EQ(ErrorOf("unit_fen: 0\n"), unit_range + " (got 0)");
  EXPECT_EQ(ErrorOf("unit_fen: -1\n"), unit_range + " (got -1)");
  EXPECT_EQ(ErrorOf("unit_fen: 1000000000000001\n"), unit_range + " (got 1000000000000001)");
  EXPECT_EQ(ErrorOf("unit_fen: \"100\"\n"), unit_range + ", not text (got \"100\"; write it without quotes)");
  EXPECT_EQ(ErrorOf("unit_fen: !!int 100\n"), unit_range + ", written plainly (got 100 tagged tag:yaml.org,2002:int)");
  // An empty value is reported at its key.
  EXPECT_EQ(ErrorOf("strategy: pro_rata\nunit_fen:\n"),
            "plan.yaml:2:1: unit_fen 须为 1 至 10^15 的整数分 / unit_fen "
            "must be a whole number of fen from 1 to 10^15");
  // The bounds themselves are numbers like any other.
  const Result<AllocationPlan> plan = ParsePlanYaml(
      "unit_fen: 1_000_000_000_000_000\npools: [{name: a, measures: [x], budget_fen: 1000000000000000}, "
      "{name: b, measures: [y], budget_fen: 0}]\n",
      "plan.yaml");
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->unit_fen, 1'000'000'000'000'000);
  EXPECT_EQ(plan->pools[0].budget_fen, 1'000'000'000'000'000);
  EXPECT_EQ(plan->pools[1].budget_fen, 0);
}

// A guide as the run's plan (allocate --guide): numbers as `qgrant check` reads them, and errors
// at their place in the guide, not in the `allocation:` block taken on its own.
class GuidePlanTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& allocation, const std::string& budget = "20_000_000_000") {
    // One file per test and process: ctest may run the tests of this fixture at the same time.
    const std::string path = ::testing::TempDir() + "/qgrant_guide_plan_" + std::to_string(::getpid()) + "_" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".yaml";
    std::ofstream(path) << "kind: guide\n"               // 1
                           "id: g\n"                     // 2
                           "version: \"1\"\n"            // 3
                           "policy: sz-quality-brand\n"  // 4
                           "year: 2026\n"                // 5
                           "budget_fen: "
                        << budget
                        << "\n"             // 6
                           "allocation:\n"  // 7
                        << allocation;
    return path;
  }
};

TEST_F(GuidePlanTest, ReadsDigitGroupsAsCheckDoes) {
  std::optional<int64_t> budget;
  const Result<AllocationPlan> plan =
      LoadGuidePlan(Write("  strategy: pools\n  unit_fen: 1_000\n"
                          "  pools: [{name: a, measures: [metrology], budget_fen: 5_000_000_000}]\n"),
                    &budget);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(budget, 20'000'000'000);
  EXPECT_EQ(plan->strategy, Strategy::kPools);
  EXPECT_EQ(plan->unit_fen, 1'000);
  ASSERT_EQ(plan->pools.size(), 1u);
  EXPECT_EQ(plan->pools[0].budget_fen, 5'000'000'000);
}

TEST_F(GuidePlanTest, ErrorsNameTheirLineInTheGuide) {
  std::optional<int64_t> budget;
  const std::string path = Write(
      "  strategy: pools\n  unit_fen: 1_000\n  pools:\n    - name: a\n"
      "      measures: [metrology]\n      budget_fen: 5.5\n");
  EXPECT_EQ(LoadGuidePlan(path, &budget).status().message(),
            path + ":13:19: field 'budget_fen' must be a whole number, found '5.5'");
  EXPECT_EQ(LoadGuidePlan(Write("  strategy: pro_rata\n  unit_fen: 0\n"), &budget).status().message(),
            path +
                ":9:13: unit_fen 须为 1 至 10^15 的整数分 / unit_fen must be a whole number of fen from 1 to 10^15 "
                "(got 0)");
  EXPECT_EQ(LoadGuidePlan(Write("  strategy: pro_rata\n  strategy: pools\n"), &budget).status().message(),
            path + ":9:3: field 'strategy' is given twice in the same map; remove one (only the last would count)");
  EXPECT_EQ(LoadGuidePlan(Write("  strategy: pro_rata\n", "-1"), &budget).status().message(),
            path +
                ":6:13: budget_fen 须为 0 至 10^15 的整数分 / budget_fen must be a whole number of fen from 0 to "
                "10^15 (got -1)");
  EXPECT_EQ(LoadGuidePlan(Write("  strategy: pro_rata\n", "2e9"), &budget).status().message(),
            path + ":6:13: field 'budget_fen' must be a whole number, found '2e9'");
}

TEST(PlanYamlTest, MissingFileIsAnIoError) {
  EXPECT_EQ(LoadPlanFile("/nonexistent/plan.yaml").status().code(), Status::Code::kIoError);
}

}  // namespace
}  // namespace qgrant::alloc
