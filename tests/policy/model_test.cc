#include "policy/model.h"

#include <gtest/gtest.h>

namespace qgrant::policy {
namespace {

TEST(ClauseEnTest, WritesClauseNumbersInDigits) {
  EXPECT_EQ(ClauseEn("一（一）"), "1(1)");
  EXPECT_EQ(ClauseEn("一（三）"), "1(3)");
  EXPECT_EQ(ClauseEn("三（八）"), "3(8)");
  EXPECT_EQ(ClauseEn("三（十一）"), "3(11)");
  EXPECT_EQ(ClauseEn("四（十二）"), "4(12)");
  EXPECT_EQ(ClauseEn("（四）"), "(4)");
  EXPECT_EQ(ClauseEn("（十四）"), "(14)");
  EXPECT_EQ(ClauseEn("（二十）"), "(20)");
  EXPECT_EQ(ClauseEn("（二十三）"), "(23)");
}

TEST(ClauseEnTest, LeavesOtherTextAlone) {
  EXPECT_EQ(ClauseEn(""), "");
  EXPECT_EQ(ClauseEn("policies/sz-quality-brand/policy.yaml:36"), "policies/sz-quality-brand/policy.yaml:36");
  EXPECT_EQ(ClauseEn("sz-quality-brand-guide-2026"), "sz-quality-brand-guide-2026");
  EXPECT_EQ(ClauseEn("三（八"), "三（八");          // unclosed
  EXPECT_EQ(ClauseEn("三（八）条"), "三（八）条");  // more than a number
  EXPECT_EQ(ClauseEn("十十"), "十十");
  EXPECT_EQ(ClauseEn("三三（八）"), "三三（八）");
}

}  // namespace
}  // namespace qgrant::policy
