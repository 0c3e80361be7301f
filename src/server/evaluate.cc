// GET /api/v1/measures and POST /api/v1/evaluate: the rules in force, for anyone.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/decision.h"
#include "engine/ledger.h"
#include "server/handlers.h"
#include "server/json_body.h"
#include "server/problem.h"

namespace qgrant::server {

namespace {

// The rules named by `?guide=YEAR&as_of=DATE` (both optional: no guide, the service date).
// Unknown or repeated parameters are refused like unknown members of a body.
std::shared_ptr<const RulesEntry> RulesFromQuery(const Service& service, const Request& request, Response* problem) {
  std::shared_ptr<const policy::Guide> guide;
  policy::Date as_of = service.Today();
  std::vector<FieldError> errors;
  std::vector<std::string> seen;
  for (const auto& [name, value] : request.query) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      errors.push_back({name, "参数重复 / the parameter is repeated"});
      continue;
    }
    seen.push_back(name);
    if (name == "guide") {
      const bool year =
          value.size() == 4 && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      guide = year ? service.FindGuide(std::stoi(value)) : nullptr;
      if (!guide) {
        std::string known;
        for (const auto& g : service.bundle().guides) known += (known.empty() ? "" : ", ") + std::to_string(g->year);
        errors.push_back({"guide", "没有 " + value + " 年的申报指南 / no guide for the year '" + value +
                                       "'; guides: " + (known.empty() ? "none" : known)});
      }
    } else if (name == "as_of") {
      if (!policy::ParseDate(value, &as_of)) {
        errors.push_back({"as_of", "应为日期 YYYY-MM-DD / must be a date YYYY-MM-DD, found '" + value + "'"});
      }
    } else {
      errors.push_back({name, "未知参数，可用 guide、as_of / unknown parameter; known: guide, as_of"});
    }
  }
  if (errors.empty()) return service.Rules(guide, as_of);
  std::string names;
  for (const auto& e : errors) names += (names.empty() ? "" : ", ") + e.field;
  *problem = Problem(400, "查询参数有误 / bad query parameter: " + names, std::move(errors));
  return nullptr;
}

// Said in every decision given to a caller whose funding history was not looked at (§7: a
// unit's history is not public through this route).
engine::DecisionReason LedgerNotConsulted() {
  engine::DecisionReason r;
  r.code = "ledger_not_consulted";
  r.text = {"未查询资助记录：按首次申请答复，正式申报时将核对本单位已获资助情况",
            "funding history not consulted: answered as a first application; the unit's earlier awards are checked "
            "when it applies"};
  return r;
}

}  // namespace

Response MeasuresHandler(const Service& service, const Call& call) {
  Response problem;
  auto rules = RulesFromQuery(service, call.request, &problem);
  if (!rules) return problem;
  return Response::Json(200, rules->measures_json());
}

Response EvaluateHandler(const Service& service, const Call& call) {
  Response problem;
  auto rules = RulesFromQuery(service, call.request, &problem);
  if (!rules) return problem;
  engine::Application app;
  rules->Read(call.request.body, &app);
  // The reader names a body that is not an object at the root ("" path); anything else it finds
  // wrong is the application's and goes into an `invalid` decision.
  for (const auto& e : app.errors) {
    if (!e.path.empty()) continue;
    if (e.code == "not_json" && !ParseJsonBody(call.request.body, &problem)) return problem;
    return Problem(400,
                   "请求体应为 JSON 对象（一份申请，见 §2） / the body must be a JSON object: an application (§2)");
  }
  // Staff see the whole ledger, an applicant its own unit's entries; anyone else, or an applicant
  // asking about another unit, is answered without any (§7 POST /evaluate, "Smaller points").
  const User* user = call.user ? &*call.user : nullptr;
  const bool own_unit = user && user->role == Role::kApplicant && user->uscc == app.uscc;
  const bool staff = user && user->role != Role::kApplicant;
  const bool consulted = service.ledger() != nullptr && app.errors.empty() && (own_unit || staff);
  engine::Ledger ledger;
  if (consulted) {
    if (Status st = service.ledger()->Fill(app, staff, &ledger); !st.ok()) {
      std::fprintf(stderr, "qgrant serve: the ledger could not be read: %s\n", st.message().c_str());
      Response busy = Problem(503, "资助记录暂时无法读取 / the funding history cannot be read at the moment");
      busy.headers.emplace_back("Retry-After", "1");
      return busy;
    }
  }
  engine::Decision decision = rules->evaluator().Decide(app, &ledger, false);
  if (!consulted && decision.outcome != engine::Outcome::kInvalid) decision.reasons.push_back(LedgerNotConsulted());
  Response r;
  engine::AppendDecisionJson(decision, rules->evaluator().provenance(), &r.body);
  return r;
}

}  // namespace qgrant::server
