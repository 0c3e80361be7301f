// What the server tests share: the shipped policy loaded once, a service dated 2026-03-15 (the
// 2026 guide's window is open), and an Authenticator with one token per role.
#pragma once

#include <map>
#include <memory>

#include "policy/loader.h"
#include "server/auth.h"
#include "server/service.h"

namespace qgrant::server::testing {

inline constexpr const char* kUnitUscc = "91440300MA5XXXXXXR";

class FakeAuthenticator : public Authenticator {
 public:
  FakeAuthenticator() {
    for (Role r : AllRoles()) {
      users_[std::string("tok-") + RoleName(r)] =
          User{0, RoleName(r), r, r == Role::kApplicant ? kUnitUscc : "", "Test"};
    }
  }
  std::optional<User> Authenticate(std::string_view token) const override {
    auto it = users_.find(std::string(token));
    if (it == users_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, User> users_;
};

// The shipped policy and a service over it dated 2026-03-15, with `ledger` as its store's ledger.
inline std::shared_ptr<const Service> MakeTestService(std::shared_ptr<const LedgerSource> ledger) {
  policy::PolicyBundle bundle;
  policy::DiagnosticSink sink;
  if (!policy::LoadBundle({std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand"}, &bundle, &sink)) {
    std::abort();  // the shipped policy must load; `qgrant check` says why
  }
  policy::Date today;
  if (!policy::ParseDate("2026-03-15", &today)) std::abort();
  return std::make_shared<const Service>(std::move(bundle), today, std::move(ledger));
}

// The same without a store, made once.
inline std::shared_ptr<const Service> TestService() {
  static std::shared_ptr<const Service> service = MakeTestService(nullptr);
  return service;
}

// An application (§2) the shipped policy finds eligible on 2026-03-15.
inline const char* kEligibleApplication =
    R"({"id":"2026-CQA-0001","applicant":{"uscc":"91440300MA5XXXXXXR","name":"深圳市示例科技有限公司",)"
    R"("kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false},)"
    R"("measure":"china_quality_award","subject":"CQA-2025-winner","obtained_on":"2025-09-12",)"
    R"("facts":{"level":"winner"},"requested_fen":300000000})";

}  // namespace qgrant::server::testing
