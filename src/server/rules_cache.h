// The rules in force for a (guide, date) pair, made ready once and shared: the RuleSet, its
// Evaluator, the readers that parse applications against it, and the measure catalogue as JSON.
// Requests name a guide and a date (`?guide=&as_of=`), and nearly all name the same few, so
// the cache keeps a handful of entries and starts afresh when it grows past them.
// Thread-safety: Get may be called from every worker at once; an Entry is immutable except for
// its reader pool, which locks.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/application.h"
#include "engine/evaluator.h"
#include "policy/loader.h"

namespace qgrant::server {

class RulesEntry {
 public:
  RulesEntry(const policy::PolicyBundle& bundle, std::shared_ptr<const policy::Guide> guide, policy::Date as_of);
  RulesEntry(const RulesEntry&) = delete;
  RulesEntry& operator=(const RulesEntry&) = delete;

  const policy::RuleSet& rules() const { return rules_; }
  const engine::Evaluator& evaluator() const { return evaluator_; }
  // GET /api/v1/measures, rendered once.
  const std::string& measures_json() const { return measures_json_; }

  // Reads one application with a reader of the pool (readers keep a parser and buffers, so
  // they are reused rather than made per request).
  void Read(std::string_view text, engine::Application* app) const;

 private:
  policy::RuleSet rules_;
  engine::Evaluator evaluator_;  // refers to rules_
  std::string measures_json_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<engine::ApplicationReader>> readers_;
};

class RulesCache {
 public:
  explicit RulesCache(const policy::PolicyBundle& bundle) : bundle_(bundle) {}

  std::shared_ptr<const RulesEntry> Get(const std::shared_ptr<const policy::Guide>& guide, policy::Date as_of) const;

 private:
  static constexpr size_t kMaxEntries = 32;
  const policy::PolicyBundle& bundle_;
  mutable std::mutex mu_;
  mutable std::map<std::pair<const policy::Guide*, int64_t>, std::shared_ptr<const RulesEntry>> entries_;
};

// The catalogue of measures in force (CONTRACT.md §7 GET /api/v1/measures) as JSON.
std::string MeasuresJson(const policy::RuleSet& rules);

}  // namespace qgrant::server
