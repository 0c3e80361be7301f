// Round: one input decided as one round (CONTRACT §6) — applications in, decisions out in the
// same order, each judged against the ledger and the eligible decisions before it. This is the
// batched path every caller shares (`qgrant eval` and `explain`, and the service's allocation):
//
//   read (in order) -> parse and the ledger-free rules (every core) -> the ledger's rules (in
//   order) -> words and JSON (every core) -> write (in order)
//
// It decides exactly as Evaluator::Decide does one application at a time (a test runs every
// policy case both ways, traces and explanations included). The Evaluator is shared read-only;
// the Ledger is written by the in-order step only. Not reentrant for one Ledger.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

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

struct RoundSummary {
  int64_t decisions = 0;
  int64_t count[5] = {0, 0, 0, 0, 0};  // by Outcome
  int64_t eligible_fen = 0;            // saturates at INT64_MAX rather than wrapping
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
  // Announced to the ledger (Ledger::Reserve): the rows the round is expected to add.
  size_t expected_rows = 0;
};

class RoundDriver {
 public:
  explicit RoundDriver(const Evaluator& evaluator) : evaluator_(evaluator) {}

  // Decides every line of `source` in order against `ledger`, which gains the round's eligible
  // decisions. False when ledger_ready() said no (nothing after that point was written).
  bool Run(RoundSource* source, Ledger* ledger, const RoundOptions& options, RoundSummary* summary) const;

  // The default format: the decision as one JSON line, with its "trace" when `traced`.
  void AppendJsonLine(const Decision& d, bool traced, JsonWriter* out) const;

 private:
  const Evaluator& evaluator_;
};

}  // namespace qgrant::engine
