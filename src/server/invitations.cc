// The no-application round (免申即享, CONTRACT §7 "Further routes"): an officer screens a registry
// against the round's guide (src/screen, the three-valued screening of `qgrant screen`); each
// achievement screened `eligible` becomes an invitation to its unit; `undetermined` ones are
// listed with the facts that would decide them. An invited unit confirms (意愿确认), and its
// application is created from the registry record and submitted at once; or it declines.
#include <nlohmann/json.hpp>

#include "common/lines.h"
#include "engine/ledger.h"
#include "screen/screening.h"
#include "server/json_body.h"
#include "server/round_flow.h"
#include "server/store_calls.h"
#include "server/store_routes.h"
#include "simulate/registry.h"

namespace qgrant::server {

namespace {

using nlohmann::json;

// The registry a request carries: JSON Lines (or CSV) as `qgrant screen` reads, or
// {"registry": [unit, ...]}.
std::optional<std::vector<std::string>> RegistryLines(const std::string& body, Response* problem) {
  const json whole = ParseJsonOrDiscarded(body);
  std::vector<std::string> lines;
  if (whole.is_object() && whole.contains("registry")) {
    if (!whole["registry"].is_array() || whole.size() != 1) {
      *problem =
          InvalidBody({{"registry", "应为单位记录的数组 / must be an array of unit records (and the only member)"}});
      return std::nullopt;
    }
    for (const auto& unit : whole["registry"]) lines.push_back(unit.dump());
    return lines;
  }
  std::string_view rest = body;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  if (std::all_of(lines.begin(), lines.end(), [](const std::string& l) { return IsBlankLine(l); })) {
    *problem = InvalidBody({{"registry", "名册为空 / the registry is empty"}});
    return std::nullopt;
  }
  return lines;
}

// Every achievement's application JSON, in the order screening decides them.
Result<std::vector<std::string>> ApplicationsOf(const std::vector<std::string>& lines) {
  size_t at = 0;
  auto next = [&](std::string_view* line) {
    if (at >= lines.size()) return false;
    *line = lines[at++];
    return true;
  };
  auto head = simulate::StartRegistry(next);
  if (!head.ok()) return head.status();
  simulate::RegistryReader reader(head->csv ? &*head->csv : nullptr);
  simulate::RegistryRecord record;
  std::vector<std::string> apps;
  auto take = [&](std::string_view line) {
    reader.Read(line, &record);
    for (auto& a : record.applications) apps.push_back(std::move(a));
  };
  if (head->have_first) take(head->first);
  std::string_view line;
  while (next(&line)) {
    if (!IsBlankLine(line)) take(line);
  }
  return apps;
}

json InvitationJson(const store::Invitation& i) {
  return {{"id", std::to_string(i.id)},
          {"round", i.round},
          {"uscc", i.uscc},
          {"name", i.name},
          {"measure", i.measure},
          {"subject", i.subject},
          {"amount_fen", i.amount_fen},
          {"state", i.state},
          {"application_id", i.application_id ? json(*i.application_id) : json()},
          {"created_at", i.created_at}};
}

struct Screened {
  std::vector<std::pair<screen::ScreenRow, std::string>> eligible;  // with its application JSON
  json undetermined = json::array();
  int64_t ineligible = 0, bad_lines = 0;
  json bad_line_examples = json::array();
};

Result<Screened> ScreenRegistry(const Service& service, store::Reader& reader, const store::Round& round,
                                const std::vector<std::string>& lines) {
  auto rules = service.Rules(RoundGuide(service, round.guide), service.Today());
  engine::Ledger ledger;
  ledger.CheckAgainst(&rules->rules());
  if (Status st = LoadLedger(reader, std::nullopt, &ledger); !st.ok()) return st;
  auto apps = ApplicationsOf(lines);
  if (!apps.ok()) return apps.status();
  Screened out;
  size_t index = 0;
  size_t at = 0;
  auto source = [&](std::string_view* line) {
    if (at >= lines.size()) return false;
    *line = lines[at++];
    return true;
  };
  auto result = screen::Screen(
      source, rules->rules(), ledger,
      [&](const screen::ScreenRow& row, const engine::Decision& d) {
        const size_t i = index++;
        if (d.outcome == engine::Outcome::kEligible && i < apps->size())
          out.eligible.emplace_back(row, (*apps)[i]);
        else if (d.outcome == engine::Outcome::kUndetermined)
          out.undetermined.push_back({{"uscc", row.uscc},
                                      {"name", row.name},
                                      {"measure", row.measure},
                                      {"subject", row.subject},
                                      {"missing", row.missing_facts}});
        else
          ++out.ineligible;
      },
      screen::Candidates::kCount);
  if (!result.ok()) return result.status();
  if (index != apps->size()) return Status::Internal("screening and the registry disagree on the achievements");
  out.bad_lines = result->bad_lines;
  for (const auto& e : result->bad_line_examples) out.bad_line_examples.push_back(e);
  return out;
}

// Whether the unit already has an open or confirmed invitation of the round for the achievement.
bool AlreadyInvited(const store::Round& round, const screen::ScreenRow& row,
                    const std::vector<store::Invitation>& existing) {
  for (const auto& i : existing) {
    if (i.round == round.id && i.uscc == row.uscc && i.measure == row.measure && i.subject == row.subject &&
        i.state != "declined") {
      return true;
    }
  }
  return false;
}

Response InviteIn(const Service& service, const Call& call, const std::vector<std::string>& lines, store::WriteTx& tx) {
  Response problem;
  auto round = FindRound(tx, call.Param("id"), &problem);
  if (!round) return problem;
  const std::string state = RoundState(service, *round);
  if (state != "open" && state != "scheduled") {
    return RoundConflict(state, false,
                         "申报批次当前为“" + state + "”，不能发出邀请（须在受理期内） / the round is " + state +
                             ": invitations need it open");
  }
  auto screened = ScreenRegistry(service, tx, *round, lines);
  if (!screened.ok()) {
    if (screened.status().code() == Status::Code::kInvalidArgument)
      return InvalidBody({{"registry", screened.status().message()}});
    return StoreFailure(screened.status());
  }
  auto existing = tx.Invitations(std::nullopt);
  if (!existing.ok()) return StoreFailure(existing.status());
  json invitations = json::array();
  for (const auto& [row, app] : screened->eligible) {
    if (AlreadyInvited(*round, row, *existing)) continue;
    store::Invitation i;
    i.round = round->id;
    i.uscc = row.uscc;
    i.name = row.name;
    i.measure = row.measure;
    i.subject = row.subject;
    i.amount_fen = row.amount_fen;
    i.application = app;
    if (Status st = tx.InsertInvitation(&i); !st.ok()) return StoreFailure(st);
    const json after = {{"round", i.round},
                        {"uscc", i.uscc},
                        {"measure", i.measure},
                        {"subject", i.subject},
                        {"amount_fen", i.amount_fen}};
    if (auto a = tx.Audit({Actor(call), "invitation.create", "invitation:" + std::to_string(i.id), nullptr, after});
        !a.ok()) {
      return StoreFailure(a.status());
    }
    invitations.push_back(InvitationJson(i));
  }
  const json summary = {{"invited", invitations.size()},
                        {"undetermined", screened->undetermined.size()},
                        {"ineligible", screened->ineligible}};
  if (auto a = tx.Audit({Actor(call), "round.invite", "round:" + round->id, nullptr, summary}); !a.ok())
    return StoreFailure(a.status());
  json answer = {{"round", round->id},
                 {"invited", invitations.size()},
                 {"invitations", invitations},
                 {"undetermined", screened->undetermined},
                 {"ineligible", screened->ineligible},
                 {"bad_lines", screened->bad_lines},
                 {"bad_line_examples", screened->bad_line_examples}};
  return Response::Json(200, answer.dump());
}

std::optional<int64_t> InvitationId(const std::string& id) {
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoll(id);
}

Response NoInvitation(const std::string& id) { return Problem(404, "没有邀请 " + id + " / no invitation " + id); }

// The invitation the path names, if the caller may act on it (its unit's applicant).
std::optional<store::Invitation> FindInvitation(store::Reader& reader, const Call& call, Response* problem) {
  auto id = InvitationId(call.Param("id"));
  auto found =
      id ? reader.GetInvitation(*id) : Result<std::optional<store::Invitation>>(std::optional<store::Invitation>());
  if (!found.ok()) {
    *problem = StoreFailure(found.status());
    return std::nullopt;
  }
  if (!*found || (call.user->role == Role::kApplicant && (*found)->uscc != call.user->uscc)) {
    *problem = NoInvitation(call.Param("id"));
    return std::nullopt;
  }
  return **found;
}

Response InvitationClosed(const store::Invitation& i) {
  return Problem(409,
                 "该邀请已" + std::string(i.state == "confirmed" ? "确认" : "谢绝") + " / the invitation is " + i.state,
                 {}, {{"state", i.state}, {"allowed_actions", json::array()}});
}

// Creates the invited application and submits it, as the applicant would.
Result<store::Application> SubmitInvited(const Service& service, store::WriteTx& tx, const Call& call,
                                         const store::Round& round, const store::Invitation& i, const Decided& decided,
                                         const json& body) {
  store::Application a;
  a.round = round.id;
  a.uscc = decided.app.uscc;
  a.measure = decided.app.measure;
  a.subject = decided.app.subject;
  a.subject_key = decided.app.subject_key;
  a.state = "submitted";
  a.body = body.dump();
  a.reference = "invitation:" + std::to_string(i.id);
  a.created_by = call.user->id;
  a.submitted_on = Today(service);
  auto seq = tx.NextSubmissionSeq();
  if (!seq.ok()) return seq.status();
  a.submission_seq = *seq;
  if (Status st = tx.InsertApplication(&a); !st.ok()) return st;
  auto again = DecideApplication(service, tx, round.guide, EngineJson(body, a.id, a.submitted_on, std::nullopt));
  if (!again.ok()) return again.status();
  a.decision = again->json;
  a.amount_fen = again->amount_fen;
  if (Status st = tx.UpdateApplication(&a); !st.ok()) return st;
  const json after = {{"state", "submitted"}, {"amount_fen", a.amount_fen}, {"invitation", i.id}};
  if (Status st = RecordChange(tx, call, a, "confirm", std::nullopt, std::nullopt, std::nullopt, nullptr, after);
      !st.ok())
    return st;
  return a;
}

Response ConfirmIn(const Service& service, const Call& call, store::WriteTx& tx) {
  Response problem;
  auto i = FindInvitation(tx, call, &problem);
  if (!i) return problem;
  if (i->state != "open") return InvitationClosed(*i);
  auto round = FindRound(tx, i->round, &problem);
  if (!round) return problem;
  if (const std::string state = RoundState(service, *round); state != "open") {
    return RoundConflict(
        state, false,
        "申报批次当前为“" + state + "”，不受理申报 / the round is " + state + " and takes no applications");
  }
  json body = json::parse(i->application, nullptr, false);
  if (!body.is_object())
    return StoreFailure(Status::Internal("invitation " + std::to_string(i->id) + " keeps no application"));
  body.erase("id");
  auto decided =
      DecideApplication(service, tx, round->guide, EngineJson(body, "preview", Today(service), std::nullopt));
  if (!decided.ok()) return StoreFailure(decided.status());
  auto dup = tx.FindLiveApplication(round->id, decided->app.uscc, decided->app.measure, decided->app.subject_key,
                                    {"withdrawn", "rejected", "not_funded"});
  if (!dup.ok()) return StoreFailure(dup.status());
  if (*dup) {
    return Problem(
        409,
        "本单位在本批次已有同一事项的申请 " + (*dup)->id + " / your unit already has a live application " + (*dup)->id,
        {}, {{"existing", (*dup)->id}});
  }
  auto app = SubmitInvited(service, tx, call, *round, *i, *decided, body);
  if (!app.ok()) return StoreFailure(app.status());
  i->state = "confirmed";
  i->application_id = app->id;
  if (Status st = tx.UpdateInvitation(*i); !st.ok()) return StoreFailure(st);
  if (auto a = tx.Audit({Actor(call),
                         "invitation.confirm",
                         "invitation:" + std::to_string(i->id),
                         {{"state", "open"}},
                         {{"state", "confirmed"}, {"application_id", app->id}}});
      !a.ok()) {
    return StoreFailure(a.status());
  }
  return ApplicationAnswer(201, service, tx, *app, call);
}

}  // namespace

Response CreateInvitations(const Service& service, const Call& call) {
  Response problem;
  auto lines = RegistryLines(call.request.body, &problem);
  if (!lines) return problem;
  return Write(service, call, [&](store::WriteTx& tx) { return InviteIn(service, call, *lines, tx); });
}

Response ListInvitations(const Service& service, const Call& call) {
  Response problem;
  auto q = ReadListQuery(call.request, {"round", "state"}, &problem);
  if (!q) return problem;
  if (q->values.count("state") && q->values["state"] != "open" && q->values["state"] != "confirmed" &&
      q->values["state"] != "declined") {
    return Problem(400, "查询参数有误 / bad query parameter",
                   {{"state", "应为 open、confirmed 或 declined / must be open, confirmed or declined"}});
  }
  const bool applicant = call.user->role == Role::kApplicant;
  auto all = service.store()->Read([&](store::Reader& r) {
    return r.Invitations(applicant ? std::optional<std::string>(call.user->uscc) : std::nullopt);
  });
  if (!all.ok()) return StoreFailure(all.status());
  json items = json::array();
  std::optional<int64_t> last;
  bool more = false;
  for (const auto& i : *all) {
    if (i.id <= q->after) continue;
    if (q->values.count("round") && i.round != q->values["round"]) continue;
    if (q->values.count("state") && i.state != q->values["state"]) continue;
    if (static_cast<int64_t>(items.size()) == q->limit) {
      more = true;
      break;
    }
    items.push_back(InvitationJson(i));
    last = i.id;
  }
  return Response::Json(200, json{{"items", items}, {"next_cursor", more ? json(Cursor(*last)) : json()}}.dump());
}

bool InvitationVisible(const Service& service, const Call& call) {
  auto id = InvitationId(call.Param("id"));
  if (!id || !call.user) return false;
  auto found = service.store()->Read([&](store::Reader& r) { return r.GetInvitation(*id); });
  if (!found.ok() || !*found) return false;
  return call.user->role != Role::kApplicant || (*found)->uscc == call.user->uscc;
}

Response ConfirmInvitation(const Service& service, const Call& call) {
  Response problem;
  if (!ReadObjectBody(call, {}, &problem)) return problem;
  return Write(service, call, [&](store::WriteTx& tx) { return ConfirmIn(service, call, tx); });
}

Response DeclineInvitation(const Service& service, const Call& call) {
  Response problem;
  static const std::vector<MemberSpec> spec = {{"note", JsonType::kString, false}};
  auto body = ReadObjectBody(call, spec, &problem);
  if (!body) return problem;
  return Write(service, call, [&](store::WriteTx& tx) -> Response {
    Response missing;
    auto i = FindInvitation(tx, call, &missing);
    if (!i) return missing;
    if (i->state != "open") return InvitationClosed(*i);
    i->state = "declined";
    if (Status st = tx.UpdateInvitation(*i); !st.ok()) return StoreFailure(st);
    json after = {{"state", "declined"}};
    if (body->contains("note")) after["note"] = (*body)["note"];
    if (auto a = tx.Audit(
            {Actor(call), "invitation.decline", "invitation:" + std::to_string(i->id), {{"state", "open"}}, after});
        !a.ok()) {
      return StoreFailure(a.status());
    }
    return Response::Json(200, InvitationJson(*i).dump());
  });
}

}  // namespace qgrant::server
