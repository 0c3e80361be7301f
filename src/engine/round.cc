#include "engine/round.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "common/lines.h"
#include "common/pipeline.h"
#include "engine/explain.h"

namespace qgrant::engine {

bool StringRoundSource::Next(std::string_view* line, int64_t* number) {
  if (at_ >= text_.size()) return false;
  size_t end = text_.find('\n', at_);
  if (end == std::string_view::npos) end = text_.size();
  *line = text_.substr(at_, end - at_);
  if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
  at_ = end + 1;
  *number = ++number_;
  return true;
}

namespace {

// A batch of the input on its way through the pipeline.
struct Batch {
  std::string text;
  std::vector<std::pair<size_t, size_t>> lines;  // offset and length in text; blank lines dropped
  std::vector<int64_t> numbers;                  // each line's number in the input
  int64_t first_index = 0;                       // the round index of its first application
  std::vector<Application> apps;
  std::vector<Precheck> prechecks;
  std::vector<JsonWriter> out;      // the formatted decisions, one buffer per chunk
  std::vector<RoundSummary> sums;   // per chunk, added up as the batch is written
};

// Small batches in few slots: what is in flight (the lines, applications and decisions of every
// slot) then stays in the processor's caches. With 4096 lines in 8 slots it did not, and the
// same work took half as long again.
constexpr size_t kBatchLines = 1024;

void Add(RoundSummary* to, const RoundSummary& from) {
  to->decisions += from.decisions;
  for (int k = 0; k < 5; ++k) to->count[k] += from.count[k];
  if (__builtin_add_overflow(to->eligible_fen, from.eligible_fen, &to->eligible_fen)) to->eligible_fen = INT64_MAX;
}

}  // namespace

void RoundDriver::AppendJsonLine(const Decision& d, bool traced, JsonWriter* out) const {
  AppendDecisionJson(d, evaluator_.provenance(), out);
  if (traced) {
    out->PopBack();  // reopen the object to add the trace
    out->Raw(",\"trace\":");
    out->Raw(TraceJson(d));
    out->Char('}');
  }
  out->Char('\n');
}

bool RoundDriver::Run(RoundSource* source, Ledger* ledger, const RoundOptions& o, RoundSummary* summary) const {
  if (o.expected_rows != 0) ledger->Reserve(o.expected_rows);
  PipelineShape shape;
  shape.slots = 6;
  shape.chunk = 256;
  shape.workers = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<std::unique_ptr<ApplicationReader>> readers;
  for (size_t i = 0; i < shape.workers; ++i) readers.push_back(std::make_unique<ApplicationReader>(evaluator_.rules()));
  std::vector<Batch> batches(shape.slots);
  std::atomic<bool> aborted{false};
  bool checked = false;  // settle's own: ledger_ready was asked
  int64_t next_index = 0;  // fill's own
  *summary = RoundSummary();

  PipelineStages stages;
  stages.fill = [&](size_t slot) -> size_t {
    if (aborted) return 0;
    Batch* b = &batches[slot];
    b->text.clear();
    b->lines.clear();
    b->numbers.clear();
    b->first_index = next_index;
    std::string_view line;
    int64_t number = 0;
    while (b->lines.size() < kBatchLines && source->Next(&line, &number)) {
      // A UTF-8 byte-order mark (as spreadsheet programs write) is not part of the first line.
      if (number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      if (IsBlankLine(line)) continue;
      b->numbers.push_back(number);
      b->lines.emplace_back(b->text.size(), line.size());
      b->text.append(line);
    }
    b->text.append(ApplicationReader::kPadding, ' ');  // the last line's padding
    next_index += static_cast<int64_t>(b->lines.size());
    b->apps.resize(b->lines.size());
    b->prechecks.resize(b->lines.size());
    return b->lines.size();
  };
  stages.prepare = [&](size_t slot, size_t begin, size_t end, size_t w) {
    Batch* b = &batches[slot];
    for (size_t i = begin; i < end; ++i) {
      readers[w]->ReadPadded(std::string_view(b->text).substr(b->lines[i].first, b->lines[i].second), &b->apps[i]);
      b->apps[i].line = b->numbers[i];
      evaluator_.Prepare(b->apps[i], o.trace && o.trace(b->apps[i]), &b->prechecks[i]);
    }
  };
  stages.settle = [&](size_t slot) {
    if (!checked) {
      checked = true;
      if (o.ledger_ready && !o.ledger_ready()) aborted = true;
    }
    if (aborted) return;
    Batch* b = &batches[slot];
    const size_t n = b->apps.size();
    constexpr size_t kAhead = 8;  // the index slots of a later application are fetched meanwhile
    for (size_t i = 0; i < std::min(n, kAhead); ++i) evaluator_.Prefetch(b->prechecks[i], *ledger);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) evaluator_.Prefetch(b->prechecks[i + kAhead], *ledger);
      evaluator_.Settle(b->apps[i], &b->prechecks[i], ledger);
    }
    const size_t chunks = PipelineChunks(n, shape);
    b->out.resize(chunks);
    b->sums.assign(chunks, RoundSummary());
  };
  stages.finish = [&](size_t slot, size_t begin, size_t end, size_t, size_t chunk) {
    if (aborted) return;
    Batch* b = &batches[slot];
    JsonWriter& out = b->out[chunk];
    RoundSummary& sum = b->sums[chunk];
    out.Clear();
    for (size_t i = begin; i < end; ++i) {
      const Application& app = b->apps[i];
      const bool traced = o.trace && o.trace(app);
      evaluator_.Finish(app, &b->prechecks[i], traced);
      const Decision& d = b->prechecks[i].decision;
      ++sum.decisions;
      ++sum.count[static_cast<int>(d.outcome)];
      if (d.outcome == Outcome::kEligible) sum.eligible_fen += d.amount_fen;  // a chunk's sum fits: ≤ 256 × 10^15
      if (o.format) o.format(b->first_index + static_cast<int64_t>(i), app, d, &out);
      else AppendJsonLine(d, traced, &out);
    }
    // Emptied now, while in cache, rather than when the slot comes round again.
    for (size_t i = begin; i < end; ++i) {
      b->prechecks[i].Clear();
      b->apps[i].Clear();
    }
  };
  stages.write = [&](size_t slot) {
    if (aborted) return;
    Batch* b = &batches[slot];
    for (const auto& part : b->out) {
      if (o.write && part.size() != 0) o.write(std::string_view(part.data(), part.size()));
    }
    for (const RoundSummary& sum : b->sums) Add(summary, sum);
  };
  RunPipeline(stages, shape);
  if (!checked && o.ledger_ready && !o.ledger_ready()) return false;  // an empty input still needs the ledger
  return !aborted;
}

}  // namespace qgrant::engine
