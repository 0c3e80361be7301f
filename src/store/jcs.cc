#include "store/jcs.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace qgrant::store {
namespace {

constexpr int64_t kMaxExactInteger = int64_t{1} << 53;  // beyond it a double loses integers

// Decodes strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF) into UTF-16 code
// units. False when `s` is not valid UTF-8.
bool ToUtf16(const std::string& s, std::u16string* out) {
  out->clear();
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    uint32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f;
      len = 2;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f;
      len = 3;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07;
      len = 4;
    } else
      return false;
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out->push_back(char16_t(0xd800 + (cp >> 10)));
      out->push_back(char16_t(0xdc00 + (cp & 0x3ff)));
    } else {
      out->push_back(char16_t(cp));
    }
    i += len;
  }
  return true;
}

Status WriteString(const std::string& s, std::string* out) {
  std::u16string units;
  if (!ToUtf16(s, &units)) return Status::InvalidArgument("a string is not valid UTF-8");
  out->push_back('"');
  for (const char ch : s) {
    const unsigned char c = ch;
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
  return Status::Ok();
}

Status WriteNumber(const nlohmann::json& v, std::string* out) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > uint64_t(kMaxExactInteger)) return Status::InvalidArgument("an integer is beyond 2^53");
    *out += std::to_string(u);
    return Status::Ok();
  }
  if (v.is_number_integer()) {
    const int64_t i = v.get<int64_t>();
    if (i > kMaxExactInteger || i < -kMaxExactInteger) {
      return Status::InvalidArgument("an integer is beyond 2^53");
    }
    *out += std::to_string(i);
    return Status::Ok();
  }
  const double d = v.get<double>();
  if (!std::isfinite(d) || d != std::trunc(d) || std::fabs(d) > double(kMaxExactInteger)) {
    return Status::InvalidArgument("a number is not an integer (the audit keeps integers only)");
  }
  *out += std::to_string(int64_t(d));  // -0.0 prints as 0, as ECMAScript does
  return Status::Ok();
}

Status Write(const nlohmann::json& v, std::string* out);

Status WriteObject(const nlohmann::json& v, std::string* out) {
  std::vector<std::pair<std::u16string, const std::string*>> keys;
  for (auto it = v.begin(); it != v.end(); ++it) {
    std::u16string units;
    if (!ToUtf16(it.key(), &units)) return Status::InvalidArgument("a member name is not valid UTF-8");
    keys.emplace_back(std::move(units), &it.key());
  }
  std::sort(keys.begin(), keys.end());  // u16string compares code unit by code unit
  out->push_back('{');
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i > 0) out->push_back(',');
    QGRANT_RETURN_IF_ERROR(WriteString(*keys[i].second, out));
    out->push_back(':');
    QGRANT_RETURN_IF_ERROR(Write(v.at(*keys[i].second), out));
  }
  out->push_back('}');
  return Status::Ok();
}

Status Write(const nlohmann::json& v, std::string* out) {
  switch (v.type()) {
    case nlohmann::json::value_t::null:
      *out += "null";
      return Status::Ok();
    case nlohmann::json::value_t::boolean:
      *out += v.get<bool>() ? "true" : "false";
      return Status::Ok();
    case nlohmann::json::value_t::string:
      return WriteString(v.get_ref<const std::string&>(), out);
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return WriteNumber(v, out);
    case nlohmann::json::value_t::object:
      return WriteObject(v, out);
    case nlohmann::json::value_t::array: {
      out->push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out->push_back(',');
        QGRANT_RETURN_IF_ERROR(Write(v[i], out));
      }
      out->push_back(']');
      return Status::Ok();
    }
    default:
      return Status::InvalidArgument("a value of a kind JSON does not have (binary or discarded)");
  }
}

}  // namespace

Result<std::string> CanonicalJson(const nlohmann::json& value) {
  std::string out;
  Status st = Write(value, &out);
  if (!st.ok()) return Status::InvalidArgument("canonical JSON: " + st.message());
  return out;
}

}  // namespace qgrant::store
