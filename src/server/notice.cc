// The public notice (公示) and objections (CONTRACT §7 "Notice and objections"). The notice runs
// for a number of working days of the official calendar (common/calendar.h), counted from the
// day after it starts; its list is public from the first day. Anyone signed in may object to an
// application on the list while the notice runs; an officer resolves each objection, and an
// upheld one rejects the application and releases its amount.
#include <nlohmann/json.hpp>

#include "common/calendar.h"
#include "common/money.h"
#include "policy/words.h"
#include "server/exports.h"
#include "server/round_flow.h"
#include "server/store_calls.h"
#include "server/store_routes.h"

namespace qgrant::server {

namespace {

using nlohmann::json;

const std::vector<MemberSpec>& NoticeSpec() {
  static const std::vector<MemberSpec> spec = {{"starts_on", JsonType::kString, true},
                                               {"working_days", JsonType::kInteger, true}};
  return spec;
}

// Reads and checks a notice: a start on or after today, 1–30 working days, every day counted in
// a year of the shipped calendar.
std::optional<store::Notice> ReadNotice(const Service& service, const json& body, Response* problem) {
  std::vector<FieldError> errors;
  auto start = common::ParseIsoDay(body["starts_on"].get<std::string>());
  const int64_t days = body["working_days"].get<int64_t>();
  if (!start.ok()) {
    errors.push_back({"starts_on", "应为日期 YYYY-MM-DD / must be a date YYYY-MM-DD"});
  } else if (*start < service.Today().days) {
    errors.push_back({"starts_on", "公示开始日期不能早于今天 / the notice cannot start before today"});
  }
  if (days < 1 || days > 30)
    errors.push_back({"working_days", "应为1至30的整数 / must be a whole number from 1 to 30"});
  store::Notice notice;
  if (errors.empty()) {
    auto end = common::AddWorkingDays(*start, static_cast<int>(days));
    if (!end.ok())
      errors.push_back({"starts_on", end.status().message()});
    else
      notice = {body["starts_on"].get<std::string>(), common::FormatIsoDay(*end), days};
  }
  if (errors.empty()) return notice;
  *problem = InvalidBody(std::move(errors));
  return std::nullopt;
}

json NoticeJson(const store::Round& round) {
  return {{"round", round.id},
          {"starts_on", round.notice->starts_on},
          {"ends_on", round.notice->ends_on},
          {"working_days", round.notice->working_days}};
}

Response PostNoticeIn(const Service& service, const Call& call, const store::Notice& notice, store::WriteTx& tx) {
  Response problem;
  auto round = FindRound(tx, call.Param("id"), &problem);
  if (!round) return problem;
  const std::string state = RoundState(service, *round);
  if (state != "allocated" && state != "in_notice") {
    auto reallocate = MayReallocate(service, tx, *round);
    return RoundConflict(state, reallocate.ok() && *reallocate,
                         "申报批次当前为“" + state + "”，须先完成资金分配才能公示 / the round is " + state +
                             ": the notice follows allocation");
  }
  const json before = round->notice ? NoticeJson(*round) : json();
  round->notice = notice;
  round->state = "in_notice";
  if (Status st = tx.UpdateRound(&*round); !st.ok()) return StoreFailure(st);
  json after = NoticeJson(*round);
  after["restart"] = state == "in_notice";
  if (auto a = tx.Audit({Actor(call), "round.notice", "round:" + round->id, before, after}); !a.ok())
    return StoreFailure(a.status());
  auto proposed = tx.ApplicationsBySubmission(round->id, {"proposed"});
  if (!proposed.ok()) return StoreFailure(proposed.status());
  for (store::Application& a : *proposed) {
    a.state = "in_notice";
    if (Status st = tx.UpdateApplication(&a); !st.ok()) return StoreFailure(st);
    const json was = {{"state", "proposed"}, {"allocated_fen", *a.allocated_fen}};
    const json now = {{"state", "in_notice"}, {"allocated_fen", *a.allocated_fen}, {"notice_ends_on", notice.ends_on}};
    if (Status st = RecordChange(tx, call, a, "notice", "proposed", std::nullopt, std::nullopt, was, now); !st.ok()) {
      return StoreFailure(st);
    }
  }
  return Response::Json(200, NoticeJson(*round).dump());
}

// What the list shows of an application: its measure, clause and item in words.
struct ListedItem {
  std::string measure_title, clause, item;
};

ListedItem Describe(const policy::RuleSet& rules, const store::Application& a) {
  ListedItem out{a.measure, "", a.subject};
  const policy::Measure* m = rules.FindMeasure(a.measure);
  if (m == nullptr) return out;
  out.measure_title = m->title.zh;
  out.clause = m->clause;
  const json body = json::parse(a.body, nullptr, false);
  if (!m->level_fact.empty() && body.contains("facts") && body["facts"].is_object()) {
    const json& level = body["facts"].value(m->level_fact, json());
    if (level.is_string()) {
      auto named = m->level_names.find(level.get<std::string>());
      out.item = named != m->level_names.end() ? named->second.zh : level.get<std::string>();
    }
  }
  const json decision = a.decision ? json::parse(*a.decision, nullptr, false) : json();
  if (decision.is_object() && decision.contains("items") && decision["items"].is_array() &&
      !decision["items"].empty()) {
    std::string numbers;
    for (const auto& i : decision["items"]) {
      if (i.value("outcome", "") != "eligible") continue;
      numbers += (numbers.empty() ? "" : "、") + i.value("number", std::string());
    }
    out.item = numbers;
  }
  return out;
}

struct NoticeList {
  store::Round round;
  std::vector<store::Application> apps;  // on the list, in submission order
};

// The list as published: the noticed applications (approved and paid ones stay on it).
Result<std::optional<NoticeList>> ReadList(const Service& service, store::Reader& reader, const std::string& id) {
  auto round = reader.GetRound(id);
  if (!round.ok()) return round.status();
  if (!*round || !NoticeOpenToPublic(service, **round)) return std::optional<NoticeList>();
  auto apps = reader.ApplicationsBySubmission(id, {"in_notice", "approved", "paid"});
  if (!apps.ok()) return apps.status();
  return std::optional<NoticeList>(NoticeList{**round, std::move(*apps)});
}

ExportTable NoticeTable(const policy::RuleSet& rules, const NoticeList& list) {
  ExportTable t;
  t.sheet = "公示名单";
  t.headers = {"统一社会信用代码", "单位名称", "措施", "条款", "项目", "拟资助金额（万元）"};
  t.units = {ColumnUnit::kText, ColumnUnit::kText, ColumnUnit::kText,
             ColumnUnit::kText, ColumnUnit::kText, ColumnUnit::kWan};
  t.total_label = "合计";
  for (const auto& a : list.apps) {
    const ListedItem d = Describe(rules, a);
    t.rows.push_back({a.uscc, ApplicantName(a), d.measure_title, d.clause.empty() ? "" : policy::CiteZh(d.clause),
                      d.item, a.allocated_fen.value_or(0)});
  }
  return t;
}

Result<json> ListJson(const policy::RuleSet& rules, const NoticeList& list) {
  json items = json::array();
  money::Total total;
  for (const auto& a : list.apps) {
    const ListedItem d = Describe(rules, a);
    const int64_t fen = a.allocated_fen.value_or(0);
    total.Add(fen);
    items.push_back({{"application_id", a.id},
                     {"uscc", a.uscc},
                     {"name", ApplicantName(a)},
                     {"measure", a.measure},
                     {"measure_title", d.measure_title},
                     {"clause", d.clause},
                     {"item", d.item},
                     {"amount_fen", fen}});
  }
  if (!total.ok()) return total.status();
  return json{{"round", list.round.id},
              {"title", list.round.title},
              {"starts_on", list.round.notice->starts_on},
              {"ends_on", list.round.notice->ends_on},
              {"working_days", list.round.notice->working_days},
              {"items", items},
              {"total_fen", total.fen()}};
}

json ObjectionJson(const store::Objection& o) {
  return {{"id", std::to_string(o.id)},
          {"round", o.round},
          {"application_id", o.application_id},
          {"text", o.text},
          {"state", o.state},
          {"at", o.at},
          {"note", o.resolution_note ? json(*o.resolution_note) : json()},
          {"resolved_at", o.resolved_at ? json(*o.resolved_at) : json()}};
}

}  // namespace

Response PostNotice(const Service& service, const Call& call) {
  Response problem;
  auto body = ReadObjectBody(call, NoticeSpec(), &problem);
  if (!body) return problem;
  auto notice = ReadNotice(service, *body, &problem);
  if (!notice) return problem;
  return Write(service, call, [&](store::WriteTx& tx) { return PostNoticeIn(service, call, *notice, tx); });
}

Response GetNotice(const Service& service, const Call& call) {
  Response problem;
  auto format = ReadFormat(call, &problem);
  if (!format) return problem;
  auto list = service.store()->Read([&](store::Reader& r) { return ReadList(service, r, call.Param("id")); });
  if (!list.ok()) return StoreFailure(list.status());
  if (!*list) {
    return Problem(404, "申报批次 " + call.Param("id") + " 没有正在或已经公示的名单 / round " + call.Param("id") +
                            " has no public notice");
  }
  auto rules = service.Rules(RoundGuide(service, (*list)->round.guide), service.Today());
  if (*format != "json") return FileAnswer(*format, NoticeTable(rules->rules(), **list), "notice-" + (*list)->round.id);
  auto j = ListJson(rules->rules(), **list);
  if (!j.ok()) return StoreFailure(j.status());
  return Response::Json(200, j->dump());
}

Response CreateObjection(const Service& service, const Call& call) {
  Response problem;
  static const std::vector<MemberSpec> spec = {{"application_id", JsonType::kString, true},
                                               {"text", JsonType::kString, true}};
  auto body = ReadObjectBody(call, spec, &problem);
  if (!body) return problem;
  const std::string text = (*body)["text"], app_id = (*body)["application_id"];
  if (IsBlankText(text)) {
    return InvalidBody({{"text", "请写明异议的事实和理由 / state the facts and reasons of the objection"}});
  }
  return Write(service, call, [&](store::WriteTx& tx) -> Response {
    Response missing;
    auto round = FindRound(tx, call.Param("id"), &missing);
    if (!round) return missing;
    const std::string today = Today(service);
    const std::string state = RoundState(service, *round);
    if (state != "in_notice" || !round->notice || today < round->notice->starts_on || today > round->notice->ends_on) {
      const std::string when = round->notice ? round->notice->starts_on + " 至 " + round->notice->ends_on : "未公示";
      return RoundConflict(state, false,
                           "不在公示期内（" + when + "），不受理异议 / objections are taken only during the notice");
    }
    auto app = tx.GetApplication(app_id);
    if (!app.ok()) return StoreFailure(app.status());
    if (!*app || (*app)->round != round->id || (*app)->state != "in_notice") {
      return InvalidBody(
          {{"application_id", "该申请不在本批次公示名单上 / the application is not on this round's notice list"}});
    }
    store::Objection o;
    o.round = round->id;
    o.application_id = app_id;
    o.text = text;
    o.filed_by = call.user->id;
    if (Status st = tx.InsertObjection(&o); !st.ok()) return StoreFailure(st);
    const json after = {{"round", o.round}, {"application_id", o.application_id}, {"text", o.text}, {"state", o.state}};
    if (auto a = tx.Audit({Actor(call), "objection.create", "objection:" + std::to_string(o.id), nullptr, after});
        !a.ok()) {
      return StoreFailure(a.status());
    }
    Response r = Response::Json(201, ObjectionJson(o).dump());
    r.headers.emplace_back("Location", "/api/v1/rounds/" + round->id + "/objections");
    return r;
  });
}

Response ListObjections(const Service& service, const Call& call) {
  Response problem;
  auto q = ReadListQuery(call.request, {"state"}, &problem);
  if (!q) return problem;
  auto out = service.store()->Read([&](store::Reader& r) -> Result<std::optional<json>> {
    auto round = r.GetRound(call.Param("id"));
    if (!round.ok()) return round.status();
    if (!*round) return std::optional<json>();
    auto all = r.Objections(call.Param("id"));
    if (!all.ok()) return all.status();
    json items = json::array();
    std::optional<int64_t> last;
    bool more = false;
    for (const auto& o : *all) {
      if (o.id <= q->after || (q->values.count("state") && o.state != q->values["state"])) continue;
      if (static_cast<int64_t>(items.size()) == q->limit) {
        more = true;
        break;
      }
      items.push_back(ObjectionJson(o));
      last = o.id;
    }
    return std::optional<json>(json{{"items", items}, {"next_cursor", more ? json(Cursor(*last)) : json()}});
  });
  if (!out.ok()) return StoreFailure(out.status());
  if (!*out) return Problem(404, "没有申报批次 " + call.Param("id") + " / no round " + call.Param("id"));
  return Response::Json(200, (*out)->dump());
}

namespace {

// An upheld objection: the application is rejected and its amount released.
Status Uphold(store::WriteTx& tx, const Call& call, const store::Objection& o) {
  auto found = tx.GetApplication(o.application_id);
  if (!found.ok()) return found.status();
  if (!*found) return Status::NotFound("application " + o.application_id);
  store::Application a = **found;
  if (a.state != "in_notice") return Status::Ok();  // already off the list
  const json before = {{"state", a.state}, {"allocated_fen", a.allocated_fen ? json(*a.allocated_fen) : json()}};
  a.state = "rejected";
  a.allocated_fen = 0;
  if (Status st = tx.UpdateApplication(&a); !st.ok()) return st;
  const std::string note = "异议成立：" + o.resolution_note.value_or("") + " / objection upheld";
  const json after = {{"state", "rejected"}, {"allocated_fen", 0}, {"objection", o.id}};
  return RecordChange(tx, call, a, "uphold", "in_notice", note, std::nullopt, before, after);
}

}  // namespace

bool ObjectionVisible(const Service& service, const Call& call) {
  const std::string& id = call.Param("id");
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) return false;
  auto found = service.store()->Read([&](store::Reader& r) { return r.GetObjection(std::stoll(id)); });
  return found.ok() && *found;
}

Response ResolveObjection(const Service& service, const Call& call) {
  Response problem;
  static const std::vector<MemberSpec> spec = {{"upheld", JsonType::kBoolean, true},
                                               {"note", JsonType::kString, false}};
  auto body = ReadObjectBody(call, spec, &problem);
  if (!body) return problem;
  const std::string& id = call.Param("id");
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
    return Problem(404, "没有异议 " + id + " / no objection " + id);
  }
  return Write(service, call, [&](store::WriteTx& tx) -> Response {
    auto found = tx.GetObjection(std::stoll(id));
    if (!found.ok()) return StoreFailure(found.status());
    if (!*found) return Problem(404, "没有异议 " + id + " / no objection " + id);
    store::Objection o = **found;
    if (o.state != "open") {
      return Problem(409, "该异议已处理（" + o.state + "） / the objection is already resolved: " + o.state, {},
                     {{"state", o.state}, {"allowed_actions", json::array()}});
    }
    const json before = {{"state", o.state}};
    o.state = (*body)["upheld"].get<bool>() ? "upheld" : "dismissed";
    o.resolution_note = body->value("note", std::string());
    o.resolved_by = call.user->id;
    o.resolved_at = tx.now();
    if (Status st = tx.UpdateObjection(o); !st.ok()) return StoreFailure(st);
    if (auto a = tx.Audit({Actor(call),
                           "objection.resolve",
                           "objection:" + id,
                           before,
                           {{"state", o.state}, {"note", *o.resolution_note}}});
        !a.ok()) {
      return StoreFailure(a.status());
    }
    if (o.state == "upheld") {
      if (Status st = Uphold(tx, call, o); !st.ok()) return StoreFailure(st);
    }
    return Response::Json(200, ObjectionJson(o).dump());
  });
}

}  // namespace qgrant::server
