// The audit chain (CONTRACT §7 "Audit"): entry n's hash is the hex SHA-256 of entry n-1's hash
// (64 zeros for the first) followed by the RFC 8785 canonical JSON of
// [seq, at, actor, action, object, before, after]. Anyone holding the entries — from the API or the
// table — can recompute it; an edited, inserted or deleted row breaks the chain at that seq.
// The head hash, published or noted elsewhere, also pins the end of the chain.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "store/types.h"

namespace qgrant::store {

inline const std::string kGenesisHash(64, '0');

// The hash entry `e` must carry, given e.prev_hash. InvalidArgument when before or after is not an
// object or null, or holds a value JCS cannot print exactly (jcs.h).
Result<std::string> AuditHash(const AuditEntry& e);

// The outcome of checking a whole chain: either every entry verifies (ok, entries, head) or the
// first that does not (bad_seq, reason).
struct AuditVerdict {
  bool ok = true;
  int64_t entries = 0;
  std::string head;  // hash of the last entry (64 zeros for an empty chain)
  int64_t bad_seq = 0;
  std::string reason;
};

// Checks entries handed in seq order, one at a time, holding only the previous hash.
class AuditChainChecker {
 public:
  // `row` is the entry as stored: before/after as the JSON text in the table.
  // Returns false at the first entry that does not verify (the verdict then says why).
  bool Add(int64_t seq, const std::string& at, const std::string& actor, const std::string& action,
           const std::string& object, const std::string& before_json, const std::string& after_json,
           const std::string& prev_hash, const std::string& hash);
  const AuditVerdict& verdict() const { return verdict_; }

 private:
  bool Fail(int64_t seq, std::string reason);

  AuditVerdict verdict_{true, 0, kGenesisHash, 0, ""};
};

}  // namespace qgrant::store
