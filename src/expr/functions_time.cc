// Calendar accessors on timestamps (in UTC or a given time zone) and durations.
#include "expr/builtins.h"
#include "expr/time_util.h"

namespace qgrant::expr::internal {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

// Applies `field` to the civil time of a timestamp, in the zone of the optional second argument.
template <typename F>
Value TimestampField(const char* name, const Value* a, size_t n, F field) {
  if (a[0].kind() != Kind::kTimestamp || (n == 2 && a[1].kind() != Kind::kString)) {
    return NoSuchOverload(name, a, n);
  }
  CivilTime c;
  std::string err;
  if (!ToCivil(a[0].time_value(), n == 2 ? std::string_view(a[1].string_value()) : "", &c, &err)) {
    return Value::Error(err);
  }
  return Value::Int(field(c));
}

}  // namespace

Value GetFullYear(const Value* a, size_t n) {
  return TimestampField("getFullYear", a, n, [](const CivilTime& c) { return c.year; });
}
Value GetMonth(const Value* a, size_t n) {
  return TimestampField("getMonth", a, n, [](const CivilTime& c) { return c.month - 1; });
}
Value GetDayOfYear(const Value* a, size_t n) {
  return TimestampField("getDayOfYear", a, n, [](const CivilTime& c) { return c.day_of_year; });
}
Value GetDayOfMonth(const Value* a, size_t n) {
  return TimestampField("getDayOfMonth", a, n, [](const CivilTime& c) { return c.day - 1; });
}
Value GetDate(const Value* a, size_t n) {
  return TimestampField("getDate", a, n, [](const CivilTime& c) { return c.day; });
}
Value GetDayOfWeek(const Value* a, size_t n) {
  return TimestampField("getDayOfWeek", a, n, [](const CivilTime& c) { return c.day_of_week; });
}

// On durations these give the whole duration in the unit (cel-go), on timestamps the field.
Value GetHours(const Value* a, size_t n) {
  if (a[0].kind() == Kind::kDuration && n == 1) return Value::Int(a[0].duration_nanos() / (3600 * kNanosPerSecond));
  return TimestampField("getHours", a, n, [](const CivilTime& c) { return c.hour; });
}
Value GetMinutes(const Value* a, size_t n) {
  if (a[0].kind() == Kind::kDuration && n == 1) return Value::Int(a[0].duration_nanos() / (60 * kNanosPerSecond));
  return TimestampField("getMinutes", a, n, [](const CivilTime& c) { return c.minute; });
}
Value GetSeconds(const Value* a, size_t n) {
  if (a[0].kind() == Kind::kDuration && n == 1) return Value::Int(a[0].duration_nanos() / kNanosPerSecond);
  return TimestampField("getSeconds", a, n, [](const CivilTime& c) { return c.second; });
}
Value GetMilliseconds(const Value* a, size_t n) {
  if (a[0].kind() == Kind::kDuration && n == 1) return Value::Int(a[0].duration_nanos() / 1000000);
  return TimestampField("getMilliseconds", a, n, [](const CivilTime& c) { return c.millisecond; });
}

}  // namespace qgrant::expr::internal
