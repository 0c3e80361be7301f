// Timestamps and durations as CEL defines them: RFC 3339 timestamps from year 1 to 9999 with
// nanosecond precision, Go-style duration strings ("1h30m", "1.5s"), and calendar fields in any
// IANA time zone or fixed offset. Zone rules come from the system tz database through Howard
// Hinnant's date library (Debian libhowardhinnant-date-dev); nothing here hand-rolls them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "expr/value.h"

namespace qgrant::expr {

constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31T23:59:59Z

bool TimestampInRange(TimeParts t);

// Parses an RFC 3339 timestamp ("2009-02-13T23:31:30.5+08:00"). False with a message on error.
[[nodiscard]] bool ParseTimestamp(std::string_view text, TimeParts* out, std::string* error);
// RFC 3339 in UTC with the fraction trimmed: "2009-02-13T23:31:30Z", "...30.123456789Z".
std::string FormatTimestamp(TimeParts t);

// Parses a Go duration string ("-1h2m3.5s", "100ms", "0"). False with a message on error,
// including overflow of int64 nanoseconds.
[[nodiscard]] bool ParseDuration(std::string_view text, int64_t* nanos, std::string* error);
// Seconds with the fraction trimmed: "3723.5s".
std::string FormatDuration(int64_t nanos);

// Calendar fields of an instant in a time zone.
struct CivilTime {
  int64_t year = 0;
  int64_t month = 0;  // 1..12
  int64_t day = 0;    // 1..31
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t millisecond = 0;
  int64_t day_of_week = 0;  // 0 = Sunday
  int64_t day_of_year = 0;  // 0-based
};

// `zone` is empty (UTC), an IANA name ("Asia/Shanghai"), or an offset ("+08:00", "-02:30",
// "02:00"). False with a message for an unknown zone.
[[nodiscard]] bool ToCivil(TimeParts t, std::string_view zone, CivilTime* out, std::string* error);

// Days since 1970-01-01 of a proleptic Gregorian date; false if the date does not exist.
[[nodiscard]] bool DaysFromCivil(int64_t year, int64_t month, int64_t day, int64_t* days);

}  // namespace qgrant::expr
