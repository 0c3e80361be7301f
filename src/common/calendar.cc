#include "common/calendar.h"

#include <array>
#include <cstdio>
#include <optional>
#include <set>

namespace qgrant::common {

namespace internal {
// Defined in the file the build generates from policies/calendar/*.txt (calendar_data.cc.in).
const std::vector<CalendarSource>& EmbeddedCalendarSources();
}  // namespace internal

namespace {

constexpr int64_t kFirstYear = 1;
constexpr int64_t kLastYear = 9999;

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

std::string Num(int64_t v) { return std::to_string(v); }

// "2024年11月12日", as the notices write dates.
std::string ChineseDay(int64_t days) {
  CivilDate c = CivilFromDays(days);
  return Num(c.year) + "年" + Num(c.month) + "月" + Num(c.day) + "日";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Splits on spaces into at most `max` fields; the last keeps any further spaces.
std::vector<std::string_view> Fields(std::string_view s, size_t max) {
  std::vector<std::string_view> out;
  s = Trim(s);
  while (!s.empty()) {
    size_t end = out.size() + 1 == max ? s.size() : s.find(' ');
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(0, end));
    s = Trim(s.substr(end));
  }
  return out;
}

std::optional<int> WeekdayFromChinese(std::string_view text) {
  static constexpr std::array<std::string_view, 7> kNames = {"周日", "周一", "周二", "周三", "周四", "周五", "周六"};
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (text == kNames[i]) return static_cast<int>(i);
  }
  return std::nullopt;
}

bool IsWeekend(int64_t day) {
  int w = WeekdayOf(day);
  return w == 0 || w == 6;
}

std::string ShippedList(const std::vector<int>& years, std::string_view sep, std::string_view unit) {
  std::string out;
  for (int y : years) out += (out.empty() ? "" : std::string(sep)) + Num(y) + std::string(unit);
  return out.empty() ? "无 / none" : out;
}

// One year file, line by line. Every error names the file and the line.
class YearParser {
 public:
  explicit YearParser(const CalendarSource& source) : source_(source) {}

  Status Run() {
    std::string_view text = source_.text;
    for (size_t pos = 0; pos < text.size();) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      ++line_;
      QGRANT_RETURN_IF_ERROR(Line(Trim(text.substr(pos, end - pos))));
      pos = end + 1;
    }
    line_ = 0;  // what Finish finds missing belongs to the whole file, not a line
    return Finish();
  }

  int year() const { return year_; }
  CalendarNotice notice() const { return notice_; }
  const std::vector<CalendarEntry>& entries() const { return entries_; }

 private:
  Status Error(const std::string& zh, const std::string& en) const {
    std::string where_zh = "日历文件 " + source_.name + (line_ ? " 第" + Num(line_) + "行" : "");
    std::string where_en = "calendar file " + source_.name + (line_ ? " line " + Num(line_) : "");
    return Status::ParseError(where_zh + "：" + zh + " / " + where_en + ": " + en);
  }

  Status Line(std::string_view line) {
    if (line.empty() || line.front() == '#') return Status::Ok();
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return Error("应为“键: 值”", "expected \"key: value\"");
    }
    std::string_view key = Trim(line.substr(0, colon));
    std::string_view value = Trim(line.substr(colon + 1));
    if (key == "holiday") return Holiday(value);
    if (key == "workday") return Workday(value);
    return Header(key, value);
  }

  Status Header(std::string_view key, std::string_view value) {
    if (key == "year") return Year(value);
    if (key == "published") return Published(value);
    std::string* field = key == "title"    ? &notice_.title
                         : key == "number" ? &notice_.number
                         : key == "source" ? &notice_.source
                                           : nullptr;
    if (field == nullptr) {
      return Error("未知的键“" + std::string(key) + "”", "unknown key \"" + std::string(key) + "\"");
    }
    if (!field->empty()) return Error("“" + std::string(key) + "”重复", "\"" + std::string(key) + "\" given twice");
    if (value.empty()) return Error("“" + std::string(key) + "”为空", "\"" + std::string(key) + "\" is empty");
    *field = std::string(value);
    return Status::Ok();
  }

  Status Year(std::string_view value) {
    if (year_ != 0) return Error("“year”重复", "\"year\" given twice");
    if (value.size() != 4 || value.find_first_not_of("0123456789") != std::string_view::npos) {
      return Error("年份应为四位数字：" + std::string(value), "the year must be four digits: " + std::string(value));
    }
    year_ = std::stoi(std::string(value));
    notice_.year = year_;
    // A file named for a year must hold that year, so that 2026.txt cannot silently ship 2027.
    std::string expected = Num(year_) + ".txt";
    if (source_.name.size() == expected.size() && source_.name.ends_with(".txt") && source_.name != expected) {
      return Error("文件名与年份" + Num(year_) + "不符", "the file name does not match year " + Num(year_));
    }
    return Status::Ok();
  }

  Status Published(std::string_view value) {
    if (has_published_) return Error("“published”重复", "\"published\" given twice");
    Result<int64_t> day = ParseIsoDay(value);
    if (!day.ok()) return Error(day.status().message(), "bad published date");
    notice_.published = *day;
    has_published_ = true;
    return Status::Ok();
  }

  Result<int64_t> Day(std::string_view text, std::string_view what) const {
    Result<int64_t> day = ParseIsoDay(text);
    if (!day.ok()) return Error(day.status().message(), "bad " + std::string(what));
    return day;
  }

  // holiday: FIRST LAST DAYS NAME — DAYS is the notice's "共N天", checked against the dates.
  Status Holiday(std::string_view value) {
    std::vector<std::string_view> f = Fields(value, 4);
    if (f.size() != 4) {
      return Error("放假行应为“首日 末日 天数 名称”", "a holiday line is \"first last days name\"");
    }
    Result<int64_t> first = Day(f[0], "first day");
    if (!first.ok()) return first.status();
    Result<int64_t> last = Day(f[1], "last day");
    if (!last.ok()) return last.status();
    if (*last < *first) return Error("末日早于首日", "the last day is before the first");
    if (Num(*last - *first + 1) != f[2]) {
      return Error("天数" + std::string(f[2]) + "与日期不符（应为" + Num(*last - *first + 1) + "）",
                   "the count " + std::string(f[2]) + " disagrees with the dates (" + Num(*last - *first + 1) + ")");
    }
    return Add({CalendarEntry::Kind::kHoliday, *first, *last, std::string(f[3])});
  }

  // workday: DATE WEEKDAY NAME — the weekday as the notice prints it, and it must be a weekend.
  Status Workday(std::string_view value) {
    std::vector<std::string_view> f = Fields(value, 3);
    if (f.size() != 3) {
      return Error("上班行应为“日期 星期 名称”", "a workday line is \"date weekday name\"");
    }
    Result<int64_t> day = Day(f[0], "date");
    if (!day.ok()) return day.status();
    std::optional<int> weekday = WeekdayFromChinese(f[1]);
    if (!weekday) return Error("星期应为周日至周六：" + std::string(f[1]), "bad weekday");
    if (*weekday != WeekdayOf(*day)) {
      return Error(std::string(f[0]) + "不是" + std::string(f[1]), std::string(f[0]) + " is not that weekday");
    }
    if (!IsWeekend(*day)) {
      return Error("调休上班日应为周六或周日：" + std::string(f[0]),
                   "an adjusted working day must be a Saturday or Sunday: " + std::string(f[0]));
    }
    return Add({CalendarEntry::Kind::kWorkday, *day, *day, std::string(f[2])});
  }

  Status Add(CalendarEntry entry) {
    if (year_ == 0) return Error("“year”须写在日期之前", "\"year\" must come before the dates");
    // A notice may reach one day into a neighbouring year (元旦 from 31 December), no further.
    for (int64_t d : {entry.first, entry.last}) {
      if (CivilFromDays(d).year < year_ - 1 || CivilFromDays(d).year > year_ + 1) {
        return Error(FormatIsoDay(d) + "不在" + Num(year_) + "年前后",
                     FormatIsoDay(d) + " is too far from " + Num(year_));
      }
    }
    entries_.push_back(std::move(entry));
    return Status::Ok();
  }

  Status Finish() const {
    if (year_ == 0) return Error("缺少“year”", "\"year\" is missing");
    if (notice_.title.empty()) return Error("缺少“title”", "\"title\" is missing");
    if (!has_published_) return Error("缺少“published”", "\"published\" is missing");
    if (entries_.empty()) return Error("没有任何放假或上班日期", "no holiday or working day listed");
    return Status::Ok();
  }

  const CalendarSource& source_;
  int line_ = 0;
  int year_ = 0;
  bool has_published_ = false;
  CalendarNotice notice_;
  std::vector<CalendarEntry> entries_;
};

}  // namespace

// Howard Hinnant's days_from_civil / civil_from_days (public-domain algorithms).
int64_t DaysFromCivil(CivilDate date) {
  int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (date.month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  int64_t doe = days - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

int WeekdayOf(int64_t days) {
  // 1970-01-01 was a Thursday (4).
  int64_t w = (days + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

Result<int64_t> ParseIsoDay(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("日期应为YYYY-MM-DD：“" + std::string(text) + "” / a date must be YYYY-MM-DD: \"" +
                                   std::string(text) + "\"");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return bad();
  }
  auto number = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  CivilDate c{number(0, 4), number(5, 2), number(8, 2)};
  if (c.year < kFirstYear || c.month < 1 || c.month > 12 || c.day < 1 || c.day > DaysInMonth(c.year, c.month)) {
    return bad();
  }
  return DaysFromCivil(c);
}

std::string FormatIsoDay(int64_t days) {
  CivilDate c = CivilFromDays(days);
  if (c.year >= 0 && c.year <= 9999) {  // every date a decision prints: digits by hand, not printf
    std::string out = "0000-00-00";
    for (int64_t y = c.year, i = 3; i >= 0; --i, y /= 10) out[static_cast<size_t>(i)] = static_cast<char>('0' + y % 10);
    out[5] = static_cast<char>('0' + c.month / 10);
    out[6] = static_cast<char>('0' + c.month % 10);
    out[8] = static_cast<char>('0' + c.day / 10);
    out[9] = static_cast<char>('0' + c.day % 10);
    return out;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month, c.day);
  return buf;
}

std::string CalendarNotice::Citation() const {
  std::string detail = number.empty() ? "" : number + "，";
  return title + "（" + detail + ChineseDay(published) + "）";
}

Result<WorkingCalendar> WorkingCalendar::Parse(const std::vector<CalendarSource>& sources) {
  WorkingCalendar cal;
  for (const CalendarSource& source : sources) {
    YearParser parser(source);
    QGRANT_RETURN_IF_ERROR(parser.Run());
    if (cal.years_.contains(parser.year())) {
      return Status::ParseError("日历文件 " + source.name + "：" + Num(parser.year()) +
                                "年已由另一文件给出 / calendar file " + source.name + ": year " + Num(parser.year()) +
                                " is already given by another file");
    }
    for (const CalendarEntry& e : parser.entries()) {
      for (int64_t d = e.first; d <= e.last; ++d) {
        if (!cal.special_days_.emplace(d, e.kind).second) {
          return Status::ParseError("日历文件 " + source.name + "：" + FormatIsoDay(d) + "重复列出 / calendar file " +
                                    source.name + ": " + FormatIsoDay(d) + " is listed twice");
        }
      }
    }
    cal.years_[parser.year()] = {parser.notice(), parser.entries()};
  }
  return cal;
}

const Result<WorkingCalendar>& WorkingCalendar::Official() {
  static const Result<WorkingCalendar> official = [] {
    Result<WorkingCalendar> cal = Parse(internal::EmbeddedCalendarSources());
    if (cal.ok()) return cal;
    // A broken shipped file is our fault, not the caller's: Internal, with the file's own message.
    return Result<WorkingCalendar>(
        Status::Internal("内置工作日历无效 / the built-in calendar is invalid: " + cal.status().message()));
  }();
  return official;
}

std::vector<int> WorkingCalendar::ShippedYears() const {
  std::vector<int> out;
  for (const auto& [year, _] : years_) out.push_back(year);
  return out;
}

Result<CalendarNotice> WorkingCalendar::Notice(int year) const {
  auto it = years_.find(year);
  if (it == years_.end()) return CheckCovered(DaysFromCivil({year, 1, 1}));
  return it->second.notice;
}

std::vector<CalendarEntry> WorkingCalendar::Entries(int year) const {
  auto it = years_.find(year);
  return it == years_.end() ? std::vector<CalendarEntry>{} : it->second.entries;
}

Status WorkingCalendar::CheckCovered(int64_t day) const {
  if (day < DaysFromCivil({kFirstYear, 1, 1}) || day > DaysFromCivil({kLastYear, 12, 31})) {
    return Status::InvalidArgument("日期超出范围（第" + Num(day) + "日）/ date out of range (day " + Num(day) + ")");
  }
  int64_t year = CivilFromDays(day).year;
  if (years_.contains(static_cast<int>(year))) return Status::Ok();
  std::vector<int> shipped = ShippedYears();
  return Status::InvalidArgument(Num(year) + "年的法定节假日安排尚未收录（国务院办公厅通知未发布或未载入；已收录：" +
                                 ShippedList(shipped, "、", "年") + "）/ no official calendar is shipped for " +
                                 Num(year) + " (shipped: " + ShippedList(shipped, ", ", "") + ")");
}

Result<bool> WorkingCalendar::IsWorkingDay(int64_t day) const {
  QGRANT_RETURN_IF_ERROR(CheckCovered(day));
  auto it = special_days_.find(day);
  if (it != special_days_.end()) return it->second == CalendarEntry::Kind::kWorkday;
  return !IsWeekend(day);
}

Result<int64_t> WorkingCalendar::AddWorkingDays(int64_t start, int n) const {
  if (n < 1) {
    return Status::InvalidArgument("工作日数应至少为1，实为" + Num(n) +
                                   " / the number of working days must be at least 1, not " + Num(n));
  }
  QGRANT_RETURN_IF_ERROR(CheckCovered(start));
  int64_t day = start;
  for (int counted = 0; counted < n;) {
    Result<bool> working = IsWorkingDay(++day);
    if (!working.ok()) return working.status();
    if (*working) ++counted;
  }
  return day;
}

Result<bool> IsWorkingDay(int64_t day) {
  const Result<WorkingCalendar>& cal = WorkingCalendar::Official();
  if (!cal.ok()) return cal.status();
  return cal->IsWorkingDay(day);
}

Result<int64_t> AddWorkingDays(int64_t start, int n) {
  const Result<WorkingCalendar>& cal = WorkingCalendar::Official();
  if (!cal.ok()) return cal.status();
  return cal->AddWorkingDays(start, n);
}

std::vector<int> ShippedYears() {
  const Result<WorkingCalendar>& cal = WorkingCalendar::Official();
  return cal.ok() ? cal->ShippedYears() : std::vector<int>{};
}

Result<CalendarNotice> CalendarNoticeFor(int year) {
  const Result<WorkingCalendar>& cal = WorkingCalendar::Official();
  if (!cal.ok()) return cal.status();
  return cal->Notice(year);
}

}  // namespace qgrant::common
