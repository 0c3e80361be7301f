#include "simulate/simulation.h"

#include <algorithm>
#include <memory>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "common/money.h"
#include "common/parallel.h"
#include "engine/application.h"
#include "engine/decision.h"
#include "engine/evaluator.h"

namespace qgrant::simulate {

namespace {

// Lines per batch: large enough that starting threads per batch costs nothing, small enough
// that a batch of full units stays a few megabytes.
constexpr size_t kBatchLines = 8192;

// A slice of the registry on its way through the pipeline: read -> records and applications
// (parallel) -> decided in order, one thread per scenario.
struct Batch {
  struct Line {
    size_t offset, length;
    int64_t number;
  };
  std::string text;
  std::vector<Line> lines;
  std::vector<RegistryRecord> records;
  std::vector<std::vector<engine::Application>> apps[2];  // per scenario, per record
};

// A set of 64-bit hashes (open addressing), for counting millions of distinct units in a few
// bytes each. Two USCCs share a hash with a chance of about n²/2⁶⁵: nil at city scale.
class HashSet64 {
 public:
  bool Insert(uint64_t h) {
    if (h == 0) h = 1;  // 0 marks an empty slot
    if ((size_ + 1) * 10 > slots_.size() * 7) Grow();
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      if (slots_[i] == h) return false;
      if (slots_[i] == 0) {
        slots_[i] = h;
        ++size_;
        return true;
      }
    }
  }

 private:
  void Grow() {
    std::vector<uint64_t> old = std::move(slots_);
    slots_.assign(std::max<size_t>(1024, old.size() * 2), 0);
    size_ = 0;
    for (uint64_t h : old) {
      if (h != 0) Insert(h);
    }
  }

  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

uint64_t HashUscc(std::string_view uscc) {
  // std::hash is good enough in its high bits; the finaliser of splitmix64 spreads them to the
  // low bits the table indexes by.
  uint64_t x = std::hash<std::string_view>()(uscc);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

std::vector<MeasureRow> MeasureRows(const policy::RuleSet& baseline,
                                    const policy::RuleSet& reform) {
  std::vector<MeasureRow> rows;
  const policy::RuleSet* rules[2] = {&baseline, &reform};
  for (int s : {kBaseline, kReform}) {
    for (const policy::Measure* m : rules[s]->measures) {
      auto it = std::find_if(rows.begin(), rows.end(),
                             [&](const MeasureRow& r) { return r.id == m->id; });
      if (it == rows.end()) {
        rows.push_back({m->id, m->clause, m->title, {}});
        it = rows.end() - 1;
      }
      it->support[s] = m->support;
    }
  }
  return rows;
}

// One scenario: its rules, its own ledger, and the figures it adds up, decision by decision.
class ScenarioRun {
 public:
  ScenarioRun(const policy::RuleSet& rules, const engine::Ledger& ledger,
              const std::vector<MeasureRow>& rows, bool csv, ScenarioResult* out)
      : evaluator_(rules), ledger_(ledger), csv_(csv), out_(out) {
    for (size_t i = 0; i < rows.size(); ++i) row_index_[rows[i].id] = i;
    measures_ = rows.size();
    out_->label = RulesLabel(rules);
    out_->all.measures.assign(measures_, Cell{});
    out_->referred_units.assign(measures_, 0);
  }

  // Decides the batch's applications in registry order.
  const Status& status() const { return status_; }

  void Decide(const Batch& b, Scenario s) {
    for (size_t i = 0; i < b.records.size(); ++i) {
      const RegistryRecord& rec = b.records[i];
      if (!rec.error.empty()) {  // a bad line: one invalid application, in either scenario
        ++out_->applications;
        ++out_->invalid;
        continue;
      }
      const auto& apps = b.apps[s][i];
      for (size_t j = 0; j < apps.size(); ++j) {
        engine::Decision d = evaluator_.Decide(apps[j], &ledger_, /*explain=*/false);
        Count(d, rec, b.lines[i].number, j);
      }
    }
  }

 private:
  void Count(const engine::Decision& d, const RegistryRecord& rec, int64_t line, size_t index) {
    ++out_->applications;
    switch (d.outcome) {
      case engine::Outcome::kEligible: {
        ++out_->eligible;
        const size_t m = row_index_.at(d.measure);  // eligible only under a measure in force
        Figures* figures[3] = {&out_->all, &Group(kDistrict, rec.district),
                               &Group(kKind, rec.kind)};
        const bool new_for_measure = unit_measures_.insert(d.uscc + '\x1f' + d.measure).second;
        const bool new_unit = units_.insert(d.uscc).second;
        for (Figures* f : figures) {
          AddFen(&f->measures[m].fen, d.amount_fen);
          AddFen(&f->total.fen, d.amount_fen);
          if (new_for_measure) ++f->measures[m].units;
          if (new_unit) ++f->total.units;
        }
        break;
      }
      case engine::Outcome::kReferred:
        ++out_->referred;
        if (referred_.insert(d.uscc + '\x1f' + d.measure).second)
          ++out_->referred_units[row_index_.at(d.measure)];
        break;
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
      status_ = Status::InvalidArgument("模拟合计溢出 the simulated cost overflows: " +
                                        sum.status().message());
    }
  }

  Figures& Group(Dimension dim, const std::string& name) {
    auto& groups = out_->groups[dim];
    auto it = groups.find(name);
    if (it == groups.end()) {
      it = groups.emplace(name, Figures{}).first;
      it->second.measures.assign(measures_, Cell{});
    }
    return it->second;
  }

  const engine::Evaluator evaluator_;
  engine::Ledger ledger_;  // a copy: the scenarios must not see each other's round
  bool csv_;
  ScenarioResult* out_;
  std::unordered_map<std::string, size_t> row_index_;
  size_t measures_ = 0;
  std::unordered_set<std::string> unit_measures_, units_, referred_;
  Status status_;
};

// The registry itself: its distinct units, by group, and its bad lines.
class RegistryCount {
 public:
  explicit RegistryCount(SimulationResult* out) : out_(out) {}

  void Add(const Batch& b) {
    for (size_t i = 0; i < b.records.size(); ++i) {
      const RegistryRecord& rec = b.records[i];
      ++out_->lines;
      if (!rec.error.empty()) {
        ++out_->bad_lines;
        if (out_->bad_line_examples.size() < kProblemExamples) {
          out_->bad_line_examples.push_back({b.lines[i].number, rec.error});
        }
        continue;
      }
      if (!rec.uscc.empty() && !seen_.Insert(HashUscc(rec.uscc))) continue;
      ++out_->units;
      ++out_->registry_units[kDistrict][rec.district];
      ++out_->registry_units[kKind][rec.kind];
    }
  }

 private:
  SimulationResult* out_;
  HashSet64 seen_;
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
  const std::optional<CsvLayout>& csv = start->csv;
  result.csv = csv.has_value();
  int64_t line_number = start->line_number;
  bool have_first = start->have_first;
  const std::string& first = start->first;
  std::string_view line;

  const policy::RuleSet* rules[2] = {&baseline, &reform};
  const size_t workers =
      options.threads > 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<RegistryReader>> registry_readers;
  std::vector<std::unique_ptr<engine::ApplicationReader>> app_readers[2];
  for (size_t w = 0; w < workers; ++w) {
    registry_readers.push_back(std::make_unique<RegistryReader>(csv ? &*csv : nullptr));
    for (int s : {kBaseline, kReform})
      app_readers[s].push_back(std::make_unique<engine::ApplicationReader>(*rules[s]));
  }
  ScenarioRun runs[2] = {
      ScenarioRun(baseline, ledger, result.measures, result.csv, &result.scenarios[kBaseline]),
      ScenarioRun(reform, ledger, result.measures, result.csv, &result.scenarios[kReform]),
  };
  RegistryCount registry(&result);

  auto fill = [&](Batch* b) {
    b->text.clear();
    b->lines.clear();
    if (have_first) {
      b->lines.push_back({0, first.size(), line_number});
      b->text = first;
      have_first = false;
    }
    while (b->lines.size() < kBatchLines && source(&line)) {
      ++line_number;
      if (IsBlankLine(line)) continue;
      b->lines.push_back({b->text.size(), line.size(), line_number});
      b->text.append(line);
    }
    b->records.resize(b->lines.size());
    for (auto& a : b->apps) a.resize(b->lines.size());
  };
  auto parse = [&](Batch* b) {
    ParallelSlices(b->lines.size(), workers, [&](size_t begin, size_t end, size_t w) {
      for (size_t i = begin; i < end; ++i) {
        std::string_view text =
            std::string_view(b->text).substr(b->lines[i].offset, b->lines[i].length);
        RegistryRecord& rec = b->records[i];
        registry_readers[w]->Read(text, &rec);
        for (int s : {kBaseline, kReform}) {
          auto& apps = b->apps[s][i];
          apps.resize(rec.applications.size());
          for (size_t j = 0; j < apps.size(); ++j)
            app_readers[s][w]->Read(rec.applications[j], &apps[j]);
        }
      }
    });
  };

  // While the two scenarios decide one batch, each on its own thread, the next is read and parsed.
  Batch buffers[2];
  Batch* cur = &buffers[0];
  Batch* next = &buffers[1];
  fill(cur);
  parse(cur);
  while (!cur->lines.empty()) {
    std::thread background([&] {
      fill(next);
      parse(next);
    });
    std::thread reform_thread([&] { runs[kReform].Decide(*cur, kReform); });
    runs[kBaseline].Decide(*cur, kBaseline);
    registry.Add(*cur);
    reform_thread.join();
    background.join();
    std::swap(cur, next);
    if (options.progress) options.progress(result.lines);
  }
  for (const ScenarioRun& run : runs) QGRANT_RETURN_IF_ERROR(run.status());
  return result;
}

}  // namespace qgrant::simulate
