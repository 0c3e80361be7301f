// ParallelSlices: run a function over [0, n) split into contiguous slices, one thread each.
// Batches of decisions and registry lines are split this way: each slice writes only its own
// outputs, so no locking is needed, and slice w may use per-thread state number w.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace qgrant {

// Calls fn(begin, end, w) for `workers` slices; small inputs run on the calling thread as one
// slice (w = 0), where starting threads would cost more than it saves.
template <typename F>
void ParallelSlices(size_t n, size_t workers, F fn) {
  if (workers <= 1 || n < 1024) {
    fn(size_t{0}, n, size_t{0});
    return;
  }
  std::vector<std::thread> threads;
  const size_t per = (n + workers - 1) / workers;
  for (size_t w = 0; w < workers; ++w) {
    size_t b = w * per, e = std::min(n, b + per);
    if (b >= e) break;
    threads.emplace_back([=] { fn(b, e, w); });
  }
  for (auto& t : threads) t.join();
}

}  // namespace qgrant
