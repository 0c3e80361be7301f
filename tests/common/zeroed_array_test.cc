#include "common/zeroed_array.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>

namespace qgrant {
namespace {

struct Slot {
  uint32_t tag;
  uint32_t row;
};

TEST(ZeroedArrayTest, StartsAllZeroAtAnySize) {
  for (const size_t n : {size_t{1}, size_t{3}, size_t{4096}, size_t{600000}}) {  // the last spans huge pages
    ZeroedArray<Slot> a(n);
    ASSERT_EQ(a.size(), n);
    for (size_t i = 0; i < n; i += 997) {
      EXPECT_EQ(a[i].tag, 0u);
      EXPECT_EQ(a[i].row, 0u);
    }
    EXPECT_EQ(a[n - 1].row, 0u);
    a[n - 1] = {7, 8};  // writable to the last element
    EXPECT_EQ(a[n - 1].row, 8u);
  }
  ZeroedArray<Slot> none(0);
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.begin(), none.end());
}

TEST(ZeroedArrayTest, CopiesAreDeepAndMovesLeaveTheSourceEmpty) {
  ZeroedArray<uint64_t> a(1000);
  for (size_t i = 0; i < a.size(); ++i) a[i] = i * 3;
  ZeroedArray<uint64_t> copy = a;
  copy[5] = 1;
  EXPECT_EQ(a[5], 15u);
  EXPECT_EQ(copy[999], 2997u);
  ZeroedArray<uint64_t> moved = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the state after a move is defined
  EXPECT_EQ(moved.size(), 1000u);
  EXPECT_EQ(moved[999], 2997u);
  moved = ZeroedArray<uint64_t>(10);  // the old mapping is released, the new one is zero
  EXPECT_EQ(moved.size(), 10u);
  EXPECT_EQ(moved[9], 0u);
  copy = moved;
  EXPECT_EQ(copy.size(), 10u);
}

}  // namespace
}  // namespace qgrant
