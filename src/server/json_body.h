// Reading request bodies strictly (CONTRACT.md §7 "Errors"): a body is JSON, once, exactly as
// declared. A syntax error is a 400 with `errors: []` and its line and column in `detail`; a
// repeated member name, an unknown member, a member of the wrong type or a number no 64-bit
// integer or double holds (1e400, 99999999999999999999999) is a 400 naming it in `errors[].field`
// as a dotted path from the body root (`facts.certificates[1].number`).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_message.h"
#include "server/problem.h"

namespace qgrant::server {

// Parses `body`: the value, or nullopt with the 400 answer in `*problem`. Repeated member names
// anywhere are refused here, since a JSON library would silently keep one of them. An object's
// null members are dropped (null is absent, §6). Never throws, whatever the body.
std::optional<nlohmann::json> ParseJsonBody(std::string_view body, Response* problem);

// `text` as JSON, or a discarded value (is_discarded()) when it is not JSON. Unlike
// nlohmann::json::parse alone, which takes a NUL byte for the end of its input, text with a NUL
// in it is not JSON: "{...}\0anything" is refused, not read as "{...}".
nlohmann::json ParseJsonOrDiscarded(std::string_view text);

// The members an object may have. A member whose value is null counts as absent (§6).
enum class JsonType { kString, kInteger, kBoolean, kObject, kArray, kAny };
struct MemberSpec {
  std::string name;
  JsonType type = JsonType::kAny;
  bool required = false;
  const std::vector<MemberSpec>* members = nullptr;  // kObject, or the items of a kArray: their members
};

// Checks `value` (an object) against `spec`, appending one error per unknown member, missing
// required member or wrong type; `path` is the dotted path of `value` ("" for the root).
void CheckMembers(const nlohmann::json& value, const std::vector<MemberSpec>& spec, const std::string& path,
                  std::vector<FieldError>* errors);

// Whether `text` says nothing: empty, or only white space, ASCII or Unicode (the ideographic
// space U+3000, no-break and zero-width spaces, BOM), as a required note or reference must not.
bool IsBlankText(std::string_view text);

// The 400 answer for errors found by CheckMembers.
Response InvalidBody(std::vector<FieldError> errors);

}  // namespace qgrant::server
