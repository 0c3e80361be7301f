// RFC 8785 JSON Canonicalization Scheme (JCS), the form the audit chain hashes (CONTRACT §7
// "Audit"): no white space; object members sorted by the UTF-16 code units of their names;
// strings as UTF-8 with only the escapes JCS requires (\" \\ \b \f \n \r \t, and \u00xx in lower
// case for the other control characters); numbers as ECMAScript prints them.
//
// The audit values hold integers, strings, bools, null, objects and arrays. Numbers are written
// when ECMAScript prints them as plain digits: integers (and integral doubles) of magnitude up to
// 2^53. Any other number, and a string that is not valid UTF-8, is an InvalidArgument error rather
// than a canonical form an auditor's own JCS library might print differently.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace qgrant::store {

Result<std::string> CanonicalJson(const nlohmann::json& value);

}  // namespace qgrant::store
