// The decision letter (CONTRACT §7 GET /api/v1/applications/{id}/letter): once the round is
// approved, each application's unit (and staff) can read and print the bureau's decision in
// Chinese: the unit, the measure and its clause, the conclusion with its reasons, the approved
// amount, the budget step that led to the amount paid, the notice period and the approval date.
// A self-contained printable HTML page; every text from an application is escaped, and the page
// allows no script at all (its Content-Security-Policy).
#include <nlohmann/json.hpp>

#include "common/money.h"
#include "policy/words.h"
#include "server/round_flow.h"
#include "server/store_calls.h"
#include "server/store_routes.h"

namespace qgrant::server {

namespace {

using nlohmann::json;

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string DateZh(const std::string& iso) {
  policy::Date d;
  return policy::ParseDate(iso.substr(0, 10), &d) ? policy::DateZh(d) : iso;
}

std::string Amount(int64_t fen) { return money::Wan(fen) + "（" + money::YuanGrouped(fen) + "）"; }

constexpr const char* kStyle =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"PingFang SC\",\"Microsoft YaHei\",\"Noto Sans CJK SC\",sans-serif;"
    "max-width:46em;margin:2em auto;padding:0 1em;line-height:1.7;color:#1a1a1a}"
    "h1{text-align:center;font-size:1.6em;letter-spacing:.2em}p.no{text-align:center;color:#444}"
    "table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #777;padding:.4em .6em;text-align:left;vertical-align:top}"
    "th{width:9em;background:#f2f5fa;font-weight:600}td.amount{font-variant-numeric:tabular-nums}"
    ".sign{text-align:right;margin-top:3em}@media print{body{margin:0}}";

struct LetterFacts {
  store::Application app;
  store::Round round;
  std::string approved_on;  // the approval's date: its ledger entries' granted_on
  std::string note;         // a rejection's public note
};

void Row(std::string* html, const std::string& head, const std::string& value, bool amount = false) {
  *html += "<tr><th scope=\"row\">" + Escape(head) + "</th><td" + (amount ? " class=\"amount\"" : "") + ">" + value + "</td></tr>\n";
}

std::string ReasonsHtml(const json& decision) {
  std::string out = "<ul>";
  for (const auto& r : decision.value("reasons", json::array())) out += "<li>" + Escape(r.value("zh", "")) + "</li>";
  return out + "</ul>";
}

std::string LetterHtml(const Service& service, const LetterFacts& f) {
  const store::Application& a = f.app;
  const json decision = json::parse(a.decision.value_or("{}"), nullptr, false);
  const bool funded = a.state == "approved" || a.state == "paid";
  auto rules = service.Rules(RoundGuide(service, f.round.guide), service.Today());
  const policy::Measure* m = rules->rules().FindMeasure(a.measure);
  const std::string authority = service.bundle().policy ? service.bundle().policy->authority.zh : "";
  const std::string title = funded ? "资助决定书" : "不予资助告知书";
  std::string html = "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + Escape(title + " " + a.id) +
                     "</title><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><style>" + kStyle +
                     "</style></head><body><main>\n<h1>" + Escape(title) + "</h1>\n<p class=\"no\">办件编号 " + Escape(a.id) + "</p>\n";
  html += "<p>" + Escape(ApplicantName(a)) + "：</p>\n<p>你单位在“" + Escape(f.round.title) + "”中提出的申请，经审核、评审、资金分配和公示，现决定如下。</p>\n<table>\n";
  Row(&html, "申请单位", Escape(ApplicantName(a)));
  Row(&html, "统一社会信用代码", Escape(a.uscc));
  Row(&html, "支持措施", Escape(m ? m->title.zh + "（" + policy::CiteZh(m->clause) + "）" : a.measure));
  Row(&html, "申报事项", Escape(a.subject));
  Row(&html, "评定结论", funded ? "符合条件，予以资助" : "不予资助");
  Row(&html, "理由及依据", ReasonsHtml(decision));
  if (!f.note.empty()) Row(&html, "说明", Escape(f.note));
  if (decision.value("outcome", "") == "eligible") Row(&html, "核定金额", Escape(Amount(decision.value("amount_fen", int64_t{0}))), true);
  if (funded) {
    Row(&html, "资助金额", Escape(Amount(*a.allocated_fen)), true);
    if (decision.contains("allocation")) Row(&html, "预算折算", Escape(decision["allocation"].value("zh", "")));
  }
  if (f.round.notice) {
    Row(&html, "公示期", Escape(DateZh(f.round.notice->starts_on) + "至" + DateZh(f.round.notice->ends_on) + "（" +
                                std::to_string(f.round.notice->working_days) + "个工作日）"));
  }
  if (!f.approved_on.empty()) Row(&html, "批准日期", Escape(DateZh(f.approved_on)));
  html += "</table>\n";
  if (funded) html += "<p>资金将拨付至你单位账户，实际拨付以资助计划下达文件为准（第（十二）条：实际支持比例和金额受年度资金预算总量控制）。</p>\n";
  html += "<p>如对本决定不服，可依法申请行政复议或者提起行政诉讼。</p>\n";
  html += "<p class=\"sign\">" + Escape(authority) + "<br>" + Escape(policy::DateZh(service.Today())) + "</p>\n";
  html += "<p><small>依据：" + Escape(rules->rules().policy ? rules->rules().policy->title.zh : "") + "（" + Escape(decision.value("policy_version", "")) +
          "）</small></p>\n</main></body></html>\n";
  return html;
}

Result<std::optional<LetterFacts>> ReadFacts(store::Reader& r, const std::string& id) {
  auto app = r.GetApplication(id);
  if (!app.ok()) return app.status();
  if (!*app || (*app)->state == "draft" || (*app)->state == "withdrawn") return std::optional<LetterFacts>();
  auto round = r.GetRound((*app)->round);
  if (!round.ok()) return round.status();
  if (!*round || (*round)->state != "approved") return std::optional<LetterFacts>();
  LetterFacts f{**app, **round, "", ""};
  auto history = r.History(id);
  if (!history.ok()) return history.status();
  for (const auto& h : *history) {
    if ((h.action == "reject" || h.action == "uphold") && h.note) f.note = *h.note;
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
    if (name != "format") return Problem(400, "查询参数有误 / bad query parameter", {{name, "未知参数 / unknown parameter"}});
    format = value;
  }
  if (format != "html") {
    return Problem(400, "查询参数有误 / bad query parameter", {{"format", "决定书目前提供 html 格式（可打印） / the letter is served as html (printable)"}});
  }
  auto facts = service.store()->Read([&](store::Reader& r) { return ReadFacts(r, call.Param("id")); });
  if (!facts.ok()) return StoreFailure(facts.status());
  if (!*facts) {
    return Problem(404, "申请 " + call.Param("id") + " 所在批次尚未批准，暂无决定书 / no decision letter before the round is approved");
  }
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = LetterHtml(service, **facts);
  r.headers.emplace_back("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace qgrant::server
