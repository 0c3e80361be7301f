// qgrant simulate: the cost of a rule change across a registry of units (doc/simulation.md).
// Loads the baseline rules and the reform, runs src/simulate over the registry and prints the
// table; --csv and --chart write the same figures as CSV and SVG. Bad registry lines are named
// on stderr and counted; the exit status is non-zero only for unusable arguments or files.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/line_reader.h"
#include "cli/rules_loading.h"
#include "common/printable.h"
#include "common/same_file.h"
#include "simulate/report.h"
#include "simulate/simulation.h"

namespace qgrant::cli {
namespace {

struct SimulateOptions {
  std::string policy;
  std::string reform;
  std::string reform_policy;
  std::string guide;
  std::string ledger;
  std::string as_of;
  std::string csv;
  std::string chart;
  std::vector<std::string> by;
  std::string registry;
};

// Refuses an output (--csv, --chart) that is one of the input files: it is truncated when opened,
// which would destroy the registry or ledger it was meant to describe.
bool OutputsSpareInputs(const SimulateOptions& o) {
  for (const std::string* output : {&o.csv, &o.chart}) {
    for (const std::string* input : {&o.registry, &o.ledger, &o.reform, &o.guide, &o.policy}) {
      const Status same = RefuseToOverwriteInput(*output, *input);
      if (!same.ok()) {
        std::cerr << "qgrant simulate: " << same.message() << "\n";
        return false;
      }
    }
  }
  return true;
}

bool WriteOutput(const std::string& path, std::ofstream* out, const std::string& text) {
  if (path.empty()) return true;
  *out << text;
  out->close();
  if (!*out) {
    std::cerr << "qgrant: writing " << path << " failed\n";
    return false;
  }
  return true;
}

void ReportProblems(const std::string& registry, const simulate::SimulationResult& r) {
  for (const auto& p : r.bad_line_examples) {
    std::cerr << registry << ":" << p.line << ": bad registry line: " << Printable(p.message) << "\n";
  }
  if (r.bad_lines > static_cast<int64_t>(r.bad_line_examples.size())) {
    std::cerr << registry << ": … " << r.bad_lines - r.bad_line_examples.size() << " more bad line(s)\n";
  }
  // The baseline's invalid applications; the reform's only when it finds a different number
  // (a measure that exists in one scenario only).
  for (int s : {simulate::kBaseline, simulate::kReform}) {
    const simulate::ScenarioResult& sc = r.scenarios[s];
    if (s == simulate::kReform && sc.invalid == r.scenarios[simulate::kBaseline].invalid) break;
    const char* name = s == simulate::kBaseline ? "baseline" : "reform";
    for (const auto& p : sc.invalid_examples) {
      std::cerr << registry << ":" << p.line << ": invalid application (" << name << "): " << Printable(p.message)
                << "\n";
    }
    const int64_t invalid_apps = sc.invalid - r.bad_lines;
    if (invalid_apps > static_cast<int64_t>(sc.invalid_examples.size())) {
      std::cerr << registry << ": … " << invalid_apps - sc.invalid_examples.size() << " more invalid application(s) ("
                << name << ")\n";
    }
  }
}

int RunSimulate(const SimulateOptions& o) {
  if (o.reform.empty() && o.reform_policy.empty()) {
    std::cerr << "qgrant: give the reform: --reform FILE (a kind: reform file), --reform-policy "
                 "FOLDER, or both\n";
    return 2;
  }
  auto baseline = LoadRules(o.policy, o.guide, o.as_of);
  if (!baseline) return 2;
  std::vector<std::string> reform_paths{o.reform_policy.empty() ? o.policy : o.reform_policy};
  if (!o.reform.empty()) reform_paths.push_back(o.reform);
  auto reform = LoadRules(reform_paths, o.guide, o.as_of);
  if (!reform) return 2;
  if (o.reform_policy.empty() &&
      reform->rules->amendments_applied.size() == baseline->rules->amendments_applied.size()) {
    std::cerr << "qgrant: warning: " << o.reform << " changes nothing in force on "
              << policy::FormatDate(reform->rules->as_of) << "\n";
  }
  engine::Ledger ledger;
  if (!LoadLedger(o.ledger, "simulated", &ledger, baseline->rules.get())) return 2;
  std::ofstream csv_out, chart_out;
  if (!OutputsSpareInputs(o)) return 2;
  if (!OpenOutput(o.csv, &csv_out) || !OpenOutput(o.chart, &chart_out)) return 2;
  LineReader in;
  if (Status st = in.Open(o.registry); !st.ok()) {
    std::cerr << "qgrant: " << st.message() << "\n";
    return 2;
  }
  const std::string registry_name = o.registry.empty() || o.registry == "-" ? "stdin" : o.registry;

  simulate::SimulationOptions options;
  options.expected_units = in.EstimateLines();
  options.sample = InputSample(in, &options.expected_units);
  const bool progress = isatty(STDERR_FILENO);
  if (progress) {
    options.progress = [](int64_t lines) {
      if (lines >= 100000) std::fprintf(stderr, "\r  %lld units…", static_cast<long long>(lines));
    };
  }
  const auto start = std::chrono::steady_clock::now();
  auto result = simulate::Simulate([&](std::string_view* line) { return in.Next(line); }, *baseline->rules,
                                   *reform->rules, ledger, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (progress) std::fprintf(stderr, "\r\033[K");
  if (!in.status().ok()) {
    std::cerr << "qgrant: " << in.status().message() << "\n";
    return 2;
  }
  if (!result.ok()) {
    std::cerr << "qgrant: " << registry_name << ": " << result.status().message() << "\n";
    return 2;
  }
  ReportProblems(registry_name, *result);

  std::vector<simulate::Dimension> by;
  for (const auto& b : o.by) by.push_back(b == "district" ? simulate::kDistrict : simulate::kKind);
  simulate::ReportOptions report{registry_name, by};
  const std::string table = simulate::RenderTable(*result, report);
  std::fwrite(table.data(), 1, table.size(), stdout);
  std::fflush(stdout);
  if (!WriteOutput(o.csv, &csv_out, simulate::RenderCsv(*result, by)) ||
      !WriteOutput(o.chart, &chart_out, simulate::RenderChart(*result))) {
    return 2;
  }
  std::fprintf(stderr, "qgrant simulate: %lld units, %lld applications per scenario, in %.1f s\n",
               static_cast<long long>(result->units),
               static_cast<long long>(result->scenarios[simulate::kBaseline].applications), seconds);
  return 0;
}

}  // namespace

void AddSimulateCommand(CLI::App& app, int* exit_code) {
  auto o = std::make_shared<SimulateOptions>();
  auto* cmd = app.add_subcommand("simulate",
                                 "Cost of a rule change: eligible units and amounts per measure, "
                                 "baseline vs reform, over a registry");
  cmd->add_option("--policy", o->policy, "the baseline policy folder or file")->required();
  cmd->add_option("--reform", o->reform, "a reform (kind: reform) or amendment file applied on top of the policy");
  cmd->add_option("--reform-policy", o->reform_policy, "another version of the policy (folder or file) as the reform");
  cmd->add_option("--guide", o->guide, "the year's application guide, for both scenarios");
  cmd->add_option("--ledger", o->ledger, "what units already received (JSON Lines); each scenario starts from it");
  cmd->add_option("--as-of", o->as_of, "apply the rules in force on this date (YYYY-MM-DD; default today)");
  cmd->add_option("--csv", o->csv, "write the figures as CSV to this file");
  cmd->add_option("--chart", o->chart, "write an SVG bar chart of cost per measure to this file");
  cmd->add_option("--by", o->by, "break the figures down by district and/or kind")
      ->check(CLI::IsMember({"district", "kind"}))
      ->delimiter(',')
      ->allow_extra_args(false);  // one value per --by, so the registry is not taken for one
  cmd->add_option("REGISTRY", o->registry, "units with their achievements: JSON Lines or CSV (stdin when absent)");
  cmd->callback([o, exit_code]() { *exit_code = RunSimulate(*o); });
}

}  // namespace qgrant::cli
