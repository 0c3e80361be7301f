#include "engine/decision.h"

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace qgrant::engine {

const char* OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kEligible: return "eligible";
    case Outcome::kIneligible: return "ineligible";
    case Outcome::kReferred: return "referred";
    case Outcome::kInvalid: return "invalid";
    case Outcome::kUndetermined: return "undetermined";
  }
  return "invalid";
}

namespace {

// "1,234,567" — digits grouped by three, written without printf (this runs for every decision).
void AppendGrouped(std::string* out, uint64_t v) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (int i = n - 1; i >= 0; --i) {
    out->push_back(digits[i]);
    if (i % 3 == 0 && i != 0) out->push_back(',');
  }
}

uint64_t Magnitude(int64_t fen) { return fen < 0 ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen); }

}  // namespace

std::string YuanZh(int64_t fen) {
  uint64_t f = Magnitude(fen);
  std::string out = fen < 0 ? "-" : "";
  if (f != 0 && f % 1000000 == 0) {  // whole 万元
    out += std::to_string(f / 1000000);
    return out + "万元";
  }
  AppendGrouped(&out, f / 100);
  if (f % 100 != 0) {
    out += '.';
    out += static_cast<char>('0' + f % 100 / 10);
    out += static_cast<char>('0' + f % 10);
  }
  return out + "元";
}

std::string YuanEn(int64_t fen) {
  uint64_t f = Magnitude(fen);
  std::string out = fen < 0 ? "-" : "";
  AppendGrouped(&out, f / 100);
  out += '.';
  out += static_cast<char>('0' + f % 100 / 10);
  out += static_cast<char>('0' + f % 10);
  return out + " yuan";
}

namespace {

// Whether any of the 8 bytes of `w` must be escaped in JSON: a control byte, '"' or '\\'
// (bit tricks from "Bit Twiddling Hacks": a byte below n, a byte equal to c).
inline bool NeedsEscape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
  uint64_t quote = w ^ (kOnes * '"');
  uint64_t backslash = w ^ (kOnes * '\\');
  uint64_t eq_quote = (quote - kOnes) & ~quote & kHighs;
  uint64_t eq_backslash = (backslash - kOnes) & ~backslash & kHighs;
  return (below_space | eq_quote | eq_backslash) != 0;
}

}  // namespace

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t run = 0, i = 0;
  const size_t n = s.size();
  while (i < n) {
    // Skip eight clean bytes at a time; most text has nothing to escape.
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (!NeedsEscape(w)) {
        i += 8;
        continue;
      }
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    out->append(s.data() + run, i - run);
    run = ++i;
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out->append(buf);
      }
    }
  }
  out->append(s.data() + run, n - run);
  out->push_back('"');
}

namespace {

// An integer without a temporary string: this runs several times for every decision.
void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, res.ptr);
}

void AppendReasons(const std::vector<DecisionReason>& reasons, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (const auto& r : reasons) {
    if (!first) out->push_back(',');
    first = false;
    if (r.fixed) {
      out->append(r.fixed->json);
      continue;
    }
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

FixedReason::FixedReason(std::string c, policy::Text t) : code(std::move(c)), text(std::move(t)) {
  json = "{\"code\":";
  AppendJsonString(&json, code);
  json += ",\"zh\":";
  AppendJsonString(&json, text.zh);
  json += ",\"en\":";
  AppendJsonString(&json, text.en);
  json += "}";
}

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
  AppendInt(out, d.cap_fen);
  out->append(",\"amount_fen\":");
  AppendInt(out, d.amount_fen);
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
    AppendInt(out, it.cap_fen);
    out->append(",\"amount_fen\":");
    AppendInt(out, it.amount_fen);
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
  if (d.outcome == Outcome::kUndetermined) {
    out->append(",\"missing_facts\":[");
    for (size_t i = 0; i < d.missing_facts.size(); ++i) {
      if (i) out->push_back(',');
      AppendJsonString(out, d.missing_facts[i]);
    }
    out->push_back(']');
  }
  out->append(provenance);
  out->push_back('}');
}

}  // namespace qgrant::engine
