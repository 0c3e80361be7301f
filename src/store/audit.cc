#include "store/audit.h"

#include "store/crypto.h"
#include "store/jcs.h"

namespace qgrant::store {
namespace {

bool ObjectOrNull(const nlohmann::json& v) { return v.is_null() || v.is_object(); }

}  // namespace

Result<std::string> AuditHash(const AuditEntry& e) {
  if (!ObjectOrNull(e.before) || !ObjectOrNull(e.after)) {
    return Status::InvalidArgument("audit before and after must be JSON objects or null");
  }
  const nlohmann::json tuple = {e.seq, e.at, e.actor, e.action, e.object, e.before, e.after};
  auto canonical = CanonicalJson(tuple);
  if (!canonical.ok()) return canonical.status();
  return Sha256Hex(e.prev_hash + *canonical);
}

bool AuditChainChecker::Fail(int64_t seq, std::string reason) {
  verdict_.ok = false;
  verdict_.bad_seq = seq;
  verdict_.reason = std::move(reason);
  return false;
}

bool AuditChainChecker::Add(int64_t seq, const std::string& at, const std::string& actor, const std::string& action,
                            const std::string& object, const std::string& before_json, const std::string& after_json,
                            const std::string& prev_hash, const std::string& hash) {
  if (!verdict_.ok) return false;
  const int64_t expected = verdict_.entries + 1;
  if (seq > expected) return Fail(expected, "missing (the next stored entry is " + std::to_string(seq) + ")");
  if (seq < expected) return Fail(seq, "out of sequence (expected " + std::to_string(expected) + ")");
  if (prev_hash != verdict_.head) {
    return Fail(
        seq, seq == 1 ? "prev_hash is not 64 zeros" : "prev_hash is not the hash of entry " + std::to_string(seq - 1));
  }
  AuditEntry e{seq, at, actor, action, object, nullptr, nullptr, prev_hash, hash};
  e.before = nlohmann::json::parse(before_json, nullptr, false);
  e.after = nlohmann::json::parse(after_json, nullptr, false);
  if (e.before.is_discarded() || e.after.is_discarded()) return Fail(seq, "before or after is not JSON");
  // The store writes before and after in canonical form; any other spelling was written by hand.
  auto before = CanonicalJson(e.before);
  auto after = CanonicalJson(e.after);
  if (!before.ok() || !after.ok() || *before != before_json || *after != after_json) {
    return Fail(seq, "before or after is not as the store wrote it (not canonical JSON)");
  }
  auto computed = AuditHash(e);
  if (!computed.ok()) return Fail(seq, computed.status().message());
  if (*computed != hash) return Fail(seq, "hash does not match the entry's contents");
  ++verdict_.entries;
  verdict_.head = hash;
  return true;
}

}  // namespace qgrant::store
