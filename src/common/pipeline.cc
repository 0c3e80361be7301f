#include "common/pipeline.h"

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <vector>

#include "common/parallel.h"

namespace qgrant {
namespace {

enum class State { kFree, kFilled, kPrepared, kSettled, kFinished };

struct Slot {
  State state = State::kFree;
  uint64_t seq = 0;  // the batch's position in the input
  size_t records = 0;
  size_t chunks = 0;
  size_t next_chunk = 0;  // the next chunk of the current parallel step to hand out
  size_t chunks_done = 0;
  size_t filler = 0;  // the worker that filled it: its lines are in that core's cache
};

class Scheduler {
 public:
  Scheduler(const PipelineStages& stages, const PipelineShape& shape)
      : stages_(stages), shape_(shape), slots_(std::max<size_t>(shape.slots, 2)) {}

  void Work(size_t worker) {
    std::unique_lock<std::mutex> lock(mu_);
    while (!error_) {
      if (TryWrite(lock, worker) || TrySettle(lock, worker) || TryChunk(lock, State::kSettled, worker, kOwn) ||
          TryChunk(lock, State::kFilled, worker, kOwn) || TryFill(lock, worker) ||
          TryChunk(lock, State::kSettled, worker, kAny) || TryChunk(lock, State::kFilled, worker, kAny)) {
        continue;
      }
      if (input_done_ && !filling_ && next_write_ == next_fill_) break;
      cv_.wait(lock);
    }
    cv_.notify_all();  // the others may be waiting for the end
  }

  // The first exception a step threw, or null.
  std::exception_ptr error() const { return error_; }
  // Stops the run as a step that threw `e` would: the workers end before their next step.
  void Stop(std::exception_ptr e) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_) error_ = std::move(e);
    cv_.notify_all();
  }

 private:
  Slot* Find(State state, uint64_t seq) {
    for (auto& s : slots_) {
      if (s.state == state && s.seq == seq) return &s;
    }
    return nullptr;
  }
  size_t Index(const Slot* s) const { return static_cast<size_t>(s - slots_.data()); }

  // Runs one step outside the lock. A step that throws (std::bad_alloc, an I/O failure) stops the
  // run: its exception is kept for RunPipeline to rethrow on the calling thread, every worker
  // stops before its next step, and no later batch is written. Returns whether the step finished.
  template <typename Step>
  bool Run(std::unique_lock<std::mutex>& lock, Step&& step) {
    lock.unlock();
    try {
      step();
    } catch (...) {
      lock.lock();
      if (!error_) error_ = std::current_exception();
      cv_.notify_all();
      return false;
    }
    lock.lock();
    return true;
  }

  bool TryWrite(std::unique_lock<std::mutex>& lock, size_t worker) {
    return TryInOrder(lock, State::kFinished, State::kFree, &next_write_, &writing_, stages_.write, worker);
  }

  bool TrySettle(std::unique_lock<std::mutex>& lock, size_t worker) {
    return TryInOrder(lock, State::kPrepared, State::kSettled, &next_settle_, &settling_, stages_.settle, worker);
  }

  // An in-order step: the batch numbered *next, once it is in state `from` and no other thread
  // runs this step, by the worker that filled it: its records are in that worker's core. The
  // workers fill batches in turn, so they take turns at the in-order steps too, each working on
  // its own batches meanwhile.
  bool TryInOrder(std::unique_lock<std::mutex>& lock, State from, State to, uint64_t* next, bool* busy,
                  const std::function<void(size_t)>& step, size_t worker) {
    if (*busy) return false;
    Slot* s = Find(from, *next);
    if (s == nullptr || s->filler != worker) return false;
    *busy = true;
    if (!Run(lock, [&] { step(Index(s)); })) return true;
    *busy = false;
    s->state = to;
    s->next_chunk = s->chunks_done = 0;
    ++*next;
    cv_.notify_all();
    return true;
  }

  // Whose batches a parallel step is taken from. A worker first takes chunks of the batches it
  // filled: the lines it copied, then the applications it read, are still in its core's cache,
  // while the other core would fetch them line by line from this one (on two cores, reading a
  // registry line cost twice the parse when the other core had filled it). It helps the other
  // worker only when it has nothing of its own to do and cannot fill.
  enum Whose { kOwn, kAny };

  // A chunk of the parallel step that follows `state` (prepare after fill, finish after settle),
  // from the earliest batch that has one left.
  bool TryChunk(std::unique_lock<std::mutex>& lock, State state, size_t worker, Whose whose) {
    Slot* s = nullptr;
    for (auto& c : slots_) {
      if (whose == kOwn && c.filler != worker) continue;
      if (c.state == state && c.next_chunk < c.chunks && (s == nullptr || c.seq < s->seq)) s = &c;
    }
    if (s == nullptr) return false;
    const size_t chunk = s->next_chunk++;
    const size_t begin = chunk * shape_.chunk, end = std::min(s->records, begin + shape_.chunk);
    const bool done = Run(lock, [&] {
      if (state == State::kFilled) {
        stages_.prepare(Index(s), begin, end, worker);
      } else {
        stages_.finish(Index(s), begin, end, worker, chunk);
      }
    });
    if (!done) return true;
    if (++s->chunks_done == s->chunks) {
      s->state = state == State::kFilled ? State::kPrepared : State::kFinished;
      cv_.notify_all();
    }
    return true;
  }

  bool TryFill(std::unique_lock<std::mutex>& lock, size_t worker) {
    if (filling_ || input_done_) return false;
    // A worker fills only its own slots (every workers-th): a slot's records then live on one
    // core from one batch to the next, and what their steps free goes back to the allocator's
    // cache of the thread that will allocate it again.
    Slot* s = nullptr;
    const size_t workers = std::max<size_t>(shape_.workers, 1);
    for (auto& c : slots_) {
      if (c.state == State::kFree && Index(&c) % workers == worker) s = &c;
    }
    if (s == nullptr) return false;
    filling_ = true;
    size_t records = 0;
    if (!Run(lock, [&] { records = stages_.fill(Index(s)); })) return true;
    filling_ = false;
    if (records == 0) {
      input_done_ = true;
    } else {
      s->state = State::kFilled;
      s->filler = worker;
      s->seq = next_fill_++;
      s->records = records;
      s->chunks = PipelineChunks(records, shape_);
      s->next_chunk = s->chunks_done = 0;
    }
    cv_.notify_all();
    return true;
  }

  const PipelineStages& stages_;
  const PipelineShape shape_;
  std::vector<Slot> slots_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::exception_ptr error_;
  uint64_t next_fill_ = 0, next_settle_ = 0, next_write_ = 0;
  bool filling_ = false, settling_ = false, writing_ = false, input_done_ = false;
};

}  // namespace

void RunPipeline(const PipelineStages& stages, const PipelineShape& shape) {
  Scheduler scheduler(stages, shape);
  const size_t workers = std::max<size_t>(shape.workers, 1);
  JoiningThreads threads;
  try {
    for (size_t w = 1; w < workers; ++w) threads.Run([&scheduler, w] { scheduler.Work(w); });
  } catch (...) {
    // A worker that cannot be started (no memory for its stack): the ones started stop, and the
    // caller hears why.
    scheduler.Stop(std::current_exception());
  }
  scheduler.Work(0);
  threads.Join();  // a step's exception is the scheduler's: Work itself throws nothing
  if (scheduler.error()) std::rethrow_exception(scheduler.error());
}

}  // namespace qgrant
