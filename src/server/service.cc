#include "server/service.h"

#include <chrono>

namespace qgrant::server {

Service::Service(policy::PolicyBundle bundle, std::optional<policy::Date> today,
                 std::shared_ptr<const LedgerSource> ledger)
    : bundle_(std::move(bundle)), today_(today), ledger_(std::move(ledger)) {}

policy::Date Service::Today() const {
  if (today_) return *today_;
  // Asia/Shanghai has kept UTC+8 without daylight saving since 1991.
  const auto now = std::chrono::system_clock::now();
  const int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() + 8 * 3600;
  return policy::Date{secs / 86400 - (secs % 86400 < 0 ? 1 : 0)};
}

std::shared_ptr<const policy::Guide> Service::FindGuide(int year) const {
  for (const auto& g : bundle_.guides) {
    if (g->year == year) return g;
  }
  return nullptr;
}

}  // namespace qgrant::server
