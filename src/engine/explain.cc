#include "engine/explain.h"

#include "common/printable.h"
#include "policy/words.h"

namespace qgrant::engine {
namespace {

const char* OutcomeWords(Outcome o, Lang lang) {
  bool zh = lang == Lang::kZh;
  switch (o) {
    case Outcome::kEligible:
      return zh ? "符合条件" : "eligible";
    case Outcome::kIneligible:
      return zh ? "不符合条件" : "ineligible";
    case Outcome::kReferred:
      return zh ? "转其他政策办理" : "referred to another policy";
    case Outcome::kInvalid:
      return zh ? "申请数据有误" : "invalid application";
    case Outcome::kUndetermined:
      return zh ? "待定（缺少事实）" : "undetermined (facts missing)";
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
  out += d.id ? Printable(*d.id) : (zh ? "（无编号）" : "(no id)");
  if (m) {
    out += zh ? " · 措施 " + m->title.zh + "（" + policy::CiteZh(m->clause) + "）"
              : " · measure " + m->title.en + " (" + policy::CiteEn(m->clause) + ")";
  } else if (!d.measure.empty()) {
    out += (zh ? " · 措施 " : " · measure ") + Printable(d.measure);
  }
  out += "\n";
  if (!app.name.empty() || !app.uscc.empty()) {
    out += zh ? "申报单位 " : "Applicant ";
    const std::string kind =
        app.kind.empty() ? "" : (zh ? "，" + policy::KindZh(app.kind) : ", " + policy::KindEn(app.kind));
    out += Printable(app.name) + (zh ? "（" : " (") + Printable(app.uscc) + kind + (zh ? "）\n" : ")\n");
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
      if (!s.expression.empty())
        out += "  [" + Printable(s.expression) + " → " + Printable(s.value) + "]";
      else if (!s.value.empty())
        out += "  [" + Printable(s.value) + "]";
      out += "\n      " + Printable(Pick(s.detail, lang));
      if (!s.clause.empty())
        out += zh ? "（依据：" + Source(s.clause, true) + "）" : " (source: " + Source(s.clause, false) + ")";
      out += "\n";
    }
  }
  out += zh ? "理由：\n" : "Reasons:\n";
  for (const auto& r : d.reasons) {
    out += "  - " + r.Code();
    if (!r.path.empty()) out += " [" + Printable(r.path) + "]";
    out += ": " + Printable(Pick(r.Text(), lang)) + "\n";
  }
  for (const auto& it : d.items) {
    out += (zh ? "  · 证书 " : "  · certificate ") + Printable(it.key) + " (" + Printable(it.type) +
           "): " + OutcomeWords(it.outcome, lang) + ", " + (zh ? YuanZh(it.amount_fen) : YuanEn(it.amount_fen));
    if (!it.reasons.empty()) out += " — " + Printable(Pick(it.reasons.back().Text(), lang));
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
