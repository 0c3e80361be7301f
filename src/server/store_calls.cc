#include "server/store_calls.h"

#include <chrono>
#include <iostream>

#include "engine/application.h"
#include "engine/ledger.h"
#include "store/crypto.h"

namespace qgrant::server {

namespace {

int64_t NowEpoch() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::optional<User> ServerUser(const store::User& u) {
  if (auto role = ParseRole(u.role)) return User{u.id, u.login, *role, u.uscc.value_or(""), u.name};
  return std::nullopt;
}

}  // namespace

std::optional<User> StoreAuthenticator::Authenticate(std::string_view token) const {
  const std::string key = store::Sha256Hex(token);
  const int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = known_.find(key);
    if (it != known_.end() && it->second.until_ms > now) return it->second.user;
  }
  auto found = store::Authenticate(*store_, token);
  if (!found.ok()) return std::nullopt;  // not remembered: the next request asks again
  const std::optional<User> user = *found ? ServerUser(**found) : std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  if (known_.size() > 100000) known_.clear();  // a flood of made-up tokens must not grow it
  known_[key] = {user, now + kKeepMillis};
  return user;
}

std::optional<SessionBook::Started> StoreSessions::Start(const User& user) const {
  store::User u;
  u.id = user.id;
  u.login = user.login;
  auto started = store::StartWebSession(*store_, u, NowEpoch(), kLifetimeSeconds);
  if (!started.ok()) {
    std::cerr << "qgrant serve: store: " << started.status().message() << "\n";
    return std::nullopt;
  }
  return Started{started->id, started->expires_at};
}

std::optional<SessionBook::Live> StoreSessions::Find(std::string_view id) const {
  auto found = store::WebSessionUser(*store_, id, NowEpoch());
  if (!found.ok() || !*found) return std::nullopt;
  std::optional<User> user = ServerUser((*found)->user);
  if (!user) return std::nullopt;
  return Live{std::move(*user), (*found)->expires_at};
}

std::optional<std::string> StoreSessions::Extend(std::string_view id) const {
  auto extended = store::ExtendWebSession(*store_, id, NowEpoch(), kLifetimeSeconds);
  if (!extended.ok()) {
    std::cerr << "qgrant serve: store: " << extended.status().message() << "\n";
    return std::nullopt;
  }
  return *extended;
}

bool StoreSessions::End(std::string_view id) const {
  if (Status st = store::EndWebSession(*store_, id); !st.ok()) {
    std::cerr << "qgrant serve: store: " << st.message() << "\n";
    return false;
  }
  return true;
}

Response StoreFailure(const Status& st) {
  std::cerr << "qgrant serve: store: " << st.message() << "\n";
  return Problem(500, "数据库暂时无法完成操作，请稍后重试 / the store could not complete the request; try again later");
}

namespace {

// A job's answer that is not 2xx rolls its transaction back: this status carries no meaning
// beyond "do not commit".
Status Abandon() { return Status::InvalidArgument("the answer is not a success: nothing is committed"); }

}  // namespace

Response Write(const Service& service, const Call& call, const std::function<Response(store::WriteTx&)>& job) {
  const std::string body_hash = store::Sha256Hex(call.request.body);
  std::optional<Response> answer;
  bool given_up = false;  // the answer stands, and nothing is to be committed
  Status st = service.store()->Write([&](store::WriteTx& tx) -> Status {
    answer.reset();
    given_up = false;
    if (call.idempotency_key && call.user) {
      auto first = tx.FindIdempotency(call.user->id, *call.idempotency_key);
      if (!first.ok()) return first.status();
      if (*first) {
        const store::IdempotencyRecord& r = **first;
        if (!store::SameRequest(r, call.request.method, call.request.path, body_hash)) {
          answer = Problem(422, "此 Idempotency-Key 已用于另一请求 / this Idempotency-Key was used for another request",
                           {{"Idempotency-Key", "与首次请求的方法、路径或内容不同 / differs from the first request"}});
          return Abandon();
        }
        Response replay = Response::Json(static_cast<int>(r.status), r.response);
        if (!r.location.empty()) replay.headers.emplace_back("Location", r.location);
        replay.headers.emplace_back("Idempotent-Replayed", "true");
        answer = std::move(replay);
        given_up = true;
        return Abandon();
      }
    }
    answer = job(tx);
    if (answer->status < 200 || answer->status >= 300) return Abandon();
    if (call.idempotency_key && call.user) {
      const int64_t now = NowEpoch();
      if (service.AnswerSweepDue(now))
        QGRANT_RETURN_IF_ERROR(tx.ForgetAnswersBefore(now - Service::kKeepAnswersSeconds));
      store::IdempotencyRecord record{call.user->id,
                                      *call.idempotency_key,
                                      call.request.method,
                                      call.request.path,
                                      body_hash,
                                      answer->status,
                                      answer->body,
                                      "",
                                      now,
                                      ""};
      for (const auto& [name, value] : answer->headers) {
        if (name == "Location") record.location = value;  // a repeated 201 answers it too
      }
      return tx.RememberAnswer(&record);
    }
    return Status::Ok();
  });
  if (answer && !given_up && !st.ok() && answer->status >= 200 && answer->status < 300) return StoreFailure(st);
  if (answer) return *answer;
  return StoreFailure(st);
}

std::shared_ptr<const policy::Guide> RoundGuide(const Service& service, const std::string& year) {
  if (year.size() != 4 || year.find_first_not_of("0123456789") != std::string::npos) return nullptr;
  return service.FindGuide(std::stoi(year));
}

std::string Today(const Service& service) { return policy::FormatDate(service.Today()); }

namespace {

// A store ledger entry as the engine's ledger line (§3).
std::string LedgerLine(const store::LedgerEntry& e) {
  nlohmann::json j = {{"uscc", e.uscc},       {"policy", e.policy},         {"measure", e.measure},
                      {"subject", e.subject}, {"amount_fen", e.amount_fen}, {"scope", e.scope}};
  if (e.level) j["level"] = *e.level;
  if (!e.granted_on.empty()) j["granted_on"] = e.granted_on;
  if (e.application_id) j["application_id"] = *e.application_id;
  if (e.round) j["round"] = *e.round;
  return j.dump();
}

}  // namespace

Status StoreLedgerSource::Fill(const engine::Application& app, bool whole_ledger, engine::Ledger* ledger) const {
  return store_->Read([&](store::Reader& r) {
    return LoadLedger(r, whole_ledger ? std::optional<std::string>() : std::optional<std::string>(app.uscc), ledger);
  });
}

nlohmann::json EngineJson(const nlohmann::json& body, const std::string& id,
                          const std::optional<std::string>& submitted_on, const std::optional<bool>& review) {
  nlohmann::json j = body;
  j["id"] = id;
  if (submitted_on) j["submitted_on"] = *submitted_on;
  if (review) j["review"] = {{"passed", *review}};
  return j;
}

Result<std::optional<bool>> ReviewFinding(store::Reader& reader, const std::string& id) {
  auto reviews = reader.Reviews(id);
  if (!reviews.ok()) return reviews.status();
  std::optional<bool> all;
  for (const auto& r : *reviews) {
    if (r.conflict_of_interest || !r.passed) continue;
    all = all.value_or(true) && *r.passed;
  }
  return all;
}

Status LoadLedger(store::Reader& reader, const std::optional<std::string>& uscc, engine::Ledger* ledger) {
  auto entries = reader.Ledger(uscc);
  if (!entries.ok()) return entries.status();
  int64_t n = 0;
  for (const auto& e : *entries) {
    if (Status st = ledger->LoadLine(LedgerLine(e), ++n); !st.ok()) return st;
  }
  return Status::Ok();
}

Result<Decided> DecideApplication(const Service& service, store::Reader& reader, const std::string& guide_year,
                                  const nlohmann::json& application) {
  auto rules = service.Rules(RoundGuide(service, guide_year), service.Today());
  Decided out;
  rules->Read(application.dump(), &out.app);
  engine::Ledger ledger;
  ledger.CheckAgainst(&rules->rules());
  if (!out.app.uscc.empty()) {
    if (Status st = LoadLedger(reader, out.app.uscc, &ledger); !st.ok()) return st;
  }
  engine::Decision d = rules->evaluator().Decide(out.app, &ledger, false);
  out.outcome = d.outcome;
  out.amount_fen = d.amount_fen;
  for (const auto& r : d.reasons) {
    if (d.outcome != engine::Outcome::kInvalid) continue;
    if (r.Code() == "policy_error")
      out.policy_error = true;
    else
      out.errors.push_back({r.path, r.Text().zh + " / " + r.Text().en});
  }
  engine::AppendDecisionJson(d, rules->evaluator().provenance(), &out.json);
  return out;
}

std::optional<ListQuery> ReadListQuery(const Request& request, const std::vector<std::string>& allowed,
                                       Response* problem) {
  ListQuery q;
  std::vector<FieldError> errors;
  for (const auto& [name, value] : request.query) {
    if (name != "limit" && name != "cursor" && std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      errors.push_back({name, "未知参数 / unknown parameter"});
    } else if (q.values.count(name)) {
      errors.push_back({name, "参数重复 / the parameter is repeated"});
    } else {
      q.values[name] = value;
    }
  }
  if (auto it = q.values.find("limit"); it != q.values.end()) {
    const std::string& v = it->second;
    if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos || std::stoll(v) < 1) {
      errors.push_back({"limit", "应为1至500的整数 / must be a whole number from 1 to 500"});
    } else {
      q.limit = std::min<int64_t>(std::stoll(v), 500);
    }
  }
  if (auto it = q.values.find("cursor"); it != q.values.end()) {
    const std::string& v = it->second;
    if (v.size() < 2 || v.size() > 19 || v[0] != 'c' || v.find_first_not_of("0123456789", 1) != std::string::npos) {
      errors.push_back({"cursor", "无效的游标 / not a cursor this service gave"});
    } else {
      q.after = std::stoll(v.substr(1));
    }
  }
  if (errors.empty()) return q;
  *problem = Problem(400, "查询参数有误 / bad query parameter", std::move(errors));
  return std::nullopt;
}

std::string Cursor(int64_t seq) { return "c" + std::to_string(seq); }

}  // namespace qgrant::server
