// Pipeline: a streaming, ordered batch pipeline over every core, for commands that read records,
// decide them in input order and write the results in the same order:
//
//   fill (in order) -> prepare (parallel) -> settle (in order) -> finish (parallel) -> write (in order)
//
// Batches rotate through a fixed ring of slots, so memory stays bounded whatever the input size.
// The worker threads live for the whole run and take whatever work is ready, the in-order steps
// first: they are the critical path, and a slot written is a slot free for the next fill. The
// parallel steps are split into chunks so that both cores keep busy while one of them settles.
// Each worker fills its own share of the slots, settles and writes the batches it filled, and
// takes their chunks before the others': a batch's lines and records stay in one core's cache.
#pragma once

#include <cstddef>
#include <functional>

namespace qgrant {

struct PipelineStages {
  // Loads the next input into `slot`; returns how many records it holds, 0 when the input is over.
  std::function<size_t(size_t slot)> fill;
  // Records [begin, end) of `slot`, on any thread; `worker` numbers the thread (per-thread state).
  std::function<void(size_t slot, size_t begin, size_t end, size_t worker)> prepare;
  // The whole of `slot`, batches in input order, one at a time.
  std::function<void(size_t slot)> settle;
  // Records [begin, end) of `slot`, chunk number `chunk`, on any thread.
  std::function<void(size_t slot, size_t begin, size_t end, size_t worker, size_t chunk)> finish;
  // The whole of `slot`, batches in input order, one at a time.
  std::function<void(size_t slot)> write;
};

struct PipelineShape {
  size_t slots = 8;    // batches in flight; worker w fills slots w, w + workers, ...
  size_t workers = 2;  // threads, the calling one included
  size_t chunk = 512;  // records per parallel task
};

// The number of chunks a batch of `records` is split into; chunk c covers
// [c * shape.chunk, min(records, (c + 1) * shape.chunk)).
inline size_t PipelineChunks(size_t records, const PipelineShape& shape) {
  return (records + shape.chunk - 1) / shape.chunk;
}

// Runs the stages until `fill` returns 0 and every batch is written. Returns when done.
// A stage that throws, on whichever thread, stops the run: no later batch is written, and once
// every worker has stopped the first exception is rethrown here, on the calling thread (a
// worker's exception would otherwise end the process in std::terminate).
void RunPipeline(const PipelineStages& stages, const PipelineShape& shape);

}  // namespace qgrant
