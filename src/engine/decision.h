// Decision: the outcome for one application (CONTRACT.md §4) with the reasons that cite the
// clause in Chinese and English, the per-item breakdown, and — when asked for — the full trace
// of every rule applied, for `qgrant explain` and for auditors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/application.h"
#include "engine/json_writer.h"
#include "policy/model.h"

namespace qgrant::engine {

// kUndetermined only when screening: a missing fact could still decide either way.
enum class Outcome { kEligible, kIneligible, kReferred, kInvalid, kUndetermined };
const char* OutcomeName(Outcome o);

// A reason the rules fix in advance (a condition's, a measure's eligible reason, the ceiling
// paid): made once with its JSON, and shared by every decision that gives it, so deciding a
// million applications copies and escapes none of these texts.
struct FixedReason {
  FixedReason() = default;
  FixedReason(std::string code, policy::Text text);
  std::string code;
  policy::Text text;
  std::string json;  // {"code":...,"zh":...,"en":...}
};

struct DecisionReason {
  std::string code;
  policy::Text text;
  std::string path;                    // for invalid input: the JSON path of the field
  const FixedReason* fixed = nullptr;  // when set, code and text are the fixed reason's

  static DecisionReason Of(const FixedReason& f) {
    DecisionReason r;
    r.fixed = &f;
    return r;
  }
  const std::string& Code() const { return fixed ? fixed->code : code; }
  const policy::Text& Text() const { return fixed ? fixed->text : text; }
};

struct ItemDecision {
  std::string key;  // certificate number
  std::string type;
  Outcome outcome = Outcome::kIneligible;
  int64_t cap_fen = 0;
  int64_t amount_fen = 0;
  std::vector<DecisionReason> reasons;
};

// One step of the reasoning, in order, for explanations.
struct TraceStep {
  std::string rule;        // "exclusion", "applicant_kind", "window", "condition", "ledger", "ceiling", ...
  std::string id;          // the rule's id
  std::string clause;      // the clause or file:line it comes from
  std::string expression;  // CEL text, when the rule is an expression
  std::string value;       // what it evaluated to
  bool passed = true;
  policy::Text detail;
};

struct Decision {
  std::optional<std::string> id;
  std::string measure;
  std::string clause;
  Outcome outcome = Outcome::kInvalid;
  int64_t cap_fen = 0;
  int64_t amount_fen = 0;
  std::vector<DecisionReason> reasons;
  std::vector<ItemDecision> items;
  std::string uscc;
  std::string subject;
  std::string level;
  std::vector<std::string> missing_facts;  // kUndetermined: what would decide it
  int64_t line = 0;                        // kInvalid: the input line, when known
  std::vector<TraceStep> trace;            // filled only when explaining
};

// Money in words: "300万元" / "3,000,000.00 yuan"; exact, from integer fen.
std::string YuanZh(int64_t fen);
std::string YuanEn(int64_t fen);

// Appends `s` as a JSON string literal.
void AppendJsonString(std::string* out, std::string_view s);

// One JSON line (without the newline). `provenance` is the pre-rendered JSON members naming the
// policy, amendments, guide and date used (see Evaluator::Provenance), appended as is.
void AppendDecisionJson(const Decision& d, const std::string& provenance, JsonWriter* out);
void AppendDecisionJson(const Decision& d, const std::string& provenance, std::string* out);

}  // namespace qgrant::engine
