#include "screen/screening.h"

#include <optional>
#include <unordered_set>

#include "common/csv.h"
#include "common/money.h"
#include "engine/application.h"
#include "engine/evaluator.h"
#include "simulate/registry.h"

namespace qgrant::screen {
namespace {

std::string Basis(const engine::Decision& d, const policy::Measure* m) {
  std::string clause = m ? "第" + m->clause + "条" : "";
  if (d.outcome == engine::Outcome::kUndetermined) {
    std::string missing;
    for (const auto& f : d.missing_facts) missing += (missing.empty() ? "" : "、") + f;
    return clause + "；待补充：" + missing;
  }
  std::string reasons;
  for (const auto& r : d.reasons) reasons += (reasons.empty() ? "" : "；") + r.Text().zh;
  return clause + (reasons.empty() ? "" : "：" + reasons);
}

}  // namespace

Result<ScreenResult> Screen(const LineSource& source, const policy::RuleSet& rules,
                            const engine::Ledger& start, const RowSink& sink) {
  ScreenResult result;
  engine::Ledger ledger = start;
  Result<simulate::RegistryStart> head = simulate::StartRegistry(source);
  if (!head.ok()) return head.status();
  const std::optional<simulate::CsvLayout>& csv = head->csv;
  int64_t line_number = head->line_number;
  std::string_view line;
  simulate::RegistryReader registry(csv ? &*csv : nullptr);
  engine::ApplicationReader reader(rules, /*partial=*/true);
  const engine::Evaluator evaluator(rules);
  simulate::RegistryRecord record;
  engine::Application app;
  std::unordered_set<std::string> units;
  auto handle = [&](std::string_view text, int64_t at) {
    ++result.lines;
    registry.Read(text, &record);
    if (!record.error.empty()) {
      ++result.bad_lines;
      if (result.bad_line_examples.size() < 5) {
        result.bad_line_examples.push_back("line " + std::to_string(at) + ": " + record.error);
      }
      return;
    }
    units.insert(record.uscc.empty() ? "#line" + std::to_string(at) : record.uscc);
    for (const std::string& json : record.applications) {
      reader.Read(json, &app);
      engine::Decision d = evaluator.Decide(app, &ledger, /*explain=*/false);
      ++result.counts[static_cast<int>(d.outcome)];
      ScreenRow row;
      row.uscc = app.uscc.empty() ? record.uscc : app.uscc;
      row.name = app.name;
      row.district = record.district;
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
      if (sink) sink(row, d);
      if (d.outcome == engine::Outcome::kEligible || d.outcome == engine::Outcome::kUndetermined) {
        result.candidates.push_back(std::move(row));
      }
    }
  };
  if (head->have_first) handle(head->first, line_number);
  while (source(&line)) {
    ++line_number;
    if (IsBlankLine(line)) continue;
    handle(line, line_number);
  }
  result.units = static_cast<int64_t>(units.size());
  return result;
}

namespace {

const char* OutcomeZh(engine::Outcome o) {
  return o == engine::Outcome::kEligible ? "符合条件" : "待补充信息";
}

std::string MissingList(const ScreenRow& row) {
  std::string out;
  for (const auto& f : row.missing_facts) out += (out.empty() ? "" : "; ") + f;
  return out;
}

}  // namespace

Result<int64_t> EligibleFen(const ScreenResult& r) {
  money::Total total;
  for (const auto& row : r.candidates) {
    if (row.outcome == engine::Outcome::kEligible && !total.Add(row.amount_fen))
      return total.status();
  }
  return total.fen();
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
