#include "server/rules_cache.h"

namespace qgrant::server {

RulesEntry::RulesEntry(const policy::PolicyBundle& bundle, std::shared_ptr<const policy::Guide> guide,
                       policy::Date as_of)
    : rules_(policy::ResolveRules(bundle, std::move(guide), as_of)),
      evaluator_(rules_),
      measures_json_(MeasuresJson(rules_)) {}

void RulesEntry::Read(std::string_view text, engine::Application* app) const {
  std::unique_ptr<engine::ApplicationReader> reader;
  {
    std::lock_guard lock(mu_);
    if (!readers_.empty()) {
      reader = std::move(readers_.back());
      readers_.pop_back();
    }
  }
  if (!reader) reader = std::make_unique<engine::ApplicationReader>(rules_);
  reader->Read(text, app);
  std::lock_guard lock(mu_);
  readers_.push_back(std::move(reader));
}

std::shared_ptr<const RulesEntry> RulesCache::Get(const std::shared_ptr<const policy::Guide>& guide,
                                                  policy::Date as_of) const {
  const auto key = std::make_pair(guide.get(), as_of.days);
  {
    std::lock_guard lock(mu_);
    if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  }
  // Made outside the lock: two requests may both make one, and the first stored wins.
  auto entry = std::make_shared<const RulesEntry>(bundle_, guide, as_of);
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) entries_.clear();
  return entries_.emplace(key, std::move(entry)).first->second;
}

}  // namespace qgrant::server
