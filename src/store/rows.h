// Internal to the store: the column lists of each table and the mapping of a row to its struct.
// One place per table, so a column added by a migration is added here once for reads and writes.
#pragma once

#include <string>
#include <vector>

#include "store/sql.h"
#include "store/types.h"

namespace qgrant::store::rows {

inline constexpr const char* kUserColumns = "id, login, role, uscc, name, active, created_at";
inline constexpr const char* kRoundColumns =
    "id, seq, title, guide, budget_fen, opens_on, closes_on, state, notice_starts_on, "
    "notice_ends_on, notice_working_days, created_at, updated_at";
inline constexpr const char* kApplicationColumns =
    "seq, id, round_id, uscc, measure, subject, subject_key, state, body, submission_seq, "
    "submitted_on, decision, amount_fen, allocated_fen, deadline, reference, created_by, "
    "created_at, updated_at";
inline constexpr const char* kHistoryColumns =
    "id, application_id, at, action, from_state, to_state, actor, actor_role, note, deadline";
inline constexpr const char* kObjectionColumns =
    "id, round_id, application_id, text, state, filed_by, at, resolution_note, resolved_by, resolved_at";
inline constexpr const char* kLedgerColumns =
    "id, uscc, policy, measure, level, subject, amount_fen, granted_on, scope, application_id, round_id";
inline constexpr const char* kPaymentColumns =
    "id, round_id, application_id, payee, uscc, amount_fen, status, reference, attempts, updated_at";
inline constexpr const char* kInvitationColumns =
    "id, round_id, uscc, measure, subject, amount_fen, state, application_id, created_at, application, name";
inline constexpr const char* kAuditColumns = "seq, at, actor, action, object, before_json, after_json, prev_hash, hash";
inline constexpr const char* kIdempotencyColumns =
    "user_id, idem_key, method, path, body_hash, status, response, created_at, created_epoch, location";

// "?, ?, ?" for n parameters.
std::string Placeholders(size_t n);

User ToUser(const SqlRow& r);
Round ToRound(const SqlRow& r);
Application ToApplication(const SqlRow& r);
HistoryEntry ToHistory(const SqlRow& r);
Review ToReview(const SqlRow& r);  // id, application_id, expert_id, login, passed, score, note, coi, at
Objection ToObjection(const SqlRow& r);
LedgerEntry ToLedger(const SqlRow& r);
Payment ToPayment(const SqlRow& r);
Invitation ToInvitation(const SqlRow& r);
Result<AuditEntry> ToAudit(const SqlRow& r);
IdempotencyRecord ToIdempotency(const SqlRow& r);

// The parameters that fill the column lists above, in their order.
std::vector<SqlValue> RoundValues(const Round& x);
std::vector<SqlValue> ApplicationValues(const Application& x);
std::vector<SqlValue> HistoryValues(const HistoryEntry& x);
std::vector<SqlValue> ObjectionValues(const Objection& x);
std::vector<SqlValue> LedgerValues(const LedgerEntry& x);
std::vector<SqlValue> PaymentValues(const Payment& x);
std::vector<SqlValue> InvitationValues(const Invitation& x);

}  // namespace qgrant::store::rows
