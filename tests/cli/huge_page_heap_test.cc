// The allocator's heap on huge pages (cli/huge_page_heap.h): once switched, what tcmalloc takes
// from the system is 2 MB-aligned memory advised MADV_HUGEPAGE (the "hg" flag of
// /proc/self/smaps), and allocating, writing and freeing go on as before.
#include "cli/huge_page_heap.h"

#include <gtest/gtest.h>

#ifdef QGRANT_WITH_TCMALLOC
#include <gperftools/malloc_extension.h>
#endif

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace qgrant::cli {
namespace {

// The mapping of /proc/self/smaps that holds `p`: its start and its VmFlags line.
struct Mapping {
  uintptr_t start = 0, end = 0;
  std::string flags;
};

Mapping MappingOf(const void* p) {
  const auto at = reinterpret_cast<uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  Mapping m;
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    uintptr_t start = 0, end = 0;
    char dash = 0;
    std::istringstream range(line);
    if (range >> std::hex >> start >> dash >> end && dash == '-' && line.find(':') > line.find(' ')) {
      inside = start <= at && at < end;
      if (inside) m = {start, end, ""};
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      m.flags = line + " ";
      return m;
    }
  }
  return m;
}

TEST(HugePageHeapTest, WhatTheAllocatorTakesFromTheSystemIsOnAlignedHugePages) {
#ifndef QGRANT_WITH_TCMALLOC
  GTEST_SKIP() << "qgrant is built without tcmalloc (QGRANT_TCMALLOC=OFF): the heap is glibc's";
#else
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled")) GTEST_SKIP() << "this kernel has no huge pages";
  UseHugePagesForHeap(/*keep_freed=*/true);
  // Larger than anything tcmalloc holds yet: it grows its heap for this block.
  constexpr size_t kBytes = size_t{48} << 20;
  std::unique_ptr<char[]> block(new char[kBytes]);
  const Mapping m = MappingOf(block.get());
  ASSERT_NE(m.start, 0u) << "the block is in no mapping of /proc/self/smaps";
  EXPECT_EQ(m.start % (size_t{2} << 20), 0u) << std::hex << m.start;
  EXPECT_NE(m.flags.find(" hg "), std::string::npos) << m.flags;
  EXPECT_GE(m.end - m.start, kBytes);
  std::memset(block.get(), 0x5a, kBytes);
  EXPECT_EQ(block[0], 0x5a);
  EXPECT_EQ(block[kBytes - 1], 0x5a);
#endif
}

// A command keeps what it frees; the service hands it back at tcmalloc's own rate.
TEST(HugePageHeapTest, OnlyACommandKeepsFreedMemory) {
#ifndef QGRANT_WITH_TCMALLOC
  GTEST_SKIP() << "qgrant is built without tcmalloc (QGRANT_TCMALLOC=OFF): the heap is glibc's";
#else
  MallocExtension::instance()->SetMemoryReleaseRate(1.0);
  UseHugePagesForHeap(/*keep_freed=*/false);
  EXPECT_EQ(MallocExtension::instance()->GetMemoryReleaseRate(), 1.0);
  UseHugePagesForHeap(/*keep_freed=*/true);
  EXPECT_EQ(MallocExtension::instance()->GetMemoryReleaseRate(), 0.0);
#endif
}

// Small blocks by the hundred thousand, across the switch: each keeps what was written to it.
TEST(HugePageHeapTest, SmallBlocksKeepTheirContents) {
  std::vector<std::string> before, after;
  for (int i = 0; i < 100000; ++i) before.push_back("before-the-switch-" + std::to_string(i));
  UseHugePagesForHeap(/*keep_freed=*/false);
  UseHugePagesForHeap(/*keep_freed=*/false);  // twice is harmless
  for (int i = 0; i < 100000; ++i) after.push_back("after-the-switch-" + std::to_string(i));
  before.erase(before.begin(), before.begin() + 50000);
  for (int i = 0; i < 50000; ++i) {
    ASSERT_EQ(before[i], "before-the-switch-" + std::to_string(i + 50000));
    ASSERT_EQ(after[i], "after-the-switch-" + std::to_string(i));
  }
}

}  // namespace
}  // namespace qgrant::cli
