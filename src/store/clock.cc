#include "store/clock.h"

#include <cstdio>

namespace qgrant::store {

std::string FormatInstant(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto local = t + hours(8);
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<milliseconds>(local - day)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03d+08:00", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count()),
                int(hms.subseconds().count()));
  return buf;
}

Clock RealClock() {
  return [] { return FormatInstant(std::chrono::system_clock::now()); };
}

}  // namespace qgrant::store
