// ParallelSlices and JoiningThreads (common/parallel.h): every slice is run once, and what a
// thread throws reaches the caller after every thread has ended, instead of ending the process.
#include "common/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <vector>

namespace qgrant {
namespace {

TEST(ParallelSlicesTest, CoversEveryIndexOnce) {
  for (const size_t n : {size_t{0}, size_t{10}, size_t{1023}, size_t{1024}, size_t{100001}}) {
    std::vector<int> seen(n, 0);
    std::atomic<size_t> slices{0};
    ParallelSlices(n, 3, [&](size_t begin, size_t end, size_t w) {
      EXPECT_LT(w, 3u);
      for (size_t i = begin; i < end; ++i) ++seen[i];
      ++slices;
    });
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(seen[i], 1) << "n " << n << ", index " << i;
    EXPECT_EQ(slices.load(), n < 1024 ? 1u : 3u) << n;
  }
}

TEST(ParallelSlicesTest, AWorkersExceptionReachesTheCallerAfterEveryThreadEnded) {
  std::atomic<int> finished{0};
  try {
    ParallelSlices(4096, 4, [&](size_t, size_t, size_t w) {
      if (w == 2) throw std::bad_alloc();
      ++finished;
    });
    FAIL() << "the exception was lost";
  } catch (const std::bad_alloc&) {
    EXPECT_EQ(finished.load(), 3);  // the other slices ran to their end before it was rethrown
  }
}

TEST(JoiningThreadsTest, JoinRethrowsTheFirstFailureAndDestructionJoins) {
  std::atomic<int> ran{0};
  {
    JoiningThreads threads;
    threads.Run([&] { ++ran; });
    threads.Run([] { throw std::runtime_error("the ledger could not be read"); });
    threads.Run([&] { ++ran; });
    try {
      threads.Join();
      FAIL() << "the exception was lost";
    } catch (const std::runtime_error& e) {
      EXPECT_STREQ(e.what(), "the ledger could not be read");
    }
    EXPECT_EQ(ran.load(), 2);
  }
  {
    JoiningThreads left;  // not joined: its destructor waits instead of std::terminate
    left.Run([&] { ++ran; });
  }
  EXPECT_EQ(ran.load(), 3);
}

}  // namespace
}  // namespace qgrant
