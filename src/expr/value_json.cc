#include "expr/value_json.h"

#include <cmath>

#include "expr/format.h"
#include "expr/time_util.h"

namespace qgrant::expr {
namespace {

// Integers beyond 2^53 are written as strings so that JSON readers keep them exact.
template <typename T>
nlohmann::json ExactInteger(T v) {
  constexpr T kLimit = static_cast<T>(1ULL << 53);
  if constexpr (std::is_unsigned_v<T>) {
    if (v <= kLimit) return v;
  } else {
    if (v <= kLimit && v >= -kLimit) return v;
  }
  return std::to_string(v);
}

}  // namespace

std::string Base64Encode(std::string_view in) {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n =
        (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8) | static_cast<uint8_t>(in[i + 2]);
    out += kChars[n >> 18];
    out += kChars[(n >> 12) & 63];
    out += kChars[(n >> 6) & 63];
    out += kChars[n & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    out += kChars[n >> 18];
    out += kChars[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (static_cast<uint8_t>(in[i]) << 16) | (static_cast<uint8_t>(in[i + 1]) << 8);
    out += kChars[n >> 18];
    out += kChars[(n >> 12) & 63];
    out += kChars[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

nlohmann::json ToTypedJson(const Value& v) {
  using nlohmann::json;
  switch (v.kind()) {
    case Kind::kNull:
      return {{"null_value", "NULL_VALUE"}};
    case Kind::kBool:
      return {{"bool_value", v.bool_value()}};
    case Kind::kInt:
      return {{"int64_value", ExactInteger(v.int_value())}};
    case Kind::kUint:
      return {{"uint64_value", ExactInteger(v.uint_value())}};
    case Kind::kDouble: {
      double d = v.double_value();
      if (std::isnan(d)) return {{"double_value", "NaN"}};
      if (std::isinf(d)) return {{"double_value", d > 0 ? "Infinity" : "-Infinity"}};
      return {{"double_value", d}};
    }
    case Kind::kString:
      return {{"string_value", v.string_value()}};
    case Kind::kBytes:
      return {{"bytes_value", Base64Encode(v.string_value())}};
    case Kind::kList: {
      json values = json::array();
      for (const auto& e : v.list_value()) values.push_back(ToTypedJson(e));
      return {{"list_value", {{"values", values}}}};
    }
    case Kind::kMap: {
      json entries = json::array();
      for (const auto& [k, e] : v.map_value().entries()) {
        entries.push_back({{"key", ToTypedJson(k)}, {"value", ToTypedJson(e)}});
      }
      return {{"map_value", {{"entries", entries}}}};
    }
    case Kind::kTimestamp:
      return {{"timestamp_value", FormatTimestamp(v.time_value())}};
    case Kind::kDuration:
      return {{"duration_value", FormatDuration(v.duration_nanos())}};
    case Kind::kType:
      return {{"type_value", v.type_name()}};
    case Kind::kError:
      return {{"error", v.error_message()}};
    case Kind::kUnknown:
      return {{"unknown", v.unknown_attributes()}};
  }
  return nullptr;
}

namespace {

// JSON nested deeper than this is refused (as simdjson does by default): converting it, and then
// comparing, printing and destroying the value, all recurse once per level.
constexpr int kMaxJsonDepth = 1024;

Value FromPlainJsonAt(const nlohmann::json& j, int depth) {
  if (j.is_structured() && depth >= kMaxJsonDepth) {
    return Value::Error("JSON nested more than " + std::to_string(kMaxJsonDepth) + " levels deep");
  }
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return Value::Null();
    case nlohmann::json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case nlohmann::json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value::Int(static_cast<int64_t>(u));
      return Value::Uint(u);
    }
    case nlohmann::json::value_t::number_float:
      return Value::Double(j.get<double>());
    case nlohmann::json::value_t::string:
      return Value::String(j.get<std::string>());
    case nlohmann::json::value_t::array: {
      ValueList items;
      items.reserve(j.size());
      for (const auto& e : j) {
        items.push_back(FromPlainJsonAt(e, depth + 1));
        if (items.back().is_error()) return items.back();
      }
      return Value::List(std::move(items));
    }
    case nlohmann::json::value_t::object: {
      std::vector<std::pair<Value, Value>> entries;
      entries.reserve(j.size());
      for (auto it = j.begin(); it != j.end(); ++it) {
        entries.emplace_back(Value::String(it.key()), FromPlainJsonAt(it.value(), depth + 1));
        if (entries.back().second.is_error()) return entries.back().second;
      }
      std::string err;
      return Value::Map(MapValue::Make(std::move(entries), &err));
    }
    default:
      return Value::Error("unsupported JSON value");
  }
}

}  // namespace

Value FromPlainJson(const nlohmann::json& j) { return FromPlainJsonAt(j, 0); }

}  // namespace qgrant::expr
