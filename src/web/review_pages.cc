// Reviewers, experts and officers at work on applications: the queue as tabs by state (with
// counts, oldest first, the filter kept in the URL), and on the case page the staff panel —
// accept / return (note and deadline) / reject with a note for a reviewer, the expert's review
// with the conflict-of-interest declaration first, reject for an officer. The API decides who
// may do what; the panel only offers what the workflow names for the role and state.
#include "policy/words.h"
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

// Every application the visitor may see, oldest first (the API's order), all pages of the list.
std::vector<json> AllApplications(const Site& site, const Visit& v, ApiAnswer* failed) {
  std::vector<json> out;
  std::string cursor;
  for (int page = 0; page < 100; ++page) {
    ApiAnswer list = site.api().Call(
        v, "GET", "/api/v1/applications?limit=500" + (cursor.empty() ? "" : "&cursor=" + UrlPart(cursor)));
    if (!list.ok()) {
      *failed = list;
      return out;
    }
    for (const auto& a : list.body["items"]) out.push_back(a);
    if (!list.body["next_cursor"].is_string()) break;
    cursor = list.body["next_cursor"].get<std::string>();
  }
  return out;
}

Response Queue(const Site& site, const Visit& v) {
  if (!v.user) return site.SignInFirst(v);
  if (v.Is(Role::kApplicant)) return site.Redirect("/applications");
  ApiAnswer failed;
  const std::vector<json> all = AllApplications(site, v, &failed);
  if (failed.status != 0) return site.ErrorPage(v, failed);
  const auto measures = MeasuresById(site, v);
  static const char* kStates[] = {"submitted", "returned", "accepted", "rejected",  "proposed", "not_funded",
                                  "in_notice", "approved", "paid",     "withdrawn", "draft"};
  std::map<std::string, int> counts;
  for (const auto& a : all) ++counts[Str(a, "state")];
  const Form query = Form::FromQuery(v.request.query);
  const std::string state =
      query.Has("state") ? query.Get("state") : (v.Is(Role::kOfficer) || v.Is(Role::kAdmin) ? "accepted" : "submitted");
  const std::string title = v.Is(Role::kExpert) ? v.T("专家评审", "Expert review") : v.T("受理审核", "Review");
  std::string main =
      "<h1>" + Esc(title) + "</h1><nav aria-label=\"" + v.T("按状态筛选", "By state") + "\"><ul class=\"tabs\">";
  for (const char* s : kStates) {
    if (counts[s] == 0 && s != state) continue;
    main += "<li><a href=\"/review?state=" + std::string(s) + "\"" + (s == state ? " aria-current=\"true\"" : "") +
            ">" + Esc(StateLabel(s, v.en)) + " <span class=\"count\">" + std::to_string(counts[s]) + "</span></a></li>";
  }
  main += "</ul></nav>";
  std::string rows;
  for (const auto& a : all) {
    if (Str(a, "state") != state) continue;
    const std::string id = Str(a, "id");
    const json& d = a["decision"];
    rows += "<tr><th scope=\"row\"><a href=\"/applications/" + Esc(UrlPart(id)) + "\">" + Esc(id) + "</a></th><td>" +
            Esc(Str(a["applicant"], "name")) + "</td><td>" + Esc(MeasureTitle(measures, Str(a, "measure"), v.en)) +
            "</td><td>" + DateHtml(Str(a, "submitted_on"), v.en) + "</td><td>" +
            Esc(OutcomeLabel(Str(d, "outcome"), v.en)) + "</td><td class=\"num\">" +
            MoneyHtml(d.is_object() ? d.value("amount_fen", int64_t{0}) : 0, v.en) + "</td></tr>";
  }
  if (rows.empty()) {
    main += "<p>" + std::string(v.T("此状态下没有申报件。", "No applications in this state.")) + "</p>";
  } else {
    main += TableWrap(v.T("申报件列表", "Applications"),
                      "<table><caption>" + Esc(StateLabel(state, v.en)) + "</caption><thead><tr><th scope=\"col\">" +
                          v.T("办件编号", "Case") + "</th><th scope=\"col\">" + v.T("单位", "Unit") +
                          "</th><th scope=\"col\">" + v.T("措施", "Measure") + "</th><th scope=\"col\">" +
                          v.T("提交日期", "Submitted") + "</th><th scope=\"col\">" + v.T("核算结果", "Decision") +
                          "</th><th scope=\"col\" class=\"num\">" + v.T("核算金额", "Amount") +
                          "</th></tr></thead><tbody>" + rows + "</tbody></table>");
  }
  return site.Render(v, title, main);
}

// Which of the three forms came back with problems: only it shows them and keeps its values.
Errors ErrorsOf(const std::string& form, const Errors& errors, const Form& values) {
  return values.Get("form") == form ? errors : Errors{};
}

std::string ActionForm(const Site& site, const Visit& v, const std::string& id, const std::string& action,
                       const char* zh, const char* en, bool note_required, bool with_deadline, const Errors& errors,
                       const Form& values, const char* css) {
  const Errors mine = ErrorsOf(action, errors, values);
  std::string out =
      FormStart(site, v, "/applications/" + UrlPart(id) + "/actions/" + action, "class=\"action-form\" novalidate") +
      "<input type=\"hidden\" name=\"form\" value=\"" + action + "\"><h3>" + Esc(v.T(zh, en)) + "</h3>";
  out += TextAreaField(
      action + ".note", v.T("意见", "Note"), values.Get("form") == action ? values.Get(action + ".note") : "", mine,
      note_required,
      action == "accept" ? v.T("仅内部可见", "Internal only") : v.T("申报单位可见", "The applicant sees this note"));
  if (with_deadline) {
    out += InputField(action + ".deadline", v.T("补正截止日期", "Deadline to correct"), "date",
                      values.Get(action + ".deadline"), mine, true,
                      "min=\"" + policy::FormatDate(site.service().Today()) + "\"");
  }
  return out + "<button type=\"submit\" class=\"" + css + "\">" + Esc(v.T(zh, en)) + "</button></form>";
}

std::string ExpertForm(const Site& site, const Visit& v, const std::string& id, const Errors& errors,
                       const Form& values) {
  const Errors mine = ErrorsOf("review", errors, values);
  std::string out = FormStart(site, v, "/applications/" + UrlPart(id) + "/review", "class=\"action-form\" novalidate") +
                    "<input type=\"hidden\" name=\"form\" value=\"review\"><h3>" +
                    v.T("专家评审意见", "Expert review") + "</h3>";
  // The declaration comes first: with a conflict the expert records no score (§7).
  out += RadioField("conflict_of_interest",
                    v.T("利益冲突声明：与申报单位是否存在利益关系", "Conflict of interest with the applicant?"),
                    {{"false", v.T("无利益冲突", "No conflict")},
                     {"true", v.T("存在利益冲突，回避评审", "Conflict: I recuse myself")}},
                    values.Get("conflict_of_interest"), mine, true);
  out +=
      RadioField("passed", v.T("评审结论（无利益冲突时填写）", "Finding (without a conflict)"),
                 {{"true", v.T("通过", "Pass")}, {"false", v.T("不通过", "Fail")}}, values.Get("passed"), mine, false);
  out += InputField("score", v.T("评分（0–100，无利益冲突时填写）", "Score (0-100, without a conflict)"), "number",
                    values.Get("score"), mine, false, "min=\"0\" max=\"100\" step=\"1\" inputmode=\"numeric\"");
  out += TextAreaField("note", v.T("评审意见（仅内部可见）", "Note (internal only)"), values.Get("note"), mine, false);
  return out + "<button type=\"submit\">" + v.T("提交评审", "Submit the review") + "</button></form>";
}

std::string ReviewsTable(const json& a, bool en) {
  if (!a.contains("reviews") || !a["reviews"].is_array() || a["reviews"].empty()) return "";
  std::string rows;
  for (const auto& r : a["reviews"]) {
    const bool conflict = r.value("conflict_of_interest", false);
    rows += "<tr><td>" + Esc(Str(r, "expert")) + "</td><td>" +
            (conflict ? Esc(Tr(en, "回避（利益冲突）", "Recused (conflict)"))
                      : Esc(r.value("passed", false) ? Tr(en, "通过", "Pass") : Tr(en, "不通过", "Fail"))) +
            "</td><td class=\"num\">" + (r.contains("score") && r["score"].is_number() ? r["score"].dump() : "—") +
            "</td><td>" + Esc(Str(r, "note")) + "</td></tr>";
  }
  return "<section><h2>" + std::string(Tr(en, "专家评审", "Expert reviews")) + "</h2>" +
         TableWrap(Tr(en, "专家评审", "Expert reviews"),
                   "<table><thead><tr><th scope=\"col\">" + std::string(Tr(en, "专家", "Expert")) +
                       "</th><th scope=\"col\">" + Tr(en, "结论", "Finding") + "</th><th scope=\"col\" class=\"num\">" +
                       Tr(en, "评分", "Score") + "</th><th scope=\"col\">" + Tr(en, "意见", "Note") +
                       "</th></tr></thead><tbody>" + rows + "</tbody></table>") +
         "</section>";
}

}  // namespace

std::string StaffPanel(const Site& site, const Visit& v, const json& a, const Errors& errors, const Form& values) {
  const std::string id = Str(a, "id"), state = Str(a, "state");
  std::string forms;
  if (v.Is(Role::kReviewer) && state == "submitted") {
    forms += ActionForm(site, v, id, "accept", "受理", "Accept", false, false, errors, values, "");
    forms +=
        ActionForm(site, v, id, "return", "退回补正", "Return for correction", true, true, errors, values, "secondary");
  }
  if ((v.Is(Role::kReviewer) || v.Is(Role::kOfficer) || v.Is(Role::kAdmin)) &&
      (state == "submitted" || state == "accepted")) {
    forms += ActionForm(site, v, id, "reject", "不予通过", "Reject", true, false, errors, values, "danger");
  }
  if (v.Is(Role::kExpert) && (state == "submitted" || state == "accepted"))
    forms += ExpertForm(site, v, id, errors, values);
  std::string out = ReviewsTable(a, v.en);
  if (!forms.empty()) {
    std::vector<std::string> names;
    for (const auto& [k, m] : errors) names.push_back(k);
    out += "<section class=\"actions\"><h2>" + std::string(v.T("办理", "Actions")) + "</h2>" +
           ErrorSummary(errors, names, v.en) + "<div class=\"forms\">" + forms + "</div></section>";
  }
  return out;
}

void AddReviewPages(server::Router& router, std::shared_ptr<const Site> site) {
  AddPage(
      router, site, "GET", "/review",
      [](const Site& s, const Visit& v, const server::Call&, const Form&) { return Queue(s, v); },
      "review queues by state");
  AddPage(
      router, site, "POST", "/applications/{id}/review",
      [](const Site& s, const Visit& v, const server::Call& call, const Form& form) {
        const std::string id = call.Param("id");
        json body = json::object();
        const bool conflict = form.Get("conflict_of_interest") == "true";
        body["conflict_of_interest"] = conflict;
        if (!conflict) {
          if (!form.Get("passed").empty()) body["passed"] = form.Get("passed") == "true";
          const std::string& score = form.Get("score");
          if (!score.empty() && score.size() < 10 && score.find_first_not_of("0123456789") == std::string::npos) {
            body["score"] = std::stoi(score);
          } else if (!score.empty()) {
            body["score"] = score;  // not a number: the API names the field
          }
        }
        if (!form.Get("note").empty()) body["note"] = form.Get("note");
        ApiAnswer done =
            s.api().Call(v, "POST", "/api/v1/applications/" + UrlPart(id) + "/reviews", body, form.Get("idem"));
        if (done.ok()) return s.Redirect("/applications/" + UrlPart(id) + "?done=1");
        if (done.status == 400) return CasePage(s, v, id, done.FieldErrors(v.en), form, 400);
        return s.ErrorPage(v, done);
      },
      "an expert's review");
}

}  // namespace qgrant::web
