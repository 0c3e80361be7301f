// Rounds (CONTRACT §7): an officer opens a guide's round with a budget and dates; everyone signed
// in reads rounds with their counts and totals by state and by measure.
#include <regex>

#include "server/json_body.h"
#include "server/round_flow.h"
#include "server/store_calls.h"
#include "server/store_routes.h"

namespace qgrant::server {

namespace {

const std::vector<MemberSpec>& RoundSpec() {
  static const std::vector<MemberSpec> spec = {
      {"id", JsonType::kString, true},       {"title", JsonType::kString, true},
      {"guide", JsonType::kString, true},    {"budget_fen", JsonType::kInteger, true},
      {"opens_on", JsonType::kString, true}, {"closes_on", JsonType::kString, true}};
  return spec;
}

bool ValidRoundId(const std::string& id) {
  static const std::regex kId("[A-Za-z0-9._-]{1,64}");
  return std::regex_match(id, kId);
}

// The checks of a new round beyond the members' types.
std::vector<FieldError> CheckRound(const Service& service, const nlohmann::json& b) {
  std::vector<FieldError> errors;
  if (!ValidRoundId(b["id"].get<std::string>())) {
    errors.push_back({"id", "应为1至64个字母、数字或 . _ - / 1-64 of letters, digits, '.', '_', '-'"});
  }
  if (b["title"].get<std::string>().empty()) errors.push_back({"title", "不能为空 / must not be empty"});
  if (!RoundGuide(service, b["guide"].get<std::string>())) {
    errors.push_back({"guide", "没有该年度的申报指南 / no guide of the policy for this year"});
  }
  const auto budget = b["budget_fen"];
  if (!budget.is_number_integer() || budget.get<int64_t>() < 0 || budget.get<int64_t>() > policy::kMaxAmountFen) {
    errors.push_back({"budget_fen", "应为0至10^15的整数（分） / must be a whole number of fen from 0 to 10^15"});
  }
  policy::Date opens, closes;
  const bool opens_ok = policy::ParseDate(b["opens_on"].get<std::string>(), &opens);
  const bool closes_ok = policy::ParseDate(b["closes_on"].get<std::string>(), &closes);
  if (!opens_ok) errors.push_back({"opens_on", "应为日期 YYYY-MM-DD / must be a date YYYY-MM-DD"});
  if (!closes_ok) errors.push_back({"closes_on", "应为日期 YYYY-MM-DD / must be a date YYYY-MM-DD"});
  if (opens_ok && closes_ok && closes < opens) {
    errors.push_back({"closes_on", "不能早于 opens_on / must not be before opens_on"});
  }
  return errors;
}

// Counts and amounts by key. `seen` is what an applicant reads before the notice starts: each
// state as it sees it (proposed and not_funded counted under accepted) and the amounts the
// decisions give, as before allocation; null for everyone else.
nlohmann::json Totals(const std::vector<store::GroupTotal>& totals, const Workflow* seen, bool by_state) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& t : totals) {
    const std::string& key = seen && by_state ? seen->PublicState(t.key, false) : t.key;
    nlohmann::json& group = out[key];
    if (group.is_null()) group = {{"count", 0}, {"amount_fen", 0}};
    group["count"] = group["count"].get<int64_t>() + t.count;
    group["amount_fen"] = group["amount_fen"].get<int64_t>() + (seen ? t.decided_fen : t.amount_fen);
  }
  return out;
}

}  // namespace

std::string RoundState(const Service& service, const store::Round& round) {
  if (round.state == "allocated" || round.state == "in_notice" || round.state == "approved" ||
      round.state == "closed") {
    return round.state;
  }
  const std::string today = Today(service);
  if (today < round.opens_on) return "scheduled";
  if (today > round.closes_on) return "closed";
  return "open";
}

Result<nlohmann::json> RoundJson(const Service& service, store::Reader& reader, const store::Round& round,
                                 const Call& call) {
  auto by_state = reader.RoundTotalsByState(round.id);
  if (!by_state.ok()) return by_state.status();
  auto by_measure = reader.RoundTotalsByMeasure(round.id);
  if (!by_measure.ok()) return by_measure.status();
  const Workflow* seen = AllocationHidden(service, call, round) ? &service.workflow() : nullptr;
  nlohmann::json j = {{"id", round.id},
                      {"title", round.title},
                      {"guide", round.guide},
                      {"budget_fen", round.budget_fen},
                      {"opens_on", round.opens_on},
                      {"closes_on", round.closes_on},
                      {"state", RoundState(service, round)},
                      {"notice", nullptr},
                      {"by_state", Totals(*by_state, seen, true)},
                      {"by_measure", Totals(*by_measure, seen, false)}};
  if (round.notice) {
    j["notice"] = {{"starts_on", round.notice->starts_on},
                   {"ends_on", round.notice->ends_on},
                   {"working_days", round.notice->working_days}};
  }
  return j;
}

Response CreateRound(const Service& service, const Call& call) {
  Response problem;
  auto body = ParseJsonBody(call.request.body, &problem);
  if (!body) return problem;
  if (!body->is_object()) return Problem(400, "请求体应为 JSON 对象 / the body must be a JSON object");
  std::vector<FieldError> errors;
  CheckMembers(*body, RoundSpec(), "", &errors);
  if (errors.empty()) errors = CheckRound(service, *body);
  if (!errors.empty()) return InvalidBody(std::move(errors));
  return Write(service, call, [&](store::WriteTx& tx) -> Response {
    store::Round round;
    round.id = (*body)["id"];
    auto existing = tx.GetRound(round.id);
    if (!existing.ok()) return StoreFailure(existing.status());
    if (*existing) {
      return Problem(409, "申报批次 " + round.id + " 已存在 / round " + round.id + " already exists", {},
                     {{"existing", round.id}});
    }
    round.title = (*body)["title"];
    round.guide = (*body)["guide"];
    round.budget_fen = (*body)["budget_fen"];
    round.opens_on = (*body)["opens_on"];
    round.closes_on = (*body)["closes_on"];
    round.state = "scheduled";
    if (Status st = tx.InsertRound(&round); !st.ok()) return StoreFailure(st);
    auto json = RoundJson(service, tx, round, call);
    if (!json.ok()) return StoreFailure(json.status());
    nlohmann::json after = {{"title", round.title},
                            {"guide", round.guide},
                            {"budget_fen", round.budget_fen},
                            {"opens_on", round.opens_on},
                            {"closes_on", round.closes_on}};
    if (auto a = tx.Audit({Actor(call), "round.create", "round:" + round.id, nullptr, after}); !a.ok()) {
      return StoreFailure(a.status());
    }
    Response r = Response::Json(201, json->dump());
    r.headers.emplace_back("Location", "/api/v1/rounds/" + round.id);
    return r;
  });
}

Response ListRounds(const Service& service, const Call& call) {
  Response problem;
  auto q = ReadListQuery(call.request, {}, &problem);
  if (!q) return problem;
  auto out = service.store()->Read([&](store::Reader& reader) -> Result<nlohmann::json> {
    auto rounds = reader.Rounds();
    if (!rounds.ok()) return rounds.status();
    nlohmann::json items = nlohmann::json::array();
    std::optional<int64_t> last;
    for (const auto& r : *rounds) {
      if (r.seq <= q->after) continue;
      if (static_cast<int64_t>(items.size()) == q->limit) break;
      auto j = RoundJson(service, reader, r, call);
      if (!j.ok()) return j.status();
      items.push_back(std::move(*j));
      last = r.seq;
    }
    const bool more = last && rounds->back().seq > *last;
    return nlohmann::json{{"items", items}, {"next_cursor", more ? nlohmann::json(Cursor(*last)) : nlohmann::json()}};
  });
  if (!out.ok()) return StoreFailure(out.status());
  return Response::Json(200, out->dump());
}

Response GetRound(const Service& service, const Call& call) {
  auto out = service.store()->Read([&](store::Reader& reader) -> Result<std::optional<nlohmann::json>> {
    auto round = reader.GetRound(call.Param("id"));
    if (!round.ok()) return round.status();
    if (!*round) return std::optional<nlohmann::json>();
    auto j = RoundJson(service, reader, **round, call);
    if (!j.ok()) return j.status();
    return std::optional<nlohmann::json>(std::move(*j));
  });
  if (!out.ok()) return StoreFailure(out.status());
  if (!*out) return Problem(404, "没有申报批次 " + call.Param("id") + " / no round " + call.Param("id"));
  return Response::Json(200, (*out)->dump());
}

Response CloseRound(const Service& service, const Call& call) {
  Response problem;
  if (!call.request.body.empty()) {
    auto body = ParseJsonBody(call.request.body, &problem);
    if (!body) return problem;
    std::vector<FieldError> errors;
    if (!body->is_object()) return Problem(400, "请求体应为 JSON 对象 / the body must be a JSON object");
    CheckMembers(*body, {}, "", &errors);
    if (!errors.empty()) return InvalidBody(std::move(errors));
  }
  return Write(service, call, [&](store::WriteTx& tx) -> Response {
    auto found = tx.GetRound(call.Param("id"));
    if (!found.ok()) return StoreFailure(found.status());
    if (!*found) return Problem(404, "没有申报批次 " + call.Param("id") + " / no round " + call.Param("id"));
    store::Round round = **found;
    const std::string state = RoundState(service, round);
    if (state != "open" && state != "scheduled") {
      return Problem(409, "申报批次处于“" + state + "”状态，不能关闭 / the round is " + state + " and cannot be closed",
                     {}, {{"state", state}, {"round_state", state}, {"allowed_actions", nlohmann::json::array()}});
    }
    round.state = "closed";
    if (Status st = tx.UpdateRound(&round); !st.ok()) return StoreFailure(st);
    if (auto a = tx.Audit({Actor(call), "round.close", "round:" + round.id, {{"state", state}}, {{"state", "closed"}}});
        !a.ok()) {
      return StoreFailure(a.status());
    }
    auto json = RoundJson(service, tx, round, call);
    if (!json.ok()) return StoreFailure(json.status());
    return Response::Json(200, json->dump());
  });
}

}  // namespace qgrant::server
