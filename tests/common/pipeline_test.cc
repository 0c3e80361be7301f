// RunPipeline: whatever thread runs which step, the in-order steps see the batches in input
// order, every record is prepared and finished once, finish follows settle, and no more batches
// are in flight than there are slots.
#include "common/pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <mutex>
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
      while (now > seen && !most_in_flight.compare_exchange_weak(seen, now)) {}
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
  RunCase(100000, {3, 4, 7}, 100);  // more threads than cores, ragged chunks
  RunCase(100000, {2, 1, 1000}, 999);  // one thread does everything
}

TEST(PipelineTest, EmptyAndTinyInputs) {
  RunCase(0, {6, 2, 256}, 1024);
  RunCase(1, {6, 2, 256}, 1024);
  RunCase(1025, {6, 2, 256}, 1024);
}

}  // namespace
}  // namespace qgrant
