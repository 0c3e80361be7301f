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

// One round's share of a chunk: its applications in input order, and their words.
struct RoundPart {
  std::vector<Application> apps;  // the first `count` are in use; the others keep their buffers
  std::vector<Precheck> prechecks;
  size_t count = 0;
  JsonWriter out;    // the formatted decisions (the first round's only)
  RoundSummary sum;  // added up as the batch is written

  // A cleared application and its Precheck, reusing one from an earlier batch when there is one.
  size_t Next() {
    if (count == apps.size()) {
      apps.emplace_back();
      prechecks.emplace_back();
    }
    return count++;
  }
  // Emptied while in cache rather than when the slot comes round again.
  void Clear() {
    for (size_t k = 0; k < count; ++k) {
      prechecks[k].Clear();
      apps[k].Clear();
    }
    count = 0;
  }
};

// The lines [begin, end) of a batch: one parallel task.
struct Chunk {
  std::vector<RoundUnit> units;  // per line, when lines are units
  std::vector<size_t> first;     // per line and one past the last: where its applications start
  std::vector<RoundPart> parts;  // per round; a line has as many applications in each
  int64_t first_index = 0;       // the round index of its first application (set by settle)
};

// A batch of the input on its way through the pipeline.
struct Batch {
  std::string text;
  std::vector<std::pair<size_t, size_t>> lines;  // offset and length in text; blank lines dropped
  std::vector<int64_t> numbers;                  // each line's number in the input
  std::vector<Chunk> chunks;                     // the first `used` hold this batch
  size_t used = 0;
  std::vector<std::pair<const Application*, Precheck*>> order;  // settle's, one round at a time
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

size_t RoundWorkers(size_t asked) {
  return asked != 0 ? asked : std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
}

void RoundDriver::AppendJsonLine(const Decision& d, bool traced, JsonWriter* out) const {
  AppendDecisionJson(d, evaluators_[0]->provenance(), out);
  if (traced) {
    out->PopBack();  // reopen the object to add the trace
    out->Raw(",\"trace\":");
    out->Raw(TraceJson(d));
    out->Char('}');
  }
  out->Char('\n');
}

bool RoundDriver::Run(RoundSource* source, std::span<Ledger* const> ledgers, const RoundOptions& o,
                      std::span<RoundSummary> summaries) const {
  const size_t rounds = evaluators_.size();
  if (o.expected_rows != 0) {
    for (Ledger* ledger : ledgers) ledger->Reserve(o.expected_rows);
  }
  PipelineShape shape;
  shape.slots = 6;
  shape.chunk = 256;
  shape.workers = RoundWorkers(o.workers);
  // readers[r][w]: round r's, for worker w.
  std::vector<std::vector<std::unique_ptr<ApplicationReader>>> readers(rounds);
  for (size_t r = 0; r < rounds; ++r) {
    for (size_t w = 0; w < shape.workers; ++w)
      readers[r].push_back(std::make_unique<ApplicationReader>(evaluators_[r]->rules(), o.partial));
  }
  std::vector<Batch> batches(shape.slots);
  std::atomic<bool> aborted{false};
  bool checked = false;    // settle's own: ledger_ready was asked
  int64_t next_index = 0;  // settle's own: the round index of the next application
  for (RoundSummary& s : summaries) s = RoundSummary();

  // A chunk's units and decisions, in order, to take_units and take.
  auto take_lines = [&](const Batch& b, size_t ci) {
    const Chunk& c = b.chunks[ci];
    const size_t lines = c.first.size() - 1;
    const std::span<const int64_t> numbers(b.numbers.data() + ci * shape.chunk, lines);
    if (o.read_unit && o.take_units) o.take_units(std::span<const RoundUnit>(c.units.data(), lines), numbers);
    if (!o.take) return;
    for (size_t i = 0; i < lines; ++i) {
      const RoundUnit* unit = o.read_unit ? &c.units[i] : nullptr;
      for (size_t r = 0; r < rounds; ++r) {
        for (size_t k = c.first[i]; k < c.first[i + 1]; ++k)
          o.take(r, unit, numbers[i], k - c.first[i], c.parts[r].apps[k], c.parts[r].prechecks[k].decision);
      }
    }
  };

  PipelineStages stages;
  stages.fill = [&](size_t slot) -> size_t {
    if (aborted) return 0;
    Batch* b = &batches[slot];
    b->text.clear();
    b->lines.clear();
    b->numbers.clear();
    std::string_view line;
    int64_t number = 0;
    while (b->lines.size() < kBatchLines && source->Next(&line, &number)) {
      // A UTF-8 byte-order mark (as spreadsheet programs write) is not part of the first line.
      // A unit's reader strips it itself (a registry line holding nothing else is a bad line).
      if (number == 1 && !o.read_unit && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      if (IsBlankLine(line)) continue;
      b->numbers.push_back(number);
      b->lines.emplace_back(b->text.size(), line.size());
      b->text.append(line);
    }
    b->text.append(ApplicationReader::kPadding, ' ');  // the last line's padding
    b->used = PipelineChunks(b->lines.size(), shape);
    if (b->chunks.size() < b->used) b->chunks.resize(b->used);
    for (Chunk& c : b->chunks) c.parts.resize(rounds);
    return b->lines.size();
  };
  stages.prepare = [&](size_t slot, size_t begin, size_t end, size_t w) {
    Batch* b = &batches[slot];
    Chunk& c = b->chunks[begin / shape.chunk];
    c.first.clear();
    if (o.read_unit) c.units.resize(end - begin);
    for (size_t i = begin; i < end; ++i) {
      const std::string_view text = std::string_view(b->text).substr(b->lines[i].first, b->lines[i].second);
      c.first.push_back(c.parts[0].count);
      for (size_t r = 0; r < rounds; ++r) {
        RoundPart& part = c.parts[r];
        const size_t from = part.count;
        if (!o.read_unit) {
          const size_t k = part.Next();
          readers[r][w]->ReadPadded(text, &part.apps[k]);
          part.apps[k].line = b->numbers[i];
        } else {
          RoundUnit& unit = c.units[i - begin];
          if (r == 0) o.read_unit(text, w, &unit);
          for (const std::string& json : unit.applications) readers[r][w]->Read(json, &part.apps[part.Next()]);
        }
        for (size_t k = from; k < part.count; ++k)
          evaluators_[r]->Prepare(part.apps[k], o.trace && o.trace(part.apps[k]), &part.prechecks[k]);
      }
    }
    c.first.push_back(c.parts[0].count);
  };
  stages.settle = [&](size_t slot) {
    if (!checked) {
      checked = true;
      if (o.ledger_ready && !o.ledger_ready()) aborted = true;
    }
    if (aborted) return;
    Batch* b = &batches[slot];
    for (size_t ci = 0; ci < b->used; ++ci) {
      b->chunks[ci].first_index = next_index;
      next_index += static_cast<int64_t>(b->chunks[ci].parts[0].count);
    }
    for (size_t r = 0; r < rounds; ++r) {
      const Evaluator& evaluator = *evaluators_[r];
      Ledger* ledger = ledgers[r];
      b->order.clear();
      for (size_t ci = 0; ci < b->used; ++ci) {
        RoundPart& part = b->chunks[ci].parts[r];
        for (size_t k = 0; k < part.count; ++k) b->order.emplace_back(&part.apps[k], &part.prechecks[k]);
      }
      const size_t n = b->order.size();
      constexpr size_t kAhead = 8;  // the index slots of a later application are fetched meanwhile
      for (size_t i = 0; i < std::min(n, kAhead); ++i) evaluator.Prefetch(*b->order[i].second, *ledger);
      for (size_t i = 0; i < n; ++i) {
        if (i + kAhead < n) evaluator.Prefetch(*b->order[i + kAhead].second, *ledger);
        evaluator.Settle(*b->order[i].first, b->order[i].second, ledger);
      }
    }
  };
  stages.finish = [&](size_t slot, size_t, size_t, size_t, size_t chunk) {
    if (aborted) return;
    Chunk& c = batches[slot].chunks[chunk];
    for (size_t r = 0; r < rounds; ++r) {
      RoundPart& part = c.parts[r];
      part.out.Clear();
      part.sum = RoundSummary();
      for (size_t k = 0; k < part.count; ++k) {
        const Application& app = part.apps[k];
        const bool traced = o.trace && o.trace(app);
        evaluators_[r]->Finish(app, &part.prechecks[k], traced);
        const Decision& d = part.prechecks[k].decision;
        ++part.sum.decisions;
        ++part.sum.count[static_cast<int>(d.outcome)];
        if (d.outcome == Outcome::kEligible) part.sum.eligible_fen += d.amount_fen;  // a chunk's sum fits: ≤ 256 × 10^15
        if (r != 0) continue;
        if (o.format) o.format(c.first_index + static_cast<int64_t>(k), app, d, &part.out);
        else if (o.write) AppendJsonLine(d, traced, &part.out);
      }
      if (!o.take) part.Clear();
    }
  };
  stages.write = [&](size_t slot) {
    if (aborted) return;
    Batch* b = &batches[slot];
    for (size_t ci = 0; ci < b->used; ++ci) {
      Chunk& c = b->chunks[ci];
      const RoundPart& first = c.parts[0];
      if (o.write && first.out.size() != 0) o.write(std::string_view(first.out.data(), first.out.size()));
      if (o.take_units || o.take) take_lines(*b, ci);
      for (size_t r = 0; r < rounds; ++r) {
        Add(&summaries[r], c.parts[r].sum);
        c.parts[r].Clear();
      }
    }
  };
  RunPipeline(stages, shape);
  if (!checked && o.ledger_ready && !o.ledger_ready()) return false;  // an empty input still needs the ledger
  return !aborted;
}

}  // namespace qgrant::engine
