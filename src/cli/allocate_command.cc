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
//
// The file is read in two passes (alloc/decisions_file.h), so a round of ten million decisions
// needs memory for a few numbers per eligible decision, not for its JSON; stdin is spooled to a
// temporary file first. A repeated decision id, a repeated member name, or an amount that is not
// an integer from 0 to 10^15 fen or lies above the decision's cap_fen is a malformed line.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>

#include "alloc/allocate.h"
#include "alloc/decisions_file.h"
#include "alloc/plan_yaml.h"
#include "cli/commands.h"
#include "common/money.h"

namespace qgrant::cli {
namespace {

using namespace qgrant::alloc;

constexpr int kMalformedInput = 1;
constexpr int kUnusableArguments = 2;

struct Options {
  int64_t budget_fen = 0;
  std::string strategy;
  int64_t unit_fen = 1;
  std::string plan_file;
  std::string guide_file;
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

bool IsGuideFile(const std::string& path) {
  try {
    const YAML::Node n = YAML::LoadFile(path);
    return n.IsMap() && n["kind"] && n["kind"].as<std::string>("") == "guide";
  } catch (const YAML::Exception&) {
    return false;
  }
}

// The plan file or the guide, overridden by the flags given on the command line.
Result<AllocationPlan> BuildPlan(const Options& opts, const CLI::App& cmd) {
  AllocationPlan plan;
  std::optional<int64_t> guide_budget;
  // --plan accepts a guide too: the guide's budget and strategy are the year's plan.
  const std::string guide_file = !opts.guide_file.empty()                                 ? opts.guide_file
                                 : !opts.plan_file.empty() && IsGuideFile(opts.plan_file) ? opts.plan_file
                                                                                          : std::string();
  if (!guide_file.empty()) {
    if (!opts.guide_file.empty() && !opts.plan_file.empty()) {
      return Status::InvalidArgument("--guide 与 --plan 只能选一 / give --guide or --plan, not both");
    }
    Result<AllocationPlan> loaded = LoadGuidePlan(guide_file, &guide_budget);
    if (!loaded.ok()) return loaded.status();
    plan = std::move(loaded).value();
  } else if (!opts.plan_file.empty()) {
    Result<AllocationPlan> loaded = LoadPlanFile(opts.plan_file);
    if (!loaded.ok()) return loaded.status();
    plan = std::move(loaded).value();
  }
  if (cmd.count("--budget-fen") > 0) {
    plan.budget_fen = opts.budget_fen;
  } else if (guide_budget) {
    plan.budget_fen = *guide_budget;
  } else {
    return Status::InvalidArgument(
        "没有预算：请用 --budget-fen 给出，或用 --guide 指定含 budget_fen 的申报指南 / no budget: give --budget-fen, "
        "or a --guide "
        "with budget_fen");
  }
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

std::string Money(int64_t fen) { return std::to_string(fen) + " fen (" + money::YuanEnglish(fen) + ")"; }

std::string Scale(int64_t numerator, int64_t denominator) {
  if (numerator == denominator) return "paid in full";
  return "scale " + FormatScale(numerator, denominator) + " = " + std::to_string(numerator) + "/" +
         std::to_string(denominator);
}

void PrintSummary(const AllocationPlan& plan, const EligibleDecisions& eligible, const AllocationResult& result) {
  std::cerr << "qgrant allocate: decisions " << eligible.decisions << ", eligible " << eligible.amounts.size()
            << "; approved " << Money(result.amount_fen);
  if (result.payable_fen != result.amount_fen)
    std::cerr << ", " << Money(result.payable_fen) << " in whole units of " << plan.unit_fen << " fen";
  std::cerr << "; budget " << Money(plan.budget_fen) << "; allocated " << Money(result.allocated_fen);
  if (plan.strategy == Strategy::kProRata) {
    std::cerr << "; " << Scale(result.groups[0].scale_numerator, result.groups[0].scale_denominator) << "\n";
    return;
  }
  std::cerr << "\n";
  const bool tiers = plan.strategy == Strategy::kTiers;
  for (const GroupStep& g : result.groups) {
    std::cerr << "  " << (tiers ? "tier " : "pool ") << g.name << ": " << g.claims << " eligible, approved "
              << money::YuanEnglish(g.amount_fen) << ", " << (tiers ? "left for it " : "budget ")
              << money::YuanEnglish(g.budget_fen);
    if (g.available_fen != g.budget_fen)
      std::cerr << " + " << money::YuanEnglish(g.available_fen - g.budget_fen) << " from other pools";
    std::cerr << ", allocated " << money::YuanEnglish(g.allocated_fen) << ", "
              << Scale(g.scale_numerator, g.scale_denominator) << "\n";
  }
}

int Run(const Options& opts, const CLI::App& cmd) {
  Result<AllocationPlan> plan = BuildPlan(opts, cmd);
  if (!plan.ok()) {
    std::cerr << "qgrant allocate: " << plan.status().message() << "\n";
    return kUnusableArguments;
  }

  InputText input;
  const std::string source = opts.input == "-" ? "<stdin>" : opts.input;
  if (Status opened = input.Open(opts.input); !opened.ok()) {
    std::cerr << "qgrant allocate: " << opened.message() << "\n";
    return kUnusableArguments;
  }

  EligibleDecisions eligible;
  const ScanReport report = ScanDecisions(input, source, GroupIndex(*plan), 0, &eligible);
  if (!report.failure.empty()) {
    std::cerr << "qgrant allocate: " << report.failure << "; nothing allocated, no output written\n";
    return kUnusableArguments;
  }
  if (report.error_count > 0) {
    for (const std::string& e : report.errors) std::cerr << e << "\n";
    if (report.error_count > static_cast<int64_t>(kMaxReportedErrors)) {
      std::cerr << "... and " << report.error_count - static_cast<int64_t>(kMaxReportedErrors) << " more\n";
    }
    std::cerr << "qgrant allocate: " << report.error_count
              << " malformed line(s); nothing allocated, no output written / 输入有误，未分配，未输出\n";
    return kMalformedInput;
  }

  Result<AllocationResult> result = Allocate(eligible.amounts, eligible.groups, *plan);
  if (!result.ok()) {
    std::cerr << "qgrant allocate: " << result.status().message() << "; nothing allocated, no output written\n";
    return result.status().code() == Status::Code::kInternal ? kUnusableArguments : kMalformedInput;
  }
  if (Status written = WriteAllocated(input, eligible, *plan, *result, stdout); !written.ok()) {
    std::cerr << "qgrant allocate: " << written.message() << "\n";
    return kUnusableArguments;
  }
  PrintSummary(*plan, eligible, *result);
  return 0;
}

}  // namespace

void AddAllocateCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("allocate",
                                 "Pay eligible decisions out of the annual budget: adds "
                                 "allocated_fen (in full, or scaled down when the "
                                 "approved total exceeds the budget)");
  auto opts = std::make_shared<Options>();
  // A whole number as written: CLI11 reads "" as 0 and a number past int64 as its largest value,
  // which would then be reported as if it had been given.
  const auto whole_fen = [](const std::string& text) -> std::string {
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
      return "须为整数（分）/ must be a whole number of fen, got '" + text + "'";
    return "";
  };
  cmd->add_option("--budget-fen", opts->budget_fen,
                  "the budget in fen (1 yuan = 100 fen); never exceeded (default: the guide's budget_fen)")
      ->check(whole_fen);
  cmd->add_option("--guide", opts->guide_file,
                  "the year's guide (YAML): its budget_fen and allocation strategy are used");
  cmd->add_option("--strategy", opts->strategy, "pro_rata (default), tiers or pools");
  cmd->add_option("--unit-fen", opts->unit_fen, "pay in multiples of this many fen, e.g. 100 for whole yuan")
      ->check(whole_fen);
  cmd->add_option("--plan", opts->plan_file, "YAML plan: strategy, unit_fen, tiers, pools, redistribute");
  cmd->add_option("--tier", opts->tiers,
                  "NAME=MEASURE[,clause:CLAUSE...]: a tier paid before the later ones (repeatable, "
                  "in order)")
      ->allow_extra_args(false);
  cmd->add_option("--pool", opts->pools, "NAME:BUDGET_FEN=MEASURE[,clause:CLAUSE...]: a separate envelope (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--redistribute", opts->redistribute,
                  "pools: what happens to money a pool does not need: none, proportional or in_order");
  cmd->add_option("DECISIONS", opts->input, "decisions as JSON Lines (qgrant eval output); stdin when absent or -");
  cmd->callback([opts, cmd, exit_code]() { *exit_code = Run(*opts, *cmd); });
}

}  // namespace qgrant::cli
