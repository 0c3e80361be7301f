// Internal to the store: what both backends do around one write job.
#pragma once

#include <functional>

#include "store/tx.h"

namespace qgrant::store {

// Runs `job` and enforces the audit rule: a job that changed rows without an audit entry fails
// (the caller then rolls it back).
inline Status RunAuditedJob(WriteTx& tx, const std::function<Status(WriteTx&)>& job) {
  Status st = job(tx);
  if (st.ok() && tx.changed() && !tx.audited()) {
    return Status::Internal("a write changed data without an audit entry; it was rolled back");
  }
  return st;
}

}  // namespace qgrant::store
