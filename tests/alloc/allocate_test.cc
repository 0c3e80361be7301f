// Allocate: the budget rules of clause (十二) as properties over many random rounds (fixed seeds),
// plus the edge cases and the worked examples of doc/allocation.md. Every comparison with an exact
// share is done in 128-bit integers: x is within one unit of p × P / D  <=>  |x·D − p·P| < D.
#include "alloc/allocate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/money.h"

namespace qgrant::alloc {
namespace {

// Amounts and budgets are bounded by the money module (10^15 fen); the random rounds reach it.
constexpr int64_t kMax = money::kMaxFen;

Claim MakeClaim(int64_t amount_fen, std::string measure = "quality_innovation", std::string clause = "一（二）") {
  static int next_id = 0;
  return Claim{.id = "A" + std::to_string(++next_id),
               .measure = std::move(measure),
               .clause = std::move(clause),
               .amount_fen = amount_fen};
}

std::vector<Claim> Claims(const std::vector<int64_t>& amounts) {
  std::vector<Claim> out;
  for (int64_t a : amounts) out.push_back(MakeClaim(a));
  return out;
}

AllocationPlan ProRata(int64_t budget_fen, int64_t unit_fen = 1) {
  AllocationPlan plan;
  plan.budget_fen = budget_fen;
  plan.unit_fen = unit_fen;
  return plan;
}

std::vector<int64_t> Allocated(const AllocationResult& r) {
  std::vector<int64_t> out;
  for (const Allocation& a : r.allocations) out.push_back(a.allocated_fen);
  return out;
}

AllocationResult MustAllocate(const std::vector<Claim>& claims, const AllocationPlan& plan) {
  Result<AllocationResult> r = Allocate(claims, plan);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : AllocationResult{};
}

// Checks the rules every group obeys, for the claims `members` (indices, in input order) paid from
// `available_fen`: payable = amount rounded down to the unit; in full when the payable total fits,
// else exactly the available money rounded down to the unit, each claim within one unit of its
// exact share, extra units going by (remainder, amount, earlier input) first.
void CheckGroup(const std::vector<Claim>& claims, const std::vector<size_t>& members, int64_t available_fen,
                int64_t unit, const AllocationResult& r, const std::string& context) {
  SCOPED_TRACE(context);
  __int128 demand = 0;  // in units
  for (size_t i : members) demand += claims[i].amount_fen / unit;
  const __int128 pot = available_fen / unit;
  __int128 sum = 0;
  for (size_t i : members) {
    const int64_t allocated = r.allocations[i].allocated_fen;
    ASSERT_GE(allocated, 0);
    ASSERT_LE(allocated, claims[i].amount_fen);
    ASSERT_EQ(allocated % unit, 0);
    ASSERT_EQ(r.allocations[i].amount_fen, claims[i].amount_fen);
    sum += allocated / unit;
  }
  if (demand <= pot) {
    for (size_t i : members) ASSERT_EQ(r.allocations[i].allocated_fen, claims[i].amount_fen / unit * unit);
    return;
  }
  ASSERT_EQ(sum, pot);
  // Within one unit of the exact share, and the rounded-up ones rank above the rounded-down ones.
  struct Key {
    __int128 remainder;
    int64_t amount;
    size_t index;
  };
  const auto ranks_above = [](const Key& a, const Key& b) {
    if (a.remainder != b.remainder) return a.remainder > b.remainder;
    if (a.amount != b.amount) return a.amount > b.amount;
    return a.index < b.index;
  };
  std::vector<Key> up, down;
  for (size_t i : members) {
    const __int128 payable = claims[i].amount_fen / unit;
    const __int128 x = r.allocations[i].allocated_fen / unit;
    const __int128 diff = x * demand - payable * pot;  // (x - exact share) × demand
    ASSERT_LT(diff, demand) << "claim " << i;
    ASSERT_GT(diff, -demand) << "claim " << i;
    const Key key{(payable * pot) % demand, claims[i].amount_fen, i};
    (diff > 0 ? up : down).push_back(key);
  }
  for (const Key& u : up) {
    for (const Key& d : down) ASSERT_TRUE(ranks_above(u, d)) << "claim " << u.index << " vs " << d.index;
  }
}

std::vector<size_t> AllIndices(size_t n) {
  std::vector<size_t> out(n);
  for (size_t i = 0; i < n; ++i) out[i] = i;
  return out;
}

// Random amounts of several shapes: small, catalogue-like, wide, zero-heavy, all equal, huge.
std::vector<int64_t> RandomAmounts(std::mt19937_64& rng, size_t n) {
  std::vector<int64_t> out(n);
  const int shape = static_cast<int>(rng() % 6);
  const int64_t equal = 1 + static_cast<int64_t>(rng() % 1'000'000);
  for (int64_t& a : out) {
    switch (shape) {
      case 0:
        a = static_cast<int64_t>(rng() % 1000);
        break;
      case 1:
        a = std::array<int64_t, 4>{300'000'000, 100'000'000, 50'000'000, 5'000'000}[rng() % 4];
        break;
      case 2:
        a = static_cast<int64_t>(rng() % 1'000'000'000'000);
        break;
      case 3:
        a = rng() % 3 == 0 ? static_cast<int64_t>(rng() % 100'000) : 0;
        break;
      case 4:
        a = equal;
        break;
      default:
        a = static_cast<int64_t>(rng() % static_cast<uint64_t>(kMax / static_cast<int64_t>(n)));
        break;
    }
  }
  return out;
}

int64_t RandomBudget(std::mt19937_64& rng, int64_t total) {
  switch (rng() % 7) {
    case 0:
      return 0;
    case 1:
      return 1;
    case 2:
      return total;
    case 3:
      return std::max<int64_t>(total - 1, 0);
    case 4:
      return total < kMax ? total + 1 : total;
    case 5:
      return total / 2 + static_cast<int64_t>(rng() % 1000);
    default:
      return total == 0 ? 0 : static_cast<int64_t>(rng() % static_cast<uint64_t>(total));
  }
}

int64_t RandomUnit(std::mt19937_64& rng) {
  constexpr int64_t kUnits[] = {1, 1, 1, 100, 10'000, 7};
  return kUnits[rng() % std::size(kUnits)];
}

int64_t Sum(const std::vector<int64_t>& v) {
  int64_t s = 0;
  for (int64_t x : v) s += x;
  return s;
}

TEST(AllocateProRataTest, RandomRoundsKeepEveryInvariant) {
  std::mt19937_64 rng(12);
  for (int round = 0; round < 5000; ++round) {
    const std::vector<int64_t> amounts = RandomAmounts(rng, 1 + rng() % 40);
    const std::vector<Claim> claims = Claims(amounts);
    __int128 total = 0;
    for (int64_t a : amounts) total += a;
    const AllocationPlan plan = ProRata(RandomBudget(rng, static_cast<int64_t>(total)), RandomUnit(rng));
    const std::string context = "round " + std::to_string(round);
    const AllocationResult r = MustAllocate(claims, plan);
    ASSERT_EQ(r.allocations.size(), claims.size()) << context;

    const int64_t unit = plan.unit_fen;
    int64_t payable = 0;
    for (int64_t a : amounts) payable += a / unit * unit;
    const int64_t budget_in_units = plan.budget_fen / unit * unit;
    const int64_t sum = Sum(Allocated(r));
    ASSERT_LE(sum, plan.budget_fen) << context;
    ASSERT_EQ(sum, std::min(payable, budget_in_units)) << context;
    if (unit == 1 && total > plan.budget_fen) {
      ASSERT_EQ(sum, plan.budget_fen) << context;
    }
    ASSERT_EQ(r.allocated_fen, sum) << context;
    ASSERT_EQ(r.amount_fen, static_cast<int64_t>(total)) << context;
    ASSERT_EQ(r.payable_fen, payable) << context;
    CheckGroup(claims, AllIndices(claims.size()), plan.budget_fen, unit, r, context);

    // A larger approved amount is never paid less.
    for (size_t i = 0; i < amounts.size(); ++i) {
      for (size_t j = 0; j < amounts.size(); ++j) {
        if (amounts[i] > amounts[j]) {
          ASSERT_GE(r.allocations[i].allocated_fen, r.allocations[j].allocated_fen) << context;
        }
      }
    }
    // Deterministic.
    ASSERT_EQ(Allocated(MustAllocate(claims, plan)), Allocated(r)) << context;
  }
}

TEST(AllocateProRataTest, PaysInFullWhenTheTotalFits) {
  const AllocationResult r = MustAllocate(Claims({300, 200, 500}), ProRata(1000));
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{300, 200, 500}));
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].name, "all");
  EXPECT_TRUE(r.groups[0].paid_in_full());
  EXPECT_EQ(r.groups[0].scale_numerator, 1);
  EXPECT_EQ(r.groups[0].scale_denominator, 1);
  EXPECT_EQ(r.groups[0].claims, 3);
}

TEST(AllocateProRataTest, ScalesToTheBudgetExactly) {
  // 3,000,000 + 1,000,000 + 300,000 yuan approved, 3,000,000 yuan budget: scale 300/430.
  const AllocationResult r = MustAllocate(Claims({300'000'000, 100'000'000, 30'000'000}), ProRata(300'000'000));
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{209'302'326, 69'767'442, 20'930'232}));
  EXPECT_EQ(r.allocated_fen, 300'000'000);
  EXPECT_EQ(r.groups[0].scale_numerator, 300'000'000);
  EXPECT_EQ(r.groups[0].scale_denominator, 430'000'000);
  EXPECT_EQ(FormatScale(r.groups[0].scale_numerator, r.groups[0].scale_denominator), "0.6976");
}

TEST(AllocateProRataTest, OneClaim) {
  EXPECT_EQ(Allocated(MustAllocate(Claims({1000}), ProRata(700))), (std::vector<int64_t>{700}));
  EXPECT_EQ(Allocated(MustAllocate(Claims({1000}), ProRata(5000))), (std::vector<int64_t>{1000}));
}

TEST(AllocateProRataTest, NoClaims) {
  const AllocationResult r = MustAllocate({}, ProRata(1000));
  EXPECT_TRUE(r.allocations.empty());
  EXPECT_EQ(r.allocated_fen, 0);
}

TEST(AllocateProRataTest, AllZeroAmounts) {
  const AllocationResult r = MustAllocate(Claims({0, 0, 0}), ProRata(1000));
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_TRUE(r.groups[0].paid_in_full());
  const AllocationResult none = MustAllocate(Claims({0, 0}), ProRata(0));
  EXPECT_EQ(Allocated(none), (std::vector<int64_t>{0, 0}));
}

TEST(AllocateProRataTest, BudgetOfZeroPaysNothing) {
  const AllocationResult r = MustAllocate(Claims({500, 300}), ProRata(0));
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{0, 0}));
  EXPECT_EQ(r.groups[0].scale_numerator, 0);
  EXPECT_EQ(r.groups[0].scale_denominator, 800);
}

TEST(AllocateProRataTest, BudgetOfOneFenGoesToTheLargestAmount) {
  EXPECT_EQ(Allocated(MustAllocate(Claims({300, 500, 200}), ProRata(1))), (std::vector<int64_t>{0, 1, 0}));
  // Equal amounts: the earlier decision.
  EXPECT_EQ(Allocated(MustAllocate(Claims({500, 500}), ProRata(1))), (std::vector<int64_t>{1, 0}));
}

TEST(AllocateProRataTest, TotalEqualToBudgetIsPaidInFull) {
  const AllocationResult r = MustAllocate(Claims({123, 456, 789}), ProRata(1368));
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{123, 456, 789}));
  EXPECT_TRUE(r.groups[0].paid_in_full());
}

TEST(AllocateProRataTest, TieBreakRule) {
  // Shares 0.5 and 1.5: equal remainders, the larger amount takes the leftover fen.
  EXPECT_EQ(Allocated(MustAllocate(Claims({1, 3}), ProRata(2))), (std::vector<int64_t>{0, 2}));
  // Equal amounts: input order.
  EXPECT_EQ(Allocated(MustAllocate(Claims({100, 100, 100}), ProRata(200))), (std::vector<int64_t>{67, 67, 66}));
}

TEST(AllocateProRataTest, HugeAmountsDoNotOverflow) {
  const std::vector<int64_t> amounts = {kMax / 3, kMax / 3, 12'345, kMax / 3 - 20'000};
  const std::vector<Claim> claims = Claims(amounts);
  for (int64_t budget : {kMax / 2, kMax / 3 + 1, int64_t{1}, Sum(amounts) - 1}) {
    const AllocationResult r = MustAllocate(claims, ProRata(budget));
    EXPECT_EQ(r.allocated_fen, budget);
    CheckGroup(claims, AllIndices(claims.size()), budget, 1, r, "budget " + std::to_string(budget));
  }
  const AllocationResult r = MustAllocate(claims, ProRata(kMax));
  EXPECT_EQ(Allocated(r), amounts);
}

TEST(AllocateUnitTest, AmountsRoundDownToTheUnit) {
  // 150 fen in whole yuan is 100 fen, even with money to spare.
  EXPECT_EQ(Allocated(MustAllocate(Claims({150}), ProRata(1000, 100))), (std::vector<int64_t>{100}));
  // 199 + 199 fen against 300 fen: only 2 whole yuan are payable, so 1 yuan stays unspent.
  const AllocationResult r = MustAllocate(Claims({199, 199}), ProRata(300, 100));
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{100, 100}));
  EXPECT_EQ(r.payable_fen, 200);
}

TEST(AllocateUnitTest, ScaledInWholeUnits) {
  // Three claims of 1.50 yuan, budget 2.50 yuan, whole yuan: 2 yuan go to the first two.
  EXPECT_EQ(Allocated(MustAllocate(Claims({150, 150, 150}), ProRata(250, 100))), (std::vector<int64_t>{100, 100, 0}));
  // 100-yuan units over catalogue amounts.
  const AllocationResult r =
      MustAllocate(Claims({300'000'000, 100'000'000, 30'000'000}), ProRata(300'000'000 + 9'999, 10'000));
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{209'300'000, 69'770'000, 20'930'000}));
  EXPECT_EQ(r.allocated_fen, 300'000'000);
}

TEST(AllocateValidationTest, RejectsBadInput) {
  EXPECT_EQ(Allocate(Claims({1}), ProRata(-1)).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(Allocate(Claims({1}), ProRata(10, 0)).status().code(), Status::Code::kInvalidArgument);
  const Result<AllocationResult> negative = Allocate(Claims({5, -3}), ProRata(10));
  ASSERT_FALSE(negative.ok());
  EXPECT_NE(negative.status().message().find("claim 2"), std::string::npos) << negative.status().message();
  const Result<AllocationResult> overflow = Allocate(Claims({kMax, 1}), ProRata(10));
  ASSERT_FALSE(overflow.ok());
  EXPECT_NE(overflow.status().message().find("add up"), std::string::npos);
  // One amount past the bound, or INT64_MAX, is refused on its own, naming the claim.
  const Result<AllocationResult> huge = Allocate(Claims({1, std::numeric_limits<int64_t>::max()}), ProRata(10));
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("claim 2"), std::string::npos) << huge.status().message();
  EXPECT_FALSE(Allocate(Claims({1}), ProRata(kMax + 1)).ok());  // a budget past the bound
  EXPECT_TRUE(Allocate(Claims({kMax}), ProRata(kMax)).ok());
}

TEST(AllocateValidationTest, EveryStrategyNameParsesBack) {
  ASSERT_EQ(AllStrategies().size(), 3u);
  for (Strategy s : AllStrategies()) EXPECT_EQ(*ParseStrategy(StrategyName(s)), s);
}

TEST(AllocateValidationTest, ParsesStrategyNames) {
  EXPECT_EQ(*ParseStrategy("pro_rata"), Strategy::kProRata);
  EXPECT_EQ(*ParseStrategy("tiers"), Strategy::kTiers);
  EXPECT_EQ(*ParseStrategy("pools"), Strategy::kPools);
  const Result<Strategy> unknown = ParseStrategy("fifo");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("未知的分配策略 'fifo'"), std::string::npos) << unknown.status().message();
  EXPECT_NE(unknown.status().message().find("unknown strategy 'fifo' (expected pro_rata, tiers or pools)"),
            std::string::npos);
  EXPECT_EQ(*ParseRedistribution("in_order"), Redistribution::kInOrder);
  EXPECT_FALSE(ParseRedistribution("random").ok());
  for (Strategy s : {Strategy::kProRata, Strategy::kTiers, Strategy::kPools}) {
    EXPECT_EQ(*ParseStrategy(StrategyName(s)), s);
  }
}

TEST(AllocateValidationTest, RejectsBadPlans) {
  const auto rejected = [](const AllocationPlan& plan, const std::string& fragment) {
    const Status s = ValidatePlan(plan);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << fragment;
    EXPECT_NE(s.message().find(fragment), std::string::npos) << s.message();
  };
  AllocationPlan plan = ProRata(1000);
  plan.tiers.push_back({.name = "a", .measures = {"x"}, .clauses = {}});
  rejected(plan, "tiers are given but the strategy is pro_rata");
  plan.strategy = Strategy::kTiers;
  EXPECT_TRUE(ValidatePlan(plan).ok());
  plan.tiers.push_back({.name = "a", .measures = {"y"}, .clauses = {}});
  rejected(plan, "two tiers are named 'a'");
  plan.tiers[1].name = "rest";
  rejected(plan, "reserved");
  plan.tiers[1] = {.name = "b", .measures = {}, .clauses = {}};
  rejected(plan, "selects no measure or clause");
  plan.tiers.clear();
  rejected(plan, "needs at least one tier");

  AllocationPlan pools = ProRata(1000, 100);
  pools.strategy = Strategy::kPools;
  pools.pools = {{.name = "p", .measures = {"x"}, .clauses = {}, .budget_fen = 600},
                 {.name = "q", .measures = {}, .clauses = {"三（八）"}, .budget_fen = 500}};
  rejected(pools, "add up to more than the budget of 1000 fen");
  pools.pools[1].budget_fen = 450;
  rejected(pools, "not a multiple of the rounding unit of 100 fen");
  pools.pools[1].budget_fen = -100;
  rejected(pools, "must not be negative");
  pools.pools[1].budget_fen = 400;
  EXPECT_TRUE(ValidatePlan(pools).ok());

  AllocationPlan both = pools;
  both.tiers.push_back({.name = "t", .measures = {"x"}, .clauses = {}});
  rejected(both, "tiers or pools, not both");

  AllocationPlan redistribute = ProRata(1000);
  redistribute.redistribution = Redistribution::kProportional;
  rejected(redistribute, "needs the pools strategy");

  // A unit above the bound would round every amount to nothing and call the group paid in full.
  AllocationPlan unit = ProRata(10'000'000'000);
  unit.unit_fen = 1'000'000'000'000'001;
  rejected(unit, "the rounding unit must be at most 10^15 fen (got 1000000000000001)");
  unit.unit_fen = 1'000'000'000'000'000;
  EXPECT_TRUE(ValidatePlan(unit).ok());
}

// The quality awards of clause 三（八） first, everything else pro rata with what is left.
AllocationPlan QualityAwardsFirst(int64_t budget_fen) {
  AllocationPlan plan = ProRata(budget_fen);
  plan.strategy = Strategy::kTiers;
  plan.tiers = {{.name = "quality_awards",
                 .measures = {"china_quality_award", "guangdong_quality_award", "mayor_quality_award"},
                 .clauses = {}}};
  return plan;
}

std::vector<Claim> MixedRound() {
  return {MakeClaim(300'000'000, "china_quality_award", "三（八）"),
          MakeClaim(40'000'000, "quality_innovation", "一（二）"),
          MakeClaim(100'000'000, "guangdong_quality_award", "三（八）"), MakeClaim(60'000'000, "metrology", "二（六）"),
          MakeClaim(200'000'000, "mayor_quality_award", "三（八）")};
}

TEST(AllocateTiersTest, FirstTierInFullThenTheRestProRata) {
  const AllocationResult r = MustAllocate(MixedRound(), QualityAwardsFirst(650'000'000));
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{300'000'000, 20'000'000, 100'000'000, 30'000'000, 200'000'000}));
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].name, "quality_awards");
  EXPECT_TRUE(r.groups[0].paid_in_full());
  EXPECT_EQ(r.groups[1].name, "rest");
  EXPECT_EQ(r.groups[1].budget_fen, 50'000'000);
  EXPECT_EQ(r.groups[1].scale_numerator, 50'000'000);
  EXPECT_EQ(r.groups[1].scale_denominator, 100'000'000);
  EXPECT_EQ(r.allocations[1].group, 1);
  EXPECT_EQ(r.allocations[2].group, 0);
}

TEST(AllocateTiersTest, ATierThatDoesNotFitIsScaledAndLaterTiersGetNothing) {
  const AllocationResult r = MustAllocate(MixedRound(), QualityAwardsFirst(300'000'000));
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{150'000'000, 0, 50'000'000, 0, 100'000'000}));
  EXPECT_EQ(r.groups[1].available_fen, 0);
  EXPECT_EQ(r.groups[1].scale_numerator, 0);
}

TEST(AllocateTiersTest, FirstDeclaredTierWinsOverlaps) {
  AllocationPlan plan = QualityAwardsFirst(1'000'000'000);
  plan.tiers.insert(plan.tiers.begin(), {.name = "china", .measures = {}, .clauses = {"三（八）"}});
  const AllocationResult r = MustAllocate(MixedRound(), plan);
  EXPECT_EQ(r.allocations[0].group, 0);  // selected by clause in "china" before by measure
  EXPECT_EQ(r.groups[1].claims, 0);
  EXPECT_EQ(r.groups[2].claims, 2);
}

const std::vector<std::string> kMeasures = {"china_quality_award", "mayor_quality_award", "metrology",
                                            "quality_innovation", "qi_demonstration"};
const std::vector<std::string> kClauses = {"三（八）", "三（八）", "二（六）", "一（二）", "二（七）"};

std::vector<Claim> RandomTaggedClaims(std::mt19937_64& rng) {
  const std::vector<int64_t> amounts = RandomAmounts(rng, 1 + rng() % 30);
  std::vector<Claim> claims;
  for (int64_t a : amounts) {
    const size_t m = rng() % kMeasures.size();
    claims.push_back(MakeClaim(a, kMeasures[m], kClauses[m]));
  }
  return claims;
}

// Two or three groups selecting measures or clauses at random (possibly overlapping).
template <typename Group>
std::vector<Group> RandomGroups(std::mt19937_64& rng) {
  std::vector<Group> groups(2 + rng() % 2);
  for (size_t g = 0; g < groups.size(); ++g) {
    groups[g].name = "g" + std::to_string(g);
    const size_t m = rng() % kMeasures.size();
    if (rng() % 2 == 0) {
      groups[g].measures.push_back(kMeasures[m]);
    } else {
      groups[g].clauses.push_back(kClauses[m]);
    }
  }
  return groups;
}

// The first declared group selecting the claim, or the implicit "rest" after them.
template <typename Group>
std::vector<std::vector<size_t>> Members(const std::vector<Claim>& claims, const std::vector<Group>& groups) {
  std::vector<std::vector<size_t>> members(groups.size() + 1);
  for (size_t i = 0; i < claims.size(); ++i) {
    size_t g = 0;
    while (g < groups.size() &&
           std::find(groups[g].measures.begin(), groups[g].measures.end(), claims[i].measure) ==
               groups[g].measures.end() &&
           std::find(groups[g].clauses.begin(), groups[g].clauses.end(), claims[i].clause) == groups[g].clauses.end()) {
      ++g;
    }
    members[g].push_back(i);
  }
  return members;
}

TEST(AllocateTiersTest, RandomRoundsPayTiersInTurn) {
  std::mt19937_64 rng(34);
  for (int round = 0; round < 3000; ++round) {
    const std::vector<Claim> claims = RandomTaggedClaims(rng);
    AllocationPlan plan;
    plan.strategy = Strategy::kTiers;
    plan.tiers = RandomGroups<Tier>(rng);
    plan.unit_fen = RandomUnit(rng);
    __int128 total = 0;
    for (const Claim& c : claims) total += c.amount_fen;
    plan.budget_fen = RandomBudget(rng, static_cast<int64_t>(total));
    const std::string context = "round " + std::to_string(round);
    const AllocationResult r = MustAllocate(claims, plan);

    const auto members = Members(claims, plan.tiers);
    ASSERT_EQ(r.groups.size(), members.size()) << context;
    int64_t left = plan.budget_fen / plan.unit_fen * plan.unit_fen;
    int64_t payable = 0;
    for (size_t g = 0; g < members.size(); ++g) {
      for (size_t i : members[g]) ASSERT_EQ(r.allocations[i].group, static_cast<int32_t>(g)) << context;
      ASSERT_EQ(r.groups[g].available_fen, left) << context;
      CheckGroup(claims, members[g], left, plan.unit_fen, r, context + " tier " + std::to_string(g));
      left -= r.groups[g].allocated_fen;
      payable += r.groups[g].payable_fen;
    }
    const int64_t sum = Sum(Allocated(r));
    ASSERT_LE(sum, plan.budget_fen) << context;
    ASSERT_EQ(sum, std::min(payable, plan.budget_fen / plan.unit_fen * plan.unit_fen)) << context;
  }
}

AllocationPlan TwoPools(int64_t budget_fen, Redistribution redistribution) {
  AllocationPlan plan = ProRata(budget_fen);
  plan.strategy = Strategy::kPools;
  plan.pools = {{.name = "awards", .measures = {}, .clauses = {"三（八）"}, .budget_fen = 400'000'000},
                {.name = "metrology", .measures = {"metrology"}, .clauses = {}, .budget_fen = 100'000'000}};
  plan.redistribution = redistribution;
  return plan;
}

TEST(AllocatePoolsTest, EachPoolIsScaledOnItsOwn) {
  // awards: 600M approved in a 400M pool; metrology: 60M in 100M; rest: 40M in 50M.
  const AllocationResult r = MustAllocate(MixedRound(), TwoPools(550'000'000, Redistribution::kNone));
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{200'000'000, 40'000'000, 66'666'667, 60'000'000, 133'333'333}));
  ASSERT_EQ(r.groups.size(), 3u);
  EXPECT_EQ(r.groups[2].name, "rest");
  EXPECT_EQ(r.groups[2].budget_fen, 50'000'000);
  EXPECT_EQ(r.allocated_fen, 500'000'000);
}

TEST(AllocatePoolsTest, SpareMoneyMovesToOverSubscribedPools) {
  // 40M spare in metrology and 10M in rest go to awards, the only pool short of money.
  const AllocationResult r = MustAllocate(MixedRound(), TwoPools(550'000'000, Redistribution::kProportional));
  EXPECT_EQ(r.groups[0].budget_fen, 400'000'000);
  EXPECT_EQ(r.groups[0].available_fen, 450'000'000);
  EXPECT_EQ(Allocated(r), (std::vector<int64_t>{225'000'000, 40'000'000, 75'000'000, 60'000'000, 150'000'000}));
  EXPECT_EQ(r.allocated_fen, 550'000'000);
}

TEST(AllocatePoolsTest, ProportionalAndInOrderShareSpareMoneyDifferently) {
  // Pools a and b are each 100M short; c has no claims, so its 100M are spare.
  const std::vector<Claim> claims = {MakeClaim(200'000'000, "a", "x"), MakeClaim(300'000'000, "b", "y")};
  AllocationPlan plan = ProRata(500'000'000);
  plan.strategy = Strategy::kPools;
  plan.pools = {{.name = "a", .measures = {"a"}, .clauses = {}, .budget_fen = 100'000'000},
                {.name = "b", .measures = {"b"}, .clauses = {}, .budget_fen = 200'000'000},
                {.name = "c", .measures = {"c"}, .clauses = {}, .budget_fen = 100'000'000}};
  plan.redistribution = Redistribution::kProportional;
  // Spare: c 100M + rest 100M = 200M, enough for both.
  EXPECT_EQ(Allocated(MustAllocate(claims, plan)), (std::vector<int64_t>{200'000'000, 300'000'000}));

  plan.budget_fen = 400'000'000;  // spare: c 100M only
  EXPECT_EQ(Allocated(MustAllocate(claims, plan)), (std::vector<int64_t>{150'000'000, 250'000'000}));
  plan.redistribution = Redistribution::kInOrder;
  EXPECT_EQ(Allocated(MustAllocate(claims, plan)), (std::vector<int64_t>{200'000'000, 200'000'000}));
  plan.redistribution = Redistribution::kNone;
  EXPECT_EQ(Allocated(MustAllocate(claims, plan)), (std::vector<int64_t>{100'000'000, 200'000'000}));
}

TEST(AllocatePoolsTest, RandomRoundsStayWithinTheirEnvelopes) {
  std::mt19937_64 rng(56);
  for (int round = 0; round < 3000; ++round) {
    const std::vector<Claim> claims = RandomTaggedClaims(rng);
    AllocationPlan plan;
    plan.strategy = Strategy::kPools;
    plan.pools = RandomGroups<Pool>(rng);
    plan.unit_fen = RandomUnit(rng);
    plan.redistribution = static_cast<Redistribution>(rng() % 3);
    __int128 total = 0;
    for (const Claim& c : claims) total += c.amount_fen;
    plan.budget_fen = RandomBudget(rng, static_cast<int64_t>(total));
    // Pool budgets: random multiples of the unit adding up to at most the budget.
    int64_t left = plan.budget_fen / plan.unit_fen;
    for (Pool& p : plan.pools) {
      const int64_t units = left == 0 ? 0 : static_cast<int64_t>(rng() % static_cast<uint64_t>(left + 1));
      p.budget_fen = units * plan.unit_fen;
      left -= units;
    }
    const std::string context = "round " + std::to_string(round);
    const AllocationResult r = MustAllocate(claims, plan);

    const auto members = Members(claims, plan.pools);
    ASSERT_EQ(r.groups.size(), members.size()) << context;
    int64_t envelopes = 0, payable = 0;
    bool short_pool_seen = false;  // for in_order: a pool left short means later ones got nothing
    for (size_t g = 0; g < members.size(); ++g) {
      const GroupStep& step = r.groups[g];
      if (g < plan.pools.size()) {
        ASSERT_EQ(step.budget_fen, plan.pools[g].budget_fen) << context;
      }
      ASSERT_GE(step.available_fen, step.budget_fen) << context;
      if (plan.redistribution == Redistribution::kNone) {
        ASSERT_EQ(step.available_fen, step.budget_fen) << context;
      }
      const int64_t received = step.available_fen - step.budget_fen;
      ASSERT_LE(received, std::max<int64_t>(step.payable_fen - step.budget_fen, 0)) << context;
      if (plan.redistribution == Redistribution::kInOrder) {
        if (short_pool_seen) {
          ASSERT_EQ(received, 0) << context;
        }
        if (step.available_fen < step.payable_fen) short_pool_seen = true;
      }
      CheckGroup(claims, members[g], step.available_fen, plan.unit_fen, r, context + " pool " + std::to_string(g));
      envelopes += step.budget_fen;
      payable += step.payable_fen;
    }
    ASSERT_EQ(envelopes, plan.budget_fen / plan.unit_fen * plan.unit_fen) << context;
    const int64_t sum = Sum(Allocated(r));
    ASSERT_LE(sum, plan.budget_fen) << context;
    if (plan.redistribution != Redistribution::kNone) {
      ASSERT_EQ(sum, std::min(payable, envelopes)) << context;
    }
  }
}

TEST(FormatScaleTest, TruncatesToFourDecimals) {
  EXPECT_EQ(FormatScale(2, 3), "0.6666");
  EXPECT_EQ(FormatScale(1, 1), "1.0000");
  EXPECT_EQ(FormatScale(0, 800), "0.0000");
  EXPECT_EQ(FormatScale(99'999, 100'000), "0.9999");
  EXPECT_EQ(FormatScale(kMax - 1, kMax), "0.9999");
  EXPECT_EQ(FormatScale(1, 3, 0), "0");
  EXPECT_EQ(FormatScale(81'370'000, 100'000'000, 6), "0.813700");
}

}  // namespace
}  // namespace qgrant::alloc
