// Cost simulation (`qgrant simulate`, doc/simulation.md): the units of a registry apply for
// every achievement they hold, under two versions of the rules — a baseline and a reform — and
// the eligible units and amounts are counted per measure, in total and by district and applicant
// kind. Each achievement is read by engine::ApplicationReader and decided by the engine's round
// driver (engine/round.h), as `qgrant eval` decides, so a simulation never disagrees with the
// decisions the same rules would make; the two scenarios are two rounds over one reading.
// Amounts are eligible amounts (every amount a ceiling) before any budget allocation.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/ledger.h"
#include "policy/model.h"
#include "simulate/registry.h"

namespace qgrant::simulate {

enum Scenario { kBaseline = 0, kReform = 1 };
// The breakdowns: the unit's district and its applicant kind, as the registry states them.
enum Dimension { kDistrict = 0, kKind = 1 };

// A measure of either version of the rules, in the baseline's order, then the reform's new ones.
struct MeasureRow {
  std::string id;
  std::string clause;
  policy::Text title;
  // Per scenario: how the measure supports units there; nullopt when it is not in force.
  std::optional<policy::Support> support[2];
  bool Paid() const {
    return support[kBaseline] == policy::Support::kPayment || support[kReform] == policy::Support::kPayment;
  }
  bool Referred() const {
    return support[kBaseline] == policy::Support::kReferral || support[kReform] == policy::Support::kReferral;
  }
};

// Eligible units and the sum of their eligible amounts.
struct Cell {
  int64_t units = 0;
  int64_t fen = 0;
};

// One scenario's figures for the whole registry or one group of it.
struct Figures {
  std::vector<Cell> measures;  // by MeasureRow index
  Cell total;                  // units: eligible for at least one measure
};

// A line of the registry that could not be used, or an invalid application.
struct Problem {
  int64_t line = 0;
  std::string message;
};

struct ScenarioResult {
  std::string label;  // the rules: policy, version, amendments and reform, guide, date
  int64_t applications = 0, eligible = 0, referred = 0, invalid = 0;
  int64_t ineligible() const { return applications - eligible - referred - invalid; }
  Figures all;
  std::vector<int64_t> referred_units;       // by MeasureRow index
  std::map<std::string, Figures> groups[2];  // by Dimension; "" is the group of units that do not say
  std::vector<Problem> invalid_examples;     // the first few invalid applications
};

struct SimulationResult {
  bool csv = false;   // the registry was CSV
  int64_t lines = 0;  // non-blank registry lines (a CSV header excluded)
  int64_t units = 0;  // distinct units (by USCC; a line without one counts as a unit of its own)
  int64_t bad_lines = 0;
  std::vector<Problem> bad_line_examples;
  std::vector<MeasureRow> measures;
  std::map<std::string, int64_t> registry_units[2];  // by Dimension: units in each group
  ScenarioResult scenarios[2];
};

// How many problems of each kind are kept as examples.
inline constexpr size_t kProblemExamples = 5;

// Hands out the registry's lines one by one; a view is valid until the next call. False at the end.
using LineSource = std::function<bool(std::string_view*)>;

struct SimulationOptions {
  size_t threads = 0;  // the round's threads; 0: one per core
  // The registry's lines, estimated before reading (cli::LineReader::EstimateLines): the table of
  // distinct units is made that size at once, and each scenario's ledger makes room for what the
  // registry will add (RoundOptions::expected_lines). 0: not known.
  size_t expected_units = 0;
  // Lines from all over the registry (cli::LineReader::SampleLines), for the scenarios' ledgers
  // to be sized by (RoundOptions::sample). Empty: the first batch.
  std::vector<std::string> sample;
  // Called now and then with the number of lines read so far.
  std::function<void(int64_t)> progress;
};

// Runs both scenarios over the registry. Each starts from its own copy of `ledger` and is one
// round in registry order (CONTRACT.md §6). Fails only when the registry is unusable (a bad CSV
// header); bad lines are counted and the run goes on.
Result<SimulationResult> Simulate(const LineSource& lines, const policy::RuleSet& baseline,
                                  const policy::RuleSet& reform, const engine::Ledger& ledger,
                                  const SimulationOptions& options);

// "sz-quality-brand 2026.1 + reform-2027-draft-certification, guide
// sz-quality-brand-guide-2026@2026.1, as of 2026-06-30"
std::string RulesLabel(const policy::RuleSet& rules);

}  // namespace qgrant::simulate
