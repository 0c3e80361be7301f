// Screening (`qgrant screen`): finding the units of a registry that qualify without waiting for
// them to apply — the basis of 免申即享 (support without application) lists and of pushing
// policies to units. Every achievement a unit's record holds is decided as an application would
// be, with one difference: a fact the record does not give is unknown, not missing. CEL's
// three-valued logic carries the unknown through the conditions, and a decision that a missing
// fact could still change is `undetermined`, with the facts that would decide it. Screening is
// sound: a unit is never reported eligible when a missing fact could make it ineligible.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/money.h"
#include "common/status.h"
#include "engine/decision.h"
#include "engine/ledger.h"
#include "policy/model.h"

namespace qgrant::screen {

// One unit and measure.
struct ScreenRow {
  std::string uscc;
  std::string name;
  std::string district;
  std::string measure;
  std::string clause;
  policy::Text measure_title;
  engine::Outcome outcome = engine::Outcome::kIneligible;
  int64_t amount_fen = 0;
  std::vector<std::string> missing_facts;
  std::string basis;  // 依据: the clause and the reason, in Chinese
  std::string subject;
};

struct ScreenResult {
  std::vector<ScreenRow> candidates;  // eligible and undetermined rows, registry order, when kept
  money::Total eligible;              // the eligible rows' amounts, checked (kept or not)
  int64_t lines = 0, units = 0, bad_lines = 0;
  std::vector<std::string> bad_line_examples;  // "line N: message"
  int64_t counts[5] = {0, 0, 0, 0, 0};         // by engine::Outcome
};

using LineSource = std::function<bool(std::string_view*)>;

// Called for every row, candidates or not, in registry order, with the full decision (for
// streaming output). The decision may refer to reasons of Screen's evaluator: use it in the call.
using RowSink = std::function<void(const ScreenRow&, const engine::Decision&)>;

// Screens the registry (JSON Lines or CSV, as doc/simulation.md describes) under `rules`, one
// round in registry order starting from `ledger`, through the engine's round driver (every core). Fails only when the
// registry is unusable (a bad CSV header); bad lines are counted and the run goes on.
// kCount keeps only the tallies (memory then does not grow with the registry), for a caller that
// needs no candidate list. `expected_units`: the registry's lines, estimated before reading
// (cli::LineReader::EstimateLines), for the table of distinct units to be made that size at once
// and the ledger to make room for what the registry adds (RoundOptions::expected_lines); 0 when
// not known. `sample`: lines from all over the registry, for the ledger to be sized by
// (RoundOptions::sample); empty: the first batch.
enum class Candidates { kKeep, kCount };
Result<ScreenResult> Screen(const LineSource& lines, const policy::RuleSet& rules, const engine::Ledger& ledger,
                            const RowSink& sink, Candidates candidates = Candidates::kKeep, size_t expected_units = 0,
                            std::vector<std::string> sample = {});

// The sum of the eligible candidates' amounts, checked (common/money.h): an error past 10^15 fen.
Result<int64_t> EligibleFen(const ScreenResult& r);

// The candidates as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese
// headers): 统一社会信用代码, 单位名称, 措施, 条款, 金额（万元）, 依据, then 结论 and 缺少的事实.
// Eligible and undetermined rows only; amounts in exact 万元 (six decimals). A text cell that a
// spreadsheet would run as a formula (= + - @ first) is neutralised (common/csv.h).
std::string CandidatesCsv(const ScreenResult& r);

// The same as an XLSX workbook: one sheet per measure with candidates (names unique, at most 31
// characters), a summary sheet first. Amounts are integer fen as numbers, shown in 万元 by a
// number format, so they sum exactly. On an error no file is left behind.
Status WriteCandidatesXlsx(const ScreenResult& r, const std::string& path);

}  // namespace qgrant::screen
