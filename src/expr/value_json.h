// Values to and from JSON.
//
// Two forms. The typed form is cel-spec's JSON rendering of a Value (as in the conformance
// files): {"int64_value": 1}, {"uint64_value": 1}, {"double_value": 1.0}, {"bytes_value":
// base64}, {"timestamp_value": "...Z"}, ... so that 1, 1u and 1.0 stay apart. The plain form is
// ordinary JSON for bindings and facts: numbers without a fraction become int, others double;
// objects become maps with string keys.
#pragma once

#include <nlohmann/json.hpp>

#include "expr/value.h"

namespace qgrant::expr {

nlohmann::json ToTypedJson(const Value& v);

Value FromPlainJson(const nlohmann::json& j);

std::string Base64Encode(std::string_view bytes);

}  // namespace qgrant::expr
