// The route table and the order in which a request is refused (CONTRACT.md §7 in detail):
//   bad request target (400) -> no such path (404) / no such method (405) -> credentials (401)
//   -> closed parameter value such as an unknown action (404) -> the resource is absent or
//   another unit's (404, the route's `visible` hook) -> the role may never call it (403) ->
//   a malformed Idempotency-Key (400) -> the handler (its own 400s and 409s).
// 413 comes before all of these, in the session, before the body is read. Handlers are plain
// functions Call -> Response; an exception escaping one is a bug and answers a last-resort 500.
// A Router is built once, then only read: Dispatch may run on many threads at once.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/auth.h"
#include "server/http_message.h"

namespace qgrant::server {

// What a handler is given: the request, the signed-in user (if any), the path parameters and the
// validated Idempotency-Key (for the store to record with the change, in one transaction).
struct Call {
  const Request& request;
  std::optional<User> user;
  std::vector<std::pair<std::string, std::string>> params;
  std::optional<std::string> idempotency_key;

  // A path parameter by its name in the pattern ("id" for {id}); empty when there is none.
  const std::string& Param(std::string_view name) const;
};

using Handler = std::function<Response(const Call&)>;

struct Route {
  std::string method;   // "GET", "POST", "PUT"
  std::string pattern;  // "/api/v1/applications/{id}/actions/{action}"
  Access access = Access::Anyone();
  Handler handler;
  std::string summary;  // one line, for logs and the route list
  // A parameter with a closed set of values (the actions of an application), each with who may
  // use it; a value outside the set is 404 (an unknown action, §7). Empty: no such parameter.
  std::string choice_param;
  std::vector<std::pair<std::string, Access>> choices;
  // Whether the resource the path names is there for this caller; false answers 404 before the
  // role is judged (another unit's case is simply not found). Null: nothing to look up.
  std::function<bool(const Call&)> visible;
};

class Router {
 public:
  explicit Router(std::shared_ptr<const Authenticator> auth) : auth_(std::move(auth)) {}

  // REQUIRES: no route with the same method and pattern was added before.
  void Add(Route route);
  const std::vector<Route>& routes() const { return routes_; }

  // Answers a request; never throws.
  Response Dispatch(Request& request) const;

 private:
  struct Pattern {
    std::vector<std::string> segments;  // "{name}" for a parameter
  };
  std::optional<Response> Authenticate(const Request& request, const Route& route, Call* call) const;
  Response Run(const Route& route, Call& call) const;

  std::shared_ptr<const Authenticator> auth_;
  std::vector<Route> routes_;
  std::vector<Pattern> patterns_;  // parallel to routes_
};

// Splits a request target (origin form) into the path, its decoded segments and the decoded
// query; false when it is not a valid origin-form target.
bool ParseTarget(Request* request);

}  // namespace qgrant::server
