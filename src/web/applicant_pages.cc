// The applicant's pages, and the case page every role opens: 我的申报 (the unit's cases), a new
// application (the measure's generated form, saved as a draft), edit while draft or returned,
// submit and withdraw behind a confirm page, the case with its 办件进度 timeline and the engine's
// decision, the decision letter, and 免申即享 invitations. Who may see or do what is the API's
// answer: another unit's case is the API's 404, shown as a 404 page.
#include <algorithm>

#include "policy/words.h"
#include "web/html.h"
#include "web/site.h"

namespace qgrant::web {

namespace {

using nlohmann::json;
using server::Response;
using server::Role;

std::string AppPath(const std::string& id) { return "/applications/" + UrlPart(id); }

std::string Str(const json& j, const char* key) {
  return j.is_object() && j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// The form of a new application or an edit: the generated fields, then save.
std::string NextStep(const json& a, const json& round, bool en);

Response ApplicationForm(const Site& site, const Visit& v, const json& measure, const std::string& action,
                         const std::string& heading, const Form& values, const Errors& errors, int extra_rows,
                         const std::string& notice) {
  std::vector<std::string> names;
  const std::string fields = ApplicationFields(measure, values, errors, v.en, extra_rows, &names);
  std::string main = "<p class=\"crumbs\"><a href=\"/applications\">" +
                     std::string(v.T("我的申报", "My applications")) + "</a></p><h1>" + Esc(heading) + "</h1>";
  if (!notice.empty()) main += "<p class=\"notice\" role=\"alert\">" + Esc(notice) + "</p>";
  main += "<p class=\"hint\">" +
          std::string(v.T("带 * 为必填项。保存后为草稿，可随时修改，提交前可预览测算结果。",
                          "Fields marked * are required. Saving keeps a draft you can change; "
                          "you see the calculated result before submitting.")) +
          "</p>" + ErrorSummary(errors, names, v.en);
  main += FormStart(site, v, action, "novalidate") + fields + "<button type=\"submit\">" +
          v.T("保存草稿", "Save draft") + "</button></form>";
  return site.Render(v, heading, main, errors.empty() && notice.empty() ? 200 : 400, !errors.empty());
}

Response MyApplications(const Site& site, const Visit& v) {
  if (!v.user) return site.SignInFirst(v);
  if (!v.Is(Role::kApplicant)) return site.Redirect("/review");
  ApiAnswer list = site.api().Call(v, "GET", "/api/v1/applications?limit=500");
  if (!list.ok()) return site.ErrorPage(v, list);
  ApiAnswer rounds = site.api().Call(v, "GET", "/api/v1/rounds?limit=500");
  const auto measures = MeasuresById(site, v);
  std::string main = "<h1>" + std::string(v.T("我的申报", "My applications")) + "</h1>";
  main += "<p>" + Esc(v.user->name) + (v.user->uscc.empty() ? "" : " · " + Esc(v.user->uscc)) + "</p>";
  // New application: a round open now and a measure; the form follows.
  std::vector<std::pair<std::string, std::string>> open_rounds, measure_options;
  std::map<std::string, json> round_of;
  if (rounds.ok()) {
    for (const auto& r : rounds.body["items"]) {
      if (Str(r, "state") == "open") open_rounds.emplace_back(Str(r, "id"), Str(r, "title"));
      round_of[Str(r, "id")] = r;
    }
  }
  for (const auto& [id, m] : measures) measure_options.emplace_back(id, MeasureTitle(measures, id, v.en));
  main += "<section class=\"card\"><h2>" + std::string(v.T("新建申报", "New application")) + "</h2>";
  if (open_rounds.empty()) {
    main += "<p>" + std::string(v.T("目前没有正在受理的申报批次。", "No round is open for applications now.")) + "</p>";
  } else {
    main += "<form method=\"get\" action=\"/applications/new\">" +
            SelectField("round", v.T("申报批次", "Round"), open_rounds,
                        open_rounds.size() == 1 ? open_rounds[0].first : "", {}, true) +
            SelectField("measure", v.T("申报措施", "Measure"), measure_options, "", {}, true) +
            "<button type=\"submit\">" + v.T("填写申报表", "Fill in the form") + "</button></form>";
  }
  main += "</section><h2>" + std::string(v.T("申报记录", "Applications")) + "</h2>";
  if (list.body["items"].empty()) {
    main += "<p>" + std::string(v.T("还没有申报。", "No applications yet.")) + "</p>";
  }
  main += "<ul class=\"cases\">";
  for (const auto& a : list.body["items"]) {
    const std::string id = Str(a, "id");
    const std::string state = Str(a, "state");
    main += "<li class=\"card\"><h3><a href=\"" + AppPath(id) + "\">" + v.T("办件编号 ", "Case ") + Esc(id) +
            "</a></h3><p>" + Esc(MeasureTitle(measures, Str(a, "measure"), v.en)) + " · " + Esc(Str(a, "subject")) +
            "</p><p><span class=\"state state-" + Esc(state) + "\">" + Esc(StateLabel(state, v.en)) + "</span>";
    main += "</p>";
    const std::string next = NextStep(a, round_of[Str(a, "round")], v.en);
    if (!next.empty()) main += "<p class=\"next\">" + std::string(v.T("下一步：", "Next: ")) + next + "</p>";
    main += "</li>";
  }
  main += "</ul>";
  return site.Render(v, v.T("我的申报", "My applications"), main);
}

// Finds the measure of a request (query or form) among those in force.
const json* FindMeasure(const std::map<std::string, json>& measures, const std::string& id) {
  auto it = measures.find(id);
  return it == measures.end() ? nullptr : &it->second;
}

// The new-application form is refused as POST /api/v1/rounds/{id}/applications refuses: a round
// that does not exist is a 404, then anyone but an applicant a 403 (staff apply for no unit).
std::optional<Response> NewApplicationRefused(const Site& site, const Visit& v, const std::string& round) {
  ApiAnswer found = site.api().Call(v, "GET", "/api/v1/rounds/" + UrlPart(round));
  if (!found.ok()) return site.ErrorPage(v, found);
  if (!v.Is(Role::kApplicant)) {
    return site.Message(v, 403, v.T("无权操作", "Not allowed"),
                        v.T("申报表由申报单位填写。", "Applications are made by the applicant units."));
  }
  return std::nullopt;
}

Response NewApplication(const Site& site, const Visit& v, const Form& query) {
  if (!v.user) return site.SignInFirst(v);
  const auto measures = MeasuresById(site, v);
  const json* m = FindMeasure(measures, query.Get("measure"));
  const std::string round = query.Get("round");
  if (query.Get("measure").empty() || round.empty()) {
    return site.Message(
        v, 400, v.T("请选择批次和措施", "Choose a round and a measure"),
        v.T("请在“我的申报”中选择申报批次和措施。", "Choose the round and the measure under My applications."));
  }
  if (auto refused = NewApplicationRefused(site, v, round)) return *refused;
  if (m == nullptr) {
    return site.Message(v, 404, v.T("未找到", "Not found"),
                        v.T("没有这项措施，或它已不在实施中。", "There is no such measure in force."));
  }
  Form values;
  values.Set("applicant.uscc", v.user->uscc);
  values.Set("applicant.name", v.user->name);
  values.Set("applicant.kind", "enterprise");
  values.Set("applicant.registered_in_shenzhen", "true");
  values.Set("applicant.serious_dishonesty", "false");
  const std::string action = "/applications/new?round=" + UrlPart(round) + "&measure=" + UrlPart(query.Get("measure"));
  return ApplicationForm(
      site, v, *m, action,
      std::string(v.T("新建申报：", "New application: ")) + MeasureTitle(measures, query.Get("measure"), v.en), values,
      {}, 0, "");
}

Response CreateApplication(const Site& site, const Visit& v, const server::Call& call, const Form& form) {
  const Form query = Form::FromQuery(call.request.query);
  const auto measures = MeasuresById(site, v);
  const json* m = FindMeasure(measures, query.Get("measure"));
  if (m == nullptr) return NewApplication(site, v, query);
  const std::string action =
      "/applications/new?round=" + UrlPart(query.Get("round")) + "&measure=" + UrlPart(query.Get("measure"));
  const std::string heading =
      std::string(v.T("新建申报：", "New application: ")) + MeasureTitle(measures, query.Get("measure"), v.en);
  if (form.Has("add_row")) {
    if (auto refused = NewApplicationRefused(site, v, query.Get("round"))) return *refused;
    return ApplicationForm(site, v, *m, action, heading, form, {}, 1, "");
  }
  ApiAnswer created = site.api().Call(v, "POST", "/api/v1/rounds/" + UrlPart(query.Get("round")) + "/applications",
                                      ApplicationFromForm(*m, form), form.Get("idem"));
  if (created.ok()) return site.Redirect(AppPath(Str(created.body, "id")) + "?saved=1");
  if (created.status == 400)
    return ApplicationForm(site, v, *m, action, heading, form, created.FieldErrors(v.en), 0, "");
  if (created.status == 409) return ApplicationForm(site, v, *m, action, heading, form, {}, 0, created.Detail(v.en));
  return site.ErrorPage(v, created);
}

Response EditApplication(const Site& site, const Visit& v, const std::string& id, const Form* posted) {
  if (!v.user) return site.SignInFirst(v);
  ApiAnswer app = site.api().Call(v, "GET", "/api/v1/applications/" + UrlPart(id));
  if (!app.ok()) return site.ErrorPage(v, app);
  const auto measures = MeasuresById(site, v);
  const json* m = FindMeasure(measures, Str(app.body, "measure"));
  if (m == nullptr)
    return site.Message(v, 404, v.T("未找到", "Not found"),
                        v.T("这项措施已不在实施中。", "The measure is no longer in force."));
  const std::string heading = std::string(v.T("修改申报 ", "Edit application ")) + id;
  const std::string action = AppPath(id) + "/edit";
  if (posted == nullptr) return ApplicationForm(site, v, *m, action, heading, FormFromApplication(app.body), {}, 0, "");
  if (posted->Has("add_row")) return ApplicationForm(site, v, *m, action, heading, *posted, {}, 1, "");
  json body = ApplicationFromForm(*m, *posted);
  ApiAnswer saved = site.api().Call(v, "PUT", "/api/v1/applications/" + UrlPart(id), body, posted->Get("idem"));
  if (saved.ok()) return site.Redirect(AppPath(id) + "?saved=1");
  if (saved.status == 400)
    return ApplicationForm(site, v, *m, action, heading, *posted, saved.FieldErrors(v.en), 0, "");
  return site.ErrorPage(v, saved);
}

std::string FieldRow(const char* zh, const char* en_label, const std::string& value_html, bool en) {
  return "<dt>" + std::string(Tr(en, zh, en_label)) + "</dt><dd>" + value_html + "</dd>";
}

// The keys of `object` in the order `declared` (a measure's "facts" or a list fact's
// "item_fields") declares them, then any it does not declare.
std::vector<std::string> InDeclaredOrder(const json& object, const json& declared) {
  std::vector<std::string> keys;
  for (const auto& spec : declared) {
    const std::string name = spec.is_object() ? spec.value("name", "") : "";
    if (!name.empty() && object.contains(name)) keys.push_back(name);
  }
  for (const auto& [k, unused] : object.items()) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  return keys;
}

// A fact's value as people read it: a value of a closed list or a level by its name, yes or no,
// other values as given.
std::string FactValueText(const json& spec, const json& measure, const json& value, bool en) {
  if (value.is_string()) return FactValueName(spec, measure, value.get<std::string>(), en);
  if (value.is_boolean()) return Tr(en, value.get<bool>() ? "是" : "否", value.get<bool>() ? "Yes" : "No");
  return value.dump();
}

std::string ApplicationDetails(const json& a, const std::map<std::string, json>& measures, bool en) {
  const json& applicant = a.contains("applicant") ? a["applicant"] : json::object();
  std::string out = "<dl class=\"details\">";
  out += FieldRow("申报措施", "Measure", Esc(MeasureTitle(measures, Str(a, "measure"), en)), en);
  out += FieldRow("单位名称", "Unit", Esc(Str(applicant, "name")), en);
  out += FieldRow("统一社会信用代码", "USCC", "<span class=\"mono\">" + Esc(Str(applicant, "uscc")) + "</span>", en);
  out += FieldRow("单位类型", "Kind",
                  Esc(en ? policy::KindEn(Str(applicant, "kind")) : policy::KindZh(Str(applicant, "kind"))), en);
  out += FieldRow("申报项目", "Subject", Esc(Str(a, "subject")), en);
  out += FieldRow("获得日期", "Obtained on", DateHtml(Str(a, "obtained_on"), en), en);
  if (a.contains("facts") && a["facts"].is_object()) {
    static const json kNone = json::object(), kNoFacts = json::array();
    auto found = measures.find(Str(a, "measure"));
    const json& measure = found != measures.end() ? found->second : kNone;
    const json& declared = measure.contains("facts") ? measure["facts"] : kNoFacts;
    for (const auto& name : InDeclaredOrder(a["facts"], declared)) {
      const json* spec = FindFactSpec(declared, name);
      const json& value = a["facts"][name];
      std::string shown;
      if (value.is_array()) {
        const json& fields = spec && spec->contains("item_fields") ? (*spec)["item_fields"] : kNoFacts;
        for (const auto& row : value) {
          std::string line;
          if (row.is_object()) {
            for (const auto& k : InDeclaredOrder(row, fields)) {
              const json* field = FindFactSpec(fields, k);
              line += (line.empty() ? "" : "，") + (field ? FactSpecLabel(*field, en) : FactLabel(k, en)) + "：" +
                      FactValueText(field ? *field : kNone, measure, row[k], en);
            }
          } else {  // a list of scalars: its one item field is named "<fact>[]"
            line = FactValueText(fields.is_array() && fields.size() == 1 ? fields[0] : kNone, measure, row, en);
          }
          shown += "<li>" + Esc(line) + "</li>";
        }
        shown = "<ul>" + shown + "</ul>";
      } else {
        // A value by the name the policy gives it (中国质量奖提名奖, not "nominee").
        shown = Esc(FactValueText(spec ? *spec : kNone, measure, value, en));
      }
      out += "<dt>" + Esc(spec ? FactSpecLabel(*spec, en) : FactLabel(name, en)) + "</dt><dd>" + shown + "</dd>";
    }
  }
  if (a.contains("allocated_fen") && a["allocated_fen"].is_number_integer()) {
    out += FieldRow("拟资助金额", "Allocated", MoneyHtml(a["allocated_fen"].get<int64_t>(), en), en);
  }
  return out + "</dl>";
}

std::string ActionName(const std::string& action, bool en) {
  static const std::pair<const char*, std::pair<const char*, const char*>> kNames[] = {
      {"create", {"创建草稿", "Draft created"}},
      {"replace", {"修改", "Changed"}},
      {"submit", {"提交申报", "Submitted"}},
      {"accept", {"受理", "Accepted"}},
      {"return", {"退回补正", "Returned"}},
      {"reject", {"不予通过", "Rejected"}},
      {"withdraw", {"撤回", "Withdrawn"}},
      {"allocate", {"资金分配", "Allocated"}},
      {"notice", {"公示", "Noticed"}},
      {"approve", {"批准", "Approved"}},
      {"pay", {"拨付", "Paid"}}};
  for (const auto& [k, words] : kNames) {
    if (k == action) return en ? words.second : words.first;
  }
  return action;
}

// What comes next for a case in the state its visitor sees, and by when (WEB.md 办件进度: "the
// next step and its deadline"); "" once the case is finished. `round`: the case's round (its
// closing day and notice), null when unknown.
std::string NextStep(const json& a, const json& round, bool en) {
  const std::string state = Str(a, "state");
  const json notice = round.is_object() && round.contains("notice") ? round["notice"] : json();
  auto by = [&](const char* zh, const char* english, const std::string& day) {
    if (day.empty()) return std::string(Tr(en, zh, english));
    return std::string(Tr(en, zh, english)) + Tr(en, "（截止 ", " (by ") + DateHtml(day, en) + Tr(en, "）", ")");
  };
  if (state == "draft") {
    return by("申报单位预览并提交申报", "The unit reviews and submits the application", Str(round, "closes_on"));
  }
  if (state == "submitted") return Tr(en, "受理审核", "Review of the application");
  if (state == "returned") {
    return by("申报单位按退回意见补正后重新提交", "The unit corrects the application as asked and resubmits it",
              Str(a, "deadline"));
  }
  if (state == "accepted" || state == "proposed") {
    // Words that say nothing of the case's own outcome, which stays hidden until the notice (§7).
    return Tr(en, "申报截止后统一审定，资助名单向社会公示",
              "After the round closes, the grants are settled together and their list is made public");
  }
  if (state == "in_notice") {
    const std::string ends = notice.is_object() ? Str(notice, "ends_on") : "";
    return std::string(Tr(en, "公示期满且异议处理完毕后批准资助计划",
                          "Approval of the plan once the notice has ended "
                          "and every objection is resolved")) +
           (ends.empty() ? ""
                         : std::string(Tr(en, "（公示期至 ", " (the notice runs until ")) + DateHtml(ends, en) +
                               Tr(en, "）", ")"));
  }
  if (state == "approved") return Tr(en, "资金拨付", "Payment");
  return "";  // paid, rejected, withdrawn, not funded: finished
}

// 办件进度: the history as a timeline, oldest first, then the next step (or 已办结).
std::string Timeline(const json& a, const json& round, bool en) {
  std::string out = "<ol class=\"timeline\">";
  for (const auto& h : a["history"]) {
    out += "<li><p class=\"when\">" + DateHtml(Str(h, "at"), en) + "</p><p><strong>" +
           Esc(ActionName(Str(h, "action"), en)) + "</strong>";
    if (!Str(h, "to").empty()) out += " → " + Esc(StateLabel(Str(h, "to"), en));
    out += "</p>";
    if (!Str(h, "note").empty()) out += "<p class=\"note\">" + Esc(Str(h, "note")) + "</p>";
    if (!Str(h, "deadline").empty())
      out += "<p>" + std::string(Tr(en, "补正截止：", "Correct by ")) + DateHtml(Str(h, "deadline"), en) + "</p>";
    out += "</li>";
  }
  const std::string next = NextStep(a, round, en);
  out += "<li class=\"next\"><p><strong>" +
         (next.empty() ? std::string(Tr(en, "已办结", "Finished")) + "</strong>"
                       : std::string(Tr(en, "下一步：", "Next: ")) + "</strong>" + next) +
         "</p></li>";
  return out + "</ol>";
}

// What the applicant may do now, as the workflow allows it (the API refuses anything else).
std::string ApplicantPanel(const Site& site, const Visit& v, const json& a) {
  const std::string id = Str(a, "id"), state = Str(a, "state");
  std::string out;
  if (state == "draft" || state == "returned") {
    out += "<a class=\"button\" href=\"" + AppPath(id) + "/edit\">" + v.T("修改", "Edit") + "</a> ";
    out += "<a class=\"button\" href=\"" + AppPath(id) + "/confirm/submit\">" + v.T("预览并提交", "Review and submit") +
           "</a> ";
  }
  if (state == "draft" || state == "submitted" || state == "returned") {
    out += "<a class=\"button secondary\" href=\"" + AppPath(id) + "/confirm/withdraw\">" +
           v.T("撤回申报", "Withdraw") + "</a>";
  }
  return out.empty()
             ? ""
             : "<section class=\"actions\"><h2>" + std::string(v.T("办理", "Actions")) + "</h2>" + out + "</section>";
}

}  // namespace

Response CasePage(const Site& site, const Visit& v, const std::string& id, const Errors& errors, const Form& values,
                  int status) {
  if (!v.user) return site.SignInFirst(v);
  ApiAnswer app = site.api().Call(v, "GET", "/api/v1/applications/" + UrlPart(id));
  if (!app.ok()) return site.ErrorPage(v, app);
  const json& a = app.body;
  const auto measures = MeasuresById(site, v);
  const std::string state = Str(a, "state");
  const Form query = Form::FromQuery(v.request.query);
  std::string main = "<p class=\"crumbs\"><a href=\"" +
                     std::string(v.Is(Role::kApplicant) ? "/applications" : "/review") + "\">" +
                     v.T("返回列表", "Back to the list") + "</a></p>";
  main += "<h1>" + std::string(v.T("办件编号 ", "Case ")) + Esc(id) + "</h1>";
  main += "<p><span class=\"state state-" + Esc(state) + "\">" + Esc(StateLabel(state, v.en)) + "</span> · " +
          v.T("批次 ", "Round ") + Esc(Str(a, "round")) + "</p>";
  if (query.Has("saved"))
    main += "<p class=\"success\" role=\"status\">" + std::string(v.T("已保存。", "Saved.")) + "</p>";
  if (query.Has("done"))
    main += "<p class=\"success\" role=\"status\">" + std::string(v.T("已办理。", "Done.")) + "</p>";
  if (state == "returned") {
    std::string note;
    for (const auto& h : a["history"]) {
      if (Str(h, "to") == "returned") note = Str(h, "note");
    }
    main += "<div class=\"banner\" role=\"alert\"><p><strong>" +
            std::string(v.T("申报已退回补正", "Returned for correction")) + "</strong>：" + Esc(note) + "</p><p>" +
            v.T("请在 ", "Correct and resubmit by ") + DateHtml(Str(a, "deadline"), v.en) +
            v.T(" 前修改后重新提交。", ".") + "</p></div>";
  }
  main += "<div class=\"two-col\"><section><h2>" + std::string(v.T("申报信息", "Application")) + "</h2>" +
          ApplicationDetails(a, measures, v.en) + "</section><section><h2>" + v.T("系统核算", "The rules' decision") +
          "</h2>" + DecisionHtml(a["decision"], v.en) + "</section></div>";
  if (v.Is(Role::kApplicant)) {
    main += ApplicantPanel(site, v, a);
  } else {
    main += StaffPanel(site, v, a, errors, values);
  }
  if (state == "approved" || state == "paid") {
    main +=
        "<p><a href=\"" + AppPath(id) + "/letter\">" + v.T("查看资助决定书", "Read the decision letter") + "</a></p>";
  }
  ApiAnswer round = site.api().Call(v, "GET", "/api/v1/rounds/" + UrlPart(Str(a, "round")));
  main += "<section><h2>" + std::string(v.T("办件进度", "Progress")) + "</h2>" +
          Timeline(a, round.ok() ? round.body : json(), v.en) + "</section>";
  return site.Render(v, std::string(v.T("办件 ", "Case ")) + id, main, status, !errors.empty());
}

namespace {

// Submit and withdraw go through this page first (WCAG 3.3.4), with the decision preview.
Response ConfirmPage(const Site& site, const Visit& v, const std::string& id, const std::string& action) {
  if (!v.user) return site.SignInFirst(v);
  if (action != "submit" && action != "withdraw") return site.Message(v, 404, v.T("未找到", "Not found"), "");
  ApiAnswer app = site.api().Call(v, "GET", "/api/v1/applications/" + UrlPart(id));
  if (!app.ok()) return site.ErrorPage(v, app);
  const bool submit = action == "submit";
  const std::string title = submit ? v.T("确认提交", "Confirm submission") : v.T("确认撤回", "Confirm withdrawal");
  std::string main = "<h1>" + Esc(title) + "</h1><p>" + v.T("办件编号 ", "Case ") + Esc(id) + "</p>";
  if (submit) {
    main += "<p>" +
            std::string(v.T("提交后将进入受理审核，审核期间不能修改。以下为按现行规则的测算结果：",
                            "After submission the case is reviewed and cannot be changed. The rules decide it "
                            "as follows today:")) +
            "</p>" + DecisionHtml(app.body["decision"], v.en);
  } else {
    main += "<p>" +
            std::string(v.T("撤回后本申报不再办理，且不能恢复。",
                            "A withdrawn application is not processed and cannot be restored.")) +
            "</p>";
  }
  main += FormStart(site, v, AppPath(id) + "/actions/" + action) + "<button type=\"submit\"" +
          (submit ? "" : " class=\"danger\"") + ">" + Esc(title) + "</button> <a href=\"" + AppPath(id) + "\">" +
          v.T("取消", "Cancel") + "</a></form>";
  return site.Render(v, title, main);
}

Response FireAction(const Site& site, const Visit& v, const server::Call& call, const Form& form) {
  const std::string id = call.Param("id"), action = call.Param("action");
  // Each action's form names its fields after the action ("return.note"), so that the three
  // forms of a case page have distinct inputs; the API's fields are "note" and "deadline".
  json body = json::object();
  if (!form.Get(action + ".note").empty()) body["note"] = form.Get(action + ".note");
  if (!form.Get(action + ".deadline").empty()) body["deadline"] = form.Get(action + ".deadline");
  ApiAnswer done = site.api().Call(v, "POST", "/api/v1/applications/" + UrlPart(id) + "/actions/" + UrlPart(action),
                                   body, form.Get("idem"));
  if (done.ok()) return site.Redirect(AppPath(id) + "?done=1");
  if (done.status == 400) {
    Errors errors;
    for (const auto& [field, message] : done.FieldErrors(v.en)) errors[action + "." + field] = message;
    return CasePage(site, v, id, errors, form, 400);
  }
  return site.ErrorPage(v, done);
}

Response Letter(const Site& site, const Visit& v, const std::string& id) {
  if (!v.user) return site.SignInFirst(v);
  ApiAnswer letter = site.api().Call(v, "GET", "/api/v1/applications/" + UrlPart(id) + "/letter?format=html");
  if (!letter.ok()) return site.ErrorPage(v, letter);
  // The letter is the API's own document, its text escaped there: its body is shown inside the
  // page (its inline style would be refused by this site's policy; the page's print CSS applies).
  const size_t open = letter.raw.find("<body");
  const size_t start = open == std::string::npos ? std::string::npos : letter.raw.find('>', open);
  const size_t end = letter.raw.rfind("</body>");
  if (start == std::string::npos || end == std::string::npos || end < start) return site.Document(letter.raw);
  std::string main = "<p class=\"crumbs\"><a href=\"" + AppPath(id) + "\">" + v.T("返回办件", "Back to the case") +
                     "</a> · <a href=\"" + AppPath(id) + "/letter.pdf\">" + v.T("下载 PDF", "Download the PDF") +
                     "</a></p><article class=\"letter\" lang=\"zh-CN\">" +
                     letter.raw.substr(start + 1, end - start - 1) + "</article>";
  return site.Render(v, v.T("资助决定书", "Decision letter"), main);
}

Response Invitations(const Site& site, const Visit& v) {
  if (!v.user) return site.SignInFirst(v);
  ApiAnswer list = site.api().Call(v, "GET", "/api/v1/invitations?limit=500");
  if (!list.ok()) return site.ErrorPage(v, list);
  const auto measures = MeasuresById(site, v);
  std::string main =
      "<h1>" + std::string(v.T("免申即享", "Invitations (no application needed)")) + "</h1><ul class=\"cases\">";
  for (const auto& i : list.body["items"]) {
    const std::string id = i.contains("id") ? (i["id"].is_string() ? i["id"].get<std::string>() : i["id"].dump()) : "";
    main += "<li class=\"card\"><h3>" + Esc(MeasureTitle(measures, Str(i, "measure"), v.en)) + "</h3><p>" +
            Esc(Str(i, "subject")) + " · " + MoneyHtml(i.value("amount_fen", int64_t{0}), v.en) + " · " +
            Esc(InvitationLabel(Str(i, "state"), v.en)) + "</p>";
    if (Str(i, "state") == "open" && v.Is(Role::kApplicant)) {
      main += FormStart(site, v, "/invitations/" + UrlPart(id) + "/confirm", "class=\"inline\"") +
              "<button type=\"submit\">" + v.T("确认申领", "Confirm") + "</button></form> " +
              FormStart(site, v, "/invitations/" + UrlPart(id) + "/decline", "class=\"inline\"") +
              "<button type=\"submit\" class=\"secondary\">" + v.T("放弃", "Decline") + "</button></form>";
    }
    main += "</li>";
  }
  main += "</ul>";
  if (list.body["items"].empty()) main += "<p>" + std::string(v.T("暂无邀请。", "No invitations.")) + "</p>";
  return site.Render(v, v.T("免申即享", "Invitations"), main);
}

}  // namespace

void AddApplicantPages(server::Router& router, std::shared_ptr<const Site> site) {
  AddPage(
      router, site, "GET", "/applications",
      [](const Site& s, const Visit& v, const server::Call&, const Form&) { return MyApplications(s, v); },
      "the unit's applications");
  AddPage(
      router, site, "GET", "/applications/new",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        return NewApplication(s, v, Form::FromQuery(call.request.query));
      },
      "a new application's form");
  AddPage(router, site, "POST", "/applications/new", CreateApplication, "save a new application as a draft");
  AddPage(
      router, site, "GET", "/applications/{id}",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        return CasePage(s, v, call.Param("id"), {}, Form(), 200);
      },
      "a case with its progress");
  AddPage(
      router, site, "GET", "/applications/{id}/edit",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        return EditApplication(s, v, call.Param("id"), nullptr);
      },
      "edit a draft or returned application");
  AddPage(
      router, site, "POST", "/applications/{id}/edit",
      [](const Site& s, const Visit& v, const server::Call& call, const Form& form) {
        return EditApplication(s, v, call.Param("id"), &form);
      },
      "save an edited application");
  AddPage(
      router, site, "GET", "/applications/{id}/confirm/{action}",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        return ConfirmPage(s, v, call.Param("id"), call.Param("action"));
      },
      "confirm submit or withdraw");
  AddPage(router, site, "POST", "/applications/{id}/actions/{action}", FireAction, "fire a workflow action");
  AddPage(
      router, site, "GET", "/applications/{id}/letter",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        return Letter(s, v, call.Param("id"));
      },
      "the decision letter");
  AddPage(
      router, site, "GET", "/applications/{id}/letter.pdf",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        if (!v.user) return s.SignInFirst(v);
        return s.Download(
            v, s.api().Call(v, "GET", "/api/v1/applications/" + UrlPart(call.Param("id")) + "/letter?format=pdf"));
      },
      "the decision letter as PDF");
  AddPage(
      router, site, "GET", "/invitations",
      [](const Site& s, const Visit& v, const server::Call&, const Form&) { return Invitations(s, v); }, "invitations");
  AddPage(
      router, site, "POST", "/invitations/{id}/{answer}",
      [](const Site& s, const Visit& v, const server::Call& call, const Form& form) {
        const std::string answer = call.Param("answer") == "confirm" ? "confirm" : "decline";
        ApiAnswer done = s.api().Call(v, "POST", "/api/v1/invitations/" + UrlPart(call.Param("id")) + "/" + answer,
                                      json::object(), form.Get("idem"));
        if (!done.ok()) return s.ErrorPage(v, done);
        if (answer == "confirm" && done.body.contains("id")) return s.Redirect(AppPath(Str(done.body, "id")));
        return s.Redirect("/invitations");
      },
      "confirm or decline an invitation");
}

}  // namespace qgrant::web
