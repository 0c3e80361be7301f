// The service as the routes see it: the policy loaded at start, the service date, the rules in
// force by guide and date, and (later) the store. Built once by `qgrant serve` or a test;
// shared read-only by every worker thread.
#pragma once

#include <atomic>
#include <memory>
#include <optional>

#include "common/status.h"
#include "engine/application.h"
#include "engine/ledger.h"
#include "policy/loader.h"
#include "server/auth.h"
#include "server/router.h"
#include "server/rules_cache.h"
#include "server/workflow.h"

namespace qgrant::store {
class Store;
}

namespace qgrant::server {

// Where POST /api/v1/evaluate finds a signed-in caller's funding history: the store implements
// it (and `qgrant serve` passes it in once the store is connected). Called from every worker.
class LedgerSource {
 public:
  virtual ~LedgerSource() = default;
  // Adds to `ledger` the entries that can matter for `app`: with `whole_ledger` (staff) every
  // unit's; otherwise (an applicant asking about its own unit) only the entries of app.uscc.
  virtual Status Fill(const engine::Application& app, bool whole_ledger, engine::Ledger* ledger) const = 0;
};

class Service {
 public:
  // `today`: the service date fixed by --today (drills, tests); nullopt: today in Asia/Shanghai.
  // `ledger`: null until the store is connected; every caller is then answered as anonymous.
  Service(policy::PolicyBundle bundle, std::optional<policy::Date> today,
          std::shared_ptr<const LedgerSource> ledger = nullptr);

  // The service date: every rule's "today" (§7 in detail); instants stay real time.
  policy::Date Today() const;
  const policy::PolicyBundle& bundle() const { return bundle_; }
  const LedgerSource* ledger() const { return ledger_.get(); }
  // The guide of the policy for a year, or null when there is none.
  std::shared_ptr<const policy::Guide> FindGuide(int year) const;
  std::shared_ptr<const RulesEntry> Rules(const std::shared_ptr<const policy::Guide>& guide, policy::Date as_of) const {
    return cache_.Get(guide, as_of);
  }

  // The store and the workflow the rounds and applications need; without them those routes
  // answer 501. REQUIRES: called before the Service is shared; `store` outlives it.
  void Attach(store::Store* store, Workflow workflow) {
    store_ = store;
    workflow_ = std::move(workflow);
  }
  store::Store* store() const { return store_; }
  const Workflow& workflow() const { return *workflow_; }

  // Idempotency answers are kept a week (the contract asks at least 24 hours) and then dropped
  // by the first idempotent write of each hour, so that the table does not grow without end.
  static constexpr int64_t kKeepAnswersSeconds = 7 * 24 * 3600;
  // Whether a write at Unix time `now` should drop the old answers: once an hour.
  bool AnswerSweepDue(int64_t now) const {
    int64_t due = next_answer_sweep_.load();
    return now >= due && next_answer_sweep_.compare_exchange_strong(due, now + 3600);
  }

 private:
  mutable std::atomic<int64_t> next_answer_sweep_{0};
  store::Store* store_ = nullptr;
  std::optional<Workflow> workflow_;
  policy::PolicyBundle bundle_;
  std::optional<policy::Date> today_;
  std::shared_ptr<const LedgerSource> ledger_;
  RulesCache cache_{bundle_};
};

// The whole §7 API: every route with who may call it. Routes that need the store answer 501
// until it is connected. `auth` may be null: then every bearer token is refused (401).
std::shared_ptr<Router> BuildApiRouter(std::shared_ptr<const Service> service,
                                       std::shared_ptr<const Authenticator> auth);

// The OpenAPI 3 document of the API (src/server/openapi.json, embedded at build time).
std::string_view OpenApiDocument();

}  // namespace qgrant::server
