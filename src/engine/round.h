// Round: one input decided as one round (CONTRACT §6) — applications in, decisions out in the
// same order, each judged against the ledger and the eligible decisions before it. This is the
// batched path every caller shares (`qgrant eval` and `explain`, `screen`, `simulate`, and the
// service's allocation):
//
//   read (in order) -> parse and the ledger-free rules (every core) -> the ledger's rules (in
//   order) -> words and JSON (every core) -> write and take (in order)
//
// A line is one application (eval), or a unit of a registry whose achievements are each an
// application (screen, simulate). Several rounds may decide the same input at once, each under
// its own rules and ledger (simulate's baseline and reform): the lines are read once.
//
// It decides exactly as Evaluator::Decide does one application at a time (a test runs every
// policy case both ways, traces and explanations included). The Evaluator is shared read-only;
// the Ledger is written by the in-order step only. Not reentrant for one Ledger.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/application.h"
#include "engine/decision.h"
#include "engine/evaluator.h"
#include "engine/json_writer.h"
#include "engine/ledger.h"

namespace qgrant::engine {

// Where the lines of a round come from.
class RoundSource {
 public:
  virtual ~RoundSource() = default;
  // The next line without its newline, and its number in the input (1 for the first); false at
  // the end. The view stays valid until the next call. Blank lines are skipped by the driver.
  virtual bool Next(std::string_view* line, int64_t* number) = 0;
};

// The lines of a string (tests, the service): split on "\n".
class StringRoundSource : public RoundSource {
 public:
  explicit StringRoundSource(std::string_view text) : text_(text) {}
  bool Next(std::string_view* line, int64_t* number) override;

 private:
  std::string_view text_;
  size_t at_ = 0;
  int64_t number_ = 0;
};

// A line that is a unit of a registry (screen, simulate): the unit, and the applications its
// achievements make, as JSON texts (CONTRACT §2).
struct RoundUnit {
  std::string error;  // non-empty: a bad line; there are no applications
  // Set by the reader on its own thread, so that the in-order step counts units by numbers
  // rather than by hashing and comparing their strings: a hash of the USCC (0: not set), and
  // the district and kind as numbers that `names` gave them (the same number from the same
  // `names` is the same text; null: not numbered). Beside `error`, in one cache line.
  uint64_t uscc_hash = 0;
  const void* names = nullptr;
  uint32_t district_id = 0, kind_id = 0;
  std::string uscc;      // as written; empty when absent or not a string
  std::string district;  // empty when absent: reported as unspecified
  std::string kind;
  std::vector<std::string> applications;  // JSON texts, one per achievement
};

struct RoundSummary {
  int64_t decisions = 0;
  int64_t count[5] = {0, 0, 0, 0, 0};  // by Outcome
  int64_t eligible_fen = 0;            // the eligible amounts' sum, unless it overflowed:
  bool eligible_overflow = false;      // then INT64_MAX, and this says so
};

struct RoundOptions {
  // Which applications get a trace of every rule (explain); null: none.
  std::function<bool(const Application&)> trace;
  // Puts one decision in words, on any thread: `index` is the application's place in the round
  // (0 for the first non-blank line). Default: the decision's JSON line (§4), with its trace
  // when it was traced.
  std::function<void(int64_t index, const Application&, const Decision&, JsonWriter* out)> format;
  // Takes the formatted output, in input order. Null: nothing is written.
  std::function<void(std::string_view bytes)> write;
  // Called before the first in-order step; false stops the round (a ledger that failed to load
  // while the first batches were read). Null: always ready.
  std::function<bool()> ledger_ready;
  // The input's lines, estimated before the round (cli::LineReader::EstimateLines); 0: not known.
  // Before the first batch is settled, each ledger makes room for what the whole input will add
  // at the rate of the sample below, or else of that batch (Ledger::Expect).
  size_t expected_lines = 0;
  // Lines taken from all over the input (cli::LineReader::SampleLines): the rate of rows they
  // would add is the estimate, rather than the first batch's, which is no sample of an input
  // sorted by measure, with its bad lines first, or its units with achievements first. Empty: the
  // first batch.
  std::vector<std::string> sample;

  // Set when each line is a unit (screen, simulate): reads it, on any thread (`worker` numbers
  // the thread, for per-thread parsers: 0 to workers - 1, and `workers` for the sample, read on
  // the in-order step; every field of `unit` is overwritten). The line is followed by
  // ApplicationReader::kPadding readable bytes. Null: each line is one application.
  std::function<void(std::string_view line, size_t worker, RoundUnit* unit)> read_unit;
  // Reads applications for screening (ApplicationReader's `partial`: absent facts are unknown).
  bool partial = false;
  // Called in input order with each run of unit lines (`numbers`: their lines in the input),
  // before the `take` of their applications.
  std::function<void(std::span<const RoundUnit> units, std::span<const int64_t> numbers)> take_units;
  // Called in input order for each decision of each round (`round` numbers the evaluators), with
  // the application's line in the input, its unit (null when the line is the application) and
  // its place in the unit.
  std::function<void(size_t round, const RoundUnit* unit, int64_t number, size_t index, const Application&,
                     const Decision&)>
      take;
  // Threads, the calling one included; 0: one per core (at most 8).
  size_t workers = 0;
};

// The threads a round runs on, the calling one included: `asked`, or for 0 one per core (at
// most 8).
size_t RoundWorkers(size_t asked);

class RoundDriver {
 public:
  explicit RoundDriver(const Evaluator& evaluator) : evaluators_{&evaluator} {}
  // Several rounds over the same input, one per evaluator (none null). Only the first one's
  // decisions are formatted and written.
  explicit RoundDriver(std::vector<const Evaluator*> evaluators) : evaluators_(std::move(evaluators)) {}

  // Decides every line of `source` in order against `ledger`, which gains the round's eligible
  // decisions. False when ledger_ready() said no (nothing after that point was written).
  bool Run(RoundSource* source, Ledger* ledger, const RoundOptions& options, RoundSummary* summary) const {
    Ledger* ledgers[] = {ledger};
    return Run(source, ledgers, options, std::span<RoundSummary>(summary, 1));
  }
  // The same for every round at once: ledgers[r] and summaries[r] belong to evaluator r.
  bool Run(RoundSource* source, std::span<Ledger* const> ledgers, const RoundOptions& options,
           std::span<RoundSummary> summaries) const;

  // The default format: the decision as one JSON line, with its "trace" when `traced`.
  void AppendJsonLine(const Decision& d, bool traced, JsonWriter* out) const;

 private:
  std::vector<const Evaluator*> evaluators_;
};

}  // namespace qgrant::engine
