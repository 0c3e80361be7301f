#include "expr/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>

#include "expr/format.h"
#include "expr/time_util.h"

namespace qgrant::expr {

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kNull:
      return "null_type";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kUint:
      return "uint";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kBytes:
      return "bytes";
    case Kind::kList:
      return "list";
    case Kind::kMap:
      return "map";
    case Kind::kTimestamp:
      return "google.protobuf.Timestamp";
    case Kind::kDuration:
      return "google.protobuf.Duration";
    case Kind::kType:
      return "type";
    case Kind::kError:
      return "error";
    case Kind::kUnknown:
      return "unknown";
  }
  return "?";
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.scalar_.b = b;
  return v;
}
Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.scalar_.i = i;
  return v;
}
Value Value::Uint(uint64_t u) {
  Value v;
  v.kind_ = Kind::kUint;
  v.scalar_.u = u;
  return v;
}
Value Value::Double(double d) {
  Value v;
  v.kind_ = Kind::kDouble;
  v.scalar_.d = d;
  return v;
}
Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.heap_ = std::make_shared<const std::string>(std::move(s));
  return v;
}
Value Value::Bytes(std::string s) {
  Value v;
  v.kind_ = Kind::kBytes;
  v.heap_ = std::make_shared<const std::string>(std::move(s));
  return v;
}
Value Value::List(ValueList items) {
  Value v;
  v.kind_ = Kind::kList;
  v.heap_ = std::make_shared<const ValueList>(std::move(items));
  return v;
}
Value Value::Map(std::shared_ptr<const MapValue> map) {
  Value v;
  v.kind_ = Kind::kMap;
  v.heap_ = std::move(map);
  return v;
}
Value Value::Timestamp(int64_t seconds, int32_t nanos) {
  Value v;
  v.kind_ = Kind::kTimestamp;
  v.scalar_.i = seconds;
  v.nanos_ = nanos;
  return v;
}
Value Value::Duration(int64_t nanos) {
  Value v;
  v.kind_ = Kind::kDuration;
  v.scalar_.i = nanos;
  return v;
}
Value Value::Type(std::string name) {
  Value v;
  v.kind_ = Kind::kType;
  v.heap_ = std::make_shared<const std::string>(std::move(name));
  return v;
}
Value Value::Error(std::string message, int32_t offset) {
  Value v;
  v.kind_ = Kind::kError;
  v.nanos_ = offset;
  v.heap_ = std::make_shared<const std::string>(std::move(message));
  return v;
}
Value Value::Unknown(std::vector<std::string> attributes) {
  Value v;
  v.kind_ = Kind::kUnknown;
  v.heap_ = std::make_shared<const std::vector<std::string>>(std::move(attributes));
  return v;
}

std::string Value::TypeName() const { return KindName(kind_); }

std::string Value::DebugString() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return scalar_.b ? "true" : "false";
    case Kind::kInt:
      return std::to_string(scalar_.i);
    case Kind::kUint:
      return std::to_string(scalar_.u) + "u";
    case Kind::kDouble: {
      std::string s = FormatDouble(scalar_.d);
      if (s.find_first_of(".eEnN") == std::string::npos) s += ".0";  // not after NaN or Inf
      return s;
    }
    case Kind::kString:
      return QuoteString(string_value());
    case Kind::kBytes:
      return "b" + QuoteBytes(string_value());
    case Kind::kList: {
      std::string out = "[";
      bool first = true;
      for (const auto& v : list_value()) {
        if (!first) out += ", ";
        first = false;
        out += v.DebugString();
      }
      return out + "]";
    }
    case Kind::kMap: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, v] : map_value().entries()) {
        if (!first) out += ", ";
        first = false;
        out += k.DebugString() + ": " + v.DebugString();
      }
      return out + "}";
    }
    case Kind::kTimestamp:
      return "timestamp(\"" + FormatTimestamp(time_value()) + "\")";
    case Kind::kDuration:
      return "duration(\"" + FormatDuration(duration_nanos()) + "\")";
    case Kind::kType:
      return type_name();
    case Kind::kError:
      return "error(" + QuoteString(error_message()) + ")";
    case Kind::kUnknown: {
      std::string out = "unknown(";
      bool first = true;
      for (const auto& a : unknown_attributes()) {
        if (!first) out += ", ";
        first = false;
        out += a;
      }
      return out + ")";
    }
  }
  return "?";
}

namespace {

bool IsNumber(Kind k) { return k == Kind::kInt || k == Kind::kUint || k == Kind::kDouble; }

// Three-way numeric comparison across int, uint and double; NaN compares as unordered (2).
int CompareNumbers(const Value& a, const Value& b) {
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (x > y ? 1 : 0); };
  Kind ka = a.kind(), kb = b.kind();
  if (ka == kb) {
    if (ka == Kind::kInt) return cmp(a.int_value(), b.int_value());
    if (ka == Kind::kUint) return cmp(a.uint_value(), b.uint_value());
    double x = a.double_value(), y = b.double_value();
    if (std::isnan(x) || std::isnan(y)) return 2;
    return cmp(x, y);
  }
  if (ka == Kind::kInt && kb == Kind::kUint) {
    if (a.int_value() < 0) return -1;
    return cmp(static_cast<uint64_t>(a.int_value()), b.uint_value());
  }
  if (ka == Kind::kUint && kb == Kind::kInt) return -CompareNumbers(b, a);
  // One side is a double.
  if (ka == Kind::kDouble) {
    int r = CompareNumbers(b, a);
    return r == 2 ? 2 : -r;
  }
  // int or uint against double: as cel-go, outside the integer's range the double decides,
  // inside it the integer is converted to double (so 2^63-1 equals 2^63.0).
  double y = b.double_value();
  if (std::isnan(y)) return 2;
  if (ka == Kind::kInt) {
    if (y < -9223372036854775808.0) return 1;
    if (y > 9223372036854775808.0) return -1;
    return cmp(static_cast<double>(a.int_value()), y);
  }
  if (y < 0) return 1;
  if (y > 18446744073709551616.0) return -1;
  return cmp(static_cast<double>(a.uint_value()), y);
}

int CompareTime(TimeParts a, TimeParts b) {
  if (a.seconds != b.seconds) return a.seconds < b.seconds ? -1 : 1;
  if (a.nanos != b.nanos) return a.nanos < b.nanos ? -1 : 1;
  return 0;
}

// Hash of a map key, consistent with heterogeneous numeric equality.
bool KeyHash(const Value& key, size_t* out) {
  switch (key.kind()) {
    case Kind::kBool:
      *out = key.bool_value() ? 0x51 : 0x50;
      return true;
    case Kind::kString:
      *out = std::hash<std::string>()(key.string_value());
      return true;
    case Kind::kInt:
      *out = std::hash<int64_t>()(key.int_value()) ^ 0x9e37;
      return true;
    case Kind::kUint:
      if (key.uint_value() <= static_cast<uint64_t>(INT64_MAX)) {
        *out = std::hash<int64_t>()(static_cast<int64_t>(key.uint_value())) ^ 0x9e37;
      } else {
        *out = std::hash<uint64_t>()(key.uint_value()) ^ 0x7f4a;
      }
      return true;
    case Kind::kDouble: {
      double d = key.double_value();
      if (std::trunc(d) != d) return false;
      if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
        *out = std::hash<int64_t>()(static_cast<int64_t>(d)) ^ 0x9e37;
        return true;
      }
      if (d >= 0 && d < 18446744073709551616.0) {
        *out = std::hash<uint64_t>()(static_cast<uint64_t>(d)) ^ 0x7f4a;
        return true;
      }
      return false;
    }
    default:
      return false;
  }
}

}  // namespace

bool EqualValues(const Value& a, const Value& b) {
  Kind ka = a.kind(), kb = b.kind();
  if (IsNumber(ka) && IsNumber(kb)) return CompareNumbers(a, b) == 0;
  if (ka != kb) return false;
  switch (ka) {
    case Kind::kNull:
      return true;
    case Kind::kBool:
      return a.bool_value() == b.bool_value();
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kType:
      return a.string_value() == b.string_value();
    case Kind::kTimestamp:
    case Kind::kDuration:
      return CompareTime(a.time_value(), b.time_value()) == 0;
    case Kind::kList: {
      const auto& x = a.list_value();
      const auto& y = b.list_value();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!EqualValues(x[i], y[i])) return false;
      }
      return true;
    }
    case Kind::kMap: {
      const auto& x = a.map_value();
      const auto& y = b.map_value();
      if (x.size() != y.size()) return false;
      for (const auto& [k, v] : x.entries()) {
        const Value* other = y.Find(k);
        if (other == nullptr || !EqualValues(v, *other)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

Value Equals(const Value& a, const Value& b) {
  if (a.is_exceptional()) return a;
  if (b.is_exceptional()) return b;
  return Value::Bool(EqualValues(a, b));
}

int Compare(const Value& a, const Value& b, bool* ok) {
  *ok = true;
  Kind ka = a.kind(), kb = b.kind();
  if (IsNumber(ka) && IsNumber(kb)) {
    int r = CompareNumbers(a, b);
    if (r == 2) {
      // NaN: every ordering test is false; report "not less, not greater, not equal".
      *ok = true;
      return 2;
    }
    return r;
  }
  if (ka != kb) {
    *ok = false;
    return 0;
  }
  switch (ka) {
    case Kind::kBool:
      return static_cast<int>(a.bool_value()) - static_cast<int>(b.bool_value());
    case Kind::kString:
    case Kind::kBytes: {
      int c = a.string_value().compare(b.string_value());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kTimestamp:
    case Kind::kDuration:
      return CompareTime(a.time_value(), b.time_value());
    default:
      *ok = false;
      return 0;
  }
}

bool IsValidMapKey(const Value& key) {
  Kind k = key.kind();
  return k == Kind::kBool || k == Kind::kInt || k == Kind::kUint || k == Kind::kString;
}

std::shared_ptr<const MapValue> MapValue::Make(std::vector<std::pair<Value, Value>> entries, std::string* error) {
  constexpr size_t kIndexThreshold = 12;
  auto map = std::make_shared<MapValue>();
  for (const auto& e : entries) {
    if (!IsValidMapKey(e.first)) {
      *error = "unsupported key type " + e.first.TypeName();
      return nullptr;
    }
  }
  map->entries_ = std::move(entries);
  const auto& es = map->entries_;
  if (es.size() < kIndexThreshold) {
    for (size_t i = 1; i < es.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (EqualValues(es[i].first, es[j].first)) {
          *error = "Failed with repeated key " + es[i].first.DebugString();
          return nullptr;
        }
      }
    }
    return map;
  }
  map->index_.reserve(es.size());
  for (uint32_t i = 0; i < es.size(); ++i) {
    size_t h = 0;
    KeyHash(es[i].first, &h);
    map->index_.emplace_back(h, i);
  }
  std::sort(map->index_.begin(), map->index_.end());
  for (size_t i = 0; i < map->index_.size(); ++i) {
    for (size_t j = i + 1; j < map->index_.size() && map->index_[j].first == map->index_[i].first; ++j) {
      if (EqualValues(es[map->index_[i].second].first, es[map->index_[j].second].first)) {
        *error = "Failed with repeated key " + es[map->index_[j].second].first.DebugString();
        return nullptr;
      }
    }
  }
  return map;
}

const Value* MapValue::Find(const Value& key) const {
  if (index_.empty()) {
    for (const auto& e : entries_) {
      if (EqualValues(e.first, key)) return &e.second;
    }
    return nullptr;
  }
  size_t h = 0;
  if (!KeyHash(key, &h)) return nullptr;
  auto it = std::lower_bound(index_.begin(), index_.end(), std::make_pair(h, uint32_t{0}));
  for (; it != index_.end() && it->first == h; ++it) {
    const auto& e = entries_[it->second];
    if (EqualValues(e.first, key)) return &e.second;
  }
  return nullptr;
}

const Value* MapValue::FindString(std::string_view key) const {
  if (index_.empty()) {
    for (const auto& e : entries_) {
      if (e.first.kind() == Kind::kString && e.first.string_value() == key) return &e.second;
    }
    return nullptr;
  }
  return Find(Value::String(std::string(key)));
}

}  // namespace qgrant::expr
