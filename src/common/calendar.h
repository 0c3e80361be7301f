// The official working-day calendar of mainland China: weekends, public holidays (放假) and the
// adjusted working weekend days (调休上班), one year per State Council notice
// (国务院办公厅关于YEAR年部分节假日安排的通知). The data lives in policies/calendar/YEAR.txt and
// is embedded at build time; a date in a year with no shipped notice is an error that names the
// year, never a guess, because a notice period (公示, CONTRACT §7) counted on a guessed calendar
// could end on the wrong day and nobody would notice until an objection was refused.
//
// Dates are day numbers (days since 1970-01-01, as policy::Date::days), so callers in higher
// layers pass their dates through without conversion; CivilDate and the ISO helpers are for people.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace qgrant::common {

// A proleptic Gregorian date, as a person writes it.
struct CivilDate {
  int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  auto operator<=>(const CivilDate&) const = default;
};

int64_t DaysFromCivil(CivilDate date);
CivilDate CivilFromDays(int64_t days);
// 0 = Sunday … 6 = Saturday.
int WeekdayOf(int64_t days);
// "YYYY-MM-DD" with a real month and day (2026-02-30 is rejected), years 1..9999.
Result<int64_t> ParseIsoDay(std::string_view text);
std::string FormatIsoDay(int64_t days);

// The notice a year's calendar was transcribed from, for the public notice page.
struct CalendarNotice {
  int year = 0;
  std::string title;      // 国务院办公厅关于2026年部分节假日安排的通知
  std::string number;     // 国办发明电〔2024〕12号; empty when the text found did not state it
  int64_t published = 0;  // day number of the date the notice bears
  std::string source;     // where the text can be read
  // "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）"
  std::string Citation() const;
};

// One line of a year file: a run of holidays, or one adjusted working day (first == last).
struct CalendarEntry {
  enum class Kind { kHoliday, kWorkday };
  Kind kind = Kind::kHoliday;
  int64_t first = 0;
  int64_t last = 0;
  std::string name;  // 春节, 国庆节 …
};

// A year's file: the text, and its name for messages ("2026.txt").
struct CalendarSource {
  std::string name;
  std::string text;
};

class WorkingCalendar {
 public:
  // Reads year files; any malformed line, a year given twice, a date listed twice, a holiday
  // count that disagrees with its dates, or a working day that is not a weekend is an error
  // naming the file and line.
  static Result<WorkingCalendar> Parse(const std::vector<CalendarSource>& sources);
  // The calendar built into this binary from policies/calendar (parsed once).
  static const Result<WorkingCalendar>& Official();

  std::vector<int> ShippedYears() const;
  Result<CalendarNotice> Notice(int year) const;
  // The year's lines in file order (empty for a year not shipped).
  std::vector<CalendarEntry> Entries(int year) const;

  Result<bool> IsWorkingDay(int64_t day) const;
  // The last of `n` working days counted from the day after `start` (start itself is never
  // counted, whatever it is); n >= 1. Fails, naming the year, when `start` or any day counted
  // lies in a year with no shipped calendar.
  Result<int64_t> AddWorkingDays(int64_t start, int n) const;

 private:
  struct Year {
    CalendarNotice notice;
    std::vector<CalendarEntry> entries;
  };
  Status CheckCovered(int64_t day) const;

  std::map<int, Year> years_;
  std::map<int64_t, CalendarEntry::Kind> special_days_;  // every holiday and adjusted working day
};

// The same questions, asked of WorkingCalendar::Official(); a broken embedded file is Internal.
Result<bool> IsWorkingDay(int64_t day);
Result<int64_t> AddWorkingDays(int64_t start, int n);
std::vector<int> ShippedYears();
Result<CalendarNotice> CalendarNoticeFor(int year);

}  // namespace qgrant::common
