// The budget step in words: its percentage reads as the truncated scale of the JSON, and a claim of
// an over-subscribed group is never worded as paid in full because the budget covers it.
#include "alloc/budget_step.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "alloc/allocate.h"

namespace qgrant::alloc {
namespace {

bool Has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

TEST(ScalePercentTest, TruncatesAsTheScaleDoes) {
  // 2 fen short of 426,466,994: the scale reads 0.9999, so the words may not say 100%.
  EXPECT_EQ(FormatScale(426466992, 426466994), "0.9999");
  EXPECT_EQ(ScalePercent(426466992, 426466994), "99.99%");
  EXPECT_EQ(FormatScale(200000000, 426466994), "0.4689");
  EXPECT_EQ(ScalePercent(200000000, 426466994), "46.89%");
  EXPECT_EQ(ScalePercent(2, 3), "66.66%");
  EXPECT_EQ(ScalePercent(1, 3), "33.33%");
  EXPECT_EQ(ScalePercent(7, 10), "70%");
  EXPECT_EQ(ScalePercent(469, 1000), "46.9%");
  EXPECT_EQ(ScalePercent(1, 20), "5%");
  EXPECT_EQ(ScalePercent(1, 200), "0.5%");
  EXPECT_EQ(ScalePercent(1, 10000), "0.01%");
  EXPECT_EQ(ScalePercent(1, 10001), "0%");
  EXPECT_EQ(ScalePercent(0, 5), "0%");
  EXPECT_EQ(ScalePercent(5, 5), "100%");
  EXPECT_EQ(ScalePercent(1, 1), "100%");
  EXPECT_EQ(ScalePercent(999'999'999'999'999, 1'000'000'000'000'000), "99.99%");
}

// Whatever the fraction, the percentage is the four digits of FormatScale, read as a percentage.
TEST(ScalePercentTest, AgreesWithFormatScaleOnRandomFractions) {
  std::mt19937_64 rng(20261205);
  for (int i = 0; i < 100000; ++i) {
    const int64_t d = 1 + static_cast<int64_t>(rng() % (i % 2 == 0 ? 1000 : 1'000'000'000'000'000));
    const int64_t n = static_cast<int64_t>(rng() % static_cast<uint64_t>(d + 1));
    const std::string scale = FormatScale(n, d);  // "0.4689" or "1.0000"
    const int hundredths = std::stoi(scale.substr(0, 1)) * 10000 + std::stoi(scale.substr(2));
    const std::string percent = ScalePercent(n, d);
    ASSERT_EQ(percent.back(), '%');
    const double read = std::stod(percent.substr(0, percent.size() - 1));
    EXPECT_EQ(static_cast<int>(read * 100 + 0.5), hundredths) << n << "/" << d << ": " << percent << " vs " << scale;
    EXPECT_EQ(percent == "100%", n == d) << n << "/" << d;
  }
}

// Ten claims 2 fen over the budget: eight get their whole amount back from the leftover fen, yet
// their group is over-subscribed and none is worded as fully covered by the budget.
TEST(BudgetStepTest, AScaledClaimPaidWholeByALeftoverFenIsNotPaidInFull) {
  std::vector<Claim> claims;
  for (const int64_t amount :
       {int64_t{123'456'789}, int64_t{33'667'800}, int64_t{33'667'800}, int64_t{33'667'800}, int64_t{33'667'800},
        int64_t{33'667'800}, int64_t{33'667'800}, int64_t{33'667'800}, int64_t{33'667'800}, int64_t{33'667'805}}) {
    claims.push_back({"claim", "m", "c", amount});
  }
  AllocationPlan plan;
  plan.budget_fen = 426'466'992;
  const Result<AllocationResult> r = Allocate(claims, plan);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->amount_fen, 426'466'994);
  const GroupStep& g = r->groups[0];
  ASSERT_FALSE(g.paid_in_full());
  const std::string scale = ScalePercent(g.scale_numerator, g.scale_denominator);
  EXPECT_EQ(scale, "99.99%");
  int whole = 0;
  for (const Allocation& a : r->allocations) {
    whole += a.allocated_fen == a.amount_fen ? 1 : 0;
    std::string zh, en;
    AppendStepZh(a, scale, &zh);
    AppendStepEn(a, scale, &en);
    EXPECT_TRUE(Has(zh, "× 折算比例99.99% = 拨付")) << zh;
    EXPECT_FALSE(Has(zh, "足额")) << zh;
    EXPECT_FALSE(Has(zh, "全额")) << zh;
    EXPECT_TRUE(Has(en, " × 99.99% = ")) << en;
    EXPECT_FALSE(Has(en, "in full")) << en;
    EXPECT_FALSE(Has(en, "covers")) << en;
  }
  EXPECT_EQ(whole, 8);  // the case the words got wrong
  std::string zh;
  AppendStepZh(r->allocations[0], scale, &zh);
  EXPECT_TRUE(Has(zh, "核定金额1,234,567.89元 × 折算比例99.99% = 拨付1,234,567.88元")) << zh;
}

TEST(BudgetStepTest, AGroupPaidInFullReadsSo) {
  std::string zh, en;
  AppendStepZh({300'000'000, 300'000'000, 0}, ScalePercent(1, 1), &zh);
  AppendStepEn({300'000'000, 300'000'000, 0}, ScalePercent(1, 1), &en);
  EXPECT_TRUE(Has(zh, "年度预算足额，全额拨付300万元")) << zh;
  EXPECT_TRUE(Has(en, "is paid in full")) << en;
}

// In whole yuan, 150 fen is paid 100 fen even when the budget is ample: the budget is not short,
// and the words do not say it is.
TEST(BudgetStepTest, ARoundingUnitIsNotABudgetShortfall) {
  std::string zh, en;
  AppendStepZh({150, 100, 0}, ScalePercent(1, 1), &zh);
  AppendStepEn({150, 100, 0}, ScalePercent(1, 1), &en);
  EXPECT_FALSE(Has(zh, "预算不足")) << zh;
  EXPECT_FALSE(Has(zh, "全额")) << zh;
  EXPECT_TRUE(Has(zh, "按拨付单位取整拨付1.00元")) << zh;
  EXPECT_FALSE(Has(en, "short")) << en;
  EXPECT_TRUE(Has(en, "rounded down to the payment unit")) << en;
}

}  // namespace
}  // namespace qgrant::alloc
