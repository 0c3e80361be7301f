// ParallelSlices: run a function over [0, n) split into contiguous slices, one thread each.
// Batches of decisions and registry lines are split this way: each slice writes only its own
// outputs, so no locking is needed, and slice w may use per-thread state number w.
//
// An exception on any thread (memory exhausted, most likely) reaches the caller once every
// thread has ended: one escaping a std::thread would end the process in std::terminate, and
// the command could not say why.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <exception>
#include <thread>
#include <utility>
#include <vector>

namespace qgrant {

// Threads that hand back what they throw. Run() starts one; Join() waits for every one and
// rethrows the first exception any of them threw. Threads still running when it is destroyed
// are joined (their exceptions dropped: the caller is already leaving by an exception).
class JoiningThreads {
 public:
  JoiningThreads() = default;
  JoiningThreads(const JoiningThreads&) = delete;
  JoiningThreads& operator=(const JoiningThreads&) = delete;
  ~JoiningThreads() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

  // Runs fn() on a new thread. If the thread cannot be started, throws (std::system_error) and
  // the threads already started go on.
  template <typename F>
  void Run(F fn) {
    failures_.emplace_back();
    std::exception_ptr* failure = &failures_.back();
    try {
      threads_.emplace_back([fn = std::move(fn), failure]() mutable {
        try {
          fn();
        } catch (...) {
          *failure = std::current_exception();
        }
      });
    } catch (...) {
      failures_.pop_back();
      throw;
    }
  }

  void Join() {
    for (auto& t : threads_)
      if (t.joinable()) t.join();
    for (const auto& f : failures_)
      if (f) std::rethrow_exception(f);
  }

 private:
  // One per thread; a deque, so that adding one never moves the slot a running thread writes.
  std::deque<std::exception_ptr> failures_;
  std::vector<std::thread> threads_;
};

// Calls fn(begin, end, w) for `workers` slices; small inputs run on the calling thread as one
// slice (w = 0), where starting threads would cost more than it saves.
template <typename F>
void ParallelSlices(size_t n, size_t workers, F fn) {
  if (workers <= 1 || n < 1024) {
    fn(size_t{0}, n, size_t{0});
    return;
  }
  JoiningThreads threads;
  const size_t per = (n + workers - 1) / workers;
  for (size_t w = 0; w < workers; ++w) {
    size_t b = w * per, e = std::min(n, b + per);
    if (b >= e) break;
    threads.Run([=] { fn(b, e, w); });
  }
  threads.Join();
}

}  // namespace qgrant
