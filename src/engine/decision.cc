#include "engine/decision.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "engine/json_writer.h"
#include "policy/words.h"

namespace qgrant::engine {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kEligible:
      return "eligible";
    case Outcome::kIneligible:
      return "ineligible";
    case Outcome::kReferred:
      return "referred";
    case Outcome::kInvalid:
      return "invalid";
    case Outcome::kUndetermined:
      return "undetermined";
  }
  return "invalid";
}

std::string YuanZh(int64_t fen) { return policy::MoneyZh(fen); }

std::string YuanEn(int64_t fen) { return policy::MoneyEn(fen); }

void AppendJsonString(std::string* out, std::string_view s) {
  const size_t old = out->size();
  out->resize(old + 6 * s.size() + 2);
  out->resize(old + WriteJsonString(s, out->data() + old));
}

namespace {

void AppendReasons(const std::vector<DecisionReason>& reasons, JsonWriter* out) {
  out->Char('[');
  bool first = true;
  for (const auto& r : reasons) {
    if (!first) out->Char(',');
    first = false;
    if (r.fixed) {
      out->Raw(r.fixed->json);
      continue;
    }
    out->Raw("{\"code\":");
    out->String(r.code);
    if (!r.path.empty()) {
      out->Raw(",\"path\":");
      out->String(r.path);
    }
    out->Raw(",\"zh\":");
    out->String(r.text.zh);
    out->Raw(",\"en\":");
    out->String(r.text.en);
    out->Char('}');
  }
  out->Char(']');
}

}  // namespace

FixedReason::FixedReason(std::string c, policy::Text t) : code(std::move(c)), text(std::move(t)) {
  json = "{\"code\":";
  AppendJsonString(&json, code);
  json += ",\"zh\":";
  AppendJsonString(&json, text.zh);
  json += ",\"en\":";
  AppendJsonString(&json, text.en);
  json += "}";
}

void AppendDecisionJson(const Decision& d, const std::string& provenance, JsonWriter* out) {
  out->Raw("{\"id\":");
  if (d.id)
    out->String(*d.id);
  else
    out->Raw("null");
  out->Raw(",\"measure\":");
  if (d.measure.empty())
    out->Raw("null");
  else
    out->String(d.measure);
  out->Raw(",\"clause\":");
  if (d.clause.empty())
    out->Raw("null");
  else
    out->String(d.clause);
  out->Raw(",\"outcome\":\"");
  out->Raw(OutcomeName(d.outcome));
  out->Raw("\",\"cap_fen\":");
  out->Int(d.cap_fen);
  out->Raw(",\"amount_fen\":");
  out->Int(d.amount_fen);
  out->Raw(",\"reasons\":");
  AppendReasons(d.reasons, out);
  out->Raw(",\"items\":[");
  bool first = true;
  for (const auto& it : d.items) {
    if (!first) out->Char(',');
    first = false;
    out->Raw("{\"number\":");
    out->String(it.key);
    out->Raw(",\"type\":");
    out->String(it.type);
    out->Raw(",\"outcome\":\"");
    out->Raw(OutcomeName(it.outcome));
    out->Raw("\",\"cap_fen\":");
    out->Int(it.cap_fen);
    out->Raw(",\"amount_fen\":");
    out->Int(it.amount_fen);
    out->Raw(",\"reasons\":");
    AppendReasons(it.reasons, out);
    out->Char('}');
  }
  out->Char(']');
  if (!d.uscc.empty()) {
    out->Raw(",\"uscc\":");
    out->String(d.uscc);
  }
  if (!d.subject.empty()) {
    out->Raw(",\"subject\":");
    out->String(d.subject);
  }
  if (!d.level.empty()) {
    out->Raw(",\"level\":");
    out->String(d.level);
  }
  if (d.outcome == Outcome::kInvalid && d.line > 0) {
    out->Raw(",\"line\":");
    out->Int(d.line);
  }
  if (d.outcome == Outcome::kUndetermined) {
    out->Raw(",\"missing_facts\":[");
    for (size_t i = 0; i < d.missing_facts.size(); ++i) {
      if (i) out->Char(',');
      out->String(d.missing_facts[i]);
    }
    out->Char(']');
  }
  out->Raw(provenance);
  out->Char('}');
}

void AppendDecisionJson(const Decision& d, const std::string& provenance, std::string* out) {
  JsonWriter w;
  AppendDecisionJson(d, provenance, &w);
  out->append(w.data(), w.size());
}

}  // namespace qgrant::engine
