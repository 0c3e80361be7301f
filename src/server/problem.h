// Error answers as RFC 9457 problem documents (CONTRACT.md §7 "Errors"):
//   {"type","title","status","detail","errors":[{"field","message"}]}
// `title` is fixed per status, Chinese first with the English beside it; `detail` says what
// was wrong with this request; `errors[].field` is a dotted path from the body root
// (`applicant.uscc`, `facts.certificates[1].number`) or a query parameter's name. Every problem
// carries `errors` (empty when no field is to blame) so that clients need no special case.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "server/http_message.h"

namespace qgrant::server {

struct FieldError {
  std::string field;
  std::string message;
};

// The fixed title of a status ("请求无效 / Bad request"); a generic one for unlisted codes.
const char* ProblemTitle(int status);

// A problem answer. `extra` (an object or null) adds members such as `state` and
// `allowed_actions` of a wrong-state 409.
Response Problem(int status, std::string detail, std::vector<FieldError> errors = {},
                 const nlohmann::json& extra = nullptr);

}  // namespace qgrant::server
