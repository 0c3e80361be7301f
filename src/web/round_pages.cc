// Rounds, for officers (and admins), finance and auditors: the list with a create form; a round's
// page with its budget and the counts and totals by state and by measure (tables with a total
// row, and the same figures as SVG bar charts), and the officer's steps in their order — close,
// allocate (budget, the allocation's result and chart), notice (start date and working days; the
// API computes the end date), objections, approve; the public notice list; the payments for
// finance with paid/failed, and the CSV/XLSX exports. Each step is the API's: a refusal (409 with
// the round's state, 501 while a route is not there yet) is shown as the API gave it; a form it
// refuses as invalid (400) comes back to its own page with an error summary at the top and each
// problem beside its field; a step done answers 303 to a page that shows what it did. A page
// links only to what exists for its visitor: the public list once its notice has begun, the
// payments for finance.
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>

#include "common/calendar.h"
#include "common/money.h"
#include "policy/words.h"
#include "server/json_body.h"
#include "store/crypto.h"
#include "web/html.h"
#include "web/site.h"

namespace qgrant::web {

namespace {

using nlohmann::json;
using server::Response;
using server::Role;

std::string Str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}
int64_t Fen(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_number_integer() ? j[key].get<int64_t>() : 0;
}
std::string RoundPath(const std::string& id) { return "/rounds/" + UrlPart(id); }
bool Officer(const Visit& v) { return v.Is(Role::kOfficer) || v.Is(Role::kAdmin); }

// 元 amounts typed by a person ("20000000" or "2,000.50") as fen; "" stays "" for the API to name.
json FenFromYuan(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c != ',' && c != ' ') digits += c;
  }
  const size_t dot = digits.find('.');
  std::string whole = digits.substr(0, dot), cents = dot == std::string::npos ? "" : digits.substr(dot + 1);
  if (whole.empty() || whole.size() > 13 || cents.size() > 2 ||
      whole.find_first_not_of("0123456789") != std::string::npos ||
      cents.find_first_not_of("0123456789") != std::string::npos) {
    return text;  // not an amount: the API names the field
  }
  while (cents.size() < 2) cents += '0';
  return std::stoll(whole) * 100 + std::stoll(cents);
}

std::string CreateForm(const Site& site, const Visit& v, const Form& values, const Errors& errors) {
  std::vector<std::string> names = {"id", "title", "guide", "budget_fen", "opens_on", "closes_on"};
  std::vector<std::pair<std::string, std::string>> guides;
  for (const auto& g : site.service().bundle().guides)
    guides.emplace_back(std::to_string(g->year), std::to_string(g->year));
  return "<section class=\"card\"><h2>" + std::string(v.T("新建申报批次", "New round")) + "</h2>" +
         ErrorSummary(errors, names, v.en) + FormStart(site, v, "/rounds", "novalidate") +
         InputField("id", v.T("批次编号", "Round id"), "text", values.Get("id"), errors, true,
                    "maxlength=\"64\" pattern=\"[A-Za-z0-9._-]+\"",
                    v.T("字母、数字、. _ -", "letters, digits, . _ -")) +
         InputField("title", v.T("批次名称", "Title"), "text", values.Get("title"), errors, true) +
         SelectField("guide", v.T("申报指南年度", "Guide year"), guides, values.Get("guide"), errors, true) +
         InputField("budget_fen", v.T("预算（元）", "Budget (yuan)"), "text", values.Get("budget_fen"), errors, true,
                    "inputmode=\"decimal\"") +
         InputField("opens_on", v.T("开始受理日期", "Opens on"), "date", values.Get("opens_on"), errors, true) +
         InputField("closes_on", v.T("截止日期", "Closes on"), "date", values.Get("closes_on"), errors, true) +
         "<button type=\"submit\">" + v.T("创建", "Create") + "</button></form></section>";
}

Response RoundsPage(const Site& site, const Visit& v, const Form& values, const Errors& errors, int status) {
  if (!v.user) return site.SignInFirst(v);
  ApiAnswer rounds = site.api().Call(v, "GET", "/api/v1/rounds?limit=500");
  if (!rounds.ok()) return site.ErrorPage(v, rounds);
  std::string rows;
  for (const auto& r : rounds.body["items"]) {
    const std::string id = Str(r, "id");
    rows += "<tr><th scope=\"row\"><a href=\"" + RoundPath(id) + "\">" + Esc(Str(r, "title")) + "</a></th><td>" +
            Esc(id) + "</td><td>" + Esc(RoundStateLabel(Str(r, "state"), v.en)) + "</td><td>" +
            DateHtml(Str(r, "opens_on"), v.en) + " – " + DateHtml(Str(r, "closes_on"), v.en) +
            "</td><td class=\"num\">" + MoneyHtml(Fen(r, "budget_fen"), v.en) + "</td></tr>";
  }
  std::string main = "<h1>" + std::string(v.T("申报批次", "Rounds")) + "</h1>";
  main +=
      TableWrap(v.T("申报批次", "Rounds"),
                "<table><thead><tr><th scope=\"col\">" + std::string(v.T("名称", "Title")) + "</th><th scope=\"col\">" +
                    v.T("编号", "Id") + "</th><th scope=\"col\">" + v.T("状态", "State") + "</th><th scope=\"col\">" +
                    v.T("受理期", "Window") + "</th><th scope=\"col\" class=\"num\">" + v.T("预算", "Budget") +
                    "</th></tr></thead><tbody>" + rows + "</tbody></table>");
  if (Officer(v)) main += CreateForm(site, v, values, errors);
  return site.Render(v, v.T("申报批次", "Rounds"), main, status, !errors.empty());
}

// A table of {KEY: {count, amount_fen}} with a total row, and its chart.
std::string Breakdown(const json& by, const std::string& caption, const std::string& chart_id, bool en,
                      const std::function<std::string(const std::string&)>& label) {
  if (!by.is_object() || by.empty()) return "<p>" + std::string(Tr(en, "暂无申报。", "No applications yet.")) + "</p>";
  std::string rows;
  int64_t count = 0;
  money::Total total;
  std::vector<Bar> bars;
  for (const auto& [key, cell] : by.items()) {
    count += cell.value("count", int64_t{0});
    total.Add(Fen(cell, "amount_fen"));
    bars.push_back({label(key), Fen(cell, "amount_fen")});
    rows += "<tr><th scope=\"row\">" + Esc(label(key)) + "</th><td class=\"num\">" +
            std::to_string(cell.value("count", int64_t{0})) + "</td><td class=\"num\">" +
            MoneyHtml(Fen(cell, "amount_fen"), en) + "</td></tr>";
  }
  rows += "<tr class=\"total\"><th scope=\"row\">" + std::string(Tr(en, "合计", "Total")) + "</th><td class=\"num\">" +
          std::to_string(count) + "</td><td class=\"num\">" + MoneyHtml(total.ok() ? total.fen() : 0, en) +
          "</td></tr>";
  return "<div class=\"figure\">" +
         TableWrap(caption, "<table><caption>" + Esc(caption) + "</caption><thead><tr><th scope=\"col\">" +
                                Tr(en, "分类", "Group") + "</th><th scope=\"col\" class=\"num\">" +
                                Tr(en, "件数", "Count") + "</th><th scope=\"col\" class=\"num\">" +
                                Tr(en, "金额", "Amount") + "</th></tr></thead><tbody>" + rows + "</tbody></table>") +
         BarChartSvg(chart_id, caption, bars, en) + "</div>";
}

std::string StepForm(const Site& site, const Visit& v, const std::string& action, const char* zh, const char* en,
                     const std::string& fields, const char* css = "") {
  // A step without fields is its button alone; one with fields is headed by its name.
  return FormStart(site, v, action, "class=\"action-form\" novalidate") +
         (fields.empty() ? "" : "<h3>" + Esc(v.T(zh, en)) + "</h3>") + fields + "<button type=\"submit\" class=\"" +
         css + "\">" + Esc(v.T(zh, en)) + "</button></form>";
}

// Why the plan cannot be approved yet, as HTML in the visitor's language ("" when it can): the
// notice must have ended and every objection be resolved. The API decides again at the post.
std::string NotYetApprovable(const Site& site, const Visit& v, const json& r) {
  const std::string ends_on = r["notice"].is_object() ? Str(r["notice"], "ends_on") : "";
  if (ends_on.empty() || ends_on >= policy::FormatDate(site.service().Today())) {
    return v.en ? "The notice runs until " + DateHtml(ends_on, true) + ": approval from the day after."
                : "公示期至" + DateHtml(ends_on, false) + "结束，期满后方可批准。";
  }
  ApiAnswer list = site.api().Call(v, "GET", "/api/v1/rounds/" + UrlPart(Str(r, "id")) + "/objections?limit=500");
  int open = 0;
  if (list.ok() && list.body.contains("items")) {
    for (const auto& o : list.body["items"]) open += Str(o, "state") == "open";
  }
  if (open == 0) return "";
  return v.en ? std::to_string(open) + " objection(s) are open: resolve every one before approval."
              : "尚有" + std::to_string(open) + "件异议未处理，须全部处理后方可批准。";
}

// The approve step: its button leads to the confirm page, or is disabled with the reason
// beside it while the plan cannot be approved (WEB.md: "Approve disabled with the reason").
std::string ApproveStep(const Site& site, const Visit& v, const json& r) {
  const std::string why = NotYetApprovable(site, v, r);
  if (why.empty())
    return StepForm(site, v, RoundPath(Str(r, "id")) + "/approve", "批准资助计划", "Approve the plan", "");
  return "<div class=\"action-form\"><button type=\"button\" disabled aria-describedby=\"approve-why\">" +
         Esc(v.T("批准资助计划", "Approve the plan")) + "</button><p id=\"approve-why\" class=\"hint\">" + why +
         "</p></div>";
}

// The officer's steps the round's state allows; `names` receives their fields (for the error
// summary at the top of the page).
std::string OfficerSteps(const Site& site, const Visit& v, const json& r, const Errors& errors, const Form& values,
                         std::vector<std::string>* names) {
  const std::string id = Str(r, "id"), state = Str(r, "state");
  const std::string base = RoundPath(id);
  std::string out;
  if (state == "open" || state == "scheduled")
    out += StepForm(site, v, base + "/close", "截止受理", "Close to submissions", "", "secondary");
  if (state == "closed" || state == "allocated") {
    out += StepForm(site, v, base + "/allocate", "资金分配", "Allocate",
                    InputField("budget_fen", v.T("预算（元，留空则用批次预算）", "Budget (yuan; empty: the round's)"),
                               "text", values.Get("budget_fen"), errors, false, "inputmode=\"decimal\""));
  }
  if (state == "allocated" || state == "in_notice") {
    out += StepForm(
        site, v, base + "/notice", "发布公示", "Post the notice",
        InputField("starts_on", v.T("公示开始日期", "Notice starts on"), "date",
                   values.Has("starts_on") ? values.Get("starts_on") : policy::FormatDate(site.service().Today()),
                   errors, true, "min=\"" + policy::FormatDate(site.service().Today()) + "\"") +
            InputField("working_days", v.T("公示期（工作日）", "Working days"), "number",
                       values.Has("working_days") ? values.Get("working_days") : "5", errors, true,
                       "min=\"1\" max=\"30\" step=\"1\"",
                       v.T("自开始日次日起按工作日计算，结束日期由系统按法定节假日计算",
                           "Counted from the day after the start, on the official calendar")));
  }
  if (state == "open" || state == "scheduled") {
    std::vector<std::pair<std::string, std::string>> registries;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(site.options().examples_dir, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.ends_with(".jsonl") && name.find("registry") != std::string::npos) registries.emplace_back(name, name);
    }
    out += StepForm(
        site, v, base + "/invitations", "免申即享：筛选名册并邀请", "Screen a registry and invite",
        SelectField("registry_file", v.T("名册（examples/ 中的文件）", "Registry (a file of examples/)"), registries,
                    values.Get("registry_file"), errors, false) +
            TextAreaField("registry", v.T("或粘贴名册（JSON Lines，每行一家单位）", "Or paste a registry (JSON Lines)"),
                          values.Get("registry"), errors, false));
  }
  if (state == "in_notice") out += ApproveStep(site, v, r);
  if (out.empty()) return "";
  for (const char* n : {"budget_fen", "starts_on", "working_days", "registry", "registry_file"}) names->push_back(n);
  return "<section class=\"actions\"><h2>" + std::string(v.T("办理", "Steps")) + "</h2><div class=\"forms\">" + out +
         "</div></section>";
}

// The round's objections; an officer resolves each open one here (a choice and a note, both
// required), `errors` and `values` re-rendering a resolution that came back.
std::string Objections(const Site& site, const Visit& v, const std::string& id, const Errors& errors,
                       const Form& values, std::vector<std::string>* names) {
  ApiAnswer list = site.api().Call(v, "GET", "/api/v1/rounds/" + UrlPart(id) + "/objections?limit=500");
  std::string out = "<section><h2>" + std::string(v.T("异议处理", "Objections")) + "</h2>";
  if (!list.ok())
    return out + "<p class=\"notice\">" + Esc(list.Detail(v.en)) + " (" + std::to_string(list.status) +
           ")</p></section>";
  std::string rows;
  for (const auto& o : list.body["items"]) {
    const std::string oid = o.contains("id") ? (o["id"].is_string() ? o["id"].get<std::string>() : o["id"].dump()) : "";
    rows += "<tr><td>" + Esc(Str(o, "application_id")) + "</td><td>" + Esc(Str(o, "text")) + "</td><td>" +
            Esc(ObjectionLabel(Str(o, "state"), v.en)) + "</td><td>";
    if (Str(o, "state") == "open" && Officer(v)) {
      const std::string note = "note-" + oid, upheld = "upheld-" + oid;
      names->push_back(note);
      names->push_back(upheld);
      rows += FormStart(site, v, "/objections/" + UrlPart(oid) + "/resolve?round=" + UrlPart(id),
                        "class=\"inline\" novalidate") +
              InputField(note, v.T("处理意见", "Note"), "text", values.Get(note), errors, true) +
              RadioField(upheld, v.T("处理结果", "Outcome"),
                         {{"true", v.T("异议成立", "Upheld")}, {"false", v.T("不成立", "Dismissed")}},
                         values.Get(upheld), errors, true) +
              "<button type=\"submit\">" + v.T("处理", "Resolve") + "</button></form>";
    }
    rows += "</td></tr>";
  }
  if (rows.empty()) return out + "<p>" + v.T("暂无异议。", "No objections.") + "</p></section>";
  return out +
         TableWrap(v.T("异议", "Objections"),
                   "<table><thead><tr><th scope=\"col\">" + std::string(v.T("办件编号", "Case")) +
                       "</th><th scope=\"col\">" + v.T("异议内容", "Text") + "</th><th scope=\"col\">" +
                       v.T("状态", "State") + "</th><th scope=\"col\">" + v.T("处理", "Resolve") +
                       "</th></tr></thead><tbody>" + rows + "</tbody></table>") +
         "</section>";
}

// The API's refusal of a form (400) as errors by field; a problem that names no field is shown
// at the top of the page by its detail.
Errors ProblemErrors(const ApiAnswer& answer, bool en, const std::string& suffix = "") {
  Errors errors;
  for (const auto& [field, message] : answer.FieldErrors(en)) errors[field.empty() ? field : field + suffix] = message;
  if (errors.empty()) errors[""] = answer.Detail(en);
  return errors;
}

std::string Trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

std::string Today(const Site& site) { return policy::FormatDate(site.service().Today()); }

// Whether the round's public list is out (GET /api/v1/rounds/{id}/notice answers it): a notice
// posted, the round in notice or approved, and its first day come.
bool NoticePublic(const Site& site, const json& r) {
  const std::string state = Str(r, "state");
  return r.contains("notice") && r["notice"].is_object() && (state == "in_notice" || state == "approved") &&
         !Str(r["notice"], "starts_on").empty() && Str(r["notice"], "starts_on") <= Today(site);
}

// The allocation as the round's applications keep it (each decision carries its budget step),
// in the shape of the allocate answer; null when nothing of the round is allocated. An
// application an upheld objection rejected is no longer part of it.
json AllocationOf(const Site& site, const Visit& v, const json& r) {
  const std::string state = Str(r, "state");
  if (state != "allocated" && state != "in_notice" && state != "approved") return nullptr;
  json items = json::array();
  money::Total eligible, allocated;
  std::string cursor;
  for (int page = 0; page < 1000; ++page) {
    ApiAnswer list = site.api().Call(v, "GET",
                                     "/api/v1/applications?round=" + UrlPart(Str(r, "id")) + "&limit=500" +
                                         (cursor.empty() ? "" : "&cursor=" + UrlPart(cursor)));
    if (!list.ok() || !list.body.is_object()) return nullptr;
    for (const auto& a : list.body["items"]) {
      const std::string s = Str(a, "state");
      if (s != "proposed" && s != "not_funded" && s != "in_notice" && s != "approved" && s != "paid") continue;
      const json& d = a["decision"];
      if (!d.is_object() || !d.contains("allocation") || !d["allocation"].is_object()) continue;
      if (Str(d, "outcome") == "eligible") eligible.Add(Fen(d, "amount_fen"));
      allocated.Add(Fen(a, "allocated_fen"));
      items.push_back({{"id", Str(a, "id")},
                       {"state", s},
                       {"amount_fen", Fen(d, "amount_fen")},
                       {"allocated_fen", Fen(a, "allocated_fen")},
                       {"step", {{"zh", Str(d["allocation"], "zh")}, {"en", Str(d["allocation"], "en")}}}});
    }
    if (!list.body["next_cursor"].is_string()) break;
    cursor = list.body["next_cursor"].get<std::string>();
  }
  if (items.empty() || !eligible.ok() || !allocated.ok()) return nullptr;
  return {{"budget_fen", Fen(r, "budget_fen")},
          {"eligible_total_fen", eligible.fen()},
          {"allocated_total_fen", allocated.fen()},
          {"applications", items}};
}

// The allocation: the totals and each application's share, with a chart. `just_done`: the page
// the allocation's POST redirected to, which announces it.
std::string AllocationResult(const json& a, bool en, bool just_done) {
  std::string rows;
  std::vector<Bar> bars;
  for (const auto& app : a["applications"]) {
    rows += "<tr><th scope=\"row\">" + Esc(Str(app, "id")) + "</th><td>" + Esc(StateLabel(Str(app, "state"), en)) +
            "</td><td class=\"num\">" + MoneyHtml(Fen(app, "amount_fen"), en) + "</td><td class=\"num\">" +
            MoneyHtml(Fen(app, "allocated_fen"), en) + "</td><td>" +
            Esc(app["step"].is_object() ? app["step"].value(en ? "en" : "zh", "") : "") + "</td></tr>";
    bars.push_back({Str(app, "id"), Fen(app, "allocated_fen")});
  }
  return std::string("<section class=\"allocation") + (just_done ? " result\" role=\"status\"" : "\"") + "><h2>" +
         Tr(en, "分配结果", "Allocation") + "</h2><p>" + Tr(en, "预算 ", "Budget ") +
         MoneyHtml(Fen(a, "budget_fen"), en) + "；" + Tr(en, "符合条件合计 ", "eligible total ") +
         MoneyHtml(Fen(a, "eligible_total_fen"), en) + "；" + Tr(en, "已分配合计 ", "allocated total ") +
         MoneyHtml(Fen(a, "allocated_total_fen"), en) + "</p>" +
         TableWrap(Tr(en, "分配结果", "Allocation"),
                   "<table><thead><tr><th scope=\"col\">" + std::string(Tr(en, "办件编号", "Case")) +
                       "</th><th scope=\"col\">" + Tr(en, "状态", "State") + "</th><th scope=\"col\" class=\"num\">" +
                       Tr(en, "核算金额", "Eligible") + "</th><th scope=\"col\" class=\"num\">" +
                       Tr(en, "拟资助", "Allocated") + "</th><th scope=\"col\">" + Tr(en, "说明", "Step") +
                       "</th></tr></thead><tbody>" + rows + "</tbody></table>") +
         BarChartSvg("chart-alloc", Tr(en, "各申报件拟资助金额", "Allocated by application"), bars, en) + "</section>";
}

// The screening's answer: how many units were invited, which could not be decided and why.
// A fact a screening could not decide without, by the words the policy gives it ("certificates"
// or "facts.certificates" of the measure reads 认证证书); a field it does not declare by its name.
std::string MissingFactWords(const std::map<std::string, json>& measures, const std::string& measure,
                             std::string_view missing, bool en) {
  if (std::string words = ContractFieldLabel(missing, en); !words.empty()) return words;
  if (missing.starts_with("facts.")) missing.remove_prefix(6);
  const auto m = measures.find(measure);
  if (m != measures.end() && m->second.contains("facts")) {
    if (const json* spec = FindFactSpec(m->second["facts"], missing)) return FactSpecLabel(*spec, en);
  }
  return FactLabel(missing, en);
}

std::string InvitationResult(const json& a, const std::map<std::string, json>& measures, bool en) {
  auto count = [&](const char* key) -> std::string {
    if (!a.contains(key)) return "0";
    if (a[key].is_array()) return std::to_string(a[key].size());
    return a[key].is_number_integer() ? std::to_string(a[key].get<int64_t>()) : "0";
  };
  std::string out = "<section class=\"result\" role=\"status\"><h2>" + std::string(Tr(en, "邀请结果", "Invitations")) +
                    "</h2><p>" + Tr(en, "已邀请 ", "Invited: ") + count("invited") +
                    Tr(en, " 家；不符合条件 ", "; not eligible: ") + count("ineligible") +
                    Tr(en, "；待补充信息 ", "; undetermined: ") + count("undetermined") + "</p><ul>";
  if (a.contains("undetermined") && a["undetermined"].is_array()) {
    for (const auto& u : a["undetermined"]) {
      std::string missing;
      if (u.contains("missing") && u["missing"].is_array()) {
        for (const auto& m : u["missing"]) {
          missing +=
              (missing.empty() ? Tr(en, "", "") : Tr(en, "、", ", ")) +
              (m.is_string() ? MissingFactWords(measures, Str(u, "measure"), m.get<std::string>(), en) : m.dump());
        }
      }
      out += "<li>" + Esc(Str(u, "uscc")) + " " + Esc(MeasureTitle(measures, Str(u, "measure"), en)) +
             Tr(en, "：缺少 ", ": missing ") + Esc(missing) + "</li>";
    }
  }
  return out + "</ul></section>";
}

// The round's 免申即享 invitations by state (GET /api/v1/invitations), for an officer; "" when none.
std::string InvitationsOf(const Site& site, const Visit& v, const std::string& id) {
  ApiAnswer list = site.api().Call(v, "GET", "/api/v1/invitations?round=" + UrlPart(id) + "&limit=500");
  if (!list.ok() || !list.body.is_object() || !list.body["items"].is_array() || list.body["items"].empty()) return "";
  std::map<std::string, int> by_state;
  for (const auto& i : list.body["items"]) ++by_state[Str(i, "state")];
  std::string counts;
  for (const char* s : {"open", "confirmed", "declined"}) {
    if (by_state[s] > 0)
      counts += (counts.empty() ? "" : v.T("，", ", ")) + InvitationLabel(s, v.en) + " " + std::to_string(by_state[s]);
  }
  return "<section><h2>" + std::string(v.T("免申即享邀请", "Invitations")) + "</h2><p>" +
         v.T("本批次已发出邀请 ", "Invitations sent in this round: ") + std::to_string(list.body["items"].size()) +
         (list.body["next_cursor"].is_string() ? "+" : "") + v.T(" 份：", ": ") + Esc(counts) + "</p></section>";
}

Response RoundPage(const Site& site, const Visit& v, const std::string& id, const Errors& errors, const Form& values,
                   int status) {
  if (!v.user) return site.SignInFirst(v);
  ApiAnswer round = site.api().Call(v, "GET", "/api/v1/rounds/" + UrlPart(id));
  if (!round.ok()) return site.ErrorPage(v, round);
  const json& r = round.body;
  const auto measures = MeasuresById(site, v);
  const Form query = Form::FromQuery(v.request.query);
  std::string head = "<p class=\"crumbs\"><a href=\"/rounds\">" + std::string(v.T("申报批次", "Rounds")) +
                     "</a></p><h1>" + Esc(Str(r, "title")) + "</h1>";
  head += "<dl class=\"summary\"><div><dt>" + std::string(v.T("状态", "State")) + "</dt><dd>" +
          Esc(RoundStateLabel(Str(r, "state"), v.en)) + "</dd></div><div><dt>" + v.T("预算", "Budget") + "</dt><dd>" +
          MoneyHtml(Fen(r, "budget_fen"), v.en) + "</dd></div><div><dt>" + v.T("受理期", "Window") + "</dt><dd>" +
          DateHtml(Str(r, "opens_on"), v.en) + " – " + DateHtml(Str(r, "closes_on"), v.en) + "</dd></div>";
  if (r["notice"].is_object()) {
    head += "<div><dt>" + std::string(v.T("公示期", "Notice")) + "</dt><dd>" +
            DateHtml(Str(r["notice"], "starts_on"), v.en) + " – " + DateHtml(Str(r["notice"], "ends_on"), v.en) + "（" +
            std::to_string(r["notice"].value("working_days", 0)) + v.T("个工作日", " working days") + "）</dd></div>";
  }
  head += "</dl>";
  std::vector<std::string> names;  // the fields of the page's forms, for the error summary
  std::string main;
  if (query.Has("done"))
    main += "<p class=\"success\" role=\"status\">" + std::string(v.T("已办理。", "Done.")) + "</p>";
  if (Officer(v) && query.Has("invited")) {
    // The screening the invitations' POST kept for this page (gone after a restart of the service:
    // the invitations themselves are listed below).
    const json kept = site.Kept(v, query.Get("invited"));
    if (kept.is_object()) main += InvitationResult(kept, measures, v.en);
  }
  if (!v.Is(Role::kApplicant)) {
    const json allocation = AllocationOf(site, v, r);
    if (allocation.is_object()) main += AllocationResult(allocation, v.en, query.Has("allocated"));
  }
  if (Officer(v)) main += OfficerSteps(site, v, r, errors, values, &names);
  main += "<h2>" + std::string(v.T("按状态统计", "By state")) + "</h2>" +
          Breakdown(r["by_state"], v.T("按状态统计的件数与金额", "Count and amount by state"), "chart-state", v.en,
                    [&](const std::string& k) { return StateLabel(k, v.en); });
  main += "<h2>" + std::string(v.T("按措施统计", "By measure")) + "</h2>" +
          Breakdown(r["by_measure"], v.T("按措施统计的件数与金额", "Count and amount by measure"), "chart-measure",
                    v.en, [&](const std::string& k) { return MeasureTitle(measures, k, v.en); });
  if (Officer(v)) main += InvitationsOf(site, v, id);
  // Links only to what exists for this visitor: the public list once its first day has come
  // (the API's 404 before), the payments for finance (the only role the API lets read them).
  std::string links;
  if (NoticePublic(site, r)) {
    const std::string api = "/api/v1/rounds/" + Esc(UrlPart(id));
    links += "<li><a href=\"" + RoundPath(id) + "/notice\">" + v.T("公示名单", "The public notice") +
             "</a>（<a href=\"" + api + "/notice?format=csv\">CSV</a>，<a href=\"" + api +
             "/notice?format=xlsx\">XLSX</a>）</li>";
  } else if (r["notice"].is_object()) {
    links += "<li>" + std::string(v.T("公示名单自 ", "The public list is published on ")) +
             DateHtml(Str(r["notice"], "starts_on"), v.en) + v.T(" 起公开。", ".") + "</li>";
  }
  if (v.Is(Role::kFinance)) {
    links += "<li><a href=\"" + RoundPath(id) + "/payments\">" + std::string(v.T("资金拨付", "Payments")) + "</a></li>";
  }
  if (!links.empty())
    main += "<section><h2>" + std::string(v.T("公示与导出", "Notice and exports")) + "</h2><ul>" + links +
            "</ul></section>";
  if (Officer(v) || v.Is(Role::kAuditor)) main += Objections(site, v, id, errors, values, &names);
  // One error summary, at the top, each problem linking to its field (WEB.md "Errors").
  return site.Render(v, Str(r, "title"), head + ErrorSummary(errors, names, v.en) + main, status, !errors.empty());
}

// The public notice with its list and total; a signed-in visitor objects here, and an objection
// the API refuses comes back to this page with the text as typed and each problem at its field.
Response NoticePage(const Site& site, const Visit& v, const std::string& id, const Errors& errors, const Form& values,
                    int status) {
  ApiAnswer notice = site.api().Call(v, "GET", "/api/v1/rounds/" + UrlPart(id) + "/notice");
  if (!notice.ok()) return site.ErrorPage(v, notice);
  const json& n = notice.body;
  const auto measures = MeasuresById(site, v);
  std::string rows;
  int i = 0;
  for (const auto& item : n["items"]) {
    rows += "<tr><td class=\"num\">" + std::to_string(++i) + "</td><td class=\"mono\">" + Esc(Str(item, "uscc")) +
            "</td><td>" + Esc(Str(item, "name")) + "</td><td>" +
            Esc(MeasureTitle(measures, Str(item, "measure"), v.en)) + "</td><td>" +
            Esc(policy::CiteZh(Str(item, "clause"))) + "</td><td>" + Esc(Str(item, "item")) +
            "</td><td class=\"num\">" + MoneyHtml(Fen(item, "amount_fen"), v.en) + "</td></tr>";
  }
  rows += "<tr class=\"total\"><th scope=\"row\" colspan=\"6\">" + std::string(v.T("合计", "Total")) +
          "</th><td class=\"num\">" + MoneyHtml(Fen(n, "total_fen"), v.en) + "</td></tr>";
  const std::string api = "/api/v1/rounds/" + Esc(UrlPart(id)) + "/notice";
  // The title names the round (its year and programme, as the officer titled it, WEB.md §1 公示);
  // the period its working days.
  std::string main =
      "<h1>" + Esc(Str(n, "title")) + v.T("拟资助项目公示", ": public notice of proposed grants") + "</h1>";
  if (v.user) main += ErrorSummary(errors, {"application_id", "text"}, v.en);
  const std::string days = n.contains("working_days") ? std::to_string(n["working_days"].get<int64_t>()) : "";
  main += "<p>" + std::string(v.T("公示期：", "Notice period: ")) + DateHtml(Str(n, "starts_on"), v.en) +
          v.T("至", " to ") + DateHtml(Str(n, "ends_on"), v.en) +
          (days.empty() ? std::string()
           : v.en       ? " (" + days + " working days)"
                        : "（" + days + "个工作日）") +
          "</p><p>" +
          v.T("对公示内容有异议的，请在公示期内以书面形式提出，并署名或加盖公章；匿名异议不予受理，异议人身"
              "份予以保密。资金拨付最终以资助计划下达文件为准。",
              "Objections must be made in writing during the notice period, signed or sealed; anonymous "
              "objections are not accepted and the objector's identity is protected. Payment follows the "
              "funding plan as issued.") +
          "</p>";
  main += TableWrap(v.T("公示名单", "Notice list"),
                    "<table><thead><tr><th scope=\"col\" class=\"num\">" + std::string(v.T("序号", "No.")) +
                        "</th><th scope=\"col\">" + v.T("统一社会信用代码", "USCC") + "</th><th scope=\"col\">" +
                        v.T("单位名称", "Unit") + "</th><th scope=\"col\">" + v.T("措施", "Measure") +
                        "</th><th scope=\"col\">" + v.T("条款", "Clause") + "</th><th scope=\"col\">" +
                        v.T("项目", "Item") + "</th><th scope=\"col\" class=\"num\">" + v.T("拟资助金额", "Amount") +
                        "</th></tr></thead><tbody>" + rows + "</tbody></table>");
  if (Form::FromQuery(v.request.query).Has("objected")) {
    main +=
        "<p class=\"success\" role=\"status\">" + std::string(v.T("异议已提交。", "The objection was filed.")) + "</p>";
  }
  if (v.user) {
    // Objections are signed (anonymous ones are not accepted): only a signed-in user files one.
    std::vector<std::pair<std::string, std::string>> listed;
    for (const auto& item : n["items"])
      listed.emplace_back(Str(item, "application_id"), Str(item, "application_id") + " " + Str(item, "name"));
    main += "<section class=\"card\"><h2>" + std::string(v.T("提出异议", "File an objection")) + "</h2>" +
            FormStart(site, v, RoundPath(id) + "/objections", "novalidate") +
            SelectField("application_id", v.T("异议对象", "Application"), listed, values.Get("application_id"), errors,
                        true) +
            TextAreaField("text", v.T("异议内容", "Objection"), values.Get("text"), errors, true) +
            "<button type=\"submit\">" + v.T("提交异议", "File the objection") + "</button></form></section>";
  }
  // Each file labelled with its format and size (WEB.md §1 公示), the size of the file as served.
  const std::string content = store::Sha256Hex(notice.raw);
  auto file_link = [&](const char* format, const char* label) {
    const size_t bytes = site.PublicFileSize(v, "/api/v1/rounds/" + UrlPart(id) + "/notice?format=" + format, content);
    const size_t kb = (bytes + 1023) / 1024;
    return "<a href=\"" + api + "?format=" + format + "\">" + v.T("下载 ", "Download ") + label + v.T("（", " (") +
           std::to_string(kb) + " KB" + v.T("）", ")") + "</a>";
  };
  main += "<p>" + file_link("csv", "CSV") + " · " + file_link("xlsx", "XLSX") + "</p>";
  return site.Render(v, v.T("公示名单", "Public notice"), main, status, !errors.empty());
}

// Every payment of the round, the API's pages joined (its totals are the round's on each page).
ApiAnswer AllPayments(const Site& site, const Visit& v, const std::string& round) {
  const std::string base = "/api/v1/rounds/" + UrlPart(round) + "/payments?limit=500";
  ApiAnswer all = site.api().Call(v, "GET", base);
  for (int page = 0; page < 10000 && all.ok() && all.body["next_cursor"].is_string(); ++page) {
    ApiAnswer more = site.api().Call(v, "GET", base + "&cursor=" + UrlPart(all.body["next_cursor"].get<std::string>()));
    if (!more.ok()) return more;
    for (auto& item : more.body["items"]) all.body["items"].push_back(std::move(item));
    all.body["next_cursor"] = more.body["next_cursor"];
  }
  return all;
}

// The payments of a round for finance: each pending or failed one with its reference and
// paid/failed; a record the API refuses comes back here with the problem at its row's field.
Response PaymentsPage(const Site& site, const Visit& v, const std::string& id, const Errors& errors, const Form& values,
                      int status) {
  if (!v.user) return site.SignInFirst(v);
  ApiAnswer list = AllPayments(site, v, id);
  if (!list.ok()) return site.ErrorPage(v, list);
  std::string rows;
  std::vector<std::string> names;
  for (const auto& p : list.body["items"]) {
    const std::string pid = p.contains("id") ? (p["id"].is_string() ? p["id"].get<std::string>() : p["id"].dump()) : "";
    const std::string status_of = Str(p, "status");
    rows += "<tr><th scope=\"row\">" + Esc(Str(p, "application_id")) + "</th><td>" + Esc(Str(p, "payee")) +
            "</td><td class=\"num\">" + MoneyHtml(Fen(p, "amount_fen"), v.en) + "</td><td>" +
            Esc(PaymentLabel(status_of, v.en)) + "</td><td>" + Esc(Str(p, "reference")) + "</td><td>";
    if (status_of != "paid" && v.Is(Role::kFinance)) {
      const std::string reference = "reference-" + pid;
      names.push_back(reference);
      rows += FormStart(site, v, "/payments/" + UrlPart(pid) + "?round=" + UrlPart(id), "class=\"inline\" novalidate") +
              InputField(reference, v.T("银行流水号", "Bank reference"), "text", values.Get(reference), errors, false,
                         {}, v.T("登记已拨付时必填", "Required to record it paid")) +
              "<button type=\"submit\" name=\"status\" value=\"paid\">" + v.T("已拨付", "Paid") +
              "</button> <button type=\"submit\" name=\"status\" value=\"failed\" class=\"secondary\">" +
              v.T("拨付失败", "Failed") + "</button></form>";
    }
    rows += "</td></tr>";
  }
  const std::string api = RoundPath(id) + "/payments/export";
  std::string main = "<p class=\"crumbs\"><a href=\"" + RoundPath(id) + "\">" +
                     std::string(v.T("返回批次", "Back to the round")) + "</a></p><h1>" + v.T("资金拨付", "Payments") +
                     "</h1>" + ErrorSummary(errors, names, v.en);
  main += TableWrap(v.T("拨付清单", "Payments"),
                    "<table><thead><tr><th scope=\"col\">" + std::string(v.T("办件编号", "Case")) +
                        "</th><th scope=\"col\">" + v.T("收款单位", "Payee") + "</th><th scope=\"col\" class=\"num\">" +
                        v.T("金额", "Amount") + "</th><th scope=\"col\">" + v.T("状态", "Status") +
                        "</th><th scope=\"col\">" + v.T("流水号", "Reference") + "</th><th scope=\"col\">" +
                        v.T("登记结果", "Record") + "</th></tr></thead><tbody>" + rows + "</tbody></table>");
  main += Breakdown(list.body["totals"], v.T("按状态汇总", "Totals by status"), "chart-pay", v.en,
                    [&](const std::string& k) { return PaymentLabel(k, v.en); });
  main += "<p><a href=\"" + api + "?format=csv\">" + v.T("导出 CSV", "Export CSV") + "</a> · <a href=\"" + api +
          "?format=xlsx\">" + v.T("导出 XLSX", "Export XLSX") + "</a></p>";
  return site.Render(v, v.T("资金拨付", "Payments"), main, status, !errors.empty());
}

// The last day of a notice of `days_text` working days from `starts_on`, as the API will work it
// out, or "" when the API would refuse the two (it then says why).
std::string NoticeEnd(const Site& site, const std::string& starts_on, const std::string& days_text) {
  auto start = common::ParseIsoDay(starts_on);
  if (!start.ok() || *start < site.service().Today().days) return "";
  // Read as RoundStep reads it for the API ("007" is 7).
  if (days_text.empty() || days_text.size() > 3 || days_text.find_first_not_of("0123456789") != std::string::npos)
    return "";
  const int days = std::stoi(days_text);
  if (days < 1 || days > 30) return "";
  auto end = common::AddWorkingDays(*start, days);
  return end.ok() ? common::FormatIsoDay(*end) : "";
}

// WCAG 3.3.4: posting the notice and approving the plan go through a page that says what will
// happen (the notice's dates, worked out on the official calendar; the applications approved and
// their amount, into the ledger for good) and posts the same fields again with confirm=1 and the
// same Idempotency-Key. nullopt: nothing to confirm (the API refuses the step and says why).
std::optional<Response> ConfirmStep(const Site& site, const Visit& v, const std::string& id, const std::string& step,
                                    const Form& form) {
  ApiAnswer round = site.api().Call(v, "GET", "/api/v1/rounds/" + UrlPart(id));
  if (!round.ok()) return site.ErrorPage(v, round);
  const json& r = round.body;
  std::string what, fields = "<input type=\"hidden\" name=\"confirm\" value=\"1\">";
  const char* title_zh = "确认发布公示";
  const char* title_en = "Confirm the notice";
  if (step == "notice") {
    const std::string starts_on = form.Get("starts_on"), days = form.Get("working_days");
    const std::string ends_on = NoticeEnd(site, starts_on, days);
    if (ends_on.empty()) return std::nullopt;
    what = "<p>" + std::string(v.T("公示期：", "Notice period: ")) + DateHtml(starts_on, v.en) + v.T("至", " to ") +
           DateHtml(ends_on, v.en) + (v.en ? " (" + days + " working days)" : "（" + days + "个工作日）") + "</p><p>" +
           v.T("结束日期已按国务院办公厅公布的节假日安排计算。公示名单自开始日起向社会公开。",
               "The last day follows the State Council's holiday arrangements. The list is public from the first "
               "day.") +
           "</p>";
    fields += "<input type=\"hidden\" name=\"starts_on\" value=\"" + Esc(starts_on) +
              "\"><input type=\"hidden\" name=\"working_days\" value=\"" + Esc(days) + "\">";
  } else {
    if (!NotYetApprovable(site, v, r).empty()) return std::nullopt;
    title_zh = "确认批准资助计划";
    title_en = "Confirm the approval";
    const json group =
        r["by_state"].is_object() && r["by_state"].contains("in_notice") ? r["by_state"]["in_notice"] : json::object();
    what = "<p>" + std::string(v.T("批准公示中的 ", "Approve the ")) +
           std::to_string(group.value("count", int64_t{0})) +
           v.T(" 件申报，资助金额合计 ", " applications in notice, ") + MoneyHtml(Fen(group, "amount_fen"), v.en) +
           v.T("。", " in all.") + "</p><p>" +
           v.T("批准后，各项资助记入资助台账并生成拨付记录，不能撤回。",
               "Each grant then enters the ledger and gets a payment record; this cannot be undone.") +
           "</p>";
  }
  const std::string back = RoundPath(id);
  std::string main = "<p class=\"crumbs\"><a href=\"" + back + "\">" + v.T("返回批次", "Back to the round") +
                     "</a></p><h1>" + Esc(v.T(title_zh, title_en)) + "</h1><p><strong>" + Esc(Str(r, "title")) +
                     "</strong></p>" + what;
  main += "<form method=\"post\" action=\"" + back + "/" + step + "\">" + site.CsrfField(v) +
          "<input type=\"hidden\" name=\"idem\" value=\"" + Esc(form.Get("idem")) + "\">" + fields +
          "<button type=\"submit\">" + Esc(v.T("确认", "Confirm")) + "</button> <a class=\"button secondary\" href=\"" +
          back + "\">" + v.T("返回修改", "Go back") + "</a></form>";
  return site.Render(v, v.T(title_zh, title_en), main);
}

Response RoundStep(const Site& site, const Visit& v, const server::Call& call, const Form& form) {
  const std::string id = call.Param("id"), step = call.Param("step");
  if ((step == "notice" || step == "approve") && form.Get("confirm") != "1") {
    if (auto page = ConfirmStep(site, v, id, step, form)) return *page;
  }
  json body = json::object();
  if (step == "allocate" && !form.Get("budget_fen").empty()) body["budget_fen"] = FenFromYuan(form.Get("budget_fen"));
  if (step == "notice") {
    body["starts_on"] = form.Get("starts_on");
    const std::string& days = form.Get("working_days");
    body["working_days"] = !days.empty() && days.size() < 4 && days.find_first_not_of("0123456789") == std::string::npos
                               ? json(std::stoi(days))
                               : json(days);
  }
  if (step == "objections") body = {{"application_id", form.Get("application_id")}, {"text", form.Get("text")}};
  if (step == "invitations") {
    std::string text = form.Get("registry");
    if (text.empty() && !form.Get("registry_file").empty() &&
        form.Get("registry_file").find('/') == std::string::npos) {
      std::ifstream in(std::filesystem::path(site.options().examples_dir) / form.Get("registry_file"),
                       std::ios::binary);
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    // The API takes {"registry": [unit, ...]}: each line one unit; a line that is not JSON is
    // passed on as text, for the API to name.
    json units = json::array();
    size_t at = 0;
    while (at < text.size()) {
      size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      const std::string line = text.substr(at, end - at);
      at = end + 1;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      json unit = server::ParseJsonOrDiscarded(line);
      units.push_back(unit.is_discarded() ? json(line) : unit);
    }
    body = {{"registry", units}};
  }
  if (step != "close" && step != "allocate" && step != "notice" && step != "approve" && step != "objections" &&
      step != "invitations") {
    return site.Message(v, 404, v.T("未找到", "Not found"), "");
  }
  ApiAnswer done = site.api().Call(v, "POST", "/api/v1/rounds/" + UrlPart(id) + "/" + step, body, form.Get("idem"));
  if (done.status == 400) {
    // The objection came from the notice page: back to it, as typed.
    if (step == "objections") return NoticePage(site, v, id, ProblemErrors(done, v.en), form, 400);
    return RoundPage(site, v, id, ProblemErrors(done, v.en), form, 400);
  }
  if (!done.ok()) return site.ErrorPage(v, done);
  // Every step answers 303 to a page that shows what it did (a reload posts nothing again).
  if (step == "objections") return site.Redirect(RoundPath(id) + "/notice?objected=1");
  if (step == "invitations") {
    json screened = json::object();
    for (const char* key : {"invited", "ineligible", "undetermined"}) {
      if (done.body.is_object() && done.body.contains(key)) screened[key] = done.body[key];
    }
    return site.Redirect(RoundPath(id) + "?invited=" + site.Keep(v, std::move(screened)));
  }
  if (step == "allocate") return site.Redirect(RoundPath(id) + "?allocated=1");
  return site.Redirect(RoundPath(id) + "?done=1");
}

// WCAG 3.3.4: recording a payment paid is final (CONTRACT §7), so it is confirmed first, with the
// payee, the amount and the bank reference. nullopt: no such payment on the round's list.
std::optional<Response> ConfirmPayment(const Site& site, const Visit& v, const std::string& round,
                                       const std::string& pid, const Form& form) {
  const std::string reference = Trimmed(form.Get("reference-" + pid));
  ApiAnswer list = AllPayments(site, v, round);
  if (!list.ok() || !list.body.contains("items")) return std::nullopt;
  const json* payment = nullptr;
  for (const auto& p : list.body["items"]) {
    const std::string id = p.contains("id") ? (p["id"].is_string() ? p["id"].get<std::string>() : p["id"].dump()) : "";
    if (id == pid) payment = &p;
  }
  if (payment == nullptr) return std::nullopt;
  const std::string action = "/payments/" + UrlPart(pid) + "?round=" + UrlPart(round);
  std::string main = "<p class=\"crumbs\"><a href=\"" + RoundPath(round) + "/payments\">" +
                     v.T("返回拨付清单", "Back to the payments") + "</a></p><h1>" +
                     v.T("确认登记已拨付", "Confirm the payment") + "</h1><dl class=\"summary\"><div><dt>" +
                     v.T("办件编号", "Case") + "</dt><dd>" + Esc(Str(*payment, "application_id")) +
                     "</dd></div><div><dt>" + v.T("收款单位", "Payee") + "</dt><dd>" + Esc(Str(*payment, "payee")) +
                     "</dd></div><div><dt>" + v.T("金额", "Amount") + "</dt><dd>" +
                     MoneyHtml(Fen(*payment, "amount_fen"), v.en) + "</dd></div><div><dt>" +
                     v.T("银行流水号", "Bank reference") + "</dt><dd>" + Esc(reference) + "</dd></div></dl><p>" +
                     v.T("登记为已拨付后不能更改。", "A payment recorded as paid cannot be changed.") + "</p>";
  main += "<form method=\"post\" action=\"" + Esc(action) + "\">" + site.CsrfField(v) +
          "<input type=\"hidden\" name=\"idem\" value=\"" + Esc(form.Get("idem")) +
          "\"><input type=\"hidden\" name=\"confirm\" value=\"1\"><input type=\"hidden\" name=\"status\" "
          "value=\"paid\"><input type=\"hidden\" name=\"reference-" +
          Esc(pid) + "\" value=\"" + Esc(reference) + "\"><button type=\"submit\">" + v.T("确认", "Confirm") +
          "</button> <a class=\"button secondary\" href=\"" + RoundPath(round) + "/payments\">" +
          v.T("返回修改", "Go back") + "</a></form>";
  return site.Render(v, v.T("确认登记已拨付", "Confirm the payment"), main);
}

}  // namespace

void AddRoundPages(server::Router& router, std::shared_ptr<const Site> site) {
  AddPage(
      router, site, "GET", "/rounds",
      [](const Site& s, const Visit& v, const server::Call&, const Form&) { return RoundsPage(s, v, Form(), {}, 200); },
      "rounds");
  AddPage(
      router, site, "POST", "/rounds",
      [](const Site& s, const Visit& v, const server::Call&, const Form& form) {
        json body = {{"id", form.Get("id")},
                     {"title", form.Get("title")},
                     {"guide", form.Get("guide")},
                     {"budget_fen", FenFromYuan(form.Get("budget_fen"))},
                     {"opens_on", form.Get("opens_on")},
                     {"closes_on", form.Get("closes_on")}};
        ApiAnswer done = s.api().Call(v, "POST", "/api/v1/rounds", body, form.Get("idem"));
        if (done.ok()) return s.Redirect(RoundPath(form.Get("id")));
        if (done.status == 400 || done.status == 409) {
          Errors errors = done.FieldErrors(v.en);
          if (errors.empty()) errors["id"] = done.Detail(v.en);
          return RoundsPage(s, v, form, errors, done.status);
        }
        return s.ErrorPage(v, done);
      },
      "create a round");
  AddPage(
      router, site, "GET", "/rounds/{id}",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        return RoundPage(s, v, call.Param("id"), {}, Form(), 200);
      },
      "a round: budget, counts and totals, steps");
  AddPage(router, site, "POST", "/rounds/{id}/{step}", RoundStep,
          "close, allocate, notice, approve a round, or object during its notice");
  AddPage(
      router, site, "GET", "/rounds/{id}/notice",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        return NoticePage(s, v, call.Param("id"), {}, Form(), 200);
      },
      "the public notice");
  AddPage(
      router, site, "GET", "/rounds/{id}/payments",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        return PaymentsPage(s, v, call.Param("id"), {}, Form(), 200);
      },
      "the payments of a round");
  AddPage(
      router, site, "GET", "/rounds/{id}/payments/export",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        if (!v.user) return s.SignInFirst(v);
        const std::string format = Form::FromQuery(call.request.query).Get("format") == "xlsx" ? "xlsx" : "csv";
        return s.Download(
            v, s.api().Call(v, "GET", "/api/v1/rounds/" + UrlPart(call.Param("id")) + "/payments?format=" + format));
      },
      "the payment file as CSV or XLSX");
  AddPage(
      router, site, "POST", "/payments/{id}",
      [](const Site& s, const Visit& v, const server::Call& call, const Form& form) {
        // Each row's inputs carry the payment's id, so that the ids on the page stay unique.
        const std::string& pid = call.Param("id");
        const std::string round = Form::FromQuery(call.request.query).Get("round");
        // Paid is final: it is never recorded without its confirm page (WCAG 3.3.4).
        if (form.Get("status") == "paid" && form.Get("confirm") != "1") {
          if (server::IsBlankText(form.Get("reference-" + pid))) {
            return PaymentsPage(s, v, round,
                                {{"reference-" + pid, v.T("登记已拨付须填写银行流水号", "Enter the bank reference")}},
                                form, 400);
          }
          if (auto page = ConfirmPayment(s, v, round, pid, form)) return *page;
          return s.Message(v, 404, v.T("未找到", "Not found"),
                           v.T("本批次的拨付清单中没有这笔款项。", "This payment is not on the round's list."));
        }
        json body = {{"status", form.Get("status")}};
        const std::string& reference = form.Get("reference-" + pid);
        if (!reference.empty()) body["reference"] = reference;
        ApiAnswer done = s.api().Call(v, "POST", "/api/v1/payments/" + UrlPart(pid), body, form.Get("idem"));
        // A refused record: the payments page again, the problem beside the row's reference.
        if (done.status == 400) return PaymentsPage(s, v, round, ProblemErrors(done, v.en, "-" + pid), form, 400);
        if (!done.ok()) return s.ErrorPage(v, done);
        return s.Redirect(RoundPath(round) + "/payments");
      },
      "record a payment");
  AddPage(
      router, site, "POST", "/objections/{id}/resolve",
      [](const Site& s, const Visit& v, const server::Call& call, const Form& form) {
        const std::string& id = call.Param("id");
        const std::string round = Form::FromQuery(call.request.query).Get("round");
        const std::string note_field = "note-" + id, choice_field = "upheld-" + id;
        const std::string& choice = form.Get(choice_field);
        const std::string note = Trimmed(form.Get(note_field));
        // The form asks for the outcome and a note: without either, the round page again with
        // each problem at its field, and nothing changed. (Anyone but an officer is refused by
        // the API first, as it refuses them whatever the body.)
        if (Officer(v)) {
          Errors errors;
          if (note.empty()) errors[note_field] = v.T("请填写处理意见", "Enter the resolution note");
          if (choice != "true" && choice != "false") {
            errors[choice_field] =
                v.T("请选择处理结果：异议成立或不成立", "Choose whether the objection is upheld or dismissed");
          }
          if (!errors.empty()) return RoundPage(s, v, round, errors, form, 400);
        }
        json body = {{"note", note}};
        if (choice == "true" || choice == "false") body["upheld"] = choice == "true";
        ApiAnswer done =
            s.api().Call(v, "POST", "/api/v1/objections/" + UrlPart(id) + "/resolve", body, form.Get("idem"));
        if (done.status == 400) {
          Errors errors;
          for (const auto& [field, message] : ProblemErrors(done, v.en))
            errors[field == "upheld" ? choice_field : field == "note" ? note_field : field] = message;
          return RoundPage(s, v, round, errors, form, 400);
        }
        if (!done.ok()) return s.ErrorPage(v, done);
        return s.Redirect(RoundPath(round) + "?done=1");
      },
      "resolve an objection");
}

}  // namespace qgrant::web
