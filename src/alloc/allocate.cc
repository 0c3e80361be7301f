#include "alloc/allocate.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "alloc/apportion.h"
#include "alloc/guarded.h"
#include "common/money.h"

namespace qgrant::alloc {
namespace {

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Checks the names and selectors of the declared tiers or pools (`kind` is "tier" or "pool").
template <typename Group>
Status ValidateGroups(const std::vector<Group>& groups, std::string_view kind) {
  for (size_t i = 0; i < groups.size(); ++i) {
    const Group& g = groups[i];
    if (g.name.empty()) {
      return Status::InvalidArgument(std::string(kind) + " " + std::to_string(i + 1) + " has no name");
    }
    if (g.name == kRestGroup) {
      return Status::InvalidArgument(Quoted(kRestGroup) + " is reserved for the claims no " + std::string(kind) +
                                     " selects; choose another name");
    }
    for (size_t j = 0; j < i; ++j) {
      if (groups[j].name == g.name) {
        return Status::InvalidArgument("two " + std::string(kind) + "s are named " + Quoted(g.name));
      }
    }
    if (g.measures.empty() && g.clauses.empty()) {
      return Status::InvalidArgument(std::string(kind) + " " + Quoted(g.name) + " selects no measure or clause");
    }
  }
  return Status::Ok();
}

// How much extra (in units) each pool receives from the spare money of under-subscribed pools.
std::vector<int64_t> Redistribute(const std::vector<int64_t>& envelope, const std::vector<int64_t>& demand,
                                  Redistribution rule) {
  const size_t n = envelope.size();
  std::vector<int64_t> received(n, 0);
  if (rule == Redistribution::kNone) return received;
  std::vector<int64_t> unmet(n, 0);
  int64_t spare = 0, total_unmet = 0;  // each bounded by the budget or the approved total
  for (size_t j = 0; j < n; ++j) {
    if (demand[j] < envelope[j]) spare += envelope[j] - demand[j];
    unmet[j] = std::max<int64_t>(demand[j] - envelope[j], 0);
    total_unmet += unmet[j];
  }
  if (total_unmet <= spare) return unmet;  // every pool can be paid in full
  if (rule == Redistribution::kInOrder) {
    for (size_t j = 0; j < n; ++j) {
      received[j] = std::min(unmet[j], spare);
      spare -= received[j];
    }
  } else {
    ApportionLargestRemainder(unmet, unmet, total_unmet, spare, received);
  }
  return received;
}

}  // namespace

Status ValidatePlan(const AllocationPlan& plan) {
  if (plan.budget_fen < 0) {
    return Status::InvalidArgument("budget_fen must not be negative (got " + std::to_string(plan.budget_fen) + ")");
  }
  if (!money::WithinBound(plan.budget_fen)) {
    return Status::InvalidArgument("预算超出上限 10^15 分 / budget_fen must be at most 10^15 fen (got " +
                                   std::to_string(plan.budget_fen) + ")");
  }
  if (plan.unit_fen < 1) {
    return Status::InvalidArgument("the rounding unit must be at least 1 fen (got " + std::to_string(plan.unit_fen) +
                                   ")");
  }
  if (plan.unit_fen > money::kMaxFen) {
    return Status::InvalidArgument("拨付单位超出上限 10^15 分 / the rounding unit must be at most 10^15 fen (got " +
                                   std::to_string(plan.unit_fen) + ")");
  }
  if (!plan.tiers.empty() && !plan.pools.empty()) {
    return Status::InvalidArgument("a plan has tiers or pools, not both");
  }
  if (plan.strategy != Strategy::kTiers && !plan.tiers.empty()) {
    return Status::InvalidArgument("tiers are given but the strategy is " + std::string(StrategyName(plan.strategy)));
  }
  if (plan.strategy != Strategy::kPools && !plan.pools.empty()) {
    return Status::InvalidArgument("pools are given but the strategy is " + std::string(StrategyName(plan.strategy)));
  }
  if (plan.strategy != Strategy::kPools && plan.redistribution != Redistribution::kNone) {
    return Status::InvalidArgument("redistribution moves money between pools; it needs the pools strategy");
  }
  if (plan.strategy == Strategy::kTiers) {
    if (plan.tiers.empty()) return Status::InvalidArgument("the tiers strategy needs at least one tier");
    QGRANT_RETURN_IF_ERROR(ValidateGroups(plan.tiers, "tier"));
  }
  if (plan.strategy == Strategy::kPools) {
    if (plan.pools.empty()) return Status::InvalidArgument("the pools strategy needs at least one pool");
    QGRANT_RETURN_IF_ERROR(ValidateGroups(plan.pools, "pool"));
    __int128 sum = 0;
    for (const Pool& p : plan.pools) {
      if (p.budget_fen < 0) {
        return Status::InvalidArgument("pool " + Quoted(p.name) + ": budget_fen must not be negative (got " +
                                       std::to_string(p.budget_fen) + ")");
      }
      // Envelopes are counted in whole units; a fraction of a unit could never be paid out.
      if (p.budget_fen % plan.unit_fen != 0) {
        return Status::InvalidArgument("pool " + Quoted(p.name) + ": budget_fen " + std::to_string(p.budget_fen) +
                                       " is not a multiple of the rounding unit of " + std::to_string(plan.unit_fen) +
                                       " fen");
      }
      sum += p.budget_fen;
    }
    if (sum > plan.budget_fen) {
      return Status::InvalidArgument("the pools' budgets add up to more than the budget of " +
                                     std::to_string(plan.budget_fen) + " fen");
    }
  }
  return Status::Ok();
}

GroupIndex::GroupIndex(const AllocationPlan& plan) {
  const auto index = [&](const auto& groups) {
    for (size_t g = 0; g < groups.size(); ++g) {
      // emplace keeps the first group that named a key: declaration order decides overlaps.
      for (const std::string& m : groups[g].measures) by_measure_.emplace(m, static_cast<int32_t>(g));
      for (const std::string& c : groups[g].clauses) by_clause_.emplace(c, static_cast<int32_t>(g));
    }
    rest_ = static_cast<int32_t>(groups.size());
    grouped_ = true;
  };
  if (plan.strategy == Strategy::kTiers) index(plan.tiers);
  if (plan.strategy == Strategy::kPools) index(plan.pools);
}

int32_t GroupIndex::Of(std::string_view measure, std::string_view clause) const {
  int32_t group = rest_;
  if (auto it = by_measure_.find(measure); it != by_measure_.end()) group = it->second;
  if (auto it = by_clause_.find(clause); it != by_clause_.end()) group = std::min(group, it->second);
  return group;
}

Result<AllocationResult> Allocate(const std::vector<Claim>& claims, const AllocationPlan& plan) {
  std::vector<int64_t> amounts(claims.size());
  std::vector<int32_t> group_of;
  const GroupIndex groups(plan);
  if (plan.strategy != Strategy::kProRata) group_of.resize(claims.size());
  for (size_t i = 0; i < claims.size(); ++i) {
    amounts[i] = claims[i].amount_fen;
    if (!group_of.empty()) group_of[i] = groups.Of(claims[i].measure, claims[i].clause);
  }
  return Allocate(amounts, group_of, plan);
}

namespace {

// The groups of a plan in payment or declaration order, "rest" last; pro rata has one, "all".
std::vector<GroupStep> PlanGroups(const AllocationPlan& plan) {
  std::vector<GroupStep> groups;
  switch (plan.strategy) {
    case Strategy::kProRata:
      groups.push_back({.name = "all"});
      break;
    case Strategy::kTiers:
      for (const Tier& t : plan.tiers) groups.push_back({.name = t.name});
      groups.push_back({.name = std::string(kRestGroup)});
      break;
    case Strategy::kPools:
      for (const Pool& p : plan.pools) groups.push_back({.name = p.name});
      groups.push_back({.name = std::string(kRestGroup)});
      break;
  }
  return groups;
}

// Each group's envelope and what it may spend once pools moved spare money, in units.
void Envelopes(const AllocationPlan& plan, const std::vector<int64_t>& demand, std::vector<int64_t>* envelope,
               std::vector<int64_t>* available) {
  const int64_t unit = plan.unit_fen;
  const size_t group_count = demand.size();
  envelope->assign(group_count, 0);
  available->assign(group_count, 0);
  switch (plan.strategy) {
    case Strategy::kProRata:
      (*envelope)[0] = (*available)[0] = plan.budget_fen / unit;
      break;
    case Strategy::kTiers: {
      // A tier's envelope is what the tiers before it left.
      int64_t left = plan.budget_fen / unit;
      for (size_t g = 0; g < group_count; ++g) {
        (*envelope)[g] = (*available)[g] = left;
        left -= std::min(left, demand[g]);
      }
      break;
    }
    case Strategy::kPools: {
      int64_t declared = 0;
      for (size_t g = 0; g + 1 < group_count; ++g) {
        (*envelope)[g] = plan.pools[g].budget_fen / unit;  // exact: ValidatePlan checked the multiple
        declared += plan.pools[g].budget_fen;
      }
      envelope->back() = (plan.budget_fen - declared) / unit;
      const std::vector<int64_t> received = Redistribute(*envelope, demand, plan.redistribution);
      for (size_t g = 0; g < group_count; ++g) (*available)[g] = (*envelope)[g] + received[g];
      break;
    }
  }
}

// The claims' checked amounts, totalled per group into `demand` (payable units) and `groups`.
Status TotalClaims(std::span<const int64_t> amounts, std::span<const int32_t> group_of, int64_t unit,
                   std::vector<GroupStep>* groups, std::vector<int64_t>* payable, std::vector<int64_t>* demand,
                   AllocationResult* result) {
  const size_t n = amounts.size();
  result->allocations.reserve(n);
  if (unit != 1) payable->resize(n);  // in whole fen the amounts are the payable units themselves
  demand->assign(groups->size(), 0);
  money::Total total;
  for (size_t i = 0; i < n; ++i) {
    const int64_t amount = amounts[i];
    if (amount < 0 || !money::WithinBound(amount)) {
      return Status::InvalidArgument("第 " + std::to_string(i + 1) + " 项核定金额须在 0 到 10^15 分之间 / claim " +
                                     std::to_string(i + 1) + ": amount_fen must be from 0 to 10^15 fen (got " +
                                     std::to_string(amount) + ")");
    }
    if (!total.Add(amount)) {
      return Status::InvalidArgument("核定金额合计超过 10^15 分 / the approved amounts add up to more than 10^15 fen");
    }
    const int32_t g = group_of.empty() ? 0 : group_of[i];
    if (g < 0 || static_cast<size_t>(g) >= groups->size()) {
      return Status::InvalidArgument("claim " + std::to_string(i + 1) + ": no such group");
    }
    const int64_t units = unit == 1 ? amount : amount / unit;
    if (unit != 1) (*payable)[i] = units;
    (*demand)[g] += units;
    (*groups)[g].amount_fen += amount;
    ++(*groups)[g].claims;
    result->allocations.push_back({.amount_fen = amount, .group = g});
  }
  result->amount_fen = total.fen();
  return Status::Ok();
}

// The members of each group in input order (a counting sort on the group index): group g's are
// members[offset[g], offset[g + 1]). Left empty for a single group, whose members are all claims.
std::vector<size_t> GroupMembers(std::span<const int32_t> group_of, const std::vector<GroupStep>& groups,
                                 std::vector<size_t>* offset) {
  offset->assign(groups.size() + 1, 0);
  for (size_t g = 0; g < groups.size(); ++g) (*offset)[g + 1] = (*offset)[g] + static_cast<size_t>(groups[g].claims);
  std::vector<size_t> members;
  if (groups.size() == 1) return members;
  members.resize(group_of.size());
  std::vector<size_t> next(offset->begin(), offset->end() - 1);
  for (size_t i = 0; i < group_of.size(); ++i) members[next[group_of[i]]++] = i;
  return members;
}

// Pays one group: in full when its demand fits what it may spend, else scaled by largest
// remainders. `everyone`: the only group, holding every claim in order (`members` unused).
void PayGroup(bool everyone, std::span<const size_t> members, std::span<const int64_t> payable, int64_t demand,
              int64_t envelope, int64_t available, int64_t unit, GroupStep* step, AllocationResult* result) {
  const size_t size = everyone ? payable.size() : members.size();
  const auto claim_at = [&](size_t k) { return everyone ? k : members[k]; };
  step->payable_fen = demand * unit;
  step->budget_fen = envelope * unit;
  step->available_fen = available * unit;
  if (demand <= available) {
    step->allocated_fen = step->payable_fen;
    for (size_t k = 0; k < size; ++k) result->allocations[claim_at(k)].allocated_fen = payable[claim_at(k)] * unit;
    return;
  }
  step->allocated_fen = step->scale_numerator = step->available_fen;
  step->scale_denominator = step->payable_fen;
  std::vector<int64_t> caps, tiebreak, parts(size);
  std::span<const int64_t> group_caps = payable;
  if (!everyone) {
    caps.resize(size);
    for (size_t k = 0; k < size; ++k) caps[k] = payable[claim_at(k)];
    group_caps = caps;
  }
  // Ties go to the larger approved amount, which the caps are when the unit is 1 fen.
  std::span<const int64_t> group_tiebreak = group_caps;
  if (unit != 1) {
    tiebreak.resize(size);
    for (size_t k = 0; k < size; ++k) tiebreak[k] = result->allocations[claim_at(k)].amount_fen;
    group_tiebreak = tiebreak;
  }
  ApportionLargestRemainder(group_caps, group_tiebreak, demand, available, parts);
  for (size_t k = 0; k < size; ++k) result->allocations[claim_at(k)].allocated_fen = parts[k] * unit;
}

Result<AllocationResult> AllocateUnguarded(std::span<const int64_t> amounts, std::span<const int32_t> group_of,
                                           const AllocationPlan& plan) {
  std::vector<GroupStep> groups = PlanGroups(plan);
  if (groups.size() > 1 && group_of.size() != amounts.size()) {
    return Status::InvalidArgument("every claim needs its group under the " + std::string(StrategyName(plan.strategy)) +
                                   " strategy");
  }
  if (groups.size() == 1) group_of = {};
  AllocationResult result;
  std::vector<int64_t> payable_units, demand, envelope, available;
  QGRANT_RETURN_IF_ERROR(TotalClaims(amounts, group_of, plan.unit_fen, &groups, &payable_units, &demand, &result));
  const std::span<const int64_t> payable = plan.unit_fen == 1 ? amounts : std::span<const int64_t>(payable_units);
  Envelopes(plan, demand, &envelope, &available);
  std::vector<size_t> offset;
  const std::vector<size_t> members = GroupMembers(group_of, groups, &offset);
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::span<const size_t> in_group =
        members.empty() ? std::span<const size_t>()
                        : std::span<const size_t>(members).subspan(offset[g], offset[g + 1] - offset[g]);
    PayGroup(members.empty(), in_group, payable, demand[g], envelope[g], available[g], plan.unit_fen, &groups[g],
             &result);
  }
  for (const GroupStep& step : groups) {
    result.payable_fen += step.payable_fen;
    result.allocated_fen += step.allocated_fen;
  }
  result.groups = std::move(groups);
  return result;
}

}  // namespace

Result<AllocationResult> Allocate(std::span<const int64_t> amounts, std::span<const int32_t> group_of,
                                  const AllocationPlan& plan) {
  QGRANT_RETURN_IF_ERROR(ValidatePlan(plan));
  Result<AllocationResult> result = Status::Internal("not allocated");
  const std::string failure = Guarded([&] { result = AllocateUnguarded(amounts, group_of, plan); });
  if (!failure.empty()) return Status::Internal(failure);
  return result;
}

std::span<const Strategy> AllStrategies() {
  static constexpr Strategy kAll[] = {Strategy::kProRata, Strategy::kTiers, Strategy::kPools};
  return kAll;
}

Result<Strategy> ParseStrategy(std::string_view text) {
  for (Strategy s : AllStrategies()) {
    if (text == StrategyName(s)) return s;
  }
  return Status::InvalidArgument("未知的分配策略 " + Quoted(text) +
                                 "（可选 pro_rata、tiers、pools） / unknown strategy " + Quoted(text) +
                                 " (expected pro_rata, tiers or pools)");
}

std::string_view StrategyName(Strategy strategy) {
  switch (strategy) {
    case Strategy::kProRata:
      return "pro_rata";
    case Strategy::kTiers:
      return "tiers";
    case Strategy::kPools:
      return "pools";
  }
  return "?";
}

Result<Redistribution> ParseRedistribution(std::string_view text) {
  if (text == "none") return Redistribution::kNone;
  if (text == "proportional") return Redistribution::kProportional;
  if (text == "in_order") return Redistribution::kInOrder;
  return Status::InvalidArgument("unknown redistribution " + Quoted(text) +
                                 " (expected none, proportional or in_order)");
}

std::string_view RedistributionName(Redistribution redistribution) {
  switch (redistribution) {
    case Redistribution::kNone:
      return "none";
    case Redistribution::kProportional:
      return "proportional";
    case Redistribution::kInOrder:
      return "in_order";
  }
  return "?";
}

std::string FormatScale(int64_t numerator, int64_t denominator, int digits) {
  std::string out = std::to_string(numerator / denominator);
  if (digits <= 0) return out;
  __int128 fraction = numerator % denominator;
  out += '.';
  for (int d = 0; d < digits; ++d) {
    fraction *= 10;
    out += static_cast<char>('0' + static_cast<int>(fraction / denominator));
    fraction %= denominator;
  }
  return out;
}

}  // namespace qgrant::alloc
