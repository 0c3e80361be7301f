#include "expr/time_util.h"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <exception>

namespace qgrant::expr {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

bool ReadDigits(std::string_view s, size_t* pos, int count, int64_t* out) {
  int64_t v = 0;
  for (int i = 0; i < count; ++i) {
    if (*pos >= s.size() || s[*pos] < '0' || s[*pos] > '9') return false;
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
  }
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* pos, char a, char b = 0) {
  if (*pos < s.size() && (s[*pos] == a || (b != 0 && s[*pos] == b))) {
    ++*pos;
    return true;
  }
  return false;
}

// "+HH:MM", "-HH:MM" or "HH:MM" -> seconds east of UTC.
bool ParseOffset(std::string_view s, int64_t* seconds) {
  size_t pos = 0;
  int sign = 1;
  if (Expect(s, &pos, '+')) {
  } else if (Expect(s, &pos, '-')) {
    sign = -1;
  }
  int64_t h, m;
  if (!ReadDigits(s, &pos, 2, &h) || !Expect(s, &pos, ':') || !ReadDigits(s, &pos, 2, &m) || pos != s.size() ||
      h > 23 || m > 59) {
    return false;
  }
  *seconds = sign * (h * 3600 + m * 60);
  return true;
}

}  // namespace

bool TimestampInRange(TimeParts t) { return t.seconds >= kMinTimestampSeconds && t.seconds <= kMaxTimestampSeconds; }

bool DaysFromCivil(int64_t year, int64_t month, int64_t day, int64_t* days) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || year < -32767 || year > 32767) return false;
  date::year_month_day ymd{date::year{static_cast<int>(year)}, date::month{static_cast<unsigned>(month)},
                           date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return false;
  *days = date::sys_days(ymd).time_since_epoch().count();
  return true;
}

bool ParseTimestamp(std::string_view s, TimeParts* out, std::string* error) {
  size_t pos = 0;
  int64_t year, month, day, hour, minute, second;
  if (!ReadDigits(s, &pos, 4, &year) || !Expect(s, &pos, '-') || !ReadDigits(s, &pos, 2, &month) ||
      !Expect(s, &pos, '-') || !ReadDigits(s, &pos, 2, &day) || !Expect(s, &pos, 'T', 't') ||
      !ReadDigits(s, &pos, 2, &hour) || !Expect(s, &pos, ':') || !ReadDigits(s, &pos, 2, &minute) ||
      !Expect(s, &pos, ':') || !ReadDigits(s, &pos, 2, &second)) {
    *error = "timestamp '" + std::string(s) + "' is not RFC 3339 (YYYY-MM-DDTHH:MM:SSZ)";
    return false;
  }
  int64_t nanos = 0;
  if (Expect(s, &pos, '.')) {
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) {
      *error = "timestamp '" + std::string(s) + "' has an empty fraction";
      return false;
    }
    for (int d = digits; d < 9; ++d) nanos *= 10;
  }
  int64_t offset = 0;
  if (Expect(s, &pos, 'Z', 'z')) {
    if (pos != s.size()) {
      *error = "timestamp '" + std::string(s) + "' has trailing text";
      return false;
    }
  } else if (!ParseOffset(s.substr(pos), &offset) || (s[pos] != '+' && s[pos] != '-')) {
    *error = "timestamp '" + std::string(s) + "' needs a zone: Z or +HH:MM";
    return false;
  }
  int64_t days;
  if (hour > 23 || minute > 59 || second > 60 || !DaysFromCivil(year, month, day, &days)) {
    *error = "timestamp '" + std::string(s) + "' is not a valid date and time";
    return false;
  }
  if (year == 0) {
    *error = "timestamp '" + std::string(s) + "' is out of range (year 1 to 9999)";
    return false;
  }
  out->seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset;
  out->nanos = static_cast<int32_t>(nanos);
  if (!TimestampInRange(*out)) {
    *error = "timestamp '" + std::string(s) + "' is out of range (year 1 to 9999)";
    return false;
  }
  return true;
}

std::string FormatTimestamp(TimeParts t) {
  int64_t days = t.seconds / 86400;
  int64_t rem = t.seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  date::year_month_day ymd{date::sys_days{date::days{days}}};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  std::string out = buf;
  if (t.nanos != 0) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09d", t.nanos);
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

bool ParseDuration(std::string_view s, int64_t* nanos, std::string* error) {
  std::string orig(s);
  auto fail = [&](const std::string& why) {
    *error = "duration '" + orig + "': " + why;
    return false;
  };
  size_t pos = 0;
  bool neg = false;
  if (pos < s.size() && (s[pos] == '-' || s[pos] == '+')) {
    neg = s[pos] == '-';
    ++pos;
  }
  if (s.substr(pos) == "0") {
    *nanos = 0;
    return true;
  }
  if (pos == s.size()) return fail("empty");
  // Accumulate in unsigned 128 bits; the result must fit int64 nanoseconds.
  unsigned __int128 total = 0;
  const unsigned __int128 limit = static_cast<unsigned __int128>(INT64_MAX) + (neg ? 1 : 0);
  while (pos < s.size()) {
    unsigned __int128 whole = 0;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      whole = whole * 10 + static_cast<unsigned>(s[pos] - '0');
      if (whole > limit) return fail("out of range");
      ++pos;
    }
    bool has_whole = pos > start;
    unsigned __int128 frac = 0, scale = 1;
    bool has_frac = false;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        if (scale < static_cast<unsigned __int128>(1000000000000000000ULL)) {
          frac = frac * 10 + static_cast<unsigned>(s[pos] - '0');
          scale *= 10;
        }
        has_frac = true;
        ++pos;
      }
    }
    if (!has_whole && !has_frac) return fail("expected a number");
    size_t ustart = pos;
    while (pos < s.size() && !(s[pos] >= '0' && s[pos] <= '9') && s[pos] != '.') ++pos;
    std::string_view unit = s.substr(ustart, pos - ustart);
    unsigned __int128 mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      mult = 1000;
    else if (unit == "ms")
      mult = 1000000;
    else if (unit == "s")
      mult = kNanosPerSecond;
    else if (unit == "m")
      mult = 60 * kNanosPerSecond;
    else if (unit == "h")
      mult = 3600 * kNanosPerSecond;
    else if (unit.empty())
      return fail("missing unit");
    else
      return fail("unknown unit '" + std::string(unit) + "'");
    total += whole * mult + frac * mult / scale;
    if (total > limit) return fail("out of range");
  }
  *nanos = neg ? static_cast<int64_t>(-static_cast<__int128>(total)) : static_cast<int64_t>(total);
  return true;
}

std::string FormatDuration(int64_t nanos) {
  bool neg = nanos < 0;
  unsigned __int128 abs =
      neg ? static_cast<unsigned __int128>(-static_cast<__int128>(nanos)) : static_cast<unsigned __int128>(nanos);
  uint64_t secs = static_cast<uint64_t>(abs / kNanosPerSecond);
  uint32_t frac = static_cast<uint32_t>(abs % kNanosPerSecond);
  std::string out = (neg ? "-" : "") + std::to_string(secs);
  if (frac != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%09u", frac);
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

bool ToCivil(TimeParts t, std::string_view zone, CivilTime* out, std::string* error) {
  int64_t local = t.seconds;
  if (!zone.empty()) {
    int64_t offset = 0;
    if (ParseOffset(zone, &offset)) {
      local += offset;
    } else {
      try {
        const date::time_zone* tz = date::locate_zone(std::string(zone));
        auto info = tz->get_info(date::sys_seconds{std::chrono::seconds{t.seconds}});
        local += info.offset.count();
      } catch (const std::exception&) {
        *error = "unknown time zone '" + std::string(zone) + "'";
        return false;
      }
    }
  }
  int64_t days = local / 86400;
  int64_t rem = local % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  date::sys_days sd{date::days{days}};
  date::year_month_day ymd{sd};
  out->year = static_cast<int>(ymd.year());
  out->month = static_cast<unsigned>(ymd.month());
  out->day = static_cast<unsigned>(ymd.day());
  out->hour = rem / 3600;
  out->minute = rem / 60 % 60;
  out->second = rem % 60;
  out->millisecond = t.nanos / 1000000;
  out->day_of_week = date::weekday{sd}.c_encoding();
  date::sys_days jan1{date::year_month_day{ymd.year(), date::January, date::day{1}}};
  out->day_of_year = (sd - jan1).count();
  return true;
}

}  // namespace qgrant::expr
