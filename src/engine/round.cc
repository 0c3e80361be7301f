#include "engine/round.h"

#include <algorithm>
#include <atomic>
#include <cmath>
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
// same work took half as long again; 256 applications a batch (in four chunks) took 10-20 %
// less time than 1,024 (eval, 1,000,000 applications). A unit's line (screen, simulate) makes
// several applications, and its batches stay at 1,024 lines: at 256 screening was slower.
constexpr size_t kBatchApplications = 256, kBatchUnits = 1024;

void Add(RoundSummary* to, const RoundSummary& from) {
  to->decisions += from.decisions;
  for (int k = 0; k < 5; ++k) to->count[k] += from.count[k];
  to->eligible_overflow |= from.eligible_overflow;
  if (__builtin_add_overflow(to->eligible_fen, from.eligible_fen, &to->eligible_fen)) {
    to->eligible_fen = INT64_MAX;
    to->eligible_overflow = true;
  }
}

// One run of a RoundDriver: the pipeline's stages over the state they share. fill, settle and
// write run in order, one at a time; prepare and finish on every worker, each on its own chunk.
class RoundRun {
 public:
  RoundRun(const RoundDriver& driver, std::span<const Evaluator* const> evaluators, RoundSource* source,
           std::span<Ledger* const> ledgers, const RoundOptions& o, std::span<RoundSummary> summaries)
      : driver_(driver), evaluators_(evaluators), source_(source), ledgers_(ledgers), o_(o), summaries_(summaries) {
    batch_lines_ = o.read_unit ? kBatchUnits : kBatchApplications;
    shape_.slots = 6;
    shape_.chunk = batch_lines_ / 4;
    shape_.workers = RoundWorkers(o.workers);
    readers_.resize(evaluators.size());
    memos_.resize(evaluators.size());
    for (size_t r = 0; r < evaluators.size(); ++r) {
      for (size_t w = 0; w < shape_.workers; ++w) {
        readers_[r].push_back(std::make_unique<ApplicationReader>(evaluators[r]->rules(), o.partial));
        memos_[r].push_back(std::make_unique<ConditionMemo>());
      }
    }
    batches_.resize(shape_.slots);
    for (RoundSummary& sum : summaries_) sum = RoundSummary();
  }

  bool Run() {
    PipelineStages stages;
    stages.fill = [this](size_t slot) { return Fill(&batches_[slot]); };
    stages.prepare = [this](size_t slot, size_t begin, size_t end, size_t w) {
      Prepare(&batches_[slot], begin, end, w);
    };
    stages.settle = [this](size_t slot) { Settle(&batches_[slot]); };
    stages.finish = [this](size_t slot, size_t, size_t, size_t, size_t chunk) {
      Finish(&batches_[slot].chunks[chunk]);
    };
    stages.write = [this](size_t slot) { Write(&batches_[slot]); };
    RunPipeline(stages, shape_);
    if (!checked_ && o_.ledger_ready && !o_.ledger_ready()) return false;  // an empty input still needs the ledger
    return !aborted_;
  }

 private:
  size_t Rounds() const { return evaluators_.size(); }

  // The next lines of the input, blank ones dropped.
  size_t Fill(Batch* b) {
    if (aborted_) return 0;
    b->text.clear();
    b->lines.clear();
    b->numbers.clear();
    std::string_view line;
    int64_t number = 0;
    while (b->lines.size() < batch_lines_ && source_->Next(&line, &number)) {
      // A UTF-8 byte-order mark (as spreadsheet programs write) is not part of the first line.
      // A unit's reader strips it itself (a registry line holding nothing else is a bad line).
      if (number == 1 && !o_.read_unit && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      if (IsBlankLine(line)) continue;
      b->numbers.push_back(number);
      b->lines.emplace_back(b->text.size(), line.size());
      b->text.append(line);
    }
    b->text.append(ApplicationReader::kPadding, ' ');  // the last line's padding
    b->used = PipelineChunks(b->lines.size(), shape_);
    if (b->chunks.size() < b->used) b->chunks.resize(b->used);
    for (Chunk& c : b->chunks) c.parts.resize(Rounds());
    return b->lines.size();
  }

  // Lines [begin, end) read (an application per line, or a unit's applications) and judged by
  // every rule that needs no ledger.
  void Prepare(Batch* b, size_t begin, size_t end, size_t w) {
    Chunk& c = b->chunks[begin / shape_.chunk];
    c.first.clear();
    if (o_.read_unit) c.units.resize(end - begin);
    for (size_t i = begin; i < end; ++i) {
      const std::string_view text = std::string_view(b->text).substr(b->lines[i].first, b->lines[i].second);
      c.first.push_back(c.parts[0].count);
      for (size_t r = 0; r < Rounds(); ++r) {
        RoundPart& part = c.parts[r];
        const size_t from = part.count;
        if (!o_.read_unit) {
          const size_t k = part.Next();
          readers_[r][w]->ReadPadded(text, &part.apps[k]);
          part.apps[k].line = b->numbers[i];
        } else {
          RoundUnit& unit = c.units[i - begin];
          if (r == 0) o_.read_unit(text, w, &unit);
          for (const std::string& json : unit.applications) readers_[r][w]->Read(json, &part.apps[part.Next()]);
        }
        for (size_t k = from; k < part.count; ++k)
          evaluators_[r]->Prepare(part.apps[k], o_.trace && o_.trace(part.apps[k]), &part.prechecks[k],
                                  memos_[r][w].get());
      }
    }
    c.first.push_back(c.parts[0].count);
  }

  // The batch's applications against each round's ledger, in input order.
  void Settle(Batch* b) {
    if (!checked_) {
      checked_ = true;
      if (o_.ledger_ready && !o_.ledger_ready()) aborted_ = true;
      if (!aborted_) ExpectRows(*b);
    }
    if (aborted_) return;
    for (size_t ci = 0; ci < b->used; ++ci) {
      b->chunks[ci].first_index = next_index_;
      next_index_ += static_cast<int64_t>(b->chunks[ci].parts[0].count);
    }
    for (size_t r = 0; r < Rounds(); ++r) SettleRound(b, r);
  }

  // Before the first batch is settled: room in each ledger for what the whole input will add, at
  // the rate of the sample's applications (RoundOptions::sample; else this batch's) that the
  // ledger-free rules left open (none failed, none unknown: the others will not be funded,
  // whatever the ledger holds). Each adds at most an entry, and one more for each of its
  // certificates: an upper bound for the sample; for the whole input, three standard deviations
  // more (growing on the last batches would rebuild the largest indexes). Sized for the input's
  // bytes instead, the indexes were several times too large, and the kernel clears every byte of
  // them when first touched; growing as rows come rebuilds them on this in-order step each time.
  // The (measure, subject) index holds only items: certificates, and subjects paid once whoever
  // applies. With no estimate the ledger is still told: rows it loaded for this round wait for
  // this to be indexed.
  void ExpectRows(const Batch& b) {
    const bool sampled = !o_.sample.empty();
    const size_t lines = sampled ? o_.sample.size() : b.lines.size();
    const std::vector<std::string> applications =
        sampled && o_.expected_lines != 0 ? SampleApplications() : std::vector<std::string>();
    for (size_t r = 0; r < Rounds(); ++r) {
      size_t rows = 0, items = 0;  // the entries they may add
      if (!applications.empty()) {
        // Read and judged by the ledger-free rules here, with a reader of their own (the
        // workers' are busy).
        ApplicationReader reader(evaluators_[r]->rules(), o_.partial);
        Application app;
        Precheck pre;
        for (const std::string& json : applications) {
          reader.Read(json, &app);
          evaluators_[r]->Prepare(app, false, &pre, nullptr);
          MayAdd(pre, &rows, &items);
        }
      }
      for (size_t ci = 0; ci < b.used && o_.expected_lines != 0 && !sampled; ++ci) {
        const RoundPart& part = b.chunks[ci].parts[r];
        for (size_t k = 0; k < part.count; ++k) MayAdd(part.prechecks[k], &rows, &items);
      }
      auto whole_input = [&](size_t n) {
        if (lines == 0) return size_t{0};
        const size_t high = n + 1 + static_cast<size_t>(3 * std::sqrt(static_cast<double>(n)));
        const auto scaled = static_cast<unsigned __int128>(high) * std::max(o_.expected_lines, lines) / lines;
        return static_cast<size_t>(std::min<unsigned __int128>(scaled, SIZE_MAX));
      };
      ledgers_[r]->Expect(whole_input(rows), whole_input(items));
    }
  }

  // The sample's applications, each line's or its unit's, read once for every round.
  std::vector<std::string> SampleApplications() const {
    if (!o_.read_unit) return o_.sample;
    std::vector<std::string> applications;
    RoundUnit unit;
    std::string padded;
    for (const std::string& line : o_.sample) {
      padded.assign(line).append(ApplicationReader::kPadding, ' ');
      o_.read_unit(std::string_view(padded).substr(0, line.size()), shape_.workers, &unit);
      for (const std::string& json : unit.applications) applications.push_back(json);
    }
    return applications;
  }

  // The entries an application judged so far may add: at most one, and one more for each of its
  // certificates; none when the ledger-free rules failed it or left it unknown.
  static void MayAdd(const Precheck& pre, size_t* rows, size_t* items) {
    if (pre.done || !pre.failed.empty() || !pre.missing.empty()) return;
    *rows += 1 + pre.items.size();
    *items += pre.items.empty() ? (pre.measure != nullptr && pre.measure->subject_paid_once) : pre.items.size();
  }

  void SettleRound(Batch* b, size_t r) {
    const Evaluator& evaluator = *evaluators_[r];
    Ledger* ledger = ledgers_[r];
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

  // A chunk's decisions finished, counted and (the first round's) formatted.
  void Finish(Chunk* c) {
    if (aborted_) return;
    for (size_t r = 0; r < Rounds(); ++r) {
      RoundPart& part = c->parts[r];
      part.out.Clear();
      part.sum = RoundSummary();
      for (size_t k = 0; k < part.count; ++k) {
        const Application& app = part.apps[k];
        const bool traced = o_.trace && o_.trace(app);
        evaluators_[r]->Finish(app, &part.prechecks[k], traced);
        const Decision& d = part.prechecks[k].decision;
        ++part.sum.decisions;
        ++part.sum.count[static_cast<int>(d.outcome)];
        if (d.outcome == Outcome::kEligible)
          part.sum.eligible_fen += d.amount_fen;  // a chunk's sum fits: ≤ 256 × 10^15
        if (r != 0) continue;
        if (o_.format)
          o_.format(c->first_index + static_cast<int64_t>(k), app, d, &part.out);
        else if (o_.write)
          driver_.AppendJsonLine(d, traced, &part.out);
      }
      if (!o_.take) part.Clear();
    }
  }

  // The batch's output written, handed over and added up, in input order.
  void Write(Batch* b) {
    if (aborted_) return;
    for (size_t ci = 0; ci < b->used; ++ci) {
      Chunk& c = b->chunks[ci];
      const RoundPart& first = c.parts[0];
      if (o_.write && first.out.size() != 0) o_.write(std::string_view(first.out.data(), first.out.size()));
      if (o_.take_units || o_.take) TakeLines(*b, ci);
      for (size_t r = 0; r < Rounds(); ++r) {
        Add(&summaries_[r], c.parts[r].sum);
        c.parts[r].Clear();
      }
    }
  }

  // A chunk's units and decisions, in order, to take_units and take.
  void TakeLines(const Batch& b, size_t ci) {
    const Chunk& c = b.chunks[ci];
    const size_t lines = c.first.size() - 1;
    const std::span<const int64_t> numbers(b.numbers.data() + ci * shape_.chunk, lines);
    if (o_.read_unit && o_.take_units) o_.take_units(std::span<const RoundUnit>(c.units.data(), lines), numbers);
    if (!o_.take) return;
    for (size_t i = 0; i < lines; ++i) {
      const RoundUnit* unit = o_.read_unit ? &c.units[i] : nullptr;
      for (size_t r = 0; r < Rounds(); ++r) {
        for (size_t k = c.first[i]; k < c.first[i + 1]; ++k)
          o_.take(r, unit, numbers[i], k - c.first[i], c.parts[r].apps[k], c.parts[r].prechecks[k].decision);
      }
    }
  }

  const RoundDriver& driver_;
  std::span<const Evaluator* const> evaluators_;
  RoundSource* source_;
  std::span<Ledger* const> ledgers_;
  const RoundOptions& o_;
  std::span<RoundSummary> summaries_;
  PipelineShape shape_;
  size_t batch_lines_ = 0;                                                // lines a batch holds at most
  std::vector<std::vector<std::unique_ptr<ApplicationReader>>> readers_;  // [round][worker]
  std::vector<std::vector<std::unique_ptr<ConditionMemo>>> memos_;        // [round][worker]
  std::vector<Batch> batches_;
  std::atomic<bool> aborted_{false};
  bool checked_ = false;    // settle's own: ledger_ready was asked
  int64_t next_index_ = 0;  // settle's own: the round index of the next application
};

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
  return RoundRun(*this, evaluators_, source, ledgers, o, summaries).Run();
}

}  // namespace qgrant::engine
