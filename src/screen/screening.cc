#include "screen/screening.h"

#include <span>
#include <utility>

#include "common/csv.h"
#include "common/money.h"
#include "engine/application.h"
#include "engine/evaluator.h"
#include "policy/words.h"
#include "simulate/registry.h"

namespace qgrant::screen {
namespace {

std::string Basis(const engine::Decision& d, const policy::Measure* m) {
  std::string clause = m ? policy::CiteZh(m->clause) : "";  // 第（三）条, as the reasons cite items
  if (d.outcome == engine::Outcome::kUndetermined) {
    std::string missing;
    for (const auto& f : d.missing_facts) missing += (missing.empty() ? "" : "、") + f;
    return clause + "；待补充：" + missing;
  }
  std::string reasons;
  for (const auto& r : d.reasons) reasons += (reasons.empty() ? "" : "；") + r.Text().zh;
  return clause + (reasons.empty() ? "" : "：" + reasons);
}

// One unit and measure, as screen reports it.
ScreenRow Row(const engine::RoundUnit& unit, const engine::Application& app, const engine::Decision& d,
              const policy::RuleSet& rules) {
  ScreenRow row;
  row.uscc = app.uscc.empty() ? unit.uscc : app.uscc;
  row.name = app.name;
  row.district = unit.district;
  row.measure = app.measure;
  const policy::Measure* m = rules.FindMeasure(app.measure);
  if (m) {
    row.clause = m->clause;
    row.measure_title = m->title;
  }
  row.outcome = d.outcome;
  row.amount_fen = d.amount_fen;
  row.missing_facts = d.missing_facts;
  row.subject = app.subject;
  row.basis = Basis(d, m);
  return row;
}

}  // namespace

Result<ScreenResult> Screen(const LineSource& source, const policy::RuleSet& rules, const engine::Ledger& start,
                            const RowSink& sink, Candidates candidates, size_t expected_units,
                            std::vector<std::string> sample) {
  ScreenResult result;
  engine::Ledger ledger = start;
  Result<simulate::RegistryStart> head = simulate::StartRegistry(source);
  if (!head.ok()) return head.status();
  const engine::Evaluator evaluator(rules);
  simulate::UnitSet units;
  units.Reserve(expected_units);
  engine::RoundOptions options;
  options.partial = true;
  options.workers = engine::RoundWorkers(0);
  options.expected_lines = expected_units;
  options.sample = std::move(sample);
  options.read_unit = simulate::RegistryReader::ForRound(head->csv ? &*head->csv : nullptr, options.workers);
  options.take_units = [&](std::span<const engine::RoundUnit> chunk, std::span<const int64_t> numbers) {
    result.lines += static_cast<int64_t>(chunk.size());
    units.InsertUnits(chunk, [&](size_t) { ++result.units; });
    for (size_t i = 0; i < chunk.size(); ++i) {
      if (!chunk[i].error.empty() && ++result.bad_lines <= 5)
        result.bad_line_examples.push_back("line " + std::to_string(numbers[i]) + ": " + chunk[i].error);
    }
  };
  options.take = [&](size_t, const engine::RoundUnit* unit, int64_t, size_t, const engine::Application& app,
                     const engine::Decision& d) {
    ++result.counts[static_cast<int>(d.outcome)];
    if (d.outcome == engine::Outcome::kEligible) (void)result.eligible.Add(d.amount_fen);
    ScreenRow row = Row(*unit, app, d, rules);
    if (sink) sink(row, d);
    if (candidates == Candidates::kKeep &&
        (d.outcome == engine::Outcome::kEligible || d.outcome == engine::Outcome::kUndetermined)) {
      result.candidates.push_back(std::move(row));
    }
  };
  simulate::RegistrySource lines(*head, source);
  engine::RoundSummary summary;
  engine::RoundDriver(evaluator).Run(&lines, &ledger, options, &summary);
  return result;
}

namespace {

const char* OutcomeZh(engine::Outcome o) { return o == engine::Outcome::kEligible ? "符合条件" : "待补充信息"; }

std::string MissingList(const ScreenRow& row) {
  std::string out;
  for (const auto& f : row.missing_facts) out += (out.empty() ? "" : "; ") + f;
  return out;
}

}  // namespace

Result<int64_t> EligibleFen(const ScreenResult& r) {
  if (!r.eligible.ok()) return r.eligible.status();
  return r.eligible.fen();
}

std::string CandidatesCsv(const ScreenResult& r) {
  std::string out = "\xEF\xBB\xBF";  // byte-order mark: spreadsheet programs then read UTF-8
  out += "统一社会信用代码,单位名称,措施,条款,金额（万元）,依据,结论,缺少的事实,措施编号,事项\n";
  for (const auto& row : r.candidates) {
    AppendCsvField(&out, row.uscc);
    out += ',';
    AppendCsvField(&out, row.name);
    out += ',';
    AppendCsvField(&out, row.measure_title.zh);
    out += ',';
    AppendCsvField(&out, row.clause);
    out += ',';
    if (row.outcome == engine::Outcome::kEligible) out += money::WanFixed(row.amount_fen, 6, false);
    out += ',';
    AppendCsvField(&out, row.basis);
    out += ',';
    out += OutcomeZh(row.outcome);
    out += ',';
    AppendCsvField(&out, MissingList(row));
    out += ',';
    AppendCsvField(&out, row.measure);
    out += ',';
    AppendCsvField(&out, row.subject);
    out += '\n';
  }
  return out;
}

}  // namespace qgrant::screen
