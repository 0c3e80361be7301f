// Internal to the store: what both backends do around one job.
#pragma once

#include <exception>
#include <functional>
#include <string>

#include "store/tx.h"

namespace qgrant::store {

// Runs a job, turning an exception that escapes it (a JSON library's type error in the service's
// code, say) into an Internal error: on the writer thread an escaping exception would end the
// process, and every other caller's write with it.
template <typename Tx>
Status RunGuarded(Tx& tx, const std::function<Status(Tx&)>& job) {
  try {
    return job(tx);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("a store job threw: ") + e.what());
  } catch (...) {
    return Status::Internal("a store job threw a non-standard exception");
  }
}

// Runs a write job and enforces the audit rule: a job that changed rows without an audit entry
// fails (the caller then rolls it back).
inline Status RunAuditedJob(WriteTx& tx, const std::function<Status(WriteTx&)>& job) {
  Status st = RunGuarded(tx, job);
  if (st.ok() && tx.changed() && !tx.audited()) {
    return Status::Internal("a write changed data without an audit entry; it was rolled back");
  }
  return st;
}

}  // namespace qgrant::store
