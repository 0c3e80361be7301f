// Loading the rules for a command: the policy folder or file, an optional guide, the date the
// rules are applied. Problems are printed to stderr in "file:line:col: message" form.
#pragma once

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/ledger.h"
#include "policy/loader.h"

namespace qgrant::cli {

struct LoadedRules {
  policy::PolicyBundle bundle;
  std::shared_ptr<const policy::Guide> guide;
  std::unique_ptr<policy::RuleSet> rules;
};

// Today in Beijing time, the default date the rules are applied.
policy::Date TodayInShenzhen();

// Loads everything; prints diagnostics and returns nullopt when the rules cannot be used.
[[nodiscard]] std::optional<LoadedRules> LoadRules(const std::string& policy_path, const std::string& guide_path,
                                                   const std::string& as_of);
// The same with several policy paths loaded as one bundle: a policy folder and a reform file.
[[nodiscard]] std::optional<LoadedRules> LoadRules(const std::vector<std::string>& policy_paths,
                                                   const std::string& guide_path, const std::string& as_of);

// Loads the ledger named by --ledger (nothing when `path` is empty). On a bad file prints the
// problem, says that nothing was `done` ("evaluated", "screened", ...), and returns false.
// With `rules`, each line is also checked against the policy (levels of its measures).
[[nodiscard]] bool LoadLedger(const std::string& path, const char* done, engine::Ledger* ledger,
                              const policy::RuleSet* rules = nullptr);

// Opens an output file (--csv, --chart, …) before the run, so that a mistyped path costs nothing
// and nothing is written to stdout for a run that then fails; prints the problem and returns
// false when it cannot be written. An empty `path`: nothing to open.
[[nodiscard]] bool OpenOutput(const std::string& path, std::ofstream* out);

}  // namespace qgrant::cli
