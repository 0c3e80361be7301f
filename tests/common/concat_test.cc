#include "common/concat.h"

#include <gtest/gtest.h>

#include <string>

namespace qgrant {
namespace {

TEST(ConcatTest, JoinsLiteralsStringsAndViewsInOrder) {
  const std::string date = "2025年9月12日";
  const std::string_view tail = "，不予支持";
  EXPECT_EQ(Concat("取得日期", date, "早于", std::string("2026年1月1日"), tail),
            "取得日期2025年9月12日早于2026年1月1日，不予支持");
  EXPECT_EQ(Concat("", std::string()), "");
  // Long enough to leave the small-string buffer: the size is reserved once.
  const std::string piece(40, 'x');
  const std::string joined = Concat(piece, "-", piece);
  EXPECT_EQ(joined.size(), 81u);
  EXPECT_EQ(joined[40], '-');
  EXPECT_EQ(joined.capacity(), 81u);
}

}  // namespace
}  // namespace qgrant
