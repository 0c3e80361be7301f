// The audit chain and the ledger as the API shows them (CONTRACT §7): auditors page through the
// chain and can check every hash from the entries alone; the ledger answers officers and auditors
// in full and an applicant for its own unit only.
#include "server/round_flow.h"
#include "server/store_calls.h"
#include "server/store_routes.h"

namespace qgrant::server {

using nlohmann::json;

Response ListAudit(const Service& service, const Call& call) {
  std::vector<FieldError> errors;
  int64_t after = 0, limit = 50;
  std::vector<std::string> seen;
  for (const auto& [name, value] : call.request.query) {
    const bool number =
        !value.empty() && value.size() <= 18 && value.find_first_not_of("0123456789") == std::string::npos;
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      errors.push_back({name, "参数重复 / the parameter is repeated"});
    } else if (name == "after" || name == "cursor") {
      if (!number)
        errors.push_back({name, "应为非负整数 / must be a whole number"});
      else
        after = std::stoll(value);
    } else if (name == "limit") {
      if (!number || std::stoll(value) < 1)
        errors.push_back({name, "应为1至500的整数 / must be a whole number from 1 to 500"});
      else
        limit = std::min<int64_t>(std::stoll(value), 500);
    } else {
      errors.push_back({name, "未知参数，可用 after、limit / unknown parameter; known: after, limit"});
    }
    seen.push_back(name);
  }
  if (!errors.empty()) return Problem(400, "查询参数有误 / bad query parameter", std::move(errors));
  auto out = service.store()->Read([&](store::Reader& r) -> Result<json> {
    auto entries = r.AuditEntries(after, limit + 1);
    if (!entries.ok()) return entries.status();
    const bool more = static_cast<int64_t>(entries->size()) > limit;
    if (more) entries->pop_back();
    json items = json::array();
    for (const auto& e : *entries) {
      items.push_back({{"seq", e.seq},
                       {"at", e.at},
                       {"actor", e.actor},
                       {"action", e.action},
                       {"object", e.object},
                       {"before", e.before},
                       {"after", e.after},
                       {"prev_hash", e.prev_hash},
                       {"hash", e.hash}});
    }
    return json{{"items", items}, {"next_cursor", more ? json(std::to_string(entries->back().seq)) : json()}};
  });
  if (!out.ok()) return StoreFailure(out.status());
  return Response::Json(200, out->dump());
}

Response ListLedger(const Service& service, const Call& call) {
  std::optional<std::string> uscc;
  std::vector<FieldError> errors;
  ListPage page;
  ReadListPage(call, &page, &errors);
  for (const auto& [name, value] : call.request.query) {
    if (name == "limit" || name == "cursor") continue;
    if (name != "uscc" || uscc) {
      errors.push_back({name, "可用 uscc、limit、cursor / known: uscc, limit, cursor"});
      continue;
    }
    uscc = value;
  }
  if (!errors.empty()) return Problem(400, "查询参数有误 / bad query parameter", std::move(errors));
  if (call.user->role == Role::kApplicant) {
    if (uscc && *uscc != call.user->uscc) return Problem(404, "没有该单位的记录 / no such unit's entries");
    uscc = call.user->uscc;
  }
  auto entries = service.store()->Read([&](store::Reader& r) { return r.Ledger(uscc); });
  if (!entries.ok()) return StoreFailure(entries.status());
  json items = json::array();
  for (const auto& e : *entries) {
    json j = {{"uscc", e.uscc},       {"policy", e.policy},         {"measure", e.measure},
              {"subject", e.subject}, {"amount_fen", e.amount_fen}, {"granted_on", e.granted_on},
              {"scope", e.scope}};
    if (e.level) j["level"] = *e.level;
    if (e.application_id) j["application_id"] = *e.application_id;
    if (e.round) j["round"] = *e.round;
    items.push_back(std::move(j));
  }
  json answer = json::object();
  if (!PageOf(items, page, &answer)) {
    return Problem(400, "查询参数有误 / bad query parameter",
                   {{"cursor", "不是本列表给出的游标 / not a cursor this list gave"}});
  }
  return Response::Json(200, answer.dump());
}

const std::vector<StoreRoute>& StoreRouteTable() {
  static const std::vector<StoreRoute> kRoutes = {
      {"POST", "/api/v1/rounds", CreateRound},
      {"GET", "/api/v1/rounds", ListRounds},
      {"GET", "/api/v1/rounds/{id}", GetRound},
      {"POST", "/api/v1/rounds/{id}/close", CloseRound, RoundVisible},
      {"POST", "/api/v1/rounds/{id}/allocate", AllocateRound, RoundVisible},
      {"POST", "/api/v1/rounds/{id}/notice", PostNotice, RoundVisible},
      {"GET", "/api/v1/rounds/{id}/notice", GetNotice},
      {"POST", "/api/v1/rounds/{id}/objections", CreateObjection, RoundVisible},
      {"GET", "/api/v1/rounds/{id}/objections", ListObjections, RoundVisible},
      {"POST", "/api/v1/objections/{id}/resolve", ResolveObjection, ObjectionVisible},
      {"POST", "/api/v1/rounds/{id}/approve", ApproveRound, RoundVisible},
      {"GET", "/api/v1/rounds/{id}/payments", ListPayments, RoundVisible},
      {"POST", "/api/v1/payments/{id}", RecordPayment, PaymentVisible},
      {"POST", "/api/v1/rounds/{id}/applications", CreateApplication, RoundVisible},
      {"PUT", "/api/v1/applications/{id}", ReplaceApplication, ApplicationVisible},
      // Every signed-in role may read an application, so no 403 can come after the 404: the
      // handler judges visibility itself, in the one read it makes.
      {"GET", "/api/v1/applications/{id}", GetApplication},
      {"GET", "/api/v1/applications", ListApplications},
      {"POST", "/api/v1/applications/{id}/actions/{action}", FireAction, ApplicationVisible},
      {"POST", "/api/v1/applications/{id}/reviews", AddReview, ApplicationVisible},
      {"GET", "/api/v1/applications/{id}/letter", GetLetter, ApplicationVisible},
      {"POST", "/api/v1/rounds/{id}/invitations", CreateInvitations, RoundVisible},
      {"GET", "/api/v1/invitations", ListInvitations},
      {"POST", "/api/v1/invitations/{id}/confirm", ConfirmInvitation, InvitationVisible},
      {"POST", "/api/v1/invitations/{id}/decline", DeclineInvitation, InvitationVisible},
      {"GET", "/api/v1/audit", ListAudit},
      {"GET", "/api/v1/ledger", ListLedger},
  };
  return kRoutes;
}

}  // namespace qgrant::server
