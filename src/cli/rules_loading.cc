#include "cli/rules_loading.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>

namespace qgrant::cli {

policy::Date TodayInShenzhen() {
  auto now = std::chrono::system_clock::now();
  int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() + 8 * 3600;
  int64_t days = secs / 86400 - (secs % 86400 < 0 ? 1 : 0);
  return policy::Date{days};
}

std::optional<LoadedRules> LoadRules(const std::string& policy_path, const std::string& guide_path,
                                     const std::string& as_of) {
  return LoadRules(std::vector<std::string>{policy_path}, guide_path, as_of);
}

std::optional<LoadedRules> LoadRules(const std::vector<std::string>& policy_paths, const std::string& guide_path,
                                     const std::string& as_of) {
  LoadedRules out;
  policy::Date date = TodayInShenzhen();
  if (!as_of.empty() && !policy::ParseDate(as_of, &date)) {
    std::cerr << "qgrant: --as-of must be a date YYYY-MM-DD, found '" << as_of << "'\n";
    return std::nullopt;
  }
  policy::DiagnosticSink sink;
  if (!policy::LoadBundle(policy_paths, &out.bundle, &sink)) {
    std::string where;
    for (const auto& p : policy_paths) where += (where.empty() ? "" : " + ") + p;
    std::cerr << sink.Format() << "qgrant: the policy at " << where << " has errors; nothing was evaluated\n";
    return std::nullopt;
  }
  if (!guide_path.empty() && !policy::LoadGuideFile(guide_path, out.bundle, &out.guide, &sink)) {
    std::cerr << sink.Format() << "qgrant: the guide " << guide_path << " has errors; nothing was evaluated\n";
    return std::nullopt;
  }
  out.rules = std::make_unique<policy::RuleSet>(policy::ResolveRules(out.bundle, out.guide, date));
  return out;
}

bool LoadLedger(const std::string& path, const char* done, engine::Ledger* ledger, const policy::RuleSet* rules) {
  if (path.empty()) return true;
  ledger->CheckAgainst(rules);
  Status st = ledger->LoadFile(path);
  if (st.ok()) return true;
  std::cerr << "qgrant: " << st.message() << "\nqgrant: the ledger was not used; nothing was " << done << "\n";
  return false;
}

bool OpenOutput(const std::string& path, std::ofstream* out) {
  if (path.empty()) return true;
  out->open(path, std::ios::binary | std::ios::trunc);
  if (!*out) {
    std::cerr << "qgrant: 无法写入 / cannot write " << path << ": " << std::strerror(errno) << "\n";
    return false;
  }
  return true;
}

}  // namespace qgrant::cli
