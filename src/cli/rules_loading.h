// Loading the rules for a command: the policy folder or file, an optional guide, the date the
// rules are applied. Problems are printed to stderr in "file:line:col: message" form.
#pragma once

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

}  // namespace qgrant::cli
