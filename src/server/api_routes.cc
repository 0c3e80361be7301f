// The route table of CONTRACT.md §7: every path, its method and who may call it. A route that
// needs the store answers 501 until the store is connected; its roles are already enforced, so
// 401 and 403 are right from the start. openapi.json lists the same routes with the same roles
// (`x-roles`), which tests/server/openapi_test.cc checks.
#include "server/handlers.h"
#include "server/problem.h"
#include "server/service.h"
#include "server/store_routes.h"

namespace qgrant::server {

namespace {

Response NotImplemented(const Call& call) {
  return Problem(501, "尚未实现：此功能需要连接数据库 / not implemented yet: " + call.request.method + " " +
                          call.request.path + " needs the store");
}

struct Pending {
  const char* method;
  const char* pattern;
  Access access;
  const char* summary;
};

// The routes that wait for the store, as §7 and its "Further routes" list them.
std::vector<Pending> StoreRoutes() {
  using R = Role;
  const Access officer = Access::Roles({R::kOfficer});
  return {
      {"POST", "/api/v1/rounds", officer, "create a round"},
      {"GET", "/api/v1/rounds", Access::SignedIn(), "list rounds"},
      {"GET", "/api/v1/rounds/{id}", Access::SignedIn(), "a round with its counts and totals"},
      {"POST", "/api/v1/rounds/{id}/applications", Access::Roles({R::kApplicant}), "apply in a round"},
      {"PUT", "/api/v1/applications/{id}", Access::Roles({R::kApplicant}), "replace a draft or returned application"},
      {"POST", "/api/v1/applications/{id}/reviews", Access::Roles({R::kExpert}), "an expert's review"},
      {"GET", "/api/v1/applications/{id}", Access::SignedIn(), "an application (its unit, staff)"},
      {"GET", "/api/v1/applications", Access::SignedIn(), "list applications"},
      {"GET", "/api/v1/applications/{id}/letter", Access::SignedIn(), "the decision letter (its unit, staff)"},
      {"POST", "/api/v1/rounds/{id}/close", officer, "close a round to submissions"},
      {"POST", "/api/v1/rounds/{id}/allocate", officer, "decide and allocate a round"},
      {"POST", "/api/v1/rounds/{id}/notice", officer, "post the public notice"},
      {"GET", "/api/v1/rounds/{id}/notice", Access::Anyone(), "the public list, once noticed"},
      {"POST", "/api/v1/rounds/{id}/objections", Access::SignedIn(), "object during the notice"},
      {"GET", "/api/v1/rounds/{id}/objections", Access::Roles({R::kOfficer, R::kAuditor}), "list objections"},
      {"POST", "/api/v1/objections/{id}/resolve", officer, "resolve an objection"},
      {"POST", "/api/v1/rounds/{id}/approve", officer, "approve the round"},
      {"GET", "/api/v1/rounds/{id}/payments", Access::Roles({R::kFinance}), "the payment file"},
      {"POST", "/api/v1/payments/{id}", Access::Roles({R::kFinance}), "record a payment's outcome"},
      {"GET", "/api/v1/ledger", Access::Roles({R::kOfficer, R::kAuditor, R::kApplicant}), "ledger entries"},
      {"GET", "/api/v1/audit", Access::Roles({R::kAuditor}), "the audit chain"},
      {"POST", "/api/v1/rounds/{id}/invitations", officer, "screen a registry and invite units"},
      {"GET", "/api/v1/invitations", Access::SignedIn(), "list invitations"},
      {"POST", "/api/v1/invitations/{id}/confirm", Access::Roles({R::kApplicant}), "confirm an invitation"},
      {"POST", "/api/v1/invitations/{id}/decline", Access::Roles({R::kApplicant}), "decline an invitation"},
  };
}

// The actions of an application and who may fire each (§7 "Application states and actions").
Route ActionsRoute() {
  using R = Role;
  Route r;
  r.method = "POST";
  r.pattern = "/api/v1/applications/{id}/actions/{action}";
  r.access = Access::Roles({R::kApplicant, R::kReviewer, R::kOfficer});
  r.summary = "fire an action on an application";
  r.choice_param = "action";
  r.choices = {{"submit", Access::Roles({R::kApplicant})},
               {"accept", Access::Roles({R::kReviewer})},
               {"return", Access::Roles({R::kReviewer})},
               {"reject", Access::Roles({R::kReviewer, R::kOfficer})},
               {"withdraw", Access::Roles({R::kApplicant})}};
  r.handler = NotImplemented;
  return r;
}

Route Plain(const char* method, const char* pattern, Access access, Handler handler, const char* summary) {
  Route r;
  r.method = method;
  r.pattern = pattern;
  r.access = access;
  r.handler = std::move(handler);
  r.summary = summary;
  return r;
}

}  // namespace

std::shared_ptr<Router> BuildApiRouter(std::shared_ptr<const Service> service,
                                       std::shared_ptr<const Authenticator> auth) {
  auto router = std::make_shared<Router>(std::move(auth));
  router->Add(Plain(
      "GET", "/healthz", Access::Anyone(), [](const Call&) { return Response::Json(200, R"({"status":"ok"})"); },
      "liveness"));
  router->Add(Plain(
      "GET", "/openapi.json", Access::Anyone(),
      [](const Call&) { return Response::Json(200, std::string(OpenApiDocument())); }, "this API"));
  router->Add(Plain(
      "GET", "/api/v1/measures", Access::Anyone(),
      [service](const Call& call) { return MeasuresHandler(*service, call); }, "the measures in force"));
  router->Add(Plain(
      "POST", "/api/v1/evaluate", Access::Anyone(),
      [service](const Call& call) { return EvaluateHandler(*service, call); }, "decide one application"));
  // With a store, the routes it makes possible get their handlers; the others stay 501.
  auto wire = [&](Route r) {
    if (service->store() != nullptr) {
      for (const auto& s : StoreRouteTable()) {
        if (r.method != s.method || r.pattern != s.pattern) continue;
        auto handler = s.handler;
        r.handler = [service, handler](const Call& call) { return handler(*service, call); };
        if (auto visible = s.visible)
          r.visible = [service, visible](const Call& call) { return visible(*service, call); };
      }
    }
    router->Add(std::move(r));
  };
  for (auto& p : StoreRoutes()) wire(Plain(p.method, p.pattern, p.access, NotImplemented, p.summary));
  wire(ActionsRoute());
  return router;
}

}  // namespace qgrant::server
