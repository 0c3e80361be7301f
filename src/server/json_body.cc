#include "server/json_body.h"

#include <simdjson.h>

#include <set>

namespace qgrant::server {

namespace {

std::string Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

// simdjson keeps every member of an object as written, so a repeated name can be seen here
// while the document is copied into the nlohmann value handlers work with.
bool Convert(simdjson::dom::element e, const std::string& path, nlohmann::json* out, FieldError* repeated) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      *out = nlohmann::json::object();
      std::set<std::string_view> seen;
      for (auto field : simdjson::dom::object(e)) {
        const std::string child = Join(path, field.key);
        if (!seen.insert(field.key).second) {
          *repeated = {child, "成员名重复 / the member name is repeated"};
          return false;
        }
        if (!Convert(field.value, child, &(*out)[std::string(field.key)], repeated)) return false;
      }
      return true;
    }
    case simdjson::dom::element_type::ARRAY: {
      *out = nlohmann::json::array();
      size_t i = 0;
      for (auto item : simdjson::dom::array(e)) {
        out->push_back(nullptr);
        if (!Convert(item, path + "[" + std::to_string(i++) + "]", &out->back(), repeated)) return false;
      }
      return true;
    }
    case simdjson::dom::element_type::INT64:
      *out = int64_t(e);
      return true;
    case simdjson::dom::element_type::UINT64:
      *out = uint64_t(e);
      return true;
    case simdjson::dom::element_type::DOUBLE:
      *out = double(e);
      return true;
    case simdjson::dom::element_type::STRING:
      *out = std::string(std::string_view(e));
      return true;
    case simdjson::dom::element_type::BOOL:
      *out = bool(e);
      return true;
    case simdjson::dom::element_type::NULL_VALUE:
      *out = nullptr;
      return true;
  }
  return true;
}

// Where a syntax error is, as line and column (in characters), for the problem's detail.
std::string SyntaxErrorDetail(std::string_view body, const char* simdjson_message) {
  size_t at = body.size();
  try {
    const nlohmann::json parsed = nlohmann::json::parse(body);  // only its error's position is wanted
    (void)parsed;
  } catch (const nlohmann::json::parse_error& e) {
    at = e.byte > 0 ? e.byte - 1 : 0;
  }
  if (at > body.size()) at = body.size();
  int line = 1, column = 1;
  for (size_t i = 0; i < at; ++i) {
    const unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column;
    }
  }
  return "请求体不是有效的 JSON：第 " + std::to_string(line) + " 行第 " + std::to_string(column) +
         " 列 / the body is not valid JSON: line " + std::to_string(line) + ", column " + std::to_string(column) +
         " (" + simdjson_message + ")";
}

}  // namespace

std::optional<nlohmann::json> ParseJsonBody(std::string_view body, Response* problem) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string text(body);
  simdjson::dom::element root;
  if (auto error = parser.parse(text).get(root); error != simdjson::SUCCESS) {
    *problem = Problem(400, SyntaxErrorDetail(body, simdjson::error_message(error)));
    return std::nullopt;
  }
  nlohmann::json value;
  FieldError repeated;
  if (!Convert(root, "", &value, &repeated)) {
    *problem = Problem(400, "请求体中有重复的成员名 / a member name is repeated in the body", {repeated});
    return std::nullopt;
  }
  return value;
}

namespace {

bool HasType(const nlohmann::json& v, JsonType type) {
  switch (type) {
    case JsonType::kString:
      return v.is_string();
    case JsonType::kInteger:
      return v.is_number_integer();
    case JsonType::kBoolean:
      return v.is_boolean();
    case JsonType::kObject:
      return v.is_object();
    case JsonType::kArray:
      return v.is_array();
    case JsonType::kAny:
      return true;
  }
  return false;
}

const char* TypeName(JsonType type) {
  switch (type) {
    case JsonType::kString:
      return "应为字符串 / must be a string";
    case JsonType::kInteger:
      return "应为整数 / must be an integer";
    case JsonType::kBoolean:
      return "应为 true 或 false / must be true or false";
    case JsonType::kObject:
      return "应为对象 / must be an object";
    case JsonType::kArray:
      return "应为数组 / must be an array";
    case JsonType::kAny:
      return "";
  }
  return "";
}

}  // namespace

void CheckMembers(const nlohmann::json& value, const std::vector<MemberSpec>& spec, const std::string& path,
                  std::vector<FieldError>* errors) {
  if (!value.is_object()) {
    errors->push_back({path, TypeName(JsonType::kObject)});
    return;
  }
  for (const auto& [key, member] : value.items()) {
    bool known = false;
    for (const auto& s : spec) known = known || s.name == key;
    if (!known) errors->push_back({Join(path, key), "未知成员 / unknown member"});
  }
  for (const auto& s : spec) {
    auto it = value.find(s.name);
    const std::string child = Join(path, s.name);
    if (it == value.end() || it->is_null()) {
      if (s.required) errors->push_back({child, "必填 / required"});
      continue;
    }
    if (!HasType(*it, s.type)) {
      errors->push_back({child, TypeName(s.type)});
    } else if (s.members != nullptr && s.type == JsonType::kObject) {
      CheckMembers(*it, *s.members, child, errors);
    } else if (s.members != nullptr && s.type == JsonType::kArray) {
      for (size_t i = 0; i < it->size(); ++i)
        CheckMembers((*it)[i], *s.members, child + "[" + std::to_string(i) + "]", errors);
    }
  }
}

Response InvalidBody(std::vector<FieldError> errors) {
  std::string fields;
  for (const auto& e : errors) fields += (fields.empty() ? "" : ", ") + e.field;
  return Problem(400, "请求体有误 / the body is invalid: " + fields, std::move(errors));
}

nlohmann::json ParseJsonOrDiscarded(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, false);
}

}  // namespace qgrant::server
