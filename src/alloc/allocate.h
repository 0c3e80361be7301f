// Budget allocation: turning approved amounts into paid amounts under the annual budget.
//
// Clause (十二) of the measures makes every amount a ceiling: what is actually paid is "controlled
// by the annual budget total" (足额或折算). When the approved amounts fit the budget they are paid
// in full; otherwise they are scaled down. This module decides how.
//
// A Claim is one eligible decision: its measure, clause and approved amount (the ceiling). An
// AllocationPlan holds the budget and the strategy:
//
//   kProRata  one scale factor budget/total for every claim.
//   kTiers    ordered groups; each is paid in full from what is left, in turn, until one does not
//             fit: that one is scaled to what is left and later groups get nothing. Claims no tier
//             selects form a last implicit tier, "rest".
//   kPools    separate envelopes, each scaled on its own; claims no pool selects share the implicit
//             pool "rest", whose envelope is whatever the declared pools leave of the budget.
//             Money an under-subscribed pool does not need can move to over-subscribed pools
//             (Redistribution).
//
// Inside every group the scaling is the same exact integer computation (see apportion.h): each
// claim's share is amount × available / demand, rounded to the fen (or to the rounding unit) by the
// largest-remainder method, so the group spends exactly what it has whenever it is over-subscribed
// and never more. Money is int64 fen throughout; nothing here uses floating point.
//
// A tier or pool selects claims by measure id or by clause label; a claim belongs to the first
// declared group that selects it.
//
// With a rounding unit U (e.g. 100 fen = whole yuan), every paid amount is a multiple of U: a
// claim can be paid at most its amount rounded down to U (its "payable" amount), group envelopes
// are counted in whole units, and the scaling runs in units. A claim of 150 fen with U = 100 is
// paid 100 fen even when the budget is ample.
//
// Example:
//   AllocationPlan plan;
//   plan.budget_fen = 80'000'000;
//   Result<AllocationResult> r = Allocate(claims, plan);
//   if (!r.ok()) return r.status();
//   for (size_t i = 0; i < claims.size(); ++i) Pay(claims[i], r->allocations[i].allocated_fen);
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "common/string_hash.h"

namespace qgrant::alloc {

// One eligible decision competing for the budget.
struct Claim {
  std::string id;          // the application id, used in error messages
  std::string measure;     // e.g. "china_quality_award"
  std::string clause;      // e.g. "三（八）"
  int64_t amount_fen = 0;  // the approved amount: the most this claim can be paid
};

enum class Strategy { kProRata, kTiers, kPools };

// What happens to the part of a pool's envelope its claims do not need.
enum class Redistribution {
  kNone,          // it stays unspent
  kProportional,  // it goes to over-subscribed pools in proportion to their unmet demand
  kInOrder,       // it fills over-subscribed pools one after another, in declared order
};

struct Tier {
  std::string name;
  std::vector<std::string> measures;  // measure ids this tier selects
  std::vector<std::string> clauses;   // clause labels this tier selects
};

struct Pool {
  std::string name;
  std::vector<std::string> measures;
  std::vector<std::string> clauses;
  int64_t budget_fen = 0;  // this pool's envelope
};

struct AllocationPlan {
  int64_t budget_fen = 0;  // the whole budget; never exceeded
  Strategy strategy = Strategy::kProRata;
  int64_t unit_fen = 1;     // every paid amount is a multiple of this
  std::vector<Tier> tiers;  // for kTiers, in payment order
  std::vector<Pool> pools;  // for kPools; their budgets may not add up to more than budget_fen
  Redistribution redistribution = Redistribution::kNone;  // for kPools
};

// The name of the implicit last tier or pool holding the claims no declared group selects.
inline constexpr std::string_view kRestGroup = "rest";

// One budget step: how one group (the whole batch for kProRata, else a tier or a pool) was paid.
// All amounts are in fen.
struct GroupStep {
  std::string name;           // tier or pool name; "all" for kProRata
  int64_t claims = 0;         // how many claims it holds
  int64_t amount_fen = 0;     // sum of their approved amounts
  int64_t payable_fen = 0;    // sum of their amounts rounded down to the unit (= amount_fen at 1 fen)
  int64_t budget_fen = 0;     // its envelope: the pool budget, or what was left when the tier's turn came
  int64_t available_fen = 0;  // what it may spend after pools moved money (= budget_fen otherwise)
  int64_t allocated_fen = 0;  // what it spent
  // The factor its claims were paid at: 1/1 when paid in full, else available_fen / payable_fen
  // (unreduced, so it reads as "money over demand"). 0/payable when nothing was left.
  int64_t scale_numerator = 1;
  int64_t scale_denominator = 1;

  bool paid_in_full() const { return scale_numerator == scale_denominator; }
};

struct Allocation {
  int64_t amount_fen = 0;     // the ceiling: the claim's approved amount
  int64_t allocated_fen = 0;  // what the budget pays
  int32_t group = 0;          // index into AllocationResult::groups: the step it was paid in
};

struct AllocationResult {
  std::vector<Allocation> allocations;  // one per claim, in input order
  std::vector<GroupStep> groups;        // in payment/declaration order, "rest" last
  int64_t amount_fen = 0;               // total approved
  int64_t payable_fen = 0;              // total approved, each rounded down to the unit
  int64_t allocated_fen = 0;            // total paid: <= budget_fen
};

// Allocates the plan's budget over the claims. Fails with InvalidArgument on a bad plan (see
// ValidatePlan), an amount outside 0..10^15 fen, or approved amounts adding up to more than 10^15.
Result<AllocationResult> Allocate(const std::vector<Claim>& claims, const AllocationPlan& plan);

// The group of a claim under a plan, from its measure and clause: the first declared tier or pool
// selecting either, else the implicit "rest" group (its index is the number of declared groups);
// always 0 for pro rata. Lets a caller keep one small integer per claim instead of its strings.
class GroupIndex {
 public:
  explicit GroupIndex(const AllocationPlan& plan);
  int32_t Of(std::string_view measure, std::string_view clause) const;
  // False for pro rata, where every claim is in group 0 and none needs recording.
  bool grouped() const { return grouped_; }

 private:
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> by_measure_, by_clause_;
  int32_t rest_ = 0;
  bool grouped_ = false;
};

// The same over bare amounts: amounts[i] is claim i's approved amount and group_of[i] its group
// (GroupIndex::Of); group_of may be empty for pro rata. For rounds too large to keep every claim's
// id and strings (qgrant allocate streams millions of decisions).
Result<AllocationResult> Allocate(std::span<const int64_t> amounts, std::span<const int32_t> group_of,
                                  const AllocationPlan& plan);

// Checks a plan on its own: budget >= 0, unit >= 1; tiers only with kTiers and pools only with
// kPools (never both), at least one of them for those strategies; group names non-empty, distinct
// and not "rest"; each group selects something; pool budgets >= 0, multiples of the unit, and
// adding up to no more than the budget; a redistribution rule only with kPools.
Status ValidatePlan(const AllocationPlan& plan);

// "pro_rata", "tiers", "pools" and back; an unknown name is an error naming it and the known ones.
Result<Strategy> ParseStrategy(std::string_view text);
std::string_view StrategyName(Strategy strategy);
// Every strategy, in the order the messages list them (for a checker that names the choices).
std::span<const Strategy> AllStrategies();

// "none", "proportional", "in_order" and back.
Result<Redistribution> ParseRedistribution(std::string_view text);
std::string_view RedistributionName(Redistribution redistribution);

// numerator/denominator as a decimal with `digits` decimals, truncated rather than rounded so that
// a factor below 1 never reads "1.0000": FormatScale(2, 3) == "0.6666". denominator > 0.
std::string FormatScale(int64_t numerator, int64_t denominator, int digits = 4);

}  // namespace qgrant::alloc
