// qgrant screen: which units of a registry qualify without applying (免申即享), with the amount,
// and which could once a missing fact is known — for pushing policies to units.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/line_reader.h"
#include "cli/rules_loading.h"
#include "common/money.h"
#include "common/printable.h"
#include "common/same_file.h"
#include "engine/evaluator.h"
#include "screen/screening.h"
#include "simulate/report.h"

namespace qgrant::cli {
namespace {

struct ScreenOptions {
  std::string policy, guide, ledger, as_of, registry, csv, xlsx;
  bool quiet = false;
};

// Checked before anything is read or written: an export must never replace an input.
bool ExportsSpareInputs(const ScreenOptions& o) {
  for (const std::string* output : {&o.csv, &o.xlsx}) {
    for (const std::string* input : {&o.registry, &o.ledger, &o.guide, &o.policy}) {
      const Status same = RefuseToOverwriteInput(*output, *input);
      if (!same.ok()) {
        std::cerr << "qgrant screen: " << same.message() << "\n";
        return false;
      }
    }
  }
  return true;
}

// The candidate lists for 免申即享, as CSV (into `csv`, opened before the run) and XLSX when
// asked for.
bool WriteCandidateLists(const ScreenOptions& o, const screen::ScreenResult& r, std::ofstream* csv) {
  if (!o.csv.empty()) {
    std::ofstream& f = *csv;
    f << screen::CandidatesCsv(r);
    f.close();
    if (!f) {
      std::cerr << "qgrant: 无法写入 / cannot write " << o.csv << ": " << std::strerror(errno) << "\n";
      return false;
    }
  }
  if (!o.xlsx.empty()) {
    Status x = screen::WriteCandidatesXlsx(r, o.xlsx);
    if (!x.ok()) {
      std::cerr << "qgrant: " << x.message() << "\n";
      return false;
    }
  }
  return true;
}

// The summary on stderr: counts by outcome, the eligible total, and examples of bad lines.
void PrintSummary(const screen::ScreenResult& r, int64_t eligible_fen) {
  std::fprintf(stderr,
               "qgrant screen: %lld registry line(s), %lld unit(s); %lld eligible (%s 万元), %lld "
               "undetermined, "
               "%lld ineligible, %lld referred, %lld invalid; %lld bad line(s)\n",
               static_cast<long long>(r.lines), static_cast<long long>(r.units),
               static_cast<long long>(r.counts[static_cast<int>(engine::Outcome::kEligible)]),
               money::WanFixed(eligible_fen, 2, true).c_str(),
               static_cast<long long>(r.counts[static_cast<int>(engine::Outcome::kUndetermined)]),
               static_cast<long long>(r.counts[static_cast<int>(engine::Outcome::kIneligible)]),
               static_cast<long long>(r.counts[static_cast<int>(engine::Outcome::kReferred)]),
               static_cast<long long>(r.counts[static_cast<int>(engine::Outcome::kInvalid)]),
               static_cast<long long>(r.bad_lines));
  for (const auto& e : r.bad_line_examples) std::fprintf(stderr, "  %s\n", Printable(e).c_str());
}

int RunScreen(const ScreenOptions& o) {
  if (!ExportsSpareInputs(o)) return 2;
  auto loaded = LoadRules(o.policy, o.guide, o.as_of);
  if (!loaded) return 2;
  engine::Ledger ledger;
  if (!LoadLedger(o.ledger, "screened", &ledger, loaded->rules.get())) return 2;
  // The exports' paths are tried before the run: a run that cannot save its lists writes nothing.
  std::ofstream csv_out, xlsx_probe;
  if (!OpenOutput(o.csv, &csv_out) || !OpenOutput(o.xlsx, &xlsx_probe)) return 2;
  xlsx_probe.close();  // the workbook is written whole at the end
  LineReader in;
  Status st = in.Open(o.registry);
  if (!st.ok()) {
    std::cerr << "qgrant: " << st.message() << "\n";
    return 2;
  }
  engine::Evaluator provenance_source(*loaded->rules);
  std::string out;
  auto sink = [&](const screen::ScreenRow& row, const engine::Decision& d) {
    if (o.quiet) return;
    out += "{\"uscc\":";
    engine::AppendJsonString(&out, row.uscc);
    out += ",\"name\":";
    engine::AppendJsonString(&out, row.name);
    if (!row.district.empty()) {
      out += ",\"district\":";
      engine::AppendJsonString(&out, row.district);
    }
    out += ",\"decision\":";
    engine::AppendDecisionJson(d, provenance_source.provenance(), &out);
    out += "}\n";
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  };
  // The candidate lists are kept only for the files that list them.
  const auto candidates = o.csv.empty() && o.xlsx.empty() ? screen::Candidates::kCount : screen::Candidates::kKeep;
  size_t expected_units = in.EstimateLines();
  std::vector<std::string> sample = InputSample(in, &expected_units);
  auto result = screen::Screen([&](std::string_view* line) { return in.Next(line); }, *loaded->rules, ledger, sink,
                               candidates, expected_units, std::move(sample));
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  if (!in.status().ok()) {
    std::cerr << "qgrant: " << in.status().message() << "\n";
    return 2;
  }
  if (!result.ok()) {
    std::cerr << "qgrant screen: " << result.status().message() << "\n";
    return 2;
  }
  const screen::ScreenResult& r = *result;
  if (!WriteCandidateLists(o, r, &csv_out)) return 2;
  const Result<int64_t> fen = screen::EligibleFen(r);
  if (!fen.ok()) {
    std::cerr << "qgrant screen: " << fen.status().message() << "\n";
    return 2;
  }
  PrintSummary(r, *fen);
  return 0;
}

}  // namespace

void AddScreenCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<ScreenOptions>();
  auto* cmd =
      app.add_subcommand("screen",
                         "Find units of a registry that qualify without applying (免申即享): eligible, ineligible, or "
                         "undetermined with the missing facts");
  cmd->add_option("--policy", o->policy, "policy folder or file")->required();
  cmd->add_option("--guide", o->guide, "the year's application guide (YAML)");
  cmd->add_option("--ledger", o->ledger, "what units already received (JSON Lines)");
  cmd->add_option("--as-of", o->as_of, "apply the rules in force on this date (YYYY-MM-DD; default today)");
  cmd->add_option("--csv", o->csv, "write the candidates (eligible and undetermined) as CSV");
  cmd->add_option("--xlsx", o->xlsx, "write the candidates as an XLSX workbook, one sheet per measure");
  cmd->add_flag("--quiet", o->quiet, "no JSON Lines on stdout (only the summary and the exports)");
  cmd->add_option("REGISTRY", o->registry, "units with their achievements: JSON Lines or CSV (stdin when absent)");
  cmd->callback([o, exit_code]() { *exit_code = RunScreen(*o); });
}

}  // namespace qgrant::cli
