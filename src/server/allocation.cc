// Allocation (CONTRACT §7 POST /api/v1/rounds/{id}/allocate): every accepted application of a
// closed round is decided again through the engine's round driver, in submission order (one
// round is one input, §6), and the round's budget is allocated with the guide's strategy
// (src/alloc). Each application keeps its budget step in words. The whole run is one store
// transaction, so the allocated total never exceeds the budget whatever else runs at once.
#include <nlohmann/json.hpp>

#include "alloc/allocate.h"
#include "alloc/budget_step.h"
#include "alloc/plan_yaml.h"
#include "common/money.h"
#include "engine/round.h"
#include "server/round_flow.h"
#include "server/store_calls.h"
#include "server/store_routes.h"

namespace qgrant::server {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// One application's part in a run: its decision by the round, and what the budget gives it.
struct RunLine {
  std::string decision;  // §4 JSON
  engine::Outcome outcome = engine::Outcome::kInvalid;
  int64_t amount_fen = 0;
  std::string measure, clause;
  int64_t allocated_fen = 0;
  ordered_json step;  // the budget step: strategy, scale, ..., zh, en
};

// Decides the applications as one round input, in the order given, against the whole ledger.
Result<std::vector<RunLine>> DecideAsOneRound(const Service& service, store::Reader& reader, const store::Round& round,
                                              const std::vector<store::Application>& apps) {
  auto rules = service.Rules(RoundGuide(service, round.guide), service.Today());
  std::string input;
  for (const auto& a : apps) {
    auto finding = ReviewFinding(reader, a.id);
    if (!finding.ok()) return finding.status();
    input += EngineJson(json::parse(a.body), a.id, a.submitted_on, *finding).dump();
    input += '\n';
  }
  engine::Ledger ledger;
  ledger.CheckAgainst(&rules->rules());
  if (Status st = LoadLedger(reader, std::nullopt, &ledger); !st.ok()) return st;
  std::vector<RunLine> lines(apps.size());
  const engine::RoundDriver driver(rules->evaluator());
  engine::RoundOptions options;
  options.format = [&](int64_t index, const engine::Application&, const engine::Decision& d, engine::JsonWriter* out) {
    const size_t from = out->size();
    driver.AppendJsonLine(d, false, out);
    RunLine& line = lines[static_cast<size_t>(index)];
    line.decision.assign(out->data() + from, out->size() - from);
    line.outcome = d.outcome;
    line.amount_fen = d.amount_fen;
    line.measure = d.measure;
    line.clause = d.clause;
  };
  engine::StringRoundSource source(input);
  engine::RoundSummary summary;
  driver.Run(&source, &ledger, options, &summary);
  if (summary.decisions != static_cast<int64_t>(apps.size()))
    return Status::Internal("the round driver lost a decision");
  return lines;
}

// The guide's plan (its `allocation` block) with the round's budget.
Result<alloc::AllocationPlan> RoundPlan(const Service& service, const store::Round& round) {
  auto guide = RoundGuide(service, round.guide);
  if (!guide) return Status::NotFound("no guide " + round.guide);
  std::optional<int64_t> guide_budget;
  auto plan = alloc::LoadGuidePlan(guide->file, &guide_budget);
  if (!plan.ok()) return plan.status();
  plan->budget_fen = round.budget_fen;
  return plan;
}

// The words of a decision the budget pays nothing, by its outcome.
ordered_json UnfundedStep(const RunLine& line) {
  switch (line.outcome) {
    case engine::Outcome::kEligible:
      return {{"zh", "核定金额0元，无需安排资金"}, {"en", "Approved 0.00 yuan: nothing to allocate"}};
    case engine::Outcome::kReferred:
      return {{"zh", "按规定转由其他政策或部门办理，本批次不安排资金"},
              {"en", "Referred to another policy or department: no funds in this round"}};
    case engine::Outcome::kIneligible:
      return {{"zh", "经评定不符合条件，不安排资金（理由见决定）"},
              {"en", "Not eligible: no funds allocated (see the decision's reasons)"}};
    default:
      return {{"zh", "申请内容有误，无法评定，不安排资金"},
              {"en", "The application could not be decided: no funds allocated"}};
  }
}

// Allocates the plan's budget over the eligible lines and writes each line's amount and step.
Result<int64_t> AllocateLines(const alloc::AllocationPlan& plan, const std::vector<store::Application>& apps,
                              std::vector<RunLine>* lines) {
  std::vector<alloc::Claim> claims;
  std::vector<size_t> line_of;
  for (size_t i = 0; i < lines->size(); ++i) {
    const RunLine& l = (*lines)[i];
    if (l.outcome != engine::Outcome::kEligible || l.amount_fen <= 0) continue;
    claims.push_back({apps[i].id, l.measure, l.clause, l.amount_fen});
    line_of.push_back(i);
  }
  for (auto& l : *lines) l.step = UnfundedStep(l);
  auto result = alloc::Allocate(claims, plan);
  if (!result.ok()) return result.status();
  for (size_t k = 0; k < claims.size(); ++k) {
    const alloc::Allocation& a = result->allocations[k];
    const alloc::GroupStep& g = result->groups[static_cast<size_t>(a.group)];
    RunLine& l = (*lines)[line_of[k]];
    l.allocated_fen = a.allocated_fen;
    const std::string scale = alloc::ScalePercent(g.scale_numerator, g.scale_denominator);
    std::string zh, en;
    alloc::AppendStepZh(a, scale, &zh);
    alloc::AppendStepEn(a, scale, &en);
    ordered_json step;
    step["strategy"] = alloc::StrategyName(plan.strategy);
    if (plan.strategy == alloc::Strategy::kTiers) step["tier"] = g.name;
    if (plan.strategy == alloc::Strategy::kPools) step["pool"] = g.name;
    step["scale"] = alloc::FormatScale(g.scale_numerator, g.scale_denominator);
    step["scale_numerator"] = g.scale_numerator;
    step["scale_denominator"] = g.scale_denominator;
    step["unit_fen"] = plan.unit_fen;
    step["approved_fen"] = a.amount_fen;
    step["zh"] = std::move(zh);
    step["en"] = std::move(en);
    l.step = std::move(step);
  }
  return result->allocated_fen;
}

// The round's decision as stored: the engine's, with what the budget gives it (as qgrant
// allocate writes it).
std::string AllocatedDecision(const RunLine& l) {
  ordered_json d = ordered_json::parse(l.decision);
  d["allocated_fen"] = l.allocated_fen;
  d["allocation"] = l.step;
  return d.dump();
}

const std::vector<MemberSpec>& AllocateSpec() {
  static const std::vector<MemberSpec> spec = {{"budget_fen", JsonType::kInteger, false}};
  return spec;
}

// Sets the round's budget when the body gives a new one (audited).
std::optional<Response> SetBudget(store::WriteTx& tx, const Call& call, const json& body, store::Round* round) {
  if (!body.contains("budget_fen") || body["budget_fen"].is_null()) return std::nullopt;
  const int64_t budget = body["budget_fen"].get<int64_t>();
  if (budget == round->budget_fen) return std::nullopt;
  const json before = {{"budget_fen", round->budget_fen}};
  round->budget_fen = budget;
  if (auto a = tx.Audit({Actor(call), "round.budget", "round:" + round->id, before, {{"budget_fen", budget}}});
      !a.ok()) {
    return StoreFailure(a.status());
  }
  return std::nullopt;
}

// Moves every application of the run to proposed or not_funded with its amount, recording each.
Status StoreRun(store::WriteTx& tx, const Call& call, std::vector<store::Application>* apps,
                const std::vector<RunLine>& lines, json* answer_items) {
  for (size_t i = 0; i < apps->size(); ++i) {
    store::Application& a = (*apps)[i];
    const RunLine& l = lines[i];
    const json before = {{"state", a.state}, {"allocated_fen", a.allocated_fen ? json(*a.allocated_fen) : json()}};
    const std::string from = a.state;
    a.state = l.allocated_fen > 0 ? "proposed" : "not_funded";
    a.allocated_fen = l.allocated_fen;
    a.decision = AllocatedDecision(l);
    a.amount_fen = l.amount_fen;
    if (Status st = tx.UpdateApplication(&a); !st.ok()) return st;
    const json after = {{"state", a.state}, {"amount_fen", l.amount_fen}, {"allocated_fen", l.allocated_fen}};
    if (Status st = RecordChange(tx, call, a, "allocate", from, std::nullopt, std::nullopt, before, after); !st.ok())
      return st;
    answer_items->push_back({{"id", a.id},
                             {"state", a.state},
                             {"outcome", engine::OutcomeName(l.outcome)},
                             {"amount_fen", l.amount_fen},
                             {"allocated_fen", l.allocated_fen},
                             {"step", {{"zh", l.step["zh"]}, {"en", l.step["en"]}}}});
  }
  return Status::Ok();
}

Response RunAllocation(const Service& service, const Call& call, const json& body, store::WriteTx& tx) {
  Response problem;
  auto round = FindRound(tx, call.Param("id"), &problem);
  if (!round) return problem;
  const std::string state = RoundState(service, *round);
  auto reallocate = MayReallocate(service, tx, *round);
  if (!reallocate.ok()) return StoreFailure(reallocate.status());
  if (state != "closed" && state != "allocated" && !*reallocate) {
    return RoundConflict(state, false,
                         "申报批次当前为“" + state +
                             "”，不能分配资金（须先截止申报；公示开始后仅在异议成立后可重新分配） / the round is " +
                             state +
                             ": allocation needs it closed or allocated (in notice, only after an upheld objection)");
  }
  if (auto refused = SetBudget(tx, call, body, &*round)) return *refused;
  std::vector<std::string> states = {"accepted", "proposed", "not_funded"};
  if (*reallocate) states.push_back("in_notice");
  auto apps = tx.ApplicationsBySubmission(round->id, states);
  if (!apps.ok()) return StoreFailure(apps.status());
  auto lines = DecideAsOneRound(service, tx, *round, *apps);
  if (!lines.ok()) return StoreFailure(lines.status());
  auto plan = RoundPlan(service, *round);
  if (!plan.ok()) return StoreFailure(plan.status());
  auto allocated = AllocateLines(*plan, *apps, &*lines);
  if (!allocated.ok()) return StoreFailure(allocated.status());
  money::Total eligible_total;
  for (const auto& l : *lines) {
    if (l.outcome == engine::Outcome::kEligible) eligible_total.Add(l.amount_fen);
  }
  if (!eligible_total.ok()) return StoreFailure(eligible_total.status());
  const int64_t eligible = eligible_total.fen();
  json items = json::array();
  if (Status st = StoreRun(tx, call, &*apps, *lines, &items); !st.ok()) return StoreFailure(st);
  const json before = {
      {"state", state},
      {"notice",
       round->notice ? json{{"starts_on", round->notice->starts_on}, {"ends_on", round->notice->ends_on}} : json()}};
  round->state = "allocated";
  round->notice.reset();  // a notice after a new allocation starts again (§7)
  if (Status st = tx.UpdateRound(&*round); !st.ok()) return StoreFailure(st);
  const json totals = {{"budget_fen", round->budget_fen},
                       {"eligible_total_fen", eligible},
                       {"allocated_total_fen", *allocated},
                       {"applications", apps->size()},
                       {"strategy", alloc::StrategyName(plan->strategy)},
                       {"state", "allocated"}};
  if (auto a = tx.Audit({Actor(call), "round.allocate", "round:" + round->id, before, totals}); !a.ok()) {
    return StoreFailure(a.status());
  }
  json answer = {{"round", round->id},
                 {"budget_fen", round->budget_fen},
                 {"eligible_total_fen", eligible},
                 {"allocated_total_fen", *allocated},
                 {"strategy", alloc::StrategyName(plan->strategy)},
                 {"applications", items}};
  return Response::Json(200, answer.dump());
}

}  // namespace

Response AllocateRound(const Service& service, const Call& call) {
  Response problem;
  auto body = ReadObjectBody(call, AllocateSpec(), &problem);
  if (!body) return problem;
  if (body->contains("budget_fen") && !(*body)["budget_fen"].is_null()) {
    const int64_t b = (*body)["budget_fen"].get<int64_t>();
    if (b < 0 || b > money::kMaxFen) {
      return InvalidBody({{"budget_fen", "应为0至10^15的整数（分） / must be a whole number of fen from 0 to 10^15"}});
    }
  }
  return Write(service, call, [&](store::WriteTx& tx) { return RunAllocation(service, call, *body, tx); });
}

}  // namespace qgrant::server
