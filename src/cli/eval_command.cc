// qgrant eval: JSON Lines of applications in, decisions out in the same order (CONTRACT.md §5).
// One input is one round. A broken line yields an `invalid` decision and the batch goes on; the
// exit status is non-zero only for unusable arguments or files. A summary goes to stderr.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/line_reader.h"
#include "cli/rules_loading.h"
#include "common/lines.h"
#include "common/pipeline.h"
#include "engine/application.h"
#include "engine/evaluator.h"
#include "engine/explain.h"

namespace qgrant::cli {
namespace {

struct EvalOptions {
  std::string policy;
  std::string guide;
  std::string ledger;
  std::string as_of;
  std::string input;
  bool explain = false;
  std::string lang = "zh";
  std::string explain_id;
};

struct Summary {
  int64_t count[5] = {0, 0, 0, 0, 0};
  int64_t eligible_fen = 0;
};

void PrintSummary(const Summary& s, int64_t lines) {
  std::fprintf(stderr, "qgrant eval: %lld decision(s): %lld eligible, %lld ineligible, %lld referred, %lld invalid\n",
               static_cast<long long>(lines), static_cast<long long>(s.count[0]), static_cast<long long>(s.count[1]),
               static_cast<long long>(s.count[2]), static_cast<long long>(s.count[3]));
  std::fprintf(stderr, "qgrant eval: eligible total %s (%s); every amount is a ceiling, see qgrant allocate\n",
               engine::YuanEn(s.eligible_fen).c_str(), engine::YuanZh(s.eligible_fen).c_str());
}

// A batch of the input on its way through the pipeline (common/pipeline.h): read -> parse and
// the ledger-free rules (parallel) -> the ledger's rules (in order) -> serialise (parallel) ->
// write (in order).
struct Batch {
  std::string text;
  std::vector<std::pair<size_t, size_t>> lines;  // offset and length in text; blank lines dropped
  std::vector<int64_t> numbers;  // each line's number in the input
  std::vector<engine::Application> apps;
  std::vector<engine::Precheck> prechecks;  // the decisions, once completed
  std::vector<engine::JsonWriter> out;  // serialised decisions, one buffer per chunk
  std::vector<Summary> sums;     // per chunk, added up as the batch is written
  std::vector<char> found;       // per chunk: the application to explain was in it
};

// Small batches in few slots: what is in flight (the lines, applications and decisions of every
// slot) then stays in the processor's caches. With 4096 lines in 8 slots it did not, and the
// same work took half as long again.
constexpr size_t kBatchLines = 1024;

int RunEval(const EvalOptions& o, bool explain_text) {
  auto loaded = LoadRules(o.policy, o.guide, o.as_of);
  if (!loaded) return 2;
  LineReader in;
  Status st = in.Open(o.input);
  if (!st.ok()) {
    std::cerr << "qgrant: " << st.message() << "\n";
    return 2;
  }
  // The ledger loads while the first batches are read and prepared, which do not need it; the
  // in-order step waits for it. A ledger with errors stops everything: nothing is written.
  engine::Ledger ledger;
  bool ledger_ok = true;
  std::thread ledger_loader([&] {
    // The round's eligible decisions join the ledger: room for them is made once, from the size
    // of the input (an application takes a few hundred bytes and funds about one entry).
    const bool from_stdin = o.input.empty() || o.input == "-";
    if (struct stat info; (from_stdin ? ::fstat(STDIN_FILENO, &info) : ::stat(o.input.c_str(), &info)) == 0 &&
                          S_ISREG(info.st_mode)) {
      ledger.Reserve(std::min<size_t>(static_cast<size_t>(info.st_size) / 300, size_t{1} << 25));
    }
    ledger_ok = LoadLedger(o.ledger, "evaluated", &ledger, loaded->rules.get());
  });
  std::atomic<bool> aborted{false};
  auto ledger_ready = [&] {
    if (ledger_loader.joinable()) ledger_loader.join();
    if (!ledger_ok) aborted = true;
    return ledger_ok;
  };
  const engine::Evaluator evaluator(*loaded->rules);
  const engine::Lang lang = o.lang == "en" ? engine::Lang::kEn : engine::Lang::kZh;
  PipelineShape shape;
  shape.slots = 6;
  shape.chunk = 256;
  shape.workers = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::vector<std::unique_ptr<engine::ApplicationReader>> readers;
  for (size_t i = 0; i < shape.workers; ++i) readers.push_back(std::make_unique<engine::ApplicationReader>(*loaded->rules));
  std::vector<Batch> batches(shape.slots);

  Summary summary;
  const bool progress = isatty(STDERR_FILENO) && !explain_text;
  bool found = false;
  auto want_trace = [&](const engine::Application& app) {
    return o.explain || (explain_text && (o.explain_id.empty() || (app.id && *app.id == o.explain_id)));
  };

  int64_t line_no = 0;  // fill's own
  PipelineStages stages;
  stages.fill = [&](size_t slot) -> size_t {
    if (aborted) return 0;
    Batch* b = &batches[slot];
    b->text.clear();
    b->lines.clear();
    b->numbers.clear();
    std::string_view line;
    while (b->lines.size() < kBatchLines && in.Next(&line)) {
      // A UTF-8 byte-order mark (as spreadsheet programs write) is not part of the first line.
      if (++line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
      if (IsBlankLine(line)) continue;
      b->numbers.push_back(line_no);
      b->lines.emplace_back(b->text.size(), line.size());
      b->text.append(line);
    }
    b->text.append(engine::ApplicationReader::kPadding, ' ');  // the last line's padding
    b->apps.resize(b->lines.size());
    b->prechecks.resize(b->lines.size());
    return b->lines.size();
  };
  // Reading and every rule that needs no ledger, on all cores.
  stages.prepare = [&](size_t slot, size_t begin, size_t end, size_t w) {
    Batch* b = &batches[slot];
    for (size_t i = begin; i < end; ++i) {
      readers[w]->ReadPadded(std::string_view(b->text).substr(b->lines[i].first, b->lines[i].second), &b->apps[i]);
      b->apps[i].line = b->numbers[i];
      evaluator.Prepare(b->apps[i], want_trace(b->apps[i]), &b->prechecks[i]);
    }
  };
  // The ledger's rules, in input order: one input is one round. Only lookups and records: the
  // words come in the finish step, on every core.
  stages.settle = [&](size_t slot) {
    if (!ledger_ready()) return;
    Batch* b = &batches[slot];
    const size_t n = b->apps.size();
    constexpr size_t kAhead = 8;  // the index slots of a later application are fetched meanwhile
    for (size_t i = 0; i < std::min(n, kAhead); ++i) evaluator.Prefetch(b->prechecks[i], ledger);
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) evaluator.Prefetch(b->prechecks[i + kAhead], ledger);
      evaluator.Settle(b->apps[i], &b->prechecks[i], &ledger);
    }
    const size_t chunks = PipelineChunks(n, shape);
    b->out.resize(chunks);
    b->sums.assign(chunks, Summary());
    b->found.assign(chunks, 0);
  };
  stages.finish = [&](size_t slot, size_t begin, size_t end, size_t, size_t chunk) {
    if (aborted) return;
    Batch* b = &batches[slot];
    engine::JsonWriter& out = b->out[chunk];
    Summary& sum = b->sums[chunk];
    out.Clear();
    for (size_t i = begin; i < end; ++i) {
      const engine::Application& app = b->apps[i];
      const bool trace = want_trace(app);
      evaluator.Finish(app, &b->prechecks[i], trace);
      const engine::Decision& d = b->prechecks[i].decision;
      ++sum.count[static_cast<int>(d.outcome)];
      if (d.outcome == engine::Outcome::kEligible) sum.eligible_fen += d.amount_fen;
      if (explain_text) {
        if (trace) {
          b->found[chunk] = 1;
          out.Raw(engine::ExplainText(d, app, *loaded->rules, lang));
        }
        continue;
      }
      engine::AppendDecisionJson(d, evaluator.provenance(), &out);
      if (o.explain) {
        out.PopBack();  // reopen the object to add the trace
        out.Raw(",\"trace\":");
        out.Raw(engine::TraceJson(d));
        out.Char('}');
      }
      out.Char('\n');
    }
    // Emptied now, while in cache, rather than when the slot comes round again.
    for (size_t i = begin; i < end; ++i) {
      b->prechecks[i].Clear();
      b->apps[i].Clear();
    }
  };
  int64_t written = 0;
  stages.write = [&](size_t slot) {
    if (aborted) return;
    Batch* b = &batches[slot];
    for (const auto& part : b->out) std::fwrite(part.data(), 1, part.size(), stdout);
    for (const Summary& sum : b->sums) {
      for (int k = 0; k < 5; ++k) summary.count[k] += sum.count[k];
      summary.eligible_fen += sum.eligible_fen;
    }
    for (char f : b->found) found = found || f;
    written += static_cast<int64_t>(b->apps.size());
    if (progress && written >= 200000 && written % 100000 < static_cast<int64_t>(kBatchLines)) {
      std::fprintf(stderr, "\r  %lld applications…", static_cast<long long>(written));
    }
  };
  RunPipeline(stages, shape);
  if (!ledger_ready()) return 2;
  std::fflush(stdout);
  if (progress && written >= 200000) std::fprintf(stderr, "\r");
  if (!in.status().ok()) {
    std::cerr << "qgrant: " << in.status().message() << "\n";
    return 2;
  }
  if (explain_text) {
    if (!found) {
      std::cerr << "qgrant explain: no application" << (o.explain_id.empty() ? "" : " with id " + o.explain_id) << " in the input\n";
      return 1;
    }
    return 0;
  }
  PrintSummary(summary, written);
  return 0;
}

void AddRuleOptions(CLI::App* cmd, EvalOptions* o) {
  cmd->add_option("--policy", o->policy, "policy folder or file (e.g. policies/sz-quality-brand)")->required();
  cmd->add_option("--guide", o->guide, "the year's application guide (YAML)");
  cmd->add_option("--ledger", o->ledger, "what units already received (JSON Lines)");
  cmd->add_option("--as-of", o->as_of, "apply the rules in force on this date (YYYY-MM-DD; default today)");
  cmd->add_option("APPLICATIONS", o->input, "JSON Lines file (stdin when absent)");
}

}  // namespace

void AddEvalCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "Decide applications (JSON Lines) under a policy; decisions on stdout");
  AddRuleOptions(cmd, o.get());
  cmd->add_flag("--explain", o->explain, "add the full trace of every rule to each decision");
  cmd->callback([o, exit_code]() { *exit_code = RunEval(*o, false); });
}

void AddExplainCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("explain", "Explain decisions step by step, for program officers (zh or en)");
  AddRuleOptions(cmd, o.get());
  cmd->add_option("--id", o->explain_id, "explain only the application with this id (the others still count for the round)");
  cmd->add_option("--lang", o->lang, "zh or en")->check(CLI::IsMember({"zh", "en"}));
  cmd->callback([o, exit_code]() { *exit_code = RunEval(*o, true); });
}

}  // namespace qgrant::cli
