#include "common/money.h"

#include <gtest/gtest.h>

#include <climits>
#include <vector>

namespace qgrant::money {
namespace {

TEST(MoneyBoundTest, AcceptsTheBoundAndRejectsOneMore) {
  EXPECT_TRUE(CheckBound(kMaxFen).ok());
  EXPECT_TRUE(CheckBound(-kMaxFen).ok());
  EXPECT_FALSE(CheckBound(kMaxFen + 1).ok());
  EXPECT_FALSE(CheckBound(-kMaxFen - 1).ok());
  EXPECT_FALSE(CheckBound(INT64_MAX).ok());
  EXPECT_FALSE(CheckBound(INT64_MIN).ok());
  const Status st = CheckBound(INT64_MAX, "amount_fen").status();
  EXPECT_NE(st.message().find("amount_fen"), std::string::npos);
  EXPECT_NE(st.message().find("超出上限"), std::string::npos);
  EXPECT_NE(st.message().find("exceeds the bound"), std::string::npos);
}

TEST(MoneyAddTest, AddsUpToTheBoundExactly) {
  EXPECT_EQ(*Add(kMaxFen - 1, 1), kMaxFen);
  EXPECT_EQ(*Add(-kMaxFen, kMaxFen), 0);
  EXPECT_EQ(*Add(-5, 3), -2);
  EXPECT_FALSE(Add(kMaxFen, 1).ok());
  EXPECT_FALSE(Add(-kMaxFen, -1).ok());
}

TEST(MoneyAddTest, RejectsOperandsThatWouldWrap) {
  // INT64_MAX + 1 wraps to INT64_MIN in plain arithmetic; it must be an error instead.
  EXPECT_FALSE(Add(INT64_MAX, 1).ok());
  EXPECT_FALSE(Add(INT64_MIN, -1).ok());
  EXPECT_FALSE(Add(INT64_MAX, INT64_MIN).ok());  // no wrap, but both operands are past the bound
  EXPECT_FALSE(Add(0, INT64_MAX).ok());
}

TEST(MoneyMultiplyTest, ChecksTheProduct) {
  EXPECT_EQ(*Multiply(5'000'000, 3), 15'000'000);
  EXPECT_EQ(*Multiply(kMaxFen, 1), kMaxFen);
  EXPECT_EQ(*Multiply(kMaxFen, -1), -kMaxFen);
  EXPECT_EQ(*Multiply(7, 0), 0);
  EXPECT_FALSE(Multiply(kMaxFen, 2).ok());
  EXPECT_FALSE(Multiply(1'000'000'000, INT64_MAX).ok());  // wraps int64
  EXPECT_FALSE(Multiply(INT64_MAX, 1).ok());
  EXPECT_FALSE(Multiply(-1, INT64_MIN).ok());
}

TEST(MoneySumTest, SumsAndStopsAtTheBound) {
  const std::vector<int64_t> fine = {1, 2, 3, -4};
  EXPECT_EQ(*Sum(fine), 2);
  EXPECT_EQ(*Sum(std::vector<int64_t>{}), 0);
  // Eleven amounts of 9×10^17 fen: the ledger rows that once wrapped a sum.
  const std::vector<int64_t> huge(11, 900'000'000'000'000'000);
  EXPECT_FALSE(Sum(huge).ok());
  const std::vector<int64_t> just_over = {kMaxFen / 2, kMaxFen / 2, 1};
  EXPECT_FALSE(Sum(just_over).ok());
}

TEST(MoneyTotalTest, StaysFailedOnceFailed) {
  Total t;
  EXPECT_TRUE(t.Add(kMaxFen));
  EXPECT_FALSE(t.Add(1));
  EXPECT_FALSE(t.ok());
  EXPECT_FALSE(t.Add(-1));  // a later subtraction does not bring a failed sum back
  EXPECT_NE(t.status().message().find("10^15"), std::string::npos);
}

TEST(MoneyFormatTest, Yuan) {
  EXPECT_EQ(YuanGrouped(300'000'000), "3,000,000.00元");
  EXPECT_EQ(YuanPlain(300'000'000), "3000000.00元");
  EXPECT_EQ(YuanGrouped(0), "0.00元");
  EXPECT_EQ(YuanGrouped(1), "0.01元");
  EXPECT_EQ(YuanGrouped(123'456'789), "1,234,567.89元");
  EXPECT_EQ(YuanGrouped(-150), "-1.50元");
  EXPECT_EQ(YuanNumber(99'999, true), "999.99");
  EXPECT_EQ(YuanNumber(100'000, true), "1,000.00");
  EXPECT_EQ(YuanNumber(kMaxFen, true), "10,000,000,000,000.00");
  EXPECT_EQ(YuanNumber(INT64_MIN, false), "-92233720368547758.08");
}

TEST(MoneyFormatTest, WanIsExactWithTrailingZerosTrimmed) {
  EXPECT_EQ(Wan(300'000'000), "300万元");
  EXPECT_EQ(Wan(500'000), "0.5万元");
  EXPECT_EQ(Wan(100), "0.0001万元");
  EXPECT_EQ(Wan(1), "0.000001万元");
  EXPECT_EQ(Wan(0), "0万元");
  EXPECT_EQ(Wan(123'456'789), "123.456789万元");
  EXPECT_EQ(Wan(-2'500'000), "-2.5万元");
  EXPECT_EQ(WanNumber(kMaxFen), "1000000000");
  EXPECT_EQ(WanNumber(INT64_MAX), "9223372036854.775807");
}

TEST(MoneyFormatTest, WanFixedRoundsHalfAwayFromZero) {
  EXPECT_EQ(WanFixed(123'456'789, 2, true), "123.46");
  EXPECT_EQ(WanFixed(123'456'789, 6, false), "123.456789");
  EXPECT_EQ(WanFixed(1'234'567'890'000, 2, true), "1,234,567.89");
  EXPECT_EQ(WanFixed(5'000, 2, false), "0.01");  // half of 0.01 万元 rounds up
  EXPECT_EQ(WanFixed(-5'000, 2, false), "-0.01");
  EXPECT_EQ(WanFixed(-4'999, 2, false), "0.00");  // rounds to zero: no "-0.00"
  EXPECT_EQ(WanFixed(300'000'000, 0, true), "300");
  EXPECT_EQ(WanFixed(300'000'000, 9, false), "300.000000");  // clamped to six places
}

// The table formatter simulate and screen use (moved here from simulate/report).
TEST(MoneyFormatTest, WanFixedAsTheReportsUseIt) {
  EXPECT_EQ(WanFixed(123456789, 2, true), "123.46");
  EXPECT_EQ(WanFixed(123456789, 6, false), "123.456789");
  EXPECT_EQ(WanFixed(123455000, 2, true), "123.46");  // exactly half: away from zero
  EXPECT_EQ(WanFixed(123454999, 2, true), "123.45");
  EXPECT_EQ(WanFixed(-123455000, 2, true), "-123.46");
  EXPECT_EQ(WanFixed(-4999, 2, true), "0.00");  // rounds to zero: no "-0.00"
  EXPECT_EQ(WanFixed(5000, 2, true), "0.01");
  EXPECT_EQ(WanFixed(0, 2, true), "0.00");
  EXPECT_EQ(WanFixed(20000000000, 0, true), "20,000");  // the 2026 guide's budget, 2亿元
  EXPECT_EQ(WanFixed(123456789012345, 2, true), "123,456,789.01");
  EXPECT_EQ(WanFixed(INT64_MIN, 6, true), "-9,223,372,036,854.775808");
  EXPECT_EQ(WanFixed(INT64_MAX, 2, false), "9223372036854.78");
}

TEST(MoneyFormatTest, PeopleAndEnglish) {
  EXPECT_EQ(YuanPeople(300'000'000), "300万元（3,000,000.00元）");
  EXPECT_EQ(YuanPeople(500'000), "0.5万元（5,000.00元）");
  EXPECT_EQ(YuanEnglish(300'000'000), "3,000,000.00 yuan");
  EXPECT_EQ(YuanBrief(300'000'000), "300万元");
  EXPECT_EQ(YuanBrief(150'000), "1,500.00元");  // WEB.md: 元 with two decimals
  EXPECT_EQ(YuanBrief(123'456), "1,234.56元");
  EXPECT_EQ(YuanBrief(5), "0.05元");
  EXPECT_EQ(YuanBrief(0), "0.00元");
  EXPECT_EQ(YuanBrief(-2'000'000), "-2万元");
  EXPECT_EQ(YuanEnglish(-1), "-0.01 yuan");
}

// The words a reason gives an amount, written without a string, read as Wan (a whole number of
// 万元), YuanGrouped and YuanEnglish write them.
TEST(MoneyFormatTest, WordsWrittenInPlaceReadAsTheStrings) {
  std::vector<int64_t> amounts = {0,
                                  1,
                                  -1,
                                  99,
                                  100,
                                  -100,
                                  999'999,
                                  1'000'000,
                                  -1'000'000,
                                  1'000'001,
                                  12'345'678,
                                  63'328'49,
                                  kMaxFen,
                                  -kMaxFen,
                                  INT64_MAX,
                                  INT64_MIN,
                                  INT64_MIN + 1,
                                  300'000'000,
                                  100'000'000'000};
  uint64_t x = 88172645463325252ull;  // xorshift: amounts of every length and sign
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    const int64_t v = static_cast<int64_t>(x >> (x % 60));
    amounts.push_back(i % 2 ? v : -v);
    amounts.push_back((v % 1000) * 1'000'000);
  }
  for (const int64_t fen : amounts) {
    char zh[kWordsRoom], en[kWordsRoom];
    const size_t zh_size = WriteWordsZh(fen, zh), en_size = WriteWordsEn(fen, en);
    EXPECT_EQ(std::string(zh, zh_size), fen != 0 && fen % 1'000'000 == 0 ? Wan(fen) : YuanGrouped(fen)) << fen;
    EXPECT_EQ(std::string(en, en_size), YuanEnglish(fen)) << fen;
  }
}

}  // namespace
}  // namespace qgrant::money
