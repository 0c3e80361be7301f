#include "common/huge_pages.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

namespace qgrant {
namespace {

bool OnHugePageBoundary(const void* p) { return reinterpret_cast<uintptr_t>(p) % kHugePageBytes == 0; }

// A vector that grows past 2 MB moves onto whole huge pages and keeps every element, in order.
TEST(HugePageAllocatorTest, GrowingVectorKeepsItsElementsAndLargeBlocksAreAligned) {
  HugePageVector<uint32_t> v;
  for (uint32_t i = 0; i < 1'500'000; ++i) v.push_back(i * 7);
  EXPECT_TRUE(OnHugePageBoundary(v.data()));
  for (uint32_t i = 0; i < v.size(); i += 4999) ASSERT_EQ(v[i], i * 7);
  EXPECT_EQ(v.back(), 1'499'999u * 7);

  HugePageVector<uint32_t> small(10, 3);  // an ordinary block
  EXPECT_EQ(small[9], 3u);
  HugePageVector<uint32_t> copy = v;  // copies allocate the same way
  EXPECT_EQ(copy, v);
}

TEST(HugePageAllocatorTest, StringAppendsAcrossTheSizeWhereBlocksBecomeHugePages) {
  HugePageString s;
  std::string expected;
  for (int i = 0; s.size() < 3 * kHugePageBytes; ++i) {
    const std::string piece = "行" + std::to_string(i) + ";";
    s += piece;
    expected += piece;
  }
  EXPECT_TRUE(OnHugePageBoundary(s.data()));
  EXPECT_EQ(std::string_view(s), std::string_view(expected));
}

TEST(HugePageBufferTest, HoldsWhatIsWrittenAndMovesWithoutCopying) {
  HugePageBuffer none;
  EXPECT_EQ(none.get(), nullptr);
  EXPECT_EQ(none.size(), 0u);

  HugePageBuffer big((4 << 20) + 64);
  ASSERT_TRUE(OnHugePageBoundary(big.get()));
  std::memset(big.get(), 'x', big.size());  // every byte of it writable
  big.get()[big.size() - 1] = 'y';
  char* data = big.get();
  HugePageBuffer moved(std::move(big));
  EXPECT_EQ(moved.get(), data);
  EXPECT_EQ(big.get(), nullptr);  // NOLINT(bugprone-use-after-move): a moved-from buffer is empty
  EXPECT_EQ(moved.get()[moved.size() - 1], 'y');

  HugePageBuffer small(100);
  small.get()[99] = 'z';
  small = std::move(moved);  // the small block is released, the big one taken over
  EXPECT_EQ(small.get(), data);
  EXPECT_EQ(small.size(), size_t{(4 << 20) + 64});
}

}  // namespace
}  // namespace qgrant
