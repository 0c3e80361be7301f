#include "server/round_flow.h"

#include <algorithm>

#include "policy/words.h"
#include "server/exports.h"
#include "server/problem.h"
#include "server/store_calls.h"
#include "server/store_routes.h"

namespace qgrant::server {

using nlohmann::json;

std::optional<store::Round> FindRound(store::Reader& reader, const std::string& id, Response* problem) {
  auto found = reader.GetRound(id);
  if (!found.ok()) {
    *problem = StoreFailure(found.status());
    return std::nullopt;
  }
  if (!*found) {
    *problem = Problem(404, "没有申报批次 " + id + " / no round " + id);
    return std::nullopt;
  }
  return **found;
}

bool RoundVisible(const Service& service, const Call& call) {
  auto found = service.store()->Read([&](store::Reader& r) { return r.GetRound(call.Param("id")); });
  return found.ok() && *found;
}

std::vector<std::string> RoundActions(const std::string& state, bool may_reallocate) {
  if (state == "scheduled" || state == "open") return {"close"};
  if (state == "closed") return {"allocate"};
  if (state == "allocated") return {"allocate", "notice"};
  if (state == "in_notice") {
    if (may_reallocate) return {"allocate", "notice", "approve"};
    return {"notice", "approve"};
  }
  return {};
}

Response RoundConflict(const std::string& state, bool may_reallocate, const std::string& why) {
  return Problem(409, why, {},
                 {{"state", state}, {"round_state", state}, {"allowed_actions", RoundActions(state, may_reallocate)}});
}

Result<bool> MayReallocate(const Service& service, store::Reader& reader, const store::Round& round) {
  if (round.state != "in_notice") return false;
  if (round.notice && Today(service) < round.notice->starts_on) return true;  // posted, not started
  auto objections = reader.Objections(round.id);
  if (!objections.ok()) return objections.status();
  for (const auto& o : *objections) {
    // The notice's posting is the round's last update while it is in notice.
    if (o.state == "upheld" && o.resolved_at && *o.resolved_at >= round.updated_at) return true;
  }
  return false;
}

std::optional<json> ReadObjectBody(const Call& call, const std::vector<MemberSpec>& spec, Response* problem) {
  auto body = ParseJsonBody(call.request.body.empty() ? "{}" : call.request.body, problem);
  if (!body) return std::nullopt;
  if (!body->is_object()) {
    *problem = Problem(400, "请求体应为 JSON 对象 / the body must be a JSON object");
    return std::nullopt;
  }
  std::vector<FieldError> errors;
  CheckMembers(*body, spec, "", &errors);
  if (!errors.empty()) {
    *problem = InvalidBody(std::move(errors));
    return std::nullopt;
  }
  return body;
}

Status RecordChange(store::WriteTx& tx, const Call& call, const store::Application& a, const std::string& action,
                    const std::optional<std::string>& from, const std::optional<std::string>& note,
                    const std::optional<std::string>& deadline, const json& before, const json& after) {
  store::HistoryEntry h;
  h.application_id = a.id;
  h.action = action;
  h.from_state = from;
  h.to_state = a.state;
  h.actor = Actor(call);
  h.actor_role = RoleName(call.user->role);
  h.note = note;
  h.deadline = deadline;
  if (Status st = tx.AddHistory(&h); !st.ok()) return st;
  auto audited = tx.Audit({Actor(call), "application." + action, "application:" + a.id, before, after});
  return audited.ok() ? Status::Ok() : audited.status();
}

std::string ApplicantName(const store::Application& a) {
  const json body = json::parse(a.body, nullptr, false);
  if (!body.is_object() || !body.contains("applicant") || !body["applicant"].is_object()) return "";
  const json& applicant = body["applicant"];
  return applicant.contains("name") && applicant["name"].is_string() ? applicant["name"].get<std::string>() : "";
}

std::string IsoDateZh(const std::string& iso) {
  policy::Date d;
  return policy::ParseDate(iso.substr(0, 10), &d) ? policy::DateZh(d) : iso;
}

bool NoticeStarted(const Service& service, const store::Round& round) {
  return round.notice && round.notice->starts_on <= Today(service);
}

bool AllocationHidden(const Service& service, const Call& call, const store::Round& round) {
  return !IsStaff(call) && !NoticeStarted(service, round);
}

bool NoticeOpenToPublic(const Service& service, const store::Round& round) {
  if (!round.notice) return false;
  if (round.state != "in_notice" && round.state != "approved") return false;
  return round.notice->starts_on <= Today(service);
}

std::optional<std::string> ReadFormat(const Call& call, Response* problem, const std::vector<std::string>& also) {
  std::string format = "json";
  for (const auto& [name, value] : call.request.query) {
    if (std::find(also.begin(), also.end(), name) != also.end()) continue;
    if (name != "format") {
      *problem = Problem(400, "查询参数有误 / bad query parameter", {{name, "未知参数 / unknown parameter"}});
      return std::nullopt;
    }
    format = value;
  }
  if (format == "json" || format == "csv" || format == "xlsx") return format;
  *problem = Problem(400, "查询参数有误 / bad query parameter",
                     {{"format", "应为 json、csv 或 xlsx / must be json, csv or xlsx"}});
  return std::nullopt;
}

void ReadListPage(const Call& call, ListPage* page, std::vector<FieldError>* errors) {
  bool limit_seen = false, cursor_seen = false;
  for (const auto& [name, value] : call.request.query) {
    if (name != "limit" && name != "cursor") continue;
    bool& seen = name == "limit" ? limit_seen : cursor_seen;
    if (seen) {
      errors->push_back({name, "参数重复 / the parameter is repeated"});
      continue;
    }
    seen = true;
    const bool number =
        !value.empty() && value.size() <= 9 && value.find_first_not_of("0123456789") == std::string::npos;
    if (name == "limit") {
      if (!number || std::stoll(value) < 1) {
        errors->push_back({"limit", "应为1至500的整数 / must be a whole number from 1 to 500"});
      } else {
        page->limit = static_cast<size_t>(std::min<int64_t>(std::stoll(value), 500));
      }
    } else if (!number) {
      errors->push_back({"cursor", "不是本列表给出的游标 / not a cursor this list gave"});
    } else {
      page->from = static_cast<size_t>(std::stoll(value));
    }
  }
}

bool PageOf(const nlohmann::json& all, const ListPage& page, nlohmann::json* out) {
  if (page.from > all.size()) return false;
  const size_t to = std::min(all.size(), page.from + page.limit);
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = page.from; i < to; ++i) items.push_back(all[i]);
  (*out)["items"] = std::move(items);
  (*out)["next_cursor"] = to < all.size() ? nlohmann::json(std::to_string(to)) : nlohmann::json(nullptr);
  return true;
}

Response FileAnswer(const std::string& format, const ExportTable& table, const std::string& name) {
  if (format == "csv") {
    Response r;
    r.content_type = kCsvType;
    r.body = TableCsv(table);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".csv\"");
    return r;
  }
  auto xlsx = TableXlsx(table);
  if (!xlsx.ok()) return StoreFailure(xlsx.status());
  Response r;
  r.content_type = kXlsxType;
  r.body = std::move(*xlsx);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".xlsx\"");
  return r;
}

}  // namespace qgrant::server
