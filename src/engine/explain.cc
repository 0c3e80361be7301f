#include "engine/explain.h"

#include "policy/words.h"

namespace qgrant::engine {
namespace {

const char* OutcomeWords(Outcome o, Lang lang) {
  bool zh = lang == Lang::kZh;
  switch (o) {
    case Outcome::kEligible: return zh ? "符合条件" : "eligible";
    case Outcome::kIneligible: return zh ? "不符合条件" : "ineligible";
    case Outcome::kReferred: return zh ? "转其他政策办理" : "referred to another policy";
    case Outcome::kInvalid: return zh ? "申请数据有误" : "invalid application";
    case Outcome::kUndetermined: return zh ? "待定（缺少事实）" : "undetermined (facts missing)";
  }
  return "";
}

const std::string& Pick(const policy::Text& t, Lang lang) { return lang == Lang::kZh ? t.zh : t.en; }

std::string RuleName(const std::string& rule, Lang lang) {
  bool zh = lang == Lang::kZh;
  if (rule == "exclusion") return zh ? "排除条件" : "exclusion";
  if (rule == "applicant_kind") return zh ? "支持对象" : "applicant kind";
  if (rule == "window") return zh ? "受理期" : "application window";
  if (rule == "condition") return zh ? "措施条件" : "measure condition";
  if (rule == "guide_condition") return zh ? "指南条件" : "guide condition";
  if (rule == "ledger") return zh ? "台账" : "ledger";
  if (rule == "ceiling") return zh ? "金额" : "amount";
  if (rule == "amount") return zh ? "金额公式" : "amount formula";
  if (rule == "item") return zh ? "认证" : "certificate";
  if (rule == "referral") return zh ? "转办" : "referral";
  return rule;
}

// Text from the input, made safe for one line of a terminal or a printed page: a newline in a
// unit's name must not forge a line ("结论：符合条件…"), nor an escape sequence reach the terminal.
std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      static const char* const kHex = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      out += "\\u00";  // a C1 control (U+0080..U+009F), such as the 8-bit CSI
      out += "89ABCDEF"[(static_cast<unsigned char>(s[i + 1]) >> 4) - 8];
      out += "0123456789ABCDEF"[static_cast<unsigned char>(s[i + 1]) & 15];
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// A clause cited as a person reads it; a file:line (a guide's condition) stays as it is.
std::string Source(const std::string& clause, bool zh) {
  if (clause.find("（") == std::string::npos) return clause;
  return zh ? policy::CiteZh(clause) : policy::CiteEn(clause);
}

}  // namespace

std::string ExplainText(const Decision& d, const Application& app, const policy::RuleSet& rules, Lang lang) {
  bool zh = lang == Lang::kZh;
  std::string out;
  const policy::Measure* m = d.measure.empty() ? nullptr : rules.FindMeasure(d.measure);
  out += zh ? "申请 " : "Application ";
  out += d.id ? OneLine(*d.id) : (zh ? "（无编号）" : "(no id)");
  if (m) {
    out += zh ? " · 措施 " + m->title.zh + "（" + policy::CiteZh(m->clause) + "）"
              : " · measure " + m->title.en + " (" + policy::CiteEn(m->clause) + ")";
  } else if (!d.measure.empty()) {
    out += (zh ? " · 措施 " : " · measure ") + OneLine(d.measure);
  }
  out += "\n";
  if (!app.name.empty() || !app.uscc.empty()) {
    out += zh ? "申报单位 " : "Applicant ";
    const std::string kind = app.kind.empty() ? "" : (zh ? "，" + policy::KindZh(app.kind) : ", " + policy::KindEn(app.kind));
    out += OneLine(app.name) + (zh ? "（" : " (") + OneLine(app.uscc) + kind + (zh ? "）\n" : ")\n");
  }
  out += zh ? "依据 " : "Rules ";
  out += rules.policy->id + " " + rules.policy->version;
  out += zh ? "；修订 " : "; amendments ";
  if (rules.amendments_applied.empty()) out += zh ? "无" : "none";
  for (size_t i = 0; i < rules.amendments_applied.size(); ++i) out += (i ? ", " : "") + rules.amendments_applied[i];
  out += zh ? "；指南 " : "; guide ";
  out += rules.guide ? rules.guide->id + " " + rules.guide->version : (zh ? "无" : "none");
  out += zh ? "；评定日期 " : "; as of ";
  out += (zh ? policy::DateZh(rules.as_of) : policy::DateEn(rules.as_of)) + "\n";
  out += zh ? "结论：" : "Outcome: ";
  out += OutcomeWords(d.outcome, lang);
  out += std::string(" (") + OutcomeName(d.outcome) + ")";
  if (d.outcome == Outcome::kEligible) {
    out += zh ? "，核定金额 " + YuanZh(d.amount_fen) + "（上限 " + YuanZh(d.cap_fen) + "）"
              : ", amount " + YuanEn(d.amount_fen) + " (ceiling " + YuanEn(d.cap_fen) + ")";
  }
  out += "\n";
  if (!d.trace.empty()) {
    out += zh ? "审查步骤：\n" : "Steps:\n";
    for (const auto& s : d.trace) {
      out += s.passed ? "  ✓ " : "  ✗ ";
      out += RuleName(s.rule, lang) + " " + s.id;
      if (!s.expression.empty()) out += "  [" + OneLine(s.expression) + " → " + OneLine(s.value) + "]";
      else if (!s.value.empty()) out += "  [" + OneLine(s.value) + "]";
      out += "\n      " + OneLine(Pick(s.detail, lang));
      if (!s.clause.empty()) out += zh ? "（依据：" + Source(s.clause, true) + "）" : " (source: " + Source(s.clause, false) + ")";
      out += "\n";
    }
  }
  out += zh ? "理由：\n" : "Reasons:\n";
  for (const auto& r : d.reasons) {
    out += "  - " + r.Code();
    if (!r.path.empty()) out += " [" + OneLine(r.path) + "]";
    out += ": " + OneLine(Pick(r.Text(), lang)) + "\n";
  }
  for (const auto& it : d.items) {
    out += (zh ? "  · 证书 " : "  · certificate ") + OneLine(it.key) + " (" + OneLine(it.type) + "): " +
           OutcomeWords(it.outcome, lang) + ", " + (zh ? YuanZh(it.amount_fen) : YuanEn(it.amount_fen));
    if (!it.reasons.empty()) out += " — " + OneLine(Pick(it.reasons.back().Text(), lang));
    out += "\n";
  }
  out += "\n";
  return out;
}

std::string TraceJson(const Decision& d) {
  std::string out = "[";
  for (size_t i = 0; i < d.trace.size(); ++i) {
    const auto& s = d.trace[i];
    if (i) out += ",";
    out += "{\"rule\":";
    AppendJsonString(&out, s.rule);
    out += ",\"id\":";
    AppendJsonString(&out, s.id);
    out += ",\"source\":";
    AppendJsonString(&out, s.clause);
    if (!s.expression.empty()) {
      out += ",\"expression\":";
      AppendJsonString(&out, s.expression);
    }
    out += ",\"value\":";
    AppendJsonString(&out, s.value);
    out += s.passed ? ",\"passed\":true" : ",\"passed\":false";
    out += ",\"zh\":";
    AppendJsonString(&out, s.detail.zh);
    out += ",\"en\":";
    AppendJsonString(&out, s.detail.en);
    out += "}";
  }
  return out + "]";
}

}  // namespace qgrant::engine
