// A page's call to the JSON API: an internal server::Request (the signed-in visitor as its
// caller, a JSON body) dispatched through the same Router that serves /api/, so every role and ownership check,
// every 404 for another unit's case, every workflow rule and error is the API's own. Pages only
// render what the API answers.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/router.h"
#include "web/session.h"

namespace qgrant::web {

struct ApiAnswer {
  int status = 0;
  std::string content_type;
  std::string raw;                                           // the body as answered
  nlohmann::json body;                                       // parsed when JSON, else null
  std::vector<std::pair<std::string, std::string>> headers;  // the answer's extra headers

  bool ok() const { return status >= 200 && status < 300; }
  // A problem's detail in the visitor's language ("" when none).
  std::string Detail(bool en) const;
  // The problem's errors[] by field path, each message in the visitor's language.
  std::map<std::string, std::string> FieldErrors(bool en) const;
};

class Api {
 public:
  explicit Api(const server::Router* router) : router_(router) {}
  // `body`: sent as JSON when not null. `idempotency_key`: sent when not empty.
  ApiAnswer Call(const Visit& visit, std::string method, std::string target, const nlohmann::json& body = nullptr,
                 std::string_view idempotency_key = {}) const;

 private:
  const server::Router* router_;
};

}  // namespace qgrant::web
