#include "engine/decision.h"

#include <cstdio>

namespace qgrant::engine {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kEligible: return "eligible";
    case Outcome::kIneligible: return "ineligible";
    case Outcome::kReferred: return "referred";
    case Outcome::kInvalid: return "invalid";
  }
  return "invalid";
}

namespace {

std::string GroupThousands(uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  int n = static_cast<int>(digits.size());
  for (int i = 0; i < n; ++i) {
    out += digits[i];
    if ((n - i - 1) % 3 == 0 && i != n - 1) out += ',';
  }
  return out;
}

}  // namespace

std::string YuanZh(int64_t fen) {
  bool neg = fen < 0;
  uint64_t f = neg ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  std::string sign = neg ? "-" : "";
  if (f != 0 && f % 1000000 == 0) return sign + std::to_string(f / 1000000) + "万元";  // whole 万元
  uint64_t yuan = f / 100, cents = f % 100;
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%02u", static_cast<unsigned>(cents));
  return sign + GroupThousands(yuan) + (cents ? buf : "") + "元";
}

std::string YuanEn(int64_t fen) {
  bool neg = fen < 0;
  uint64_t f = neg ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  char buf[8];
  std::snprintf(buf, sizeof buf, ".%02u", static_cast<unsigned>(f % 100));
  return (neg ? "-" : "") + GroupThousands(f / 100) + buf + " yuan";
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

namespace {

void AppendReasons(const std::vector<DecisionReason>& reasons, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (const auto& r : reasons) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"code\":");
    AppendJsonString(out, r.code);
    if (!r.path.empty()) {
      out->append(",\"path\":");
      AppendJsonString(out, r.path);
    }
    out->append(",\"zh\":");
    AppendJsonString(out, r.text.zh);
    out->append(",\"en\":");
    AppendJsonString(out, r.text.en);
    out->push_back('}');
  }
  out->push_back(']');
}

}  // namespace

void AppendDecisionJson(const Decision& d, const std::string& provenance, std::string* out) {
  out->append("{\"id\":");
  if (d.id) AppendJsonString(out, *d.id);
  else out->append("null");
  out->append(",\"measure\":");
  if (d.measure.empty()) out->append("null");
  else AppendJsonString(out, d.measure);
  out->append(",\"clause\":");
  if (d.clause.empty()) out->append("null");
  else AppendJsonString(out, d.clause);
  out->append(",\"outcome\":\"");
  out->append(OutcomeName(d.outcome));
  out->append("\",\"cap_fen\":");
  out->append(std::to_string(d.cap_fen));
  out->append(",\"amount_fen\":");
  out->append(std::to_string(d.amount_fen));
  out->append(",\"reasons\":");
  AppendReasons(d.reasons, out);
  out->append(",\"items\":[");
  bool first = true;
  for (const auto& it : d.items) {
    if (!first) out->push_back(',');
    first = false;
    out->append("{\"number\":");
    AppendJsonString(out, it.key);
    out->append(",\"type\":");
    AppendJsonString(out, it.type);
    out->append(",\"outcome\":\"");
    out->append(OutcomeName(it.outcome));
    out->append("\",\"cap_fen\":");
    out->append(std::to_string(it.cap_fen));
    out->append(",\"amount_fen\":");
    out->append(std::to_string(it.amount_fen));
    out->append(",\"reasons\":");
    AppendReasons(it.reasons, out);
    out->push_back('}');
  }
  out->push_back(']');
  if (!d.uscc.empty()) {
    out->append(",\"uscc\":");
    AppendJsonString(out, d.uscc);
  }
  if (!d.subject.empty()) {
    out->append(",\"subject\":");
    AppendJsonString(out, d.subject);
  }
  if (!d.level.empty()) {
    out->append(",\"level\":");
    AppendJsonString(out, d.level);
  }
  out->append(provenance);
  out->push_back('}');
}

}  // namespace qgrant::engine
