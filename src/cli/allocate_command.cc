// qgrant allocate: pays the eligible decisions of one round out of the annual budget (clause 十二).
//
// Reads decisions as JSON Lines (the output of qgrant eval), and writes every one back in the same
// order, adding `allocated_fen` and an `allocation` object (the budget step that explains the
// amount) to each eligible decision. Other decisions pass through byte for byte; blank lines are
// dropped, as in eval.
//
// A malformed line stops the run before anything is written: an allocation computed over part of
// the round would pay everyone else a wrong share, so a partial output is worse than none. Every
// malformed line is reported on stderr with its line number, and the exit status is 1. Unusable
// arguments, plan files or input files exit with 2. A summary (approved total, budget, allocated,
// scale per group) goes to stderr.
#include <charconv>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "alloc/allocate.h"
#include "alloc/plan_yaml.h"
#include "cli/commands.h"
#include "common/lines.h"
#include "engine/decision.h"

namespace qgrant::cli {
namespace {

using nlohmann::ordered_json;
using namespace qgrant::alloc;

constexpr int kMalformedInput = 1;
constexpr int kUnusableArguments = 2;
constexpr size_t kMaxReportedLines = 20;

struct Options {
  int64_t budget_fen = 0;
  std::string strategy;
  int64_t unit_fen = 1;
  std::string plan_file;
  std::vector<std::string> tiers;
  std::vector<std::string> pools;
  std::string redistribute;
  std::string input = "-";
};

// "china_quality_award" selects a measure, "clause:三（八）" a clause.
void AddSelectors(std::string_view list, std::vector<std::string>* measures, std::vector<std::string>* clauses) {
  constexpr std::string_view kClausePrefix = "clause:";
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    if (item.starts_with(kClausePrefix)) {
      clauses->emplace_back(item.substr(kClausePrefix.size()));
    } else {
      measures->emplace_back(item);
    }
  }
}

// --tier NAME=SELECTOR[,SELECTOR...]
Result<Tier> ParseTierFlag(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument("--tier '" + std::string(text) + "': expected NAME=MEASURE[,clause:CLAUSE...]");
  }
  Tier tier;
  tier.name = text.substr(0, eq);
  AddSelectors(text.substr(eq + 1), &tier.measures, &tier.clauses);
  return tier;
}

// --pool NAME:BUDGET_FEN=SELECTOR[,SELECTOR...]
Result<Pool> ParsePoolFlag(std::string_view text) {
  const size_t colon = text.find(':');
  const size_t eq = text.find('=');
  const Status bad = Status::InvalidArgument("--pool '" + std::string(text) +
                                             "': expected NAME:BUDGET_FEN=MEASURE[,clause:CLAUSE...]");
  if (colon == std::string_view::npos || eq == std::string_view::npos || colon == 0 || colon > eq) return bad;
  Pool pool;
  pool.name = text.substr(0, colon);
  const std::string_view budget = text.substr(colon + 1, eq - colon - 1);
  auto [ptr, ec] = std::from_chars(budget.data(), budget.data() + budget.size(), pool.budget_fen);
  if (ec != std::errc() || ptr != budget.data() + budget.size()) return bad;
  AddSelectors(text.substr(eq + 1), &pool.measures, &pool.clauses);
  return pool;
}

// The plan file, overridden by the flags given on the command line.
Result<AllocationPlan> BuildPlan(const Options& opts, const CLI::App& cmd) {
  AllocationPlan plan;
  if (!opts.plan_file.empty()) {
    Result<AllocationPlan> loaded = LoadPlanFile(opts.plan_file);
    if (!loaded.ok()) return loaded.status();
    plan = std::move(loaded).value();
  }
  plan.budget_fen = opts.budget_fen;
  if (!opts.tiers.empty()) {
    if (!plan.tiers.empty()) return Status::InvalidArgument("tiers are given both in the plan file and with --tier");
    for (const std::string& t : opts.tiers) {
      Result<Tier> tier = ParseTierFlag(t);
      if (!tier.ok()) return tier.status();
      plan.tiers.push_back(std::move(tier).value());
    }
    plan.strategy = Strategy::kTiers;
  }
  if (!opts.pools.empty()) {
    if (!plan.pools.empty()) return Status::InvalidArgument("pools are given both in the plan file and with --pool");
    for (const std::string& p : opts.pools) {
      Result<Pool> pool = ParsePoolFlag(p);
      if (!pool.ok()) return pool.status();
      plan.pools.push_back(std::move(pool).value());
    }
    plan.strategy = Strategy::kPools;
  }
  if (cmd.count("--strategy") > 0) {
    Result<Strategy> strategy = ParseStrategy(opts.strategy);
    if (!strategy.ok()) return strategy.status();
    plan.strategy = *strategy;
  }
  if (cmd.count("--unit-fen") > 0) plan.unit_fen = opts.unit_fen;
  if (cmd.count("--redistribute") > 0) {
    Result<Redistribution> rule = ParseRedistribution(opts.redistribute);
    if (!rule.ok()) return rule.status();
    plan.redistribution = *rule;
  }
  QGRANT_RETURN_IF_ERROR(ValidatePlan(plan));
  return plan;
}

// One non-blank input line. Eligible decisions keep their parsed object (key order preserved) to
// be written back with the allocation; the others are written back as read.
struct Line {
  std::string_view text;
  int64_t claim = -1;  // index into the claims, for eligible decisions
};

struct Batch {
  std::vector<Line> lines;
  std::vector<Claim> claims;
  std::vector<ordered_json> eligible;  // parallel to claims
  std::vector<std::string> errors;     // "SOURCE:LINE: message"
  int64_t malformed = 0;
};

// Reads one decision; returns an error message, or "" when the line is usable.
std::string ReadDecision(std::string_view text, Batch* batch, Line* line) {
  ordered_json doc;
  try {
    doc = ordered_json::parse(text);
  } catch (const ordered_json::exception& e) {
    return std::string("not JSON: ") + e.what();
  }
  if (!doc.is_object()) return "a decision must be a JSON object";
  const auto outcome = doc.find("outcome");
  if (outcome == doc.end() || !outcome->is_string()) return "no \"outcome\" string";
  const std::string& o = outcome->get_ref<const std::string&>();
  if (o == "ineligible" || o == "referred" || o == "invalid") return "";
  if (o != "eligible") return "outcome \"" + o + "\" is not one of eligible, ineligible, referred, invalid";

  Claim claim;
  const auto amount = doc.find("amount_fen");
  if (amount == doc.end() || !amount->is_number_integer() ||
      (amount->is_number_unsigned() && amount->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) ||
      amount->get<int64_t>() < 0) {
    return "an eligible decision needs \"amount_fen\", a whole number of fen >= 0" +
           (amount == doc.end() ? std::string() : " (got " + amount->dump() + ")");
  }
  claim.amount_fen = amount->get<int64_t>();
  for (auto [key, field] : {std::pair{"measure", &claim.measure}, std::pair{"clause", &claim.clause}}) {
    const auto it = doc.find(key);
    if (it == doc.end() || it->is_null()) continue;
    if (!it->is_string()) return std::string("\"") + key + "\" must be a string";
    *field = it->get<std::string>();
  }
  if (const auto id = doc.find("id"); id != doc.end()) claim.id = id->is_string() ? id->get<std::string>() : id->dump();
  line->claim = static_cast<int64_t>(batch->claims.size());
  batch->claims.push_back(std::move(claim));
  batch->eligible.push_back(std::move(doc));
  return "";
}

void ReadBatch(std::string_view input, std::string_view source, Batch* batch) {
  int64_t line_no = 0;
  while (!input.empty()) {
    const size_t nl = input.find('\n');
    std::string_view text = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    ++line_no;
    if (text.ends_with('\r')) text.remove_suffix(1);
    if (IsBlankLine(text)) continue;
    Line line{.text = text};
    std::string error = ReadDecision(text, batch, &line);
    if (!error.empty()) {
      if (++batch->malformed <= static_cast<int64_t>(kMaxReportedLines)) {
        batch->errors.push_back(std::string(source) + ":" + std::to_string(line_no) + ": " + error);
      }
      continue;
    }
    batch->lines.push_back(line);
  }
}

// 123456789 fen -> "1,234,567.89"
std::string Yuan(int64_t fen) {
  std::string digits = std::to_string(fen / 100);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  const int64_t cents = fen % 100;
  return grouped + "." + (cents < 10 ? "0" : "") + std::to_string(cents);
}

std::string Money(int64_t fen) { return std::to_string(fen) + " fen (" + Yuan(fen) + " yuan)"; }

std::string Scale(int64_t numerator, int64_t denominator) {
  if (numerator == denominator) return "paid in full";
  return "scale " + FormatScale(numerator, denominator) + " = " + std::to_string(numerator) + "/" +
         std::to_string(denominator);
}

void PrintSummary(const AllocationPlan& plan, const Batch& batch, const AllocationResult& result) {
  std::cerr << "qgrant allocate: decisions " << batch.lines.size() << ", eligible " << batch.claims.size()
            << "; approved " << Money(result.amount_fen);
  if (result.payable_fen != result.amount_fen) std::cerr << ", " << Money(result.payable_fen) << " in whole units of " << plan.unit_fen << " fen";
  std::cerr << "; budget " << Money(plan.budget_fen) << "; allocated " << Money(result.allocated_fen);
  if (plan.strategy == Strategy::kProRata) {
    std::cerr << "; " << Scale(result.groups[0].scale_numerator, result.groups[0].scale_denominator) << "\n";
    return;
  }
  std::cerr << "\n";
  const bool tiers = plan.strategy == Strategy::kTiers;
  for (const GroupStep& g : result.groups) {
    std::cerr << "  " << (tiers ? "tier " : "pool ") << g.name << ": " << g.claims << " eligible, approved "
              << Yuan(g.amount_fen) << " yuan, " << (tiers ? "left for it " : "budget ") << Yuan(g.budget_fen)
              << " yuan";
    if (g.available_fen != g.budget_fen) {
      std::cerr << " + " << Yuan(g.available_fen - g.budget_fen) << " yuan from other pools";
    }
    std::cerr << ", allocated " << Yuan(g.allocated_fen) << " yuan, " << Scale(g.scale_numerator, g.scale_denominator)
              << "\n";
  }
}

ordered_json StepJson(const AllocationPlan& plan, const GroupStep& step) {
  ordered_json out;
  out["strategy"] = StrategyName(plan.strategy);
  if (plan.strategy == Strategy::kTiers) out["tier"] = step.name;
  if (plan.strategy == Strategy::kPools) out["pool"] = step.name;
  out["scale"] = FormatScale(step.scale_numerator, step.scale_denominator);
  out["scale_numerator"] = step.scale_numerator;
  out["scale_denominator"] = step.scale_denominator;
  out["unit_fen"] = plan.unit_fen;
  return out;
}

// The budget step of one decision, in words as well: its approved amount (the ceiling-capped
// amount of the decision), the scale of its group, and what is paid.
ordered_json ExplainedStep(ordered_json step, const GroupStep& g, const Allocation& a) {
  step["approved_fen"] = a.amount_fen;
  const std::string scale = FormatScale(g.scale_numerator, g.scale_denominator) + " (" +
                            std::to_string(g.scale_numerator) + "/" + std::to_string(g.scale_denominator) + ")";
  if (a.allocated_fen == a.amount_fen) {
    step["zh"] = "核定金额" + engine::YuanZh(a.amount_fen) + "，预算足额，全额拨付" + engine::YuanZh(a.allocated_fen) +
                 "（第四（十二）条）";
    step["en"] = "Approved " + engine::YuanEn(a.amount_fen) + "; the budget covers it: " +
                 engine::YuanEn(a.allocated_fen) + " is paid in full (clause 4(12))";
  } else {
    step["zh"] = "核定金额" + engine::YuanZh(a.amount_fen) + "，年度预算不足，按比例" + scale + "折算，拨付" +
                 engine::YuanZh(a.allocated_fen) + "（第四（十二）条：实际支持金额受年度资金预算总量控制）";
    step["en"] = "Approved " + engine::YuanEn(a.amount_fen) + "; the budget is short, scaled by " + scale + ": " +
                 engine::YuanEn(a.allocated_fen) + " is paid (clause 4(12): amounts are controlled by the annual budget)";
  }
  return step;
}

int Run(const Options& opts, const CLI::App& cmd) {
  Result<AllocationPlan> plan = BuildPlan(opts, cmd);
  if (!plan.ok()) {
    std::cerr << "qgrant allocate: " << plan.status().message() << "\n";
    return kUnusableArguments;
  }

  std::string input;
  std::string source = opts.input;
  if (opts.input == "-") {
    source = "<stdin>";
    std::ostringstream text;
    text << std::cin.rdbuf();
    input = std::move(text).str();
  } else {
    std::ifstream in(opts.input, std::ios::binary);
    if (!in) {
      std::cerr << "qgrant allocate: cannot read " << opts.input << "\n";
      return kUnusableArguments;
    }
    std::ostringstream text;
    text << in.rdbuf();
    input = std::move(text).str();
  }

  Batch batch;
  ReadBatch(input, source, &batch);
  if (batch.malformed > 0) {
    for (const std::string& e : batch.errors) std::cerr << e << "\n";
    if (batch.malformed > static_cast<int64_t>(kMaxReportedLines)) {
      std::cerr << "... and " << batch.malformed - static_cast<int64_t>(kMaxReportedLines) << " more\n";
    }
    std::cerr << "qgrant allocate: " << batch.malformed << " malformed line(s); nothing allocated, no output written\n";
    return kMalformedInput;
  }

  Result<AllocationResult> result = Allocate(batch.claims, *plan);
  if (!result.ok()) {
    std::cerr << "qgrant allocate: " << result.status().message() << "; nothing allocated, no output written\n";
    return kMalformedInput;
  }

  std::vector<ordered_json> steps;
  for (const GroupStep& g : result->groups) steps.push_back(StepJson(*plan, g));
  std::string out;
  for (const Line& line : batch.lines) {
    if (line.claim < 0) {
      out.append(line.text);
    } else {
      ordered_json& doc = batch.eligible[line.claim];
      const Allocation& a = result->allocations[line.claim];
      doc["allocated_fen"] = a.allocated_fen;
      doc["allocation"] = ExplainedStep(steps[a.group], result->groups[a.group], a);
      out += doc.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    }
    out += '\n';
    if (out.size() >= (1 << 16)) {
      std::cout << out;
      out.clear();
    }
  }
  std::cout << out << std::flush;
  PrintSummary(*plan, batch, *result);
  return 0;
}

}  // namespace

void AddAllocateCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand(
      "allocate",
      "Pay eligible decisions out of the annual budget: adds allocated_fen (in full, or scaled down when the "
      "approved total exceeds the budget)");
  auto opts = std::make_shared<Options>();
  cmd->add_option("--budget-fen", opts->budget_fen, "the budget in fen (1 yuan = 100 fen); never exceeded")
      ->required();
  cmd->add_option("--strategy", opts->strategy, "pro_rata (default), tiers or pools");
  cmd->add_option("--unit-fen", opts->unit_fen, "pay in multiples of this many fen, e.g. 100 for whole yuan");
  cmd->add_option("--plan", opts->plan_file, "YAML plan: strategy, unit_fen, tiers, pools, redistribute");
  cmd->add_option("--tier", opts->tiers,
                  "NAME=MEASURE[,clause:CLAUSE...]: a tier paid before the later ones (repeatable, in order)")
      ->allow_extra_args(false);
  cmd->add_option("--pool", opts->pools, "NAME:BUDGET_FEN=MEASURE[,clause:CLAUSE...]: a separate envelope (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--redistribute", opts->redistribute,
                  "pools: what happens to money a pool does not need: none, proportional or in_order");
  cmd->add_option("DECISIONS", opts->input, "decisions as JSON Lines (qgrant eval output); stdin when absent or -");
  cmd->callback([opts, cmd, exit_code]() { *exit_code = Run(*opts, *cmd); });
}

}  // namespace qgrant::cli
