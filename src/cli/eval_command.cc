// qgrant eval: JSON Lines of applications in, decisions out in the same order (CONTRACT.md §5).
// One input is one round. A broken line yields an `invalid` decision and the batch goes on; the
// exit status is non-zero only for unusable arguments or files. A summary goes to stderr.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/line_reader.h"
#include "cli/rules_loading.h"
#include "common/parallel.h"
#include "engine/application.h"
#include "engine/evaluator.h"
#include "engine/explain.h"
#include "engine/round.h"

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

void PrintSummary(const engine::RoundSummary& s) {
  const int64_t lines = s.decisions;
  std::fprintf(stderr, "qgrant eval: %lld decision(s): %lld eligible, %lld ineligible, %lld referred, %lld invalid\n",
               static_cast<long long>(lines), static_cast<long long>(s.count[0]), static_cast<long long>(s.count[1]),
               static_cast<long long>(s.count[2]), static_cast<long long>(s.count[3]));
  if (s.eligible_overflow) {  // the decisions stand; only their sum cannot be written exactly
    std::fprintf(
        stderr,
        "qgrant eval: 符合条件金额合计超过 %s，无法精确合计 / the eligible total exceeds %s and cannot be added "
        "up exactly; every amount is a ceiling, see qgrant allocate\n",
        engine::YuanZh(INT64_MAX).c_str(), engine::YuanEn(INT64_MAX).c_str());
    return;
  }
  std::fprintf(stderr, "qgrant eval: eligible total %s (%s); every amount is a ceiling, see qgrant allocate\n",
               engine::YuanEn(s.eligible_fen).c_str(), engine::YuanZh(s.eligible_fen).c_str());
}

// The input file (or stdin) as the lines of a round.
class FileSource : public engine::RoundSource {
 public:
  explicit FileSource(LineReader* in) : in_(in) {}
  bool Next(std::string_view* line, int64_t* number) override {
    if (!in_->Next(line)) return false;
    *number = ++number_;
    return true;
  }

 private:
  LineReader* in_;
  int64_t number_ = 0;
};

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
  // Room for the rows a round adds, from the size of the input when it is a file (an application
  // takes a few hundred bytes and funds about one entry); its indexes are made once the first
  // batch tells how many rows the round will add.
  engine::Ledger ledger;
  ledger.Reserve(std::min<size_t>(in.FileBytes() / 300, size_t{1} << 25));
  ledger.IndexOnExpect();
  // What the loader throws (memory exhausted) is thrown again where it is joined.
  bool ledger_ok = true;
  JoiningThreads ledger_loader;
  ledger_loader.Run([&] { ledger_ok = LoadLedger(o.ledger, "evaluated", &ledger, loaded->rules.get()); });
  auto ledger_ready = [&] {
    ledger_loader.Join();
    return ledger_ok;
  };
  const engine::Evaluator evaluator(*loaded->rules);
  const engine::RoundDriver driver(evaluator);
  const engine::Lang lang = o.lang == "en" ? engine::Lang::kEn : engine::Lang::kZh;
  const bool progress = isatty(STDERR_FILENO) && !explain_text;
  std::atomic<bool> found{false};
  int64_t written = 0;

  engine::RoundOptions options;
  options.ledger_ready = ledger_ready;
  options.expected_lines = in.EstimateLines();
  options.sample = InputSample(in, &options.expected_lines);
  options.trace = [&](const engine::Application& app) {
    return o.explain || (explain_text && (o.explain_id.empty() || (app.id && *app.id == o.explain_id)));
  };
  if (explain_text) {
    options.format = [&](int64_t, const engine::Application& app, const engine::Decision& d, engine::JsonWriter* out) {
      if (!options.trace(app)) return;
      found = true;
      out->Raw(engine::ExplainText(d, app, *loaded->rules, lang));
    };
  }
  options.write = [&](std::string_view bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    if (!progress) return;  // counting lines costs a pass over the output: only for a terminal
    written += static_cast<int64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
    if (written >= 200000 && written % 100000 < 1024) {
      std::fprintf(stderr, "\r  %lld applications…", static_cast<long long>(written));
    }
  };
  FileSource source(&in);
  engine::RoundSummary summary;
  const bool ran = driver.Run(&source, &ledger, options, &summary);
  if (!ledger_ready() || !ran) return 2;
  std::fflush(stdout);
  if (progress && written >= 200000) std::fprintf(stderr, "\r");
  if (!in.status().ok()) {
    std::cerr << "qgrant: " << in.status().message() << "\n";
    return 2;
  }
  if (explain_text) {
    if (!found) {
      std::cerr << "qgrant explain: no application" << (o.explain_id.empty() ? "" : " with id " + o.explain_id)
                << " in the input\n";
      return 1;
    }
    return 0;
  }
  PrintSummary(summary);
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
  cmd->add_option("--id", o->explain_id,
                  "explain only the application with this id (the others still count for the round)");
  cmd->add_option("--lang", o->lang, "zh or en")->check(CLI::IsMember({"zh", "en"}));
  cmd->callback([o, exit_code]() { *exit_code = RunEval(*o, true); });
}

}  // namespace qgrant::cli
