// RunPipeline: whatever thread runs which step, the in-order steps see the batches in input
// order, every record is prepared and finished once, finish follows settle, and no more batches
// are in flight than there are slots; and a step that throws, on any thread, stops the run and
// reaches the caller instead of std::terminate.
#include "common/pipeline.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace qgrant {
namespace {

void RunCase(size_t total, PipelineShape shape, size_t batch) {
  struct Slot {
    std::vector<int64_t> in, prepared, finished;
    int64_t running = 0;  // the running sum up to this batch, set by settle
  };
  std::vector<Slot> slots(shape.slots);
  size_t next = 0;
  int64_t sum = 0;
  int64_t last_settled = -1, last_written = -1;
  std::atomic<int> in_flight{0}, most_in_flight{0};
  std::vector<int64_t> out;
  std::mutex order_mu;
  bool in_order = true;

  PipelineStages stages;
  stages.fill = [&](size_t s) -> size_t {
    Slot& slot = slots[s];
    slot.in.clear();
    while (slot.in.size() < batch && next < total) slot.in.push_back(static_cast<int64_t>(next++));
    slot.prepared.assign(slot.in.size(), -1);
    slot.finished.assign(slot.in.size(), -1);
    if (!slot.in.empty()) {
      int now = ++in_flight;
      int seen = most_in_flight;
      while (now > seen && !most_in_flight.compare_exchange_weak(seen, now)) {
      }
    }
    return slot.in.size();
  };
  stages.prepare = [&](size_t s, size_t begin, size_t end, size_t worker) {
    ASSERT_LT(worker, shape.workers);
    for (size_t i = begin; i < end; ++i) {
      EXPECT_EQ(slots[s].prepared[i], -1);  // once
      slots[s].prepared[i] = slots[s].in[i] * 2;
    }
  };
  stages.settle = [&](size_t s) {
    Slot& slot = slots[s];
    for (size_t i = 0; i < slot.in.size(); ++i) {
      EXPECT_EQ(slot.prepared[i], slot.in[i] * 2);  // every record prepared before settling
      if (slot.in[i] != last_settled + 1) in_order = false;
      last_settled = slot.in[i];
      sum += slot.prepared[i];
    }
    slot.running = sum;
  };
  stages.finish = [&](size_t s, size_t begin, size_t end, size_t, size_t chunk) {
    EXPECT_EQ(chunk, begin / shape.chunk);
    for (size_t i = begin; i < end; ++i) {
      EXPECT_EQ(slots[s].finished[i], -1);
      slots[s].finished[i] = slots[s].prepared[i] + 1;
    }
  };
  stages.write = [&](size_t s) {
    Slot& slot = slots[s];
    for (size_t i = 0; i < slot.in.size(); ++i) {
      if (slot.in[i] != last_written + 1) in_order = false;
      last_written = slot.in[i];
      out.push_back(slot.finished[i]);
    }
    --in_flight;
  };
  RunPipeline(stages, shape);
  EXPECT_TRUE(in_order);
  ASSERT_EQ(out.size(), total);
  for (size_t i = 0; i < total; ++i) ASSERT_EQ(out[i], static_cast<int64_t>(2 * i + 1));
  EXPECT_EQ(sum, static_cast<int64_t>(total) * (static_cast<int64_t>(total) - 1));
  EXPECT_LE(most_in_flight.load(), static_cast<int>(shape.slots));
}

TEST(PipelineTest, KeepsOrderOnEveryCore) {
  RunCase(100000, {6, 2, 256}, 1024);
  RunCase(100000, {3, 4, 7}, 100);     // more threads than cores, ragged chunks
  RunCase(100000, {2, 1, 1000}, 999);  // one thread does everything
}

TEST(PipelineTest, EmptyAndTinyInputs) {
  RunCase(0, {6, 2, 256}, 1024);
  RunCase(1, {6, 2, 256}, 1024);
  RunCase(1025, {6, 2, 256}, 1024);
}

// A slot is always filled by the same worker, which also settles and writes its batches (their
// records stay on one core); every batch is still written once, in order.
TEST(PipelineTest, EachSlotIsFilledSettledAndWrittenByOneWorker) {
  constexpr size_t kSlots = 6, kBatches = 300;
  std::vector<std::set<std::thread::id>> fillers(kSlots);
  std::vector<std::thread::id> filler_of(kSlots);
  std::vector<int64_t> batch_of(kSlots, -1);
  int64_t next = 0;
  std::vector<int64_t> written;
  size_t settled_elsewhere = 0, written_elsewhere = 0;
  PipelineStages stages;
  stages.fill = [&](size_t s) -> size_t {
    if (next == static_cast<int64_t>(kBatches)) return 0;
    fillers[s].insert(std::this_thread::get_id());
    filler_of[s] = std::this_thread::get_id();
    batch_of[s] = next++;
    return 64;
  };
  stages.prepare = [](size_t, size_t, size_t, size_t) {};
  stages.settle = [&](size_t s) { settled_elsewhere += filler_of[s] != std::this_thread::get_id(); };
  stages.finish = [](size_t, size_t, size_t, size_t, size_t) {};
  stages.write = [&](size_t s) {
    written_elsewhere += filler_of[s] != std::this_thread::get_id();
    written.push_back(batch_of[s]);
  };
  RunPipeline(stages, {kSlots, 2, 16});
  ASSERT_EQ(written.size(), kBatches);
  for (size_t i = 0; i < kBatches; ++i) EXPECT_EQ(written[i], static_cast<int64_t>(i));
  EXPECT_EQ(settled_elsewhere, 0u);
  EXPECT_EQ(written_elsewhere, 0u);
  for (size_t s = 0; s < kSlots; ++s) EXPECT_LE(fillers[s].size(), 1u) << "slot " << s;
  // Slots 0, 2, 4 are one worker's and 1, 3, 5 the other's: no thread fills both kinds.
  for (size_t a = 0; a < kSlots; ++a) {
    for (size_t b = 0; b < kSlots; ++b) {
      if (a % 2 != b % 2 && !fillers[a].empty() && !fillers[b].empty()) {
        EXPECT_NE(*fillers[a].begin(), *fillers[b].begin());
      }
    }
  }
}

// std::bad_alloc in `prepare` on the second thread: worker 0 holds its chunk until worker 1 has
// thrown, so the exception is raised on a thread the caller did not start.
TEST(PipelineTest, AnExceptionOnAWorkerThreadReachesTheCaller) {
  std::atomic<bool> thrown{false};
  std::atomic<int64_t> failed{-1};  // the batch worker 1 failed on
  int64_t filled = 0;
  std::vector<int64_t> batch_of(4, -1);  // by slot
  std::vector<int64_t> written;
  PipelineStages stages;
  stages.fill = [&](size_t s) -> size_t {
    if (filled == 4) return 0;
    batch_of[s] = filled++;
    return 4096;
  };
  stages.prepare = [&](size_t s, size_t, size_t, size_t worker) {
    if (worker == 1) {
      failed = batch_of[s];
      thrown = true;
      throw std::bad_alloc();
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!thrown && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  };
  stages.settle = [](size_t) {};
  stages.finish = [](size_t, size_t, size_t, size_t, size_t) {};
  stages.write = [&](size_t s) { written.push_back(batch_of[s]); };
  EXPECT_THROW(RunPipeline(stages, {4, 2, 256}), std::bad_alloc);
  EXPECT_TRUE(thrown);
  // Worker 0 may finish the batches before the one that failed (worker 1 prepares the batches it
  // filled first) while the exception unwinds; none from the failed one on is written.
  ASSERT_GE(failed, 0);
  for (size_t i = 0; i < written.size(); ++i) {
    EXPECT_EQ(written[i], static_cast<int64_t>(i));
    EXPECT_LT(written[i], failed);
  }
}

// The address space the process has now, in bytes (VmSize), or 0.
size_t AddressSpace() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  size_t kb = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "VmSize: %zu kB", &kb) == 1) break;
  }
  std::fclose(f);
  return kb * 1024;
}

// Workers that cannot all be started (each thread's stack is 8 MB of address space, and the
// limit leaves room for about two): the run stops, the started ones are joined, and the caller
// hears why, where a thread left running used to end the process in std::terminate. In a child
// process, whose address space is limited.
TEST(PipelineDeathTest, WorkersThatCannotStartAreReportedNotFatal) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizers' shadow memory does not live under an address-space limit";
#endif
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        const size_t now = AddressSpace();
        if (now == 0) std::_Exit(0);  // no /proc: nothing to measure against
        rlimit limit{};
        limit.rlim_cur = limit.rlim_max = now + (size_t{20} << 20);
        if (setrlimit(RLIMIT_AS, &limit) != 0) std::_Exit(3);
        int batches = 0;
        PipelineStages stages;
        stages.fill = [&](size_t) -> size_t { return batches++ < 8 ? 1024 : 0; };
        stages.prepare = [](size_t, size_t, size_t, size_t) {};
        stages.settle = [](size_t) {};
        stages.finish = [](size_t, size_t, size_t, size_t, size_t) {};
        stages.write = [](size_t) {};
        try {
          RunPipeline(stages, {8, 8, 256});
          std::_Exit(4);  // every worker started after all: the limit did not bite
        } catch (const std::system_error&) {
          std::_Exit(0);
        } catch (...) {
          std::_Exit(2);
        }
      },
      ::testing::ExitedWithCode(0), "");
}

// Whichever step throws, at the fourth batch: the exception reaches the caller with its message,
// and the batches written are the ones before it, in order, and no other.
TEST(PipelineTest, AStepThatThrowsStopsTheRun) {
  for (const std::string step : {"fill", "prepare", "settle", "finish", "write"}) {
    for (const PipelineShape shape : {PipelineShape{4, 2, 64}, PipelineShape{3, 4, 7}, PipelineShape{2, 1, 100}}) {
      SCOPED_TRACE(step + " with " + std::to_string(shape.workers) + " workers");
      constexpr int64_t kBad = 3, kBatches = 50, kBatch = 300;
      std::vector<int64_t> batch_of(shape.slots, -1);
      int64_t next = 0;
      std::vector<int64_t> written;
      auto fail_at = [&](const char* here, size_t s) {
        if (step == here && batch_of[s] == kBad) throw std::runtime_error("disk on fire");
      };
      PipelineStages stages;
      stages.fill = [&](size_t s) -> size_t {
        if (step == "fill" && next == kBad) throw std::runtime_error("disk on fire");
        if (next == kBatches) return 0;
        batch_of[s] = next++;
        return kBatch;
      };
      stages.prepare = [&](size_t s, size_t, size_t, size_t) { fail_at("prepare", s); };
      stages.settle = [&](size_t s) { fail_at("settle", s); };
      stages.finish = [&](size_t s, size_t, size_t, size_t, size_t) { fail_at("finish", s); };
      stages.write = [&](size_t s) {
        fail_at("write", s);
        written.push_back(batch_of[s]);
      };
      try {
        RunPipeline(stages, shape);
        ADD_FAILURE() << "no exception";
      } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "disk on fire");
      }
      ASSERT_LE(written.size(), static_cast<size_t>(kBad));
      for (size_t i = 0; i < written.size(); ++i) EXPECT_EQ(written[i], static_cast<int64_t>(i));
    }
  }
}

}  // namespace
}  // namespace qgrant
