// Applications (CONTRACT §7): an applicant creates, replaces and submits its unit's applications;
// reviewers accept, return or reject; experts review; everyone follows the case through the
// states the workflow data allows. Every change is one transaction with its history and audit.
#include "engine/uscc.h"
#include "server/json_body.h"
#include "server/round_flow.h"
#include "server/store_calls.h"
#include "server/store_routes.h"

namespace qgrant::server {

namespace {

using nlohmann::json;

const std::vector<std::string>& DeadStates() {
  static const std::vector<std::string> kDead = {"withdrawn", "rejected", "not_funded"};
  return kDead;
}

Response NoApplication(const std::string& id) { return Problem(404, "没有申请 " + id + " / no application " + id); }

// The state of `a` as the caller sees it: staff the stored one, its unit the public one (§7).
const std::string& SeenState(const Service& service, const Call& call, const store::Round& round,
                             const std::string& state) {
  return IsStaff(call) ? state : service.workflow().PublicState(state, NoticeStarted(service, round));
}

// The application as a client reads it: the §2 fields as last written, then the service's.
// Before the notice starts an applicant sees no trace of the allocation: its outcome, amount and
// budget step stay the round's secret (§7), as they were before the round was allocated.
Result<json> AppJson(const Service& service, store::Reader& reader, const store::Application& a, const Call& call) {
  auto round = reader.GetRound(a.round);
  if (!round.ok()) return round.status();
  if (!*round) return Status::NotFound("round " + a.round);
  const bool staff = IsStaff(call);
  const bool hidden = AllocationHidden(service, call, **round);
  json j = json::parse(a.body);
  j["id"] = a.id;
  if (a.reference) j["reference"] = *a.reference;
  j["round"] = a.round;
  j["state"] = SeenState(service, call, **round, a.state);
  j["submitted_on"] = a.submitted_on ? json(*a.submitted_on) : json();
  j["decision"] = a.decision ? json::parse(*a.decision) : json();
  if (hidden && (a.state == "proposed" || a.state == "not_funded")) {
    // The allocation decided it beside the round's other applications, and that decision would
    // tell the outcome the notice has not yet made public (an in-round "not the first time", say):
    // the unit sees its application decided on its own, as it was before the allocation.
    auto finding = ReviewFinding(reader, a.id);
    if (!finding.ok()) return finding.status();
    auto alone = DecideApplication(service, reader, (*round)->guide,
                                   EngineJson(json::parse(a.body), a.id, a.submitted_on, *finding));
    if (!alone.ok()) return alone.status();
    j["decision"] = json::parse(alone->json);
  }
  if (hidden && j["decision"].is_object()) {
    j["decision"].erase("allocated_fen");
    j["decision"].erase("allocation");
  }
  j["allocated_fen"] = a.allocated_fen && !hidden ? json(*a.allocated_fen) : json();
  j["deadline"] = a.deadline ? json(*a.deadline) : json();
  auto history = reader.History(a.id);
  if (!history.ok()) return history.status();
  json h = json::array();
  for (const auto& e : *history) {
    // Why its application was sent back or refused is the unit's to know (an upheld objection too).
    const bool note_public = e.action == "return" || e.action == "reject" || e.action == "uphold";
    json item = {{"at", e.at}, {"action", e.action}, {"actor_role", e.actor_role}};
    item["from"] = e.from_state ? json(SeenState(service, call, **round, *e.from_state)) : json();
    item["to"] = SeenState(service, call, **round, e.to_state);
    // Before the notice an applicant sees no trace of the allocation or of a notice posted but not
    // started (accepted stays accepted).
    if (!staff && service.workflow().Step(e.action) != nullptr && item["from"] == item["to"]) continue;
    item["note"] = e.note && (staff || note_public) ? json(*e.note) : json();
    item["deadline"] = e.deadline ? json(*e.deadline) : json();
    h.push_back(std::move(item));
  }
  j["history"] = std::move(h);
  if (staff) {
    auto reviews = reader.Reviews(a.id);
    if (!reviews.ok()) return reviews.status();
    json r = json::array();
    for (const auto& v : *reviews) {
      r.push_back({{"id", std::to_string(v.id)},
                   {"application_id", v.application_id},
                   {"expert", v.expert},
                   {"passed", v.passed ? json(*v.passed) : json()},
                   {"score", v.score ? json(*v.score) : json()},
                   {"note", v.note},
                   {"conflict_of_interest", v.conflict_of_interest},
                   {"at", v.at}});
    }
    j["reviews"] = std::move(r);
  }
  return j;
}

Response Answer(int status, const Service& service, store::Reader& reader, const store::Application& a,
                const Call& call) {
  auto j = AppJson(service, reader, a, call);
  if (!j.ok()) return StoreFailure(j.status());
  Response r = Response::Json(status, j->dump());
  if (status == 201) r.headers.emplace_back("Location", "/api/v1/applications/" + a.id);
  return r;
}

// A new application in a round that takes none: the round's state as the 409 names it.
Response RoundNotOpen(const std::string& state) {
  return Problem(409,
                 "申报批次当前为“" + state + "”，不受理申报 / the round is " + state + " and takes no applications", {},
                 {{"state", state}, {"round_state", state}, {"allowed_actions", json::array()}});
}

// What the caller's role may fire from the state of `a` as things stand (a 409's
// `allowed_actions`): not what needs the round open while it is not, nor a submit of a returned
// application after its deadline.
json StillAllowed(const Service& service, const Call& call, const store::Application& a,
                  const std::string& round_state) {
  json allowed = json::array();
  for (const auto& id : service.workflow().Allowed(a.state, RoleName(call.user->role))) {
    const WorkflowAction* action = service.workflow().Action(id);
    if (action->needs_round_open && round_state != "open") continue;
    if (action->needs_within_deadline && a.state == "returned" && a.deadline && *a.deadline < Today(service)) continue;
    allowed.push_back(id);
  }
  return allowed;
}

// A wrong-state 409: the application's state as the caller sees it and what it may still fire.
Response WrongState(const Service& service, const Call& call, const store::Application& a, const store::Round& round,
                    const std::string& what) {
  const std::string& state = SeenState(service, call, round, a.state);
  // In words the state's label (已撤回 / Withdrawn); its id is the `state` member.
  const WorkflowState* label = service.workflow().State(state);
  const std::string zh = label ? label->label.zh : state, en = label ? label->label.en : state;
  return Problem(409, "申请当前为“" + zh + "”，不能" + what + " / the application is " + en + ": cannot " + what, {},
                 {{"state", state}, {"allowed_actions", StillAllowed(service, call, a, RoundState(service, round))}});
}

// A replace or submit while the round takes no submissions: a wrong-state 409 that also names the
// round's state (§7 "Smaller points"); what needs the round open is not among the allowed actions.
Response RoundNotOpen(const Service& service, const Call& call, const store::Application& a, const store::Round& round,
                      const std::string& what) {
  const std::string round_state = RoundState(service, round);
  return Problem(
      409, "申报批次当前为“" + round_state + "”，不能" + what + " / the round is " + round_state + ": cannot " + what,
      {},
      {{"state", SeenState(service, call, round, a.state)},
       {"round_state", round_state},
       {"allowed_actions", StillAllowed(service, call, a, round_state)}});
}

// Decides `a` again as it stands (after a change, a submission, a counted review).
Status Redecide(const Service& service, store::WriteTx& tx, const store::Round& round, store::Application* a) {
  auto finding = ReviewFinding(tx, a->id);
  if (!finding.ok()) return finding.status();
  auto decided =
      DecideApplication(service, tx, round.guide, EngineJson(json::parse(a->body), a->id, a->submitted_on, *finding));
  if (!decided.ok()) return decided.status();
  a->decision = decided->json;
  a->amount_fen = decided->amount_fen;
  return Status::Ok();
}

struct ParsedBody {
  json body;  // the §2 application as written, without `id`
  std::optional<std::string> reference;
};

// The body of a create or replace: an object, the caller's unit, no field the service sets.
std::optional<ParsedBody> ReadApplicationBody(const Call& call, Response* problem) {
  auto body = ParseJsonBody(call.request.body, problem);
  if (!body) return std::nullopt;
  if (!body->is_object()) {
    *problem =
        Problem(400, "请求体应为 JSON 对象（一份申请，见 §2） / the body must be a JSON object: an application (§2)");
    return std::nullopt;
  }
  if (body->contains("applicant") && (*body)["applicant"].is_object() && (*body)["applicant"].contains("uscc") &&
      (*body)["applicant"]["uscc"].is_string() && (*body)["applicant"]["uscc"] != call.user->uscc) {
    *problem = Problem(403, "只能为本单位（" + call.user->uscc + "）申报 / you may apply only for your own unit");
    return std::nullopt;
  }
  std::vector<FieldError> errors;
  for (const char* set_by_service : {"review", "submitted_on"}) {
    if (body->contains(set_by_service))
      errors.push_back({set_by_service, "由系统填写，申报时不得提供 / set by the service, not by the applicant"});
  }
  ParsedBody out;
  if (body->contains("id")) {
    if ((*body)["id"].is_string())
      out.reference = (*body)["id"].get<std::string>();
    else if (!(*body)["id"].is_null())
      errors.push_back({"id", "应为字符串 / must be a string"});
    body->erase("id");
  }
  if (!errors.empty()) {
    *problem = InvalidBody(std::move(errors));
    return std::nullopt;
  }
  out.body = std::move(*body);
  return out;
}

// The engine's verdict on a body about to be stored: invalid is a 400 naming the fields.
// A policy that fails to evaluate is not the applicant's fault (§6): such an application is kept,
// its decision saying policy_error, rather than refused as if a field were wrong.
std::optional<Response> RefuseInvalid(const Decided& d) {
  if (d.outcome != engine::Outcome::kInvalid || d.policy_error) return std::nullopt;
  return InvalidBody(d.errors);
}

Response Duplicate(const store::Application& existing) {
  return Problem(409,
                 "本单位在本批次已有同一措施、同一事项的申请 " + existing.id +
                     " / your unit already has a live application " + existing.id +
                     " for this measure and subject in this round",
                 {}, {{"existing", existing.id}});
}

Status Record(store::WriteTx& tx, const Call& call, const store::Application& a, const std::string& action,
              const std::optional<std::string>& from, const std::optional<std::string>& note,
              const std::optional<std::string>& deadline, const json& before) {
  json after = {{"state", a.state}, {"amount_fen", a.amount_fen}};
  if (note) after["note"] = *note;
  if (deadline) after["deadline"] = *deadline;
  return RecordChange(tx, call, a, action, from, note, deadline, before, after);
}

}  // namespace

Response ApplicationAnswer(int status, const Service& service, store::Reader& reader, const store::Application& a,
                           const Call& call) {
  return Answer(status, service, reader, a, call);
}

namespace {

// An applicant reads its unit's cases only; an expert no draft, nor one withdrawn while still a
// draft (never submitted: a draft by another name); other staff every case.
bool MayRead(const Call& call, const store::Application& a) {
  if (!call.user) return false;
  if (call.user->role == Role::kApplicant) return a.uscc == call.user->uscc;
  if (call.user->role == Role::kExpert) return a.state != "draft" && a.submission_seq.has_value();
  return true;
}

}  // namespace

bool ApplicationVisible(const Service& service, const Call& call) {
  auto found = service.store()->Read([&](store::Reader& r) { return r.GetApplication(call.Param("id")); });
  return found.ok() && *found && MayRead(call, **found);
}

// The preview decision names the application by the id the store gives it on insert.
std::string WithId(const std::string& decision, const std::string& id) {
  static const std::string kPreview = "{\"id\":\"preview\"";
  if (decision.rfind(kPreview, 0) != 0) return decision;
  return "{\"id\":" + json(id).dump() + decision.substr(kPreview.size());
}

Response CreateApplication(const Service& service, const Call& call) {
  Response problem;
  auto parsed = ReadApplicationBody(call, &problem);
  // The engine's work is done on a snapshot, before the write: the one writer only stores.
  std::optional<store::Round> round_seen;
  auto decided = service.store()->Read([&](store::Reader& r) -> Result<std::optional<Decided>> {
    auto round = r.GetRound(call.Param("id"));
    if (!round.ok()) return round.status();
    if (!*round) return std::optional<Decided>();
    round_seen = **round;
    if (!parsed) return std::optional<Decided>();
    auto d = DecideApplication(service, r, (*round)->guide, EngineJson(parsed->body, "preview", {}, {}));
    if (!d.ok()) return d.status();
    return std::optional<Decided>(std::move(*d));
  });
  if (!decided.ok()) return StoreFailure(decided.status());
  if (!round_seen) return Problem(404, "没有申报批次 " + call.Param("id") + " / no round " + call.Param("id"));
  if (!parsed) return problem;
  if (auto refused = RefuseInvalid(**decided)) return *refused;
  return Write(service, call, [&](store::WriteTx& tx) -> Response {
    auto round = tx.GetRound(call.Param("id"));
    if (!round.ok()) return StoreFailure(round.status());
    if (!*round) return Problem(404, "没有申报批次 " + call.Param("id") + " / no round " + call.Param("id"));
    const std::string state = RoundState(service, **round);
    const Decided* decided_now = &**decided;
    if (state != "open") return RoundNotOpen(state);
    auto dup = tx.FindLiveApplication((*round)->id, decided_now->app.uscc, decided_now->app.measure,
                                      decided_now->app.subject_key, DeadStates());
    if (!dup.ok()) return StoreFailure(dup.status());
    if (*dup) return Duplicate(**dup);
    store::Application a;
    a.round = (*round)->id;
    a.uscc = decided_now->app.uscc;
    a.measure = decided_now->app.measure;
    a.subject = decided_now->app.subject;
    a.subject_key = decided_now->app.subject_key;
    a.state = "draft";
    a.body = parsed->body.dump();
    a.reference = parsed->reference;
    a.created_by = call.user->id;
    if (Status st = tx.InsertApplication(&a); !st.ok()) return StoreFailure(st);
    a.decision = WithId(decided_now->json, a.id);
    a.amount_fen = decided_now->amount_fen;
    if (Status st = tx.UpdateApplication(&a); !st.ok()) return StoreFailure(st);
    if (Status st = Record(tx, call, a, "create", {}, {}, {}, nullptr); !st.ok()) return StoreFailure(st);
    return Answer(201, service, tx, a, call);
  });
}

Response ReplaceApplication(const Service& service, const Call& call) {
  Response problem;
  auto parsed = ReadApplicationBody(call, &problem);
  if (!parsed) return problem;
  return Write(service, call, [&](store::WriteTx& tx) -> Response {
    auto found = tx.GetApplication(call.Param("id"));
    if (!found.ok()) return StoreFailure(found.status());
    if (!*found || (*found)->uscc != call.user->uscc) return NoApplication(call.Param("id"));
    store::Application a = **found;
    auto round = tx.GetRound(a.round);
    if (!round.ok() || !*round) return StoreFailure(round.ok() ? Status::NotFound("round " + a.round) : round.status());
    // Decided once, as it will stand: the check of the body and the stored decision are the same.
    auto finding = ReviewFinding(tx, a.id);
    if (!finding.ok()) return StoreFailure(finding.status());
    auto decided =
        DecideApplication(service, tx, (*round)->guide, EngineJson(parsed->body, a.id, a.submitted_on, *finding));
    if (!decided.ok()) return StoreFailure(decided.status());
    if (auto refused = RefuseInvalid(*decided)) return *refused;
    if (a.state != "draft" && a.state != "returned") return WrongState(service, call, a, **round, "修改 / replace");
    if (RoundState(service, **round) != "open") return RoundNotOpen(service, call, a, **round, "修改 / replace");
    auto dup = tx.FindLiveApplication(a.round, decided->app.uscc, decided->app.measure, decided->app.subject_key,
                                      DeadStates(), a.id);
    if (!dup.ok()) return StoreFailure(dup.status());
    if (*dup) return Duplicate(**dup);
    const json before = {{"state", a.state}, {"amount_fen", a.amount_fen}, {"body", json::parse(a.body)}};
    a.measure = decided->app.measure;
    a.subject = decided->app.subject;
    a.subject_key = decided->app.subject_key;
    a.body = parsed->body.dump();
    a.reference = parsed->reference;
    a.decision = decided->json;
    a.amount_fen = decided->amount_fen;
    if (Status st = tx.UpdateApplication(&a); !st.ok()) return StoreFailure(st);
    if (Status st = Record(tx, call, a, "replace", a.state, {}, {}, before); !st.ok()) return StoreFailure(st);
    return Answer(200, service, tx, a, call);
  });
}

Response GetApplication(const Service& service, const Call& call) {
  auto out = service.store()->Read([&](store::Reader& r) -> Result<std::optional<json>> {
    auto found = r.GetApplication(call.Param("id"));
    if (!found.ok()) return found.status();
    if (!*found || !MayRead(call, **found)) return std::optional<json>();
    auto j = AppJson(service, r, **found, call);
    if (!j.ok()) return j.status();
    return std::optional<json>(std::move(*j));
  });
  if (!out.ok()) return StoreFailure(out.status());
  if (!*out) return NoApplication(call.Param("id"));
  return Response::Json(200, (*out)->dump());
}

namespace {

// An applicant's `state` filter works on the states it sees (§7): in a round whose notice has not
// started, `accepted` also finds the proposed and not_funded applications it shows them as, and
// `proposed` finds none. The stored states that read as `state` there, in those rounds.
Result<store::StatesInRounds> PublicStateFilter(const Service& service, const Call& call, store::Reader& reader,
                                                const std::optional<std::string>& only_round,
                                                const std::string& state) {
  auto rounds = reader.Rounds();
  if (!rounds.ok()) return rounds.status();
  store::StatesInRounds out;
  for (const auto& round : *rounds) {
    if ((!only_round || round.id == *only_round) && AllocationHidden(service, call, round))
      out.rounds.push_back(round.id);
  }
  for (const auto& s : service.workflow().states()) {
    if (service.workflow().PublicState(s.id, false) == state) out.states.push_back(s.id);
  }
  return out;
}

}  // namespace

Response ListApplications(const Service& service, const Call& call) {
  Response problem;
  auto q = ReadListQuery(call.request, {"round", "state"}, &problem);
  if (!q) return problem;
  if (q->values.count("state")) {
    // A state the workflow does not have finds nothing ever: a mistyped filter, said so (§7).
    const auto& states = service.workflow().states();
    const std::string& wanted = q->values["state"];
    if (std::none_of(states.begin(), states.end(), [&](const auto& s) { return s.id == wanted; })) {
      std::string known;
      for (const auto& s : states) known += (known.empty() ? "" : ", ") + s.id;
      return Problem(400, "查询参数有误 / bad query parameter",
                     {{"state", "没有这个状态，可用 / no such state; known: " + known}});
    }
  }
  store::ApplicationFilter f;
  if (q->values.count("round")) f.round = q->values["round"];
  if (call.user->role == Role::kApplicant) f.uscc = call.user->uscc;
  if (q->values.count("state")) f.states = {q->values["state"]};
  if (call.user->role == Role::kExpert) {
    std::vector<std::string> seen = {"submitted", "accepted"};
    if (!f.states.empty() && std::find(seen.begin(), seen.end(), f.states[0]) == seen.end())
      f.states = {"-"};
    else if (f.states.empty())
      f.states = seen;
  }
  f.after_seq = q->after;
  f.limit = q->limit + 1;  // one more: whether there is a next page
  auto out = service.store()->Read([&](store::Reader& r) -> Result<json> {
    if (!f.states.empty() && !IsStaff(call)) {
      auto hidden = PublicStateFilter(service, call, r, f.round, f.states[0]);
      if (!hidden.ok()) return hidden.status();
      f.states_in_rounds = std::move(*hidden);
    }
    auto apps = r.Applications(f);
    if (!apps.ok()) return apps.status();
    json items = json::array();
    const bool more = static_cast<int64_t>(apps->size()) > q->limit;
    if (more) apps->pop_back();
    for (const auto& a : *apps) {
      auto j = AppJson(service, r, a, call);
      if (!j.ok()) return j.status();
      items.push_back(std::move(*j));
    }
    return json{{"items", items}, {"next_cursor", more ? json(Cursor(apps->back().seq)) : json()}};
  });
  if (!out.ok()) return StoreFailure(out.status());
  return Response::Json(200, out->dump());
}

namespace {

struct ActionBody {
  std::optional<std::string> note, deadline;
};

std::optional<ActionBody> ReadActionBody(const Call& call, const WorkflowAction& action, const Service& service,
                                         Response* problem) {
  ActionBody out;
  if (call.request.body.empty()) {
    if (!action.needs_note && !action.needs_deadline) return out;
  }
  auto body = ParseJsonBody(call.request.body.empty() ? "{}" : call.request.body, problem);
  if (!body) return std::nullopt;
  if (!body->is_object()) {
    *problem = Problem(400, "请求体应为 JSON 对象 / the body must be a JSON object");
    return std::nullopt;
  }
  std::vector<FieldError> errors;
  static const std::vector<MemberSpec> spec = {{"note", JsonType::kString, false},
                                               {"deadline", JsonType::kString, false}};
  CheckMembers(*body, spec, "", &errors);
  if (body->contains("note") && (*body)["note"].is_string()) out.note = (*body)["note"].get<std::string>();
  if (body->contains("deadline") && (*body)["deadline"].is_string())
    out.deadline = (*body)["deadline"].get<std::string>();
  if (action.needs_note && (!out.note || IsBlankText(*out.note)))
    errors.push_back({"note", "请填写说明 / a note is required"});
  if (action.needs_deadline) {
    policy::Date d;
    if (!out.deadline) {
      errors.push_back({"deadline", "请填写补正期限 YYYY-MM-DD / a deadline YYYY-MM-DD is required"});
    } else if (!policy::ParseDate(*out.deadline, &d)) {
      errors.push_back({"deadline", "补正期限不是有效的日期 YYYY-MM-DD / the deadline is not a real date YYYY-MM-DD"});
    } else if (d < service.Today()) {
      errors.push_back({"deadline", "补正期限不能早于今天 / the deadline must not be before today"});
    }
  } else if (out.deadline) {
    errors.push_back({"deadline", "此操作不需要期限 / this action takes no deadline"});
  }
  if (!errors.empty()) {
    *problem = InvalidBody(std::move(errors));
    return std::nullopt;
  }
  return out;
}

}  // namespace

Response FireAction(const Service& service, const Call& call) {
  const WorkflowAction* action = service.workflow().Action(call.Param("action"));
  if (action == nullptr)
    return Problem(404, "没有操作 " + call.Param("action") + " / no action " + call.Param("action"));
  Response problem;
  auto body = ReadActionBody(call, *action, service, &problem);
  if (!body) return problem;
  return Write(service, call, [&](store::WriteTx& tx) -> Response {
    auto found = tx.GetApplication(call.Param("id"));
    if (!found.ok()) return StoreFailure(found.status());
    if (!*found) return NoApplication(call.Param("id"));
    store::Application a = **found;
    auto round = tx.GetRound(a.round);
    if (!round.ok() || !*round) return StoreFailure(round.ok() ? Status::NotFound("round " + a.round) : round.status());
    const std::string what = action->label.zh + " / " + action->id;
    const auto& from = action->from;
    if (std::find(from.begin(), from.end(), a.state) == from.end()) return WrongState(service, call, a, **round, what);
    if (action->needs_round_open && RoundState(service, **round) != "open")
      return RoundNotOpen(service, call, a, **round, what);
    if (action->needs_within_deadline && a.state == "returned" && a.deadline && *a.deadline < Today(service)) {
      return Problem(
          409, "已超过补正期限 " + *a.deadline + " / the deadline " + *a.deadline + " has passed", {},
          {{"state", a.state}, {"allowed_actions", StillAllowed(service, call, a, RoundState(service, **round))}});
    }
    const json before = {{"state", a.state}, {"amount_fen", a.amount_fen}};
    const std::string old_state = a.state;
    a.state = action->to;
    a.deadline = action->needs_deadline ? body->deadline : std::nullopt;
    if (action->id == "submit") {
      a.submitted_on = Today(service);
      auto seq = tx.NextSubmissionSeq();
      if (!seq.ok()) return StoreFailure(seq.status());
      a.submission_seq = *seq;
      if (Status st = Redecide(service, tx, **round, &a); !st.ok()) return StoreFailure(st);
    }
    if (Status st = tx.UpdateApplication(&a); !st.ok()) return StoreFailure(st);
    if (Status st = Record(tx, call, a, action->id, old_state, body->note, a.deadline, before); !st.ok())
      return StoreFailure(st);
    return Answer(200, service, tx, a, call);
  });
}

Response AddReview(const Service& service, const Call& call) {
  Response problem;
  auto body = ParseJsonBody(call.request.body, &problem);
  if (!body) return problem;
  if (!body->is_object()) return Problem(400, "请求体应为 JSON 对象 / the body must be a JSON object");
  static const std::vector<MemberSpec> spec = {{"passed", JsonType::kBoolean, false},
                                               {"score", JsonType::kInteger, false},
                                               {"note", JsonType::kString, false},
                                               {"conflict_of_interest", JsonType::kBoolean, false}};
  std::vector<FieldError> errors;
  CheckMembers(*body, spec, "", &errors);
  const bool conflict = body->value("conflict_of_interest", false);
  if (errors.empty() && !conflict && !body->contains("passed"))
    errors.push_back({"passed", "请给出评审结论 / passed is required"});
  if (errors.empty() && body->contains("score") && ((*body)["score"] < 0 || (*body)["score"] > 100)) {
    errors.push_back({"score", "应为0至100的整数 / must be a whole number from 0 to 100"});
  }
  if (!errors.empty()) return InvalidBody(std::move(errors));
  return Write(service, call, [&](store::WriteTx& tx) -> Response {
    auto found = tx.GetApplication(call.Param("id"));
    if (!found.ok()) return StoreFailure(found.status());
    if (!*found) return NoApplication(call.Param("id"));
    store::Application a = **found;
    auto round = tx.GetRound(a.round);
    if (!round.ok() || !*round) return StoreFailure(round.ok() ? Status::NotFound("round " + a.round) : round.status());
    if (a.state != "submitted" && a.state != "accepted") return WrongState(service, call, a, **round, "评审 / review");
    store::Review r;
    r.application_id = a.id;
    r.expert_id = call.user->id;
    r.expert = call.user->login;
    r.conflict_of_interest = conflict;
    r.note = body->value("note", std::string());
    if (!conflict) {
      r.passed = (*body)["passed"].get<bool>();
      if (body->contains("score") && !(*body)["score"].is_null()) r.score = (*body)["score"].get<int64_t>();
    }
    if (Status st = tx.PutReview(&r); !st.ok()) return StoreFailure(st);
    const json before = {{"amount_fen", a.amount_fen}};
    if (Status st = Redecide(service, tx, **round, &a); !st.ok()) return StoreFailure(st);
    if (Status st = tx.UpdateApplication(&a); !st.ok()) return StoreFailure(st);
    json after = {{"expert", r.expert}, {"conflict_of_interest", conflict}, {"amount_fen", a.amount_fen}};
    if (r.passed) after["passed"] = *r.passed;
    if (r.score) after["score"] = *r.score;
    if (auto au = tx.Audit({Actor(call), "application.review", "application:" + a.id, before, after}); !au.ok()) {
      return StoreFailure(au.status());
    }
    json out = {{"id", std::to_string(r.id)},
                {"application_id", a.id},
                {"expert", r.expert},
                {"passed", r.passed ? json(*r.passed) : json()},
                {"score", r.score ? json(*r.score) : json()},
                {"note", r.note},
                {"conflict_of_interest", conflict},
                {"at", tx.now()}};
    return Response::Json(201, out.dump());
  });
}

}  // namespace qgrant::server
