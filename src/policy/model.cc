#include "policy/model.h"

#include <date/date.h>

#include "common/calendar.h"
#include "expr/time_util.h"

namespace qgrant::policy {

bool ParseDate(std::string_view s, Date* out) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int64_t parts[3] = {0, 0, 0};
  size_t starts[3] = {0, 5, 8}, lens[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (size_t k = 0; k < lens[i]; ++k) {
      char c = s[starts[i] + k];
      if (c < '0' || c > '9') return false;
      parts[i] = parts[i] * 10 + (c - '0');
    }
  }
  if (parts[0] < 1) return false;
  return expr::DaysFromCivil(parts[0], parts[1], parts[2], &out->days);
}

std::string ClauseEn(std::string_view clause) {
  // Chinese numerals up to 99 (the measures have fourteen clauses), each 3 bytes of UTF-8.
  static constexpr std::string_view kDigits[] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
  static constexpr std::string_view kTen = "十", kOpen = "（", kClose = "）";
  std::string out;
  size_t i = 0;
  auto number = [&]() -> bool {  // a numeral at i, written out in digits
    int value = 0, digits = 0;
    bool ten = false;
    while (i < clause.size()) {
      if (clause.substr(i, 3) == kTen) {
        if (ten) return false;
        ten = true;
        value = (digits == 0 ? 1 : value) * 10;
        digits = 0;
        i += 3;
        continue;
      }
      int d = -1;
      for (int k = 0; k < 10; ++k) {
        if (clause.substr(i, 3) == kDigits[k]) d = k;
      }
      if (d < 0) break;
      if (digits > 0) return false;
      value += d;
      ++digits;
      i += 3;
    }
    if (!ten && digits == 0) return false;
    out += std::to_string(value);
    return true;
  };
  if (clause.substr(0, 3) != kOpen && !number()) return std::string(clause);
  while (i < clause.size()) {
    if (clause.substr(i, 3) != kOpen) return std::string(clause);
    i += 3;
    out += '(';
    if (!number() || clause.substr(i, 3) != kClose) return std::string(clause);
    i += 3;
    out += ')';
  }
  return out;
}

std::string FormatDate(Date d) { return common::FormatIsoDay(d.days); }

Date AddYears(Date d, int years) {
  date::year_month_day ymd{date::sys_days{date::days{d.days}}};
  date::year_month_day next = ymd + date::years{years};
  if (!next.ok()) next = next.year() / next.month() / date::last;  // 29 February -> 28 February
  return Date{date::sys_days(next).time_since_epoch().count()};
}

const Measure* RuleSet::FindMeasure(std::string_view id) const {
  const size_t i = MeasureIndex(id);
  return i == SIZE_MAX ? nullptr : measures[i];
}

size_t RuleSet::MeasureIndex(std::string_view id) const {
  for (size_t i = 0; i < measures.size(); ++i) {
    if (measures[i]->id == id) return i;
  }
  return SIZE_MAX;
}

void ForEachDataString(const expr::Value& data, const std::function<void(const std::string&)>& f) {
  if (data.kind() == expr::Kind::kString) {
    f(data.string_value());
  } else if (data.kind() == expr::Kind::kList) {
    for (const auto& e : data.list_value()) ForEachDataString(e, f);
  } else if (data.kind() == expr::Kind::kMap) {
    for (const auto& [k, e] : data.map_value().entries()) ForEachDataString(e, f);
  }
}

}  // namespace qgrant::policy
