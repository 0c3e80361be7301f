// The decision letter (CONTRACT §7 GET /api/v1/applications/{id}/letter): once the round is
// approved, each application's unit (and staff) can read and print the bureau's decision in
// Chinese: the unit, the measure and its clause, the conclusion with its reasons, the approved
// amount, the budget step that led to the amount paid, the notice period and the approval date.
// A self-contained printable HTML page; every text from an application is escaped, and the page
// allows no script at all (its Content-Security-Policy).
#include "server/letter.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/markup.h"
#include "common/money.h"
#include "policy/words.h"
#include "server/round_flow.h"
#include "server/store_calls.h"
#include "server/store_routes.h"

namespace qgrant::server {

namespace {

using nlohmann::json;

std::string Amount(int64_t fen) { return money::Wan(fen) + "（" + money::YuanGrouped(fen) + "）"; }

constexpr const char* kStyle =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK "
    "SC\",sans-serif;"
    "max-width:46em;margin:2em auto;padding:0 1em;line-height:1.7;color:#1a1a1a}"
    "h1{text-align:center;font-size:1.6em;letter-spacing:.2em}p.no{text-align:center;color:#444}"
    "table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #777;padding:.4em "
    ".6em;text-align:left;vertical-align:top}"
    "th{width:9em;background:#f2f5fa;font-weight:600}td ul{margin:0;padding-left:1.2em}"
    ".sign{text-align:right;margin-top:3em}@media print{body{margin:0}}";

struct LetterFacts {
  store::Application app;
  store::Round round;
  std::string approved_on;  // the approval's date: its ledger entries' granted_on
  std::string note;         // a rejection's public note
  std::string rejected_by;  // the action that rejected it: reject (at review) or uphold (an objection)
};

// The steps the application went through to its end, as the letter's opening names them: a
// refusal at review went through none of allocation and notice.
std::string Course(const LetterFacts& f, bool funded) {
  if (funded || f.rejected_by == "uphold") return "经审核、评审、资金分配和公示";
  if (f.app.state == "not_funded") return "经审核、评审和资金分配";
  return "经审核";
}

// Why: the decision's reasons, unless the engine found it eligible and people refused it (a
// reviewer, an upheld objection: their note says why), or the budget paid it nothing (the step).
std::vector<std::string> Grounds(const LetterFacts& f, const json& decision, bool funded) {
  std::vector<std::string> out;
  if (funded || decision.value("outcome", "") != "eligible") {
    for (const auto& r : decision.value("reasons", json::array())) out.push_back(r.value("zh", ""));
  } else if (f.app.state == "not_funded" && decision.contains("allocation")) {
    out.push_back(decision["allocation"].value("zh", ""));
  } else if (!f.note.empty()) {
    out.push_back(f.rejected_by == "uphold" ? "公示期内" + f.note : "经审核不予资助：" + f.note);  // "异议成立：…"
  }
  return out;
}

// The letter's content, composed once for both renderings.
Letter Compose(const Service& service, const LetterFacts& f) {
  const store::Application& a = f.app;
  const json decision = json::parse(a.decision.value_or("{}"), nullptr, false);
  const bool funded = a.state == "approved" || a.state == "paid";
  auto rules = service.Rules(RoundGuide(service, f.round.guide), service.Today());
  const policy::Measure* m = rules->rules().FindMeasure(a.measure);
  Letter l;
  l.title = funded ? "资助决定书" : "不予资助告知书";
  l.number = "办件编号 " + a.id;
  l.addressee = ApplicantName(a) + "：";
  l.intro = "你单位在“" + f.round.title + "”中提出的申请，" + Course(f, funded) + "，现决定如下。";
  l.rows.push_back({"申请单位", {ApplicantName(a)}});
  l.rows.push_back({"统一社会信用代码", {a.uscc}});
  l.rows.push_back({"支持措施", {m ? m->title.zh + "（" + policy::CiteZh(m->clause) + "）" : a.measure}});
  l.rows.push_back({"申报事项", {a.subject}});
  l.rows.push_back({"评定结论", {funded ? "符合条件，予以资助" : "不予资助"}});
  l.rows.push_back({"理由及依据", Grounds(f, decision, funded)});
  const bool note_in_grounds = !funded && decision.value("outcome", "") == "eligible" && f.app.state != "not_funded";
  if (!f.note.empty() && !note_in_grounds) l.rows.push_back({"说明", {f.note}});
  if (funded) {
    l.rows.push_back({"核定金额", {Amount(decision.value("amount_fen", int64_t{0}))}});
    l.rows.push_back({"资助金额", {Amount(*a.allocated_fen)}});
    if (decision.contains("allocation")) l.rows.push_back({"预算折算", {decision["allocation"].value("zh", "")}});
  }
  if (f.round.notice) {
    l.rows.push_back({"公示期",
                      {IsoDateZh(f.round.notice->starts_on) + "至" + IsoDateZh(f.round.notice->ends_on) + "（" +
                       std::to_string(f.round.notice->working_days) + "个工作日）"}});
  }
  if (!f.approved_on.empty()) l.rows.push_back({"批准日期", {IsoDateZh(f.approved_on)}});
  if (funded)
    l.closing.push_back(
        "资金将拨付至你单位账户，实际拨付以资助计划下达文件为准（第（十二）条：实际支持比例和金额受年度资金预算总量控制"
        "）。");
  l.closing.push_back("如对本决定不服，可依法申请行政复议或者提起行政诉讼。");
  l.authority = service.bundle().policy ? service.bundle().policy->authority.zh : "";
  l.date = policy::DateZh(service.Today());
  l.basis = "依据：" + (rules->rules().policy ? rules->rules().policy->title.zh : "") + "（" +
            decision.value("policy_version", "") + "）";
  return l;
}

std::string LetterHtml(const Letter& l) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" +
                     EscapeMarkup(l.title + " " + l.number) +
                     "</title><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><style>" + kStyle +
                     "</style></head><body><main>\n<h1>" + EscapeMarkup(l.title) + "</h1>\n<p class=\"no\">" +
                     EscapeMarkup(l.number) + "</p>\n";
  html += "<p>" + EscapeMarkup(l.addressee) + "</p>\n<p>" + EscapeMarkup(l.intro) + "</p>\n<table>\n";
  for (const auto& [label, lines] : l.rows) {
    html += "<tr><th scope=\"row\">" + EscapeMarkup(label) + "</th><td>";
    if (lines.size() == 1)
      html += EscapeMarkup(lines[0]);
    else {
      html += "<ul>";
      for (const auto& line : lines) html += "<li>" + EscapeMarkup(line) + "</li>";
      html += "</ul>";
    }
    html += "</td></tr>\n";
  }
  html += "</table>\n";
  for (const auto& p : l.closing) html += "<p>" + EscapeMarkup(p) + "</p>\n";
  html += "<p class=\"sign\">" + EscapeMarkup(l.authority) + "<br>" + EscapeMarkup(l.date) + "</p>\n";
  html += "<p><small>" + EscapeMarkup(l.basis) + "</small></p>\n</main></body></html>\n";
  return html;
}

Result<std::optional<LetterFacts>> ReadFacts(store::Reader& r, const std::string& id) {
  auto app = r.GetApplication(id);
  if (!app.ok()) return app.status();
  // A letter tells a decision: granted (approved, paid) or refused (rejected, not funded). A
  // case the round left undecided (still submitted, returned or accepted) has none.
  static const std::string kDecided[] = {"approved", "paid", "rejected", "not_funded"};
  if (!*app || std::find(std::begin(kDecided), std::end(kDecided), (*app)->state) == std::end(kDecided)) {
    return std::optional<LetterFacts>();
  }
  auto round = r.GetRound((*app)->round);
  if (!round.ok()) return round.status();
  if (!*round || (*round)->state != "approved") return std::optional<LetterFacts>();
  LetterFacts f{**app, **round, "", "", ""};
  auto history = r.History(id);
  if (!history.ok()) return history.status();
  for (const auto& h : *history) {
    if (h.action == "reject" || h.action == "uphold") {
      f.rejected_by = h.action;
      f.note = h.note.value_or("");
    }
  }
  // The approval's date is the service date the award entered the ledger on (granted_on).
  auto ledger = r.Ledger((*app)->uscc);
  if (!ledger.ok()) return ledger.status();
  for (const auto& e : *ledger) {
    if (e.application_id == id) f.approved_on = e.granted_on;
  }
  return std::optional<LetterFacts>(std::move(f));
}

}  // namespace

Response GetLetter(const Service& service, const Call& call) {
  std::string format = "html";
  for (const auto& [name, value] : call.request.query) {
    if (name != "format")
      return Problem(400, "查询参数有误 / bad query parameter", {{name, "未知参数 / unknown parameter"}});
    format = value;
  }
  if (format != "html" && format != "pdf") {
    return Problem(400, "查询参数有误 / bad query parameter", {{"format", "应为 html 或 pdf / must be html or pdf"}});
  }
  auto facts = service.store()->Read([&](store::Reader& r) { return ReadFacts(r, call.Param("id")); });
  if (!facts.ok()) return StoreFailure(facts.status());
  if (!*facts) {
    return Problem(404, "申请 " + call.Param("id") +
                            " 所在批次尚未批准，暂无决定书 / no decision letter before the round is approved");
  }
  const Letter letter = Compose(service, **facts);
  Response r;
  if (format == "pdf") {
    auto pdf = LetterPdf(letter);
    if (!pdf.ok()) return StoreFailure(pdf.status());
    r.content_type = "application/pdf";
    r.body = std::move(*pdf);
    r.headers.emplace_back("Content-Disposition", "inline; filename=\"letter-" + call.Param("id") + ".pdf\"");
    return r;
  }
  r.content_type = "text/html; charset=utf-8";
  r.body = LetterHtml(letter);
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace qgrant::server
