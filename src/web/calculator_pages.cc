// 政策计算器 (policy calculator), no sign-in: the measures in force grouped by the policy's parts,
// each measure page laid out as an 办事指南 (basic facts, conditions with the clause text, the
// ceiling) with a form generated from the measure's declared facts, and the decision of
// POST /api/v1/evaluate at once. The form is a GET: nothing changes, and a result can be shared
// by its link.
#include <map>

#include "common/money.h"
#include "policy/words.h"
#include "web/html.h"
#include "web/site.h"

namespace qgrant::web {

namespace {

using nlohmann::json;
using server::Response;

// The guide of the service date's year, else the latest guide; "" when there is none.
std::string GuideYear(const server::Service& service) {
  const int year = std::stoi(policy::FormatDate(service.Today()).substr(0, 4));
  int best = 0;
  for (const auto& g : service.bundle().guides) {
    if (g->year == year) return std::to_string(year);
    best = std::max(best, g->year);
  }
  return best == 0 ? "" : std::to_string(best);
}

}  // namespace

std::string GuideQuery(const Site& site) {
  const std::string year = GuideYear(site.service());
  return year.empty() ? "" : "?guide=" + year;
}

std::map<std::string, json> MeasuresById(const Site& site, const Visit& v) {
  std::map<std::string, json> out;
  ApiAnswer measures = site.api().Call(v, "GET", "/api/v1/measures" + GuideQuery(site));
  if (!measures.ok()) return out;
  for (const auto& m : measures.body["items"]) out[m.value("id", "")] = m;
  return out;
}

std::string MeasureTitle(const std::map<std::string, json>& measures, const std::string& id, bool en) {
  auto it = measures.find(id);
  if (it == measures.end()) return id;
  return it->second["title"].value(en ? "en" : "zh", id);
}

namespace {

std::string Text(const json& bilingual, bool en) {
  if (!bilingual.is_object()) return "";
  return bilingual.value(en ? "en" : "zh", "");
}

std::string Cite(const json& m, bool en) {
  const std::string clause = m.value("clause", "");
  return en ? policy::CiteEn(clause) : policy::CiteZh(clause);
}

// "300万元（3,000,000.00元）", "每张证书 5万元", "按级别：获奖 300万元；提名 100万元", or the referral.
std::string CeilingHtml(const json& m, bool en) {
  const json& c = m["ceiling"];
  if (!c.is_object()) {
    if (m.value("support", "") == "referral")
      return Esc(Tr(en, "不由本系统核算，按指引转办", "Not computed here: referred"));
    return Esc(Tr(en, "非资金支持", "Non-monetary support"));
  }
  const std::string kind = c.value("kind", "");
  if (kind == "fixed") return MoneyHtml(c.value("amount_fen", int64_t{0}), en);
  if (kind == "per_item") return Esc(Tr(en, "每项 ", "per item ")) + MoneyHtml(c.value("amount_fen", int64_t{0}), en);
  std::string out;
  // Each level by the name the policy gives it (the level fact's value_names, else level_names).
  static const json kNone = json::object();
  const json* level_fact = m.contains("facts") ? FindFactSpec(m["facts"], c.value("level_fact", "")) : nullptr;
  for (const auto& level : c["levels"]) {
    const std::string name = FactValueName(level_fact ? *level_fact : kNone, m, level.value("level", ""), en);
    out += (out.empty() ? "" : "；") + Esc(name) + " " + MoneyHtml(level.value("amount_fen", int64_t{0}), en);
  }
  return out;
}

// The part of the policy a clause belongs to: "三（八）" -> "三".
std::string PartOf(const std::string& clause) {
  const size_t paren = clause.find("（");
  return paren == std::string::npos ? clause : clause.substr(0, paren);
}

Response Index(const Site& site, const Visit& v) {
  ApiAnswer measures = site.api().Call(v, "GET", "/api/v1/measures" + GuideQuery(site));
  if (!measures.ok()) return site.ErrorPage(v, measures);
  const json& body = measures.body;
  std::string main = "<h1>" + std::string(v.T("政策计算器", "Policy calculator")) + "</h1>";
  main += "<p class=\"lead\">" + Esc(Text(body["policy"]["title"], v.en)) + "</p>";
  main += "<p>" +
          std::string(
              v.T("选择一项措施，填写申报信息，即可看到是否符合条件、资助上限和可获金额，以及所依据的条款。无需登录。",
                  "Choose a measure and fill in the application to see whether it is eligible, the "
                  "ceiling and the amount, with the clause behind each reason. No sign-in needed.")) +
          "</p>";
  std::string part;
  bool open = false;
  for (const auto& m : body["items"]) {
    const std::string this_part = PartOf(m.value("clause", ""));
    if (this_part != part) {
      if (open) main += "</ul></section>";
      part = this_part;
      open = true;
      main += "<section class=\"part\"><h2>" + (v.en ? "Part " + Esc(part) : "第" + Esc(part) + "部分") +
              "</h2><ul class=\"measures\">";
    }
    const std::string id = m.value("id", "");
    main += "<li class=\"card\"><h3><a href=\"/measures/" + Esc(UrlPart(id)) + "\">" + Esc(Text(m["title"], v.en)) +
            "</a></h3><p class=\"meta\">" + Esc(Cite(m, v.en)) + " · " + v.T("资助上限：", "Ceiling: ") +
            CeilingHtml(m, v.en) + "</p><details><summary>" + v.T("查看条文", "Clause text") +
            "</summary><p class=\"clause\">" + Esc(Text(m["text"], v.en)) + "</p></details></li>";
  }
  if (open) main += "</ul></section>";
  return site.Render(v, v.T("政策计算器", "Policy calculator"), main);
}

// "<li>text</li>" for each item of a list of conditions (their zh or en), escaped.
std::string ConditionItems(const json& list, bool en) {
  std::string out;
  if (!list.is_array()) return out;
  for (const auto& c : list) out += "<li>" + Esc(c.value(en ? "en" : "zh", "")) + "</li>";
  return out;
}

// 申请条件: who may apply, what keeps a unit out, the dates and once-only rules, the expert
// review, the guide's limit, and the checks whose refusal words the policy gives.
std::string ConditionsHtml(const json& catalogue, const json& m, bool en) {
  std::string kinds;
  for (const auto& k : m["applicants"]) {
    const std::string kind = k.get<std::string>();
    kinds += (kinds.empty() ? "" : Tr(en, "、", ", ")) + (en ? policy::KindEn(kind) : policy::KindZh(kind));
  }
  const bool award = Text(m["text"], false).find("奖励") != std::string::npos;
  std::string out = "<ul>";
  out += "<li>" + std::string(Tr(en, "申报单位：", "Who may apply: ")) + Esc(kinds) + "</li>";
  const json& policy = catalogue["policy"];
  if (policy.contains("exclusions") && !policy["exclusions"].empty()) {
    out += "<li>" + std::string(Tr(en, "有下列情形之一的不予支持：", "Not supported in any of these cases:")) + "<ul>" +
           ConditionItems(policy["exclusions"], en) + "</ul></li>";
  }
  if (policy.contains("achievements_from")) {
    out += "<li>" + std::string(Tr(en, "获得日期不早于 ", "Obtained on or after ")) +
           DateHtml(policy.value("achievements_from", ""), en) + "</li>";
  }
  const std::string once = m.value("once", "none");
  const char* paid = award ? Tr(en, "奖励", "rewarded") : Tr(en, "资助", "funded");
  if (once == "first_time") {
    out +=
        "<li>" + (en ? std::string("Only the first time is ") + paid : std::string("仅") + paid + "首次获得") + "</li>";
  } else if (once == "one_time") {
    out += "<li>" +
           (en ? std::string("Once only: a unit already ") + paid + " is not supported again"
               : std::string("一次性") + paid + "，已获支持的不再支持") +
           "</li>";
  } else if (once == "per_item") {
    out += "<li>" + std::string(Tr(en, "每个证书编号仅资助一次", "Each certificate number is funded once")) + "</li>";
  }
  if (m.contains("review")) {
    out += "<li>" + std::string(Tr(en, "须经专家评审认定：", "Experts must find that ")) + Esc(Text(m["review"], en)) +
           "</li>";
  }
  if (m.contains("items_per_unit_per_year")) {
    out += "<li>" +
           (en ? "At most " + std::to_string(m["items_per_unit_per_year"].get<int64_t>()) +
                     " items are paid to one unit in the guide's year"
               : "每家单位每年度最多资助 " + std::to_string(m["items_per_unit_per_year"].get<int64_t>()) + " 项") +
           "</li>";
  }
  if (m.contains("conditions") && !m["conditions"].empty()) {
    out += "<li>" +
           std::string(Tr(en, "审核中核对下列事项，不符合的不予支持：", "Checked in review; not supported when:")) +
           "<ul>" + ConditionItems(m["conditions"], en) + "</ul></li>";
  }
  return out + "</ul><details><summary>" + Tr(en, "条文原文", "The clause's text") + "</summary><p class=\"clause\">" +
         Esc(Text(m["text"], en)) + "</p></details>";
}

// 办理流程: the workflow's steps a case goes through (policies/workflow.yaml).
std::string ProcessHtml(const json& m, bool en) {
  std::string out = "<ol>";
  out += "<li>" + std::string(Tr(en, "网上填报并提交申报", "Fill in and submit the application online")) + "</li>";
  out += "<li>" +
         std::string(Tr(en, "受理审核（材料不全的退回补正）", "Review (returned for correction if incomplete)")) +
         "</li>";
  if (m.contains("review")) out += "<li>" + std::string(Tr(en, "专家评审", "Expert review")) + "</li>";
  out += "<li>" +
         std::string(Tr(en, "申报截止后统一资金分配，年度预算不足时按同一比例折算（第（十二）条）",
                        "After the round closes, allocation; when the budget falls short all are scaled by one "
                        "ratio (item (12))")) +
         "</li>";
  out += "<li>" +
         std::string(Tr(en, "拟资助名单向社会公示，公示期按工作日计算，期内可书面提出异议",
                        "The list of proposed grants is made public for a number of working days; objections may be "
                        "made in writing meanwhile")) +
         "</li>";
  out += "<li>" + std::string(Tr(en, "公示期满、异议处理完毕后批准资助计划", "Approval once the notice has ended")) +
         "</li>";
  out += "<li>" + std::string(Tr(en, "资金拨付", "Payment")) + "</li>";
  return out + "</ol>";
}

// The measure as an 办事指南 (WEB.md §1): 基本信息, 申请条件, 申报材料, 申报时间, 办理流程 and
// 办理时限, from the policy, the guide and the workflow; nothing the data does not say (no
// phone or address is invented).
std::string GuideHtml(const json& catalogue, const json& m, bool en) {
  const bool guide = catalogue["guide"].is_string();
  const std::string year = guide ? catalogue["guide"].get<std::string>() : "";
  const std::string per_guide =
      guide ? (en ? "as the " + year + " application guide says" : "以" + year + "年度申报指南为准")
            : Tr(en, "as the year's application guide says", "以当年申报指南为准");
  std::string out =
      "<section class=\"guide\"><h2>" + std::string(Tr(en, "基本信息", "Basic information")) + "</h2><dl>";
  out += "<dt>" + std::string(Tr(en, "事项名称", "Measure")) + "</dt><dd>" + Esc(Text(m["title"], en)) + "</dd>";
  out += "<dt>" + std::string(Tr(en, "设定依据", "Legal basis")) + "</dt><dd>" +
         Esc(Text(catalogue["policy"]["title"], en)) + " " + Esc(Cite(m, en)) + "</dd>";
  out += "<dt>" + std::string(Tr(en, "资助标准", "Ceiling")) + "</dt><dd>" + CeilingHtml(m, en) + "</dd>";
  if (m.contains("referral")) {
    out += "<dt>" + std::string(Tr(en, "办理方式", "Where to apply")) + "</dt><dd>" + Esc(Text(m["referral"], en)) +
           "</dd>";
  }
  if (guide) {
    out += "<dt>" + std::string(Tr(en, "申报指南", "Application guide")) + "</dt><dd>" + Esc(year) +
           Tr(en, "年度", " guide") + "</dd>";
  }
  out += "</dl><h2>" + std::string(Tr(en, "申请条件", "Conditions")) + "</h2>" + ConditionsHtml(catalogue, m, en);
  const bool handled_here = m.value("support", "") == "payment";
  if (handled_here) {
    std::string facts;
    for (const auto& f : m["facts"]) {
      if (f.value("required", false)) facts += (facts.empty() ? "" : Tr(en, "、", ", ")) + FactSpecLabel(f, en);
    }
    out += "<h2>" + std::string(Tr(en, "申报材料", "What to provide")) + "</h2><p>" +
           Esc(std::string(Tr(en, "在线填写申报单位信息、申报项目及获得日期",
                              "Online: the unit, the subject and the date "
                              "obtained")) +
               (facts.empty() ? "" : Tr(en, "、", ", ") + facts) + Tr(en, "；其他材料", "; other documents ") +
               per_guide + Tr(en, "。", ".")) +
           "</p>";
    out += "<h2>" + std::string(Tr(en, "申报时间", "When to apply")) + "</h2><p>";
    if (catalogue["window"].is_object()) {
      out += DateHtml(catalogue["window"].value("opens_on", ""), en) + Tr(en, "至", " to ") +
             DateHtml(catalogue["window"].value("closes_on", ""), en) +
             Tr(en, "（以申报批次的受理期为准）", " (each round's window applies)");
    } else {
      out += Esc(per_guide);
    }
    out += "</p><h2>" + std::string(Tr(en, "办理流程", "How it is handled")) + "</h2>" + ProcessHtml(m, en);
    out += "<h2>" + std::string(Tr(en, "办理时限", "Time limits")) + "</h2><p>" +
           Tr(en, "受理截止后统一分配；公示期的起止日期和工作日数以批次公示公告为准。",
              "Allocation follows the round's close; the notice's dates and working days are those the round "
              "publishes.") +
           "</p>";
  }
  return out + "</section>";
}

// The API's decision of an invalid application names the field of each problem (`path`).
Errors InvalidFields(const json& decision, bool en) {
  Errors errors;
  if (decision.value("outcome", "") != "invalid") return errors;
  for (const auto& r : decision["reasons"]) {
    const std::string path = r.value("path", r.value("field", ""));
    if (path.empty() || path == "id") continue;
    std::string& message = errors[path];
    message += (message.empty() ? "" : "；") + r.value(en ? "en" : "zh", "");
  }
  return errors;
}

Response MeasurePage(const Site& site, const Visit& v, const std::string& id, const Form& query) {
  ApiAnswer measures = site.api().Call(v, "GET", "/api/v1/measures" + GuideQuery(site));
  if (!measures.ok()) return site.ErrorPage(v, measures);
  const json* found = nullptr;
  for (const auto& m : measures.body["items"]) {
    if (m.value("id", "") == id) found = &m;
  }
  if (found == nullptr) {
    return site.Message(v, 404, v.T("未找到", "Not found"), v.T("没有这项措施。", "There is no such measure."));
  }
  const json& m = *found;
  const std::string title = Text(m["title"], v.en);
  std::string main = "<p class=\"crumbs\"><a href=\"/\">" + std::string(v.T("政策计算器", "Policy calculator")) +
                     "</a></p><h1>" + Esc(title) + "</h1>";
  main += GuideHtml(measures.body, m, v.en);

  const bool calculate = query.Has("calc") && !query.Has("add_row");
  std::string result;
  Errors errors;
  if (calculate) {
    json app = ApplicationFromForm(m, query);
    app["id"] = "calculator";
    ApiAnswer decision = site.api().Call(v, "POST", "/api/v1/evaluate" + GuideQuery(site), app);
    if (decision.ok()) {
      errors = InvalidFields(decision.body, v.en);
      result = DecisionHtml(decision.body, v.en);
    } else {
      errors = decision.FieldErrors(v.en);
      result = "<p class=\"notice\">" + Esc(decision.Detail(v.en)) + "</p>";
    }
  }
  std::vector<std::string> names;
  const std::string fields = ApplicationFields(m, query, errors, v.en, query.Has("add_row") ? 1 : 0, &names);
  main += "<section><h2>" + std::string(v.T("在线测算", "Calculate")) + "</h2><p class=\"hint\">" +
          v.T("带 * 为必填项。测算不保存任何信息；匿名测算不查询单位的历史资助记录。",
              "Fields marked * are required. Nothing is saved; an anonymous calculation does not look at the unit's "
              "funding history.") +
          "</p>" + ErrorSummary(errors, names, v.en) + "<form method=\"get\" action=\"/measures/" +
          Esc(UrlPart(m.value("id", ""))) +
          "\" class=\"calc\" data-live=\"result\"><input type=\"hidden\" name=\"calc\" value=\"1\">" + fields +
          "<button type=\"submit\">" + v.T("计算", "Calculate") + "</button></form></section>";
  main +=
      "<section id=\"result\" aria-live=\"polite\" tabindex=\"-1\"><h2>" + std::string(v.T("测算结果", "Result")) +
      "</h2>" +
      (result.empty() ? "<p>" + std::string(v.T("填写后点击“计算”。", "Fill in the form and press Calculate.")) + "</p>"
                      : result) +
      "</section>";
  return site.Render(v, title, main, 200, !errors.empty());
}

}  // namespace

void AddCalculatorPages(server::Router& router, std::shared_ptr<const Site> site) {
  AddPage(
      router, site, "GET", "/",
      [](const Site& s, const Visit& v, const server::Call&, const Form&) { return Index(s, v); },
      "the policy calculator: measures by part");
  AddPage(
      router, site, "GET", "/measures/{id}",
      [](const Site& s, const Visit& v, const server::Call& call, const Form&) {
        return MeasurePage(s, v, call.Param("id"), Form::FromQuery(call.request.query));
      },
      "a measure's guide and calculator");
}

}  // namespace qgrant::web
