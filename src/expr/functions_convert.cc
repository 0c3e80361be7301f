// Type conversions (int, uint, double, string, bytes, bool, timestamp, duration, type, dyn)
// and the string functions.
#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "expr/builtins.h"
#include "expr/format.h"
#include "expr/time_util.h"

namespace qgrant::expr::internal {
namespace {

Value RangeError(const char* what) { return Value::Error(std::string("range error: ") + what); }

bool ParseInt64(const std::string& s, int64_t* out) {
  auto res = std::from_chars(s.data(), s.data() + s.size(), *out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size() && !s.empty();
}

bool ParseUint64(const std::string& s, uint64_t* out) {
  if (s.empty() || s[0] == '-') return false;
  auto res = std::from_chars(s.data(), s.data() + s.size(), *out);
  return res.ec == std::errc() && res.ptr == s.data() + s.size();
}

}  // namespace

Value NoSuchOverload(std::string_view function, const Value* args, size_t argc) {
  std::string msg = "no such overload: ";
  msg += function;
  msg += "(";
  for (size_t i = 0; i < argc; ++i) {
    if (i) msg += ", ";
    msg += args[i].TypeName();
  }
  return Value::Error(msg + ")");
}

Value ToInt(const Value* a, size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::kInt:
      return x;
    case Kind::kUint:
      if (x.uint_value() > static_cast<uint64_t>(INT64_MAX)) return RangeError("uint too large for int");
      return Value::Int(static_cast<int64_t>(x.uint_value()));
    case Kind::kDouble: {
      double d = x.double_value();
      // The exact int64 range is [-2^63, 2^63); doubles at the edges round, so both ends are open.
      if (!(d > -9223372036854775808.0 && d < 9223372036854775807.0)) return RangeError("double out of int range");
      return Value::Int(static_cast<int64_t>(d));
    }
    case Kind::kString: {
      int64_t v;
      if (!ParseInt64(x.string_value(), &v)) return Value::Error("cannot convert '" + x.string_value() + "' to int");
      return Value::Int(v);
    }
    case Kind::kTimestamp:
      return Value::Int(x.time_value().seconds);
    default:
      return NoSuchOverload("int", a, 1);
  }
}

Value ToUint(const Value* a, size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::kUint:
      return x;
    case Kind::kInt:
      if (x.int_value() < 0) return RangeError("negative int to uint");
      return Value::Uint(static_cast<uint64_t>(x.int_value()));
    case Kind::kDouble: {
      double d = x.double_value();
      // As cel-go and cel-cpp: any negative double is out of range, even one that would
      // truncate to 0 (uint(-0.75)); -0.0 is not negative. 18446744073709551615.0 is 2^64.
      if (!(d >= 0.0 && d < 18446744073709551615.0)) return RangeError("double out of uint range");
      return Value::Uint(static_cast<uint64_t>(d));
    }
    case Kind::kString: {
      uint64_t v;
      if (!ParseUint64(x.string_value(), &v)) return Value::Error("cannot convert '" + x.string_value() + "' to uint");
      return Value::Uint(v);
    }
    default:
      return NoSuchOverload("uint", a, 1);
  }
}

Value ToDouble(const Value* a, size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::kDouble:
      return x;
    case Kind::kInt:
      return Value::Double(static_cast<double>(x.int_value()));
    case Kind::kUint:
      return Value::Double(static_cast<double>(x.uint_value()));
    case Kind::kString: {
      const std::string& s = x.string_value();
      char* end = nullptr;
      if (s.empty()) return Value::Error("cannot convert '' to double");
      double d = std::strtod(s.c_str(), &end);
      if (end != s.c_str() + s.size()) return Value::Error("cannot convert '" + s + "' to double");
      return Value::Double(d);
    }
    default:
      return NoSuchOverload("double", a, 1);
  }
}

Value ToString(const Value* a, size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::kString:
      return x;
    case Kind::kInt:
      return Value::String(std::to_string(x.int_value()));
    case Kind::kUint:
      return Value::String(std::to_string(x.uint_value()));
    case Kind::kDouble:
      return Value::String(FormatDouble(x.double_value()));
    case Kind::kBool:
      return Value::String(x.bool_value() ? "true" : "false");
    case Kind::kBytes:
      if (!IsValidUtf8(x.string_value())) return Value::Error("invalid UTF-8 in bytes to string conversion");
      return Value::String(x.string_value());
    case Kind::kTimestamp:
      return Value::String(FormatTimestamp(x.time_value()));
    case Kind::kDuration:
      return Value::String(FormatDuration(x.duration_nanos()));
    case Kind::kType:
      return Value::String(x.type_name());
    default:
      return NoSuchOverload("string", a, 1);
  }
}

Value ToBytes(const Value* a, size_t) {
  const Value& x = a[0];
  if (x.kind() == Kind::kBytes) return x;
  if (x.kind() == Kind::kString) return Value::Bytes(x.string_value());
  return NoSuchOverload("bytes", a, 1);
}

Value ToBool(const Value* a, size_t) {
  const Value& x = a[0];
  if (x.kind() == Kind::kBool) return x;
  if (x.kind() == Kind::kString) {
    const std::string& s = x.string_value();
    if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") return Value::Bool(true);
    if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") return Value::Bool(false);
    return Value::Error("cannot convert '" + s + "' to bool");
  }
  return NoSuchOverload("bool", a, 1);
}

Value ToTimestamp(const Value* a, size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::kTimestamp:
      return x;
    case Kind::kString: {
      TimeParts t;
      std::string err;
      if (!ParseTimestamp(x.string_value(), &t, &err)) return Value::Error(err);
      return Value::Timestamp(t.seconds, t.nanos);
    }
    case Kind::kInt: {
      TimeParts t{x.int_value(), 0};
      if (!TimestampInRange(t)) return RangeError("timestamp out of range");
      return Value::Timestamp(t.seconds, 0);
    }
    default:
      return NoSuchOverload("timestamp", a, 1);
  }
}

Value ToDuration(const Value* a, size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::kDuration:
      return x;
    case Kind::kString: {
      int64_t nanos;
      std::string err;
      if (!ParseDuration(x.string_value(), &nanos, &err)) return Value::Error(err);
      return Value::Duration(nanos);
    }
    case Kind::kInt:
      return Value::Duration(x.int_value());
    default:
      return NoSuchOverload("duration", a, 1);
  }
}

Value TypeOf(const Value* a, size_t) { return Value::Type(a[0].TypeName()); }

Value Dyn(const Value* a, size_t) { return a[0]; }

Value Size(const Value* a, size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::kString:
      return Value::Int(CodePointCount(x.string_value()));
    case Kind::kBytes:
      return Value::Int(static_cast<int64_t>(x.string_value().size()));
    case Kind::kList:
      return Value::Int(static_cast<int64_t>(x.list_value().size()));
    case Kind::kMap:
      return Value::Int(static_cast<int64_t>(x.map_value().size()));
    default:
      return NoSuchOverload("size", a, 1);
  }
}

Value Contains(const Value* a, size_t) {
  if (a[0].kind() != Kind::kString || a[1].kind() != Kind::kString) return NoSuchOverload("contains", a, 2);
  return Value::Bool(a[0].string_value().find(a[1].string_value()) != std::string::npos);
}

Value StartsWith(const Value* a, size_t) {
  if (a[0].kind() != Kind::kString || a[1].kind() != Kind::kString) return NoSuchOverload("startsWith", a, 2);
  return Value::Bool(a[0].string_value().starts_with(a[1].string_value()));
}

Value EndsWith(const Value* a, size_t) {
  if (a[0].kind() != Kind::kString || a[1].kind() != Kind::kString) return NoSuchOverload("endsWith", a, 2);
  return Value::Bool(a[0].string_value().ends_with(a[1].string_value()));
}

Value Matches(const Value* a, size_t) {
  if (a[0].kind() != Kind::kString || a[1].kind() != Kind::kString) return NoSuchOverload("matches", a, 2);
  RE2 re(a[1].string_value(), RE2::Quiet);
  if (!re.ok()) return Value::Error("invalid regular expression: " + re.error());
  return Value::Bool(RE2::PartialMatch(a[0].string_value(), re));
}

}  // namespace qgrant::expr::internal
