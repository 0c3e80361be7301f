// What the handlers of the store's routes share: a store-backed Authenticator, writes that keep
// their Idempotency-Key's answer in the same transaction, the rules and ledger an application is
// decided with, and small JSON helpers. Internal to src/server.
#pragma once

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

#include "engine/decision.h"
#include "server/problem.h"
#include "server/router.h"
#include "server/service.h"
#include "store/store.h"

namespace qgrant::server {

// Bearer tokens checked against the store's users (by SHA-256, in constant time).
// Answers are kept for a few seconds by the token's hash, so a busy client does not cost a
// database read per request; a deactivated user's token stops working within that time.
class StoreAuthenticator : public Authenticator {
 public:
  explicit StoreAuthenticator(store::Store* store) : store_(store) {}
  std::optional<User> Authenticate(std::string_view token) const override;

 private:
  static constexpr int64_t kKeepMillis = 5000;
  store::Store* store_;
  mutable std::mutex mu_;
  struct Known {
    std::optional<User> user;
    int64_t until_ms = 0;
  };
  mutable std::unordered_map<std::string, Known> known_;  // by the token's SHA-256
};

// The web pages' sessions kept in the store (store::StartWebSession and the rest), timed by the
// real clock.
class StoreSessions : public SessionBook {
 public:
  explicit StoreSessions(store::Store* store) : store_(store) {}
  std::optional<Started> Start(const User& user) const override;
  std::optional<Live> Find(std::string_view id) const override;
  std::optional<std::string> Extend(std::string_view id) const override;
  bool End(std::string_view id) const override;

 private:
  store::Store* store_;
};

// The store's ledger as POST /api/v1/evaluate consults it for a signed-in caller.
class StoreLedgerSource : public LedgerSource {
 public:
  explicit StoreLedgerSource(store::Store* store) : store_(store) {}
  Status Fill(const engine::Application& app, bool whole_ledger, engine::Ledger* ledger) const override;

 private:
  store::Store* store_;
};

// Runs `job` in one store transaction. Its answer commits with its changes: a 2xx answer and,
// with an Idempotency-Key, the answer kept for repeats; any other answer rolls the job back. A
// repeat of the same request gets the first answer (Idempotent-Replayed: true); the same key with
// another method, path or body is 422.
Response Write(const Service& service, const Call& call, const std::function<Response(store::WriteTx&)>& job);

// A store failure the caller cannot help: 500, logged.
Response StoreFailure(const Status& st);

// The guide of a round (its year as a string), or null.
std::shared_ptr<const policy::Guide> RoundGuide(const Service& service, const std::string& year);

// Decides an application (its §2 JSON, `id` set by the service) against the rules of the round's
// guide in force today and the unit's ledger entries in the store.
struct Decided {
  engine::Application app;
  std::string json;  // the decision, §4, with the policy and guide versions and as_of
  engine::Outcome outcome = engine::Outcome::kInvalid;
  int64_t amount_fen = 0;
  std::vector<FieldError> errors;  // an invalid application's field errors
  bool policy_error = false;       // invalid because a rule of the policy failed, not a field
};
Result<Decided> DecideApplication(const Service& service, store::Reader& reader, const std::string& guide_year,
                                  const nlohmann::json& application);

// The engine's JSON of an application: the body with the service's id, submission date and the
// experts' finding.
nlohmann::json EngineJson(const nlohmann::json& body, const std::string& id,
                          const std::optional<std::string>& submitted_on, const std::optional<bool>& review);

// The experts' finding that counts: every review without a declared conflict passed (absent
// while none counts).
Result<std::optional<bool>> ReviewFinding(store::Reader& reader, const std::string& id);

// Loads the store's ledger into `ledger` (checked against the rules it was told of): the
// entries of `uscc`, or every unit's when it is nullopt.
Status LoadLedger(store::Reader& reader, const std::optional<std::string>& uscc, engine::Ledger* ledger);

// The instant of `at` shown as stored; dates "YYYY-MM-DD".
std::string Today(const Service& service);

// Query parameters of a list: only `allowed` names, each once; `limit` 1–500 (default 50,
// larger clamped); `cursor` opaque ("c" + a sequence number).
struct ListQuery {
  std::map<std::string, std::string> values;
  int64_t limit = 50;
  int64_t after = 0;
};
std::optional<ListQuery> ReadListQuery(const Request& request, const std::vector<std::string>& allowed,
                                       Response* problem);
std::string Cursor(int64_t seq);

// The actor named in the audit chain and in history.
inline std::string Actor(const Call& call) { return call.user ? call.user->login : "anonymous"; }
inline bool IsStaff(const Call& call) { return call.user && call.user->role != Role::kApplicant; }

}  // namespace qgrant::server
