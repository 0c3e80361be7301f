#include "simulate/simulation.h"

#include <algorithm>
#include <span>
#include <unordered_map>
#include <utility>

#include "common/money.h"
#include "engine/application.h"
#include "engine/decision.h"
#include "engine/evaluator.h"
#include "engine/round.h"

namespace qgrant::simulate {

namespace {

// How often options.progress is told, in registry lines.
constexpr int64_t kProgressLines = 8192;

std::vector<MeasureRow> MeasureRows(const policy::RuleSet& baseline, const policy::RuleSet& reform) {
  std::vector<MeasureRow> rows;
  const policy::RuleSet* rules[2] = {&baseline, &reform};
  for (int s : {kBaseline, kReform}) {
    for (const policy::Measure* m : rules[s]->measures) {
      auto it = std::find_if(rows.begin(), rows.end(), [&](const MeasureRow& r) { return r.id == m->id; });
      if (it == rows.end()) {
        rows.push_back({m->id, m->clause, m->title, {}});
        it = rows.end() - 1;
      }
      it->support[s] = m->support;
    }
  }
  return rows;
}

// What `by_name` keeps for the group of `unit` in `dim` (its district or its kind), made by
// `make(name)` the first time.
template <typename T, typename Make>
T& GroupOf(ByName<T>* by_name, Dimension dim, const RegistryRecord& unit, Make make) {
  return dim == kDistrict ? by_name->Get(unit.names, unit.district_id, unit.district, make)
                          : by_name->Get(unit.names, unit.kind_id, unit.kind, make);
}

// One scenario: its rules, its own ledger, and the figures it adds up, decision by decision.
class ScenarioRun {
 public:
  ScenarioRun(const policy::RuleSet& rules, const engine::Ledger& ledger, const std::vector<MeasureRow>& rows, bool csv,
              ScenarioResult* out)
      : evaluator_(rules), ledger_(ledger), csv_(csv), out_(out) {
    for (size_t i = 0; i < rows.size(); ++i) row_index_[rows[i].id] = i;
    measures_ = rows.size();
    out_->label = RulesLabel(rules);
    out_->all.measures.assign(measures_, Cell{});
    out_->referred_units.assign(measures_, 0);
  }

  const Status& status() const { return status_; }
  const engine::Evaluator& evaluator() const { return evaluator_; }
  engine::Ledger* ledger() { return &ledger_; }

  // A bad line: one invalid application, in either scenario.
  void BadLine() {
    ++out_->applications;
    ++out_->invalid;
  }

  // Adds up a decision of the round, in registry order: `index` is its achievement's place in
  // the unit on registry line `line`.
  void Count(const engine::Decision& d, const RegistryRecord& rec, int64_t line, size_t index) {
    ++out_->applications;
    switch (d.outcome) {
      case engine::Outcome::kEligible: {
        ++out_->eligible;
        const size_t m = row_index_.at(d.measure);  // eligible only under a measure in force
        Figures* figures[3] = {&out_->all, &Group(kDistrict, rec), &Group(kKind, rec)};
        const uint64_t unit = UnitSet::Hash(d.uscc);
        const bool new_for_measure = unit_measures_.InsertHash(UnitSet::With(unit, m));
        const bool new_unit = units_.InsertHash(unit);
        for (Figures* f : figures) {
          AddFen(&f->measures[m].fen, d.amount_fen);
          AddFen(&f->total.fen, d.amount_fen);
          if (new_for_measure) ++f->measures[m].units;
          if (new_unit) ++f->total.units;
        }
        break;
      }
      case engine::Outcome::kReferred: {
        ++out_->referred;
        const size_t m = row_index_.at(d.measure);
        if (referred_.InsertHash(UnitSet::With(UnitSet::Hash(d.uscc), m))) ++out_->referred_units[m];
        break;
      }
      case engine::Outcome::kInvalid:
        ++out_->invalid;
        if (out_->invalid_examples.size() < kProblemExamples) {
          std::string message = csv_ ? "" : "achievements[" + std::to_string(index) + "] ";
          message += d.id ? *d.id : "";
          message += ":";
          for (size_t k = 0; k < d.reasons.size() && k < 3; ++k) {
            message += k ? "; " : " ";
            if (!d.reasons[k].path.empty()) message += d.reasons[k].path + ": ";
            message += d.reasons[k].Text().en;
          }
          out_->invalid_examples.push_back({line, std::move(message)});
        }
        break;
      default:  // ineligible
        break;
    }
  }

  // Adds to a figure through the money module: a sum passing 10^15 fen fails the run (status())
  // instead of wrapping into a wrong cost.
  void AddFen(int64_t* figure, int64_t fen) {
    Result<int64_t> sum = money::Add(*figure, fen);
    if (sum.ok()) {
      *figure = *sum;
    } else if (status_.ok()) {
      status_ = Status::InvalidArgument("模拟合计溢出 the simulated cost overflows: " + sum.status().message());
    }
  }

  // The figures of the unit's district or kind.
  Figures& Group(Dimension dim, const RegistryRecord& unit) {
    return GroupOf(&groups_[dim], dim, unit, [&](const std::string& n) -> Figures& {
      auto [it, added] = out_->groups[dim].try_emplace(n);
      if (added) it->second.measures.assign(measures_, Cell{});
      return it->second;
    });
  }

  const engine::Evaluator evaluator_;
  engine::Ledger ledger_;  // a copy: the scenarios must not see each other's round
  bool csv_;
  ScenarioResult* out_;
  std::unordered_map<std::string, size_t> row_index_;
  size_t measures_ = 0;
  // Distinct units, and (unit, measure) pairs, by hash (UnitSet), as the registry's units are.
  UnitSet unit_measures_, units_, referred_;
  ByName<Figures> groups_[2];  // by Dimension
  Status status_;
};

// The registry itself: its distinct units, by group, and its bad lines.
class RegistryCount {
 public:
  RegistryCount(SimulationResult* out, size_t expected_units) : out_(out) { seen_.Reserve(expected_units); }

  // Units of the registry in registry order, and the lines they were on.
  void Add(std::span<const RegistryRecord> units, std::span<const int64_t> lines) {
    out_->lines += static_cast<int64_t>(units.size());
    for (size_t i = 0; i < units.size(); ++i) {
      if (units[i].error.empty()) continue;
      ++out_->bad_lines;
      if (out_->bad_line_examples.size() < kProblemExamples) {
        out_->bad_line_examples.push_back({lines[i], units[i].error});
      }
    }
    seen_.InsertUnits(units, [&](size_t i) {
      ++out_->units;
      ++Counter(kDistrict, units[i]);
      ++Counter(kKind, units[i]);
    });
  }

 private:
  // A group's count in registry_units, found by the number the reader gave its name: every unit
  // passes here, in the round's in-order step, and hashing and comparing the names was most of it.
  int64_t& Counter(Dimension dim, const RegistryRecord& unit) {
    return GroupOf(&counters_[dim], dim, unit,
                   [&](const std::string& n) -> int64_t& { return out_->registry_units[dim][n]; });
  }

  SimulationResult* out_;
  UnitSet seen_;
  ByName<int64_t> counters_[2];  // by Dimension
};

}  // namespace

std::string RulesLabel(const policy::RuleSet& rules) {
  std::string s = rules.policy->id + " " + rules.policy->version;
  for (const auto& a : rules.amendments_applied) s += " + " + a;
  if (rules.guide) s += ", guide " + rules.guide->id + "@" + rules.guide->version;
  s += ", as of " + policy::FormatDate(rules.as_of);
  if (!rules.in_force) s += " (not in force on that date)";
  return s;
}

Result<SimulationResult> Simulate(const LineSource& source, const policy::RuleSet& baseline,
                                  const policy::RuleSet& reform, const engine::Ledger& ledger,
                                  const SimulationOptions& options) {
  SimulationResult result;
  result.measures = MeasureRows(baseline, reform);

  // The first non-blank line says the format: a CSV header, or the first unit.
  Result<RegistryStart> start = StartRegistry(source);
  if (!start.ok()) return start.status();
  result.csv = start->csv.has_value();
  ScenarioRun runs[2] = {
      ScenarioRun(baseline, ledger, result.measures, result.csv, &result.scenarios[kBaseline]),
      ScenarioRun(reform, ledger, result.measures, result.csv, &result.scenarios[kReform]),
  };
  RegistryCount registry(&result, options.expected_units);

  // Both scenarios are rounds of one driver: the registry is read once, each achievement is
  // decided under either rules against either ledger.
  engine::RoundOptions o;
  o.workers = engine::RoundWorkers(options.threads);
  o.expected_lines = options.expected_units;
  o.sample = options.sample;
  o.read_unit = RegistryReader::ForRound(start->csv ? &*start->csv : nullptr, o.workers);
  o.take_units = [&](std::span<const RegistryRecord> units, std::span<const int64_t> lines) {
    const int64_t before = result.lines;
    registry.Add(units, lines);
    for (const RegistryRecord& unit : units) {
      if (!unit.error.empty()) {
        for (ScenarioRun& run : runs) run.BadLine();
      }
    }
    if (options.progress && before / kProgressLines != result.lines / kProgressLines) options.progress(result.lines);
  };
  o.take = [&](size_t s, const RegistryRecord* unit, int64_t line, size_t index, const engine::Application&,
               const engine::Decision& d) { runs[s].Count(d, *unit, line, index); };
  RegistrySource lines(*start, source);
  engine::Ledger* ledgers[] = {runs[kBaseline].ledger(), runs[kReform].ledger()};
  engine::RoundSummary summaries[2];
  engine::RoundDriver({&runs[kBaseline].evaluator(), &runs[kReform].evaluator()}).Run(&lines, ledgers, o, summaries);
  for (const ScenarioRun& run : runs) QGRANT_RETURN_IF_ERROR(run.status());
  return result;
}

}  // namespace qgrant::simulate
