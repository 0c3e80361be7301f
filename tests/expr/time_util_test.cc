// Timestamps and durations: RFC 3339 parsing and printing, Go duration strings, and calendar
// fields in IANA zones and fixed offsets (the tz database through the date library).
#include "expr/time_util.h"

#include <gtest/gtest.h>

#include <string>

namespace qgrant::expr {
namespace {

TimeParts MustParseTimestamp(std::string_view text) {
  TimeParts t;
  std::string error;
  EXPECT_TRUE(ParseTimestamp(text, &t, &error)) << text << ": " << error;
  return t;
}

std::string TimestampError(std::string_view text) {
  TimeParts t;
  std::string error;
  EXPECT_FALSE(ParseTimestamp(text, &t, &error)) << text;
  return error;
}

int64_t MustParseDuration(std::string_view text) {
  int64_t nanos = 0;
  std::string error;
  EXPECT_TRUE(ParseDuration(text, &nanos, &error)) << text << ": " << error;
  return nanos;
}

std::string DurationError(std::string_view text) {
  int64_t nanos = 0;
  std::string error;
  EXPECT_FALSE(ParseDuration(text, &nanos, &error)) << text;
  return error;
}

CivilTime Civil(std::string_view timestamp, std::string_view zone) {
  CivilTime c;
  std::string error;
  EXPECT_TRUE(ToCivil(MustParseTimestamp(timestamp), zone, &c, &error)) << zone << ": " << error;
  return c;
}

TEST(TimestampTest, Parse) {
  EXPECT_EQ(MustParseTimestamp("1970-01-01T00:00:00Z").seconds, 0);
  EXPECT_EQ(MustParseTimestamp("2009-02-13T23:31:30Z").seconds, 1234567890);
  EXPECT_EQ(MustParseTimestamp("2009-02-14T07:31:30+08:00").seconds, 1234567890);
  EXPECT_EQ(MustParseTimestamp("2009-02-13T18:31:30-05:00").seconds, 1234567890);
  EXPECT_EQ(MustParseTimestamp("2009-02-13t23:31:30z").seconds, 1234567890);
  TimeParts frac = MustParseTimestamp("2009-02-13T23:31:30.5Z");
  EXPECT_EQ(frac.nanos, 500000000);
  EXPECT_EQ(MustParseTimestamp("2009-02-13T23:31:30.123456789Z").nanos, 123456789);
  // Before the epoch, nanos stay in [0, 1e9).
  TimeParts before = MustParseTimestamp("1969-12-31T23:59:59.25Z");
  EXPECT_EQ(before.seconds, -1);
  EXPECT_EQ(before.nanos, 250000000);
  EXPECT_EQ(MustParseTimestamp("0001-01-01T00:00:00Z").seconds, kMinTimestampSeconds);
  EXPECT_EQ(MustParseTimestamp("9999-12-31T23:59:59Z").seconds, kMaxTimestampSeconds);
}

TEST(TimestampTest, ParseErrors) {
  EXPECT_NE(TimestampError("2024-01-01T00:00:00").find("needs a zone"), std::string::npos);
  EXPECT_NE(TimestampError("2024-02-30T00:00:00Z").find("not a valid date"), std::string::npos);
  EXPECT_NE(TimestampError("2024-01-01T24:00:00Z").find("not a valid"), std::string::npos);
  EXPECT_NE(TimestampError("2024-01-01T00:00:00.Z").find("empty fraction"), std::string::npos);
  EXPECT_NE(TimestampError("2024-01-01T00:00:00Zjunk").find("trailing text"), std::string::npos);
  EXPECT_NE(TimestampError("0000-01-01T00:00:00Z").find("out of range"), std::string::npos);
  EXPECT_NE(TimestampError("0001-01-01T00:00:00+01:00").find("out of range"), std::string::npos);
  TimestampError("");
  TimestampError("2024-1-01T00:00:00Z");
  TimestampError("2024-01-01 00:00:00Z");
}

TEST(TimestampTest, Format) {
  EXPECT_EQ(FormatTimestamp({0, 0}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp({1234567890, 500000000}), "2009-02-13T23:31:30.5Z");
  EXPECT_EQ(FormatTimestamp({1234567890, 1}), "2009-02-13T23:31:30.000000001Z");
  EXPECT_EQ(FormatTimestamp({-1, 0}), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatTimestamp({kMinTimestampSeconds, 0}), "0001-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp({kMaxTimestampSeconds, 999999999}), "9999-12-31T23:59:59.999999999Z");
}

TEST(DurationTest, Parse) {
  EXPECT_EQ(MustParseDuration("0"), 0);
  EXPECT_EQ(MustParseDuration("1s"), 1000000000);
  EXPECT_EQ(MustParseDuration("-1.5s"), -1500000000);
  EXPECT_EQ(MustParseDuration("+2m"), 120000000000);
  EXPECT_EQ(MustParseDuration("1h2m3.5s"), 3723500000000);
  EXPECT_EQ(MustParseDuration("100ms"), 100000000);
  EXPECT_EQ(MustParseDuration("7us"), 7000);
  EXPECT_EQ(MustParseDuration("7µs"), 7000);
  EXPECT_EQ(MustParseDuration("3ns"), 3);
  EXPECT_EQ(MustParseDuration(".5s"), 500000000);
  EXPECT_EQ(MustParseDuration("9223372036854775807ns"), INT64_MAX);
  EXPECT_EQ(MustParseDuration("-9223372036854775808ns"), INT64_MIN);
}

TEST(DurationTest, ParseErrors) {
  EXPECT_NE(DurationError("").find("empty"), std::string::npos);
  EXPECT_NE(DurationError("5").find("missing unit"), std::string::npos);
  EXPECT_NE(DurationError("1d").find("unknown unit 'd'"), std::string::npos);
  EXPECT_NE(DurationError("9223372036854775808ns").find("out of range"), std::string::npos);
  EXPECT_NE(DurationError("3000000h").find("out of range"), std::string::npos);
  EXPECT_NE(DurationError("99999999999999999999999999s").find("out of range"), std::string::npos);
  DurationError("s");
  DurationError("-");
  DurationError("1.s.");
}

TEST(DurationTest, Format) {
  EXPECT_EQ(FormatDuration(0), "0s");
  EXPECT_EQ(FormatDuration(1500000000), "1.5s");
  EXPECT_EQ(FormatDuration(-90000000000), "-90s");
  EXPECT_EQ(FormatDuration(1), "0.000000001s");
  EXPECT_EQ(FormatDuration(INT64_MIN), "-9223372036.854775808s");
}

TEST(CivilTest, FixedOffsetsAndZones) {
  // 2024-02-29 16:30:15.250 UTC.
  const char* ts = "2024-02-29T16:30:15.250Z";
  CivilTime utc = Civil(ts, "");
  EXPECT_EQ(utc.year, 2024);
  EXPECT_EQ(utc.month, 2);
  EXPECT_EQ(utc.day, 29);
  EXPECT_EQ(utc.hour, 16);
  EXPECT_EQ(utc.minute, 30);
  EXPECT_EQ(utc.second, 15);
  EXPECT_EQ(utc.millisecond, 250);
  EXPECT_EQ(utc.day_of_week, 4);  // Thursday
  EXPECT_EQ(utc.day_of_year, 59);

  for (const char* zone : {"Asia/Shanghai", "+08:00", "08:00"}) {
    CivilTime sz = Civil(ts, zone);
    EXPECT_EQ(sz.month, 3) << zone;
    EXPECT_EQ(sz.day, 1) << zone;
    EXPECT_EQ(sz.hour, 0) << zone;
    EXPECT_EQ(sz.minute, 30) << zone;
    EXPECT_EQ(sz.day_of_week, 5) << zone;
    EXPECT_EQ(sz.day_of_year, 60) << zone;
  }
  CivilTime west = Civil(ts, "-02:30");
  EXPECT_EQ(west.hour, 14);
  EXPECT_EQ(west.minute, 0);
}

TEST(CivilTest, DaylightSavingTime) {
  EXPECT_EQ(Civil("2024-07-01T12:00:00Z", "Europe/Berlin").hour, 14);
  EXPECT_EQ(Civil("2024-01-01T12:00:00Z", "Europe/Berlin").hour, 13);
  EXPECT_EQ(Civil("2024-07-01T12:00:00Z", "UTC").hour, 12);
}

TEST(CivilTest, UnknownZones) {
  CivilTime c;
  std::string error;
  EXPECT_FALSE(ToCivil({0, 0}, "Asia/Shenzhen", &c, &error));  // not a tz database name
  EXPECT_NE(error.find("unknown time zone 'Asia/Shenzhen'"), std::string::npos) << error;
  EXPECT_FALSE(ToCivil({0, 0}, "+24:00", &c, &error));
  EXPECT_FALSE(ToCivil({0, 0}, "+8", &c, &error));
}

TEST(CivilTest, EdgesOfTheRangeInZones) {
  // The last second of year 9999 is already year 10000 east of UTC: no overflow, no crash.
  EXPECT_EQ(Civil("9999-12-31T23:59:59Z", "+08:00").year, 10000);
  EXPECT_EQ(Civil("0001-01-01T00:00:00Z", "-08:00").year, 0);
  EXPECT_EQ(Civil("9999-12-31T23:59:59Z", "Asia/Shanghai").year, 10000);
}

TEST(CivilTest, DaysFromCivil) {
  int64_t days = 0;
  ASSERT_TRUE(DaysFromCivil(1970, 1, 1, &days));
  EXPECT_EQ(days, 0);
  ASSERT_TRUE(DaysFromCivil(2024, 2, 29, &days));
  EXPECT_EQ(days, 19782);
  EXPECT_FALSE(DaysFromCivil(2023, 2, 29, &days));
  EXPECT_FALSE(DaysFromCivil(2024, 13, 1, &days));
  EXPECT_FALSE(DaysFromCivil(2024, 4, 31, &days));
}

}  // namespace
}  // namespace qgrant::expr
