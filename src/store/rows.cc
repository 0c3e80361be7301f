#include "store/rows.h"

#include <charconv>

namespace qgrant::store {

int64_t SqlRow::Int(size_t i) const { return OptInt(i).value_or(0); }

std::optional<int64_t> SqlRow::OptInt(size_t i) const {
  const auto& cell = cells.at(i);
  if (!cell) return std::nullopt;
  int64_t v = 0;
  std::from_chars(cell->data(), cell->data() + cell->size(), v);
  return v;
}

namespace rows {
namespace {

std::optional<bool> OptBool(const SqlRow& r, size_t i) {
  auto v = r.OptInt(i);
  if (!v) return std::nullopt;
  return *v != 0;
}

}  // namespace

std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

User ToUser(const SqlRow& r) {
  return User{r.Int(0), r.Text(1), r.Text(2), r.at(3), r.Text(4), r.Int(5) != 0, r.Text(6)};
}

Round ToRound(const SqlRow& r) {
  Round x{r.Text(0), r.Int(1),  r.Text(2),    r.Text(3),  r.Int(4),  r.Text(5),
          r.Text(6), r.Text(7), std::nullopt, r.Text(11), r.Text(12)};
  if (r.at(8)) x.notice = Notice{r.Text(8), r.Text(9), r.Int(10)};
  return x;
}

Application ToApplication(const SqlRow& r) {
  Application x;
  x.seq = r.Int(0);
  x.id = r.Text(1);
  x.round = r.Text(2);
  x.uscc = r.Text(3);
  x.measure = r.Text(4);
  x.subject = r.Text(5);
  x.subject_key = r.Text(6);
  x.state = r.Text(7);
  x.body = r.Text(8);
  x.submission_seq = r.OptInt(9);
  x.submitted_on = r.at(10);
  x.decision = r.at(11);
  x.amount_fen = r.Int(12);
  x.allocated_fen = r.OptInt(13);
  x.deadline = r.at(14);
  x.reference = r.at(15);
  x.created_by = r.OptInt(16);
  x.created_at = r.Text(17);
  x.updated_at = r.Text(18);
  return x;
}

HistoryEntry ToHistory(const SqlRow& r) {
  return HistoryEntry{r.Int(0),  r.Text(1), r.Text(2), r.Text(3), r.at(4),
                      r.Text(5), r.Text(6), r.Text(7), r.at(8),   r.at(9)};
}

Review ToReview(const SqlRow& r) {
  return Review{r.Int(0),    r.Text(1), r.Int(2),      r.Text(3), OptBool(r, 4),
                r.OptInt(5), r.Text(6), r.Int(7) != 0, r.Text(8)};
}

Objection ToObjection(const SqlRow& r) {
  return Objection{r.Int(0),    r.Text(1), r.Text(2), r.Text(3),   r.Text(4),
                   r.OptInt(5), r.Text(6), r.at(7),   r.OptInt(8), r.at(9)};
}

LedgerEntry ToLedger(const SqlRow& r) {
  return LedgerEntry{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.at(4), r.Text(5),
                     r.Int(6), r.Text(7), r.Text(8), r.at(9),   r.at(10)};
}

Payment ToPayment(const SqlRow& r) {
  return Payment{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4),
                 r.Int(5), r.Text(6), r.at(7),   r.Int(8),  r.Text(9)};
}

Invitation ToInvitation(const SqlRow& r) {
  return Invitation{r.Int(0),
                    r.Text(1),
                    r.Text(2),
                    r.Text(3),
                    r.Text(4),
                    r.Int(5),
                    r.Text(6),
                    r.at(7),
                    r.Text(8),
                    r.at(9).value_or(""),
                    r.at(10).value_or("")};
}

Result<AuditEntry> ToAudit(const SqlRow& r) {
  AuditEntry e{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), nullptr, nullptr, r.Text(7), r.Text(8)};
  e.before = nlohmann::json::parse(r.Text(5), nullptr, false);
  e.after = nlohmann::json::parse(r.Text(6), nullptr, false);
  if (e.before.is_discarded() || e.after.is_discarded()) {
    return Status::Internal("audit entry " + std::to_string(e.seq) + " holds text that is not JSON");
  }
  return e;
}

IdempotencyRecord ToIdempotency(const SqlRow& r) {
  return IdempotencyRecord{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4),
                           r.Int(5), r.Text(6), r.Text(7), r.Int(8),  r.Text(9)};
}

std::vector<SqlValue> RoundValues(const Round& x) {
  const bool n = x.notice.has_value();
  return {x.id,
          x.seq,
          x.title,
          x.guide,
          x.budget_fen,
          x.opens_on,
          x.closes_on,
          x.state,
          n ? SqlValue(x.notice->starts_on) : SqlNull(),
          n ? SqlValue(x.notice->ends_on) : SqlNull(),
          n ? SqlValue(x.notice->working_days) : SqlNull(),
          x.created_at,
          x.updated_at};
}

std::vector<SqlValue> ApplicationValues(const Application& x) {
  return {x.seq,
          x.id,
          x.round,
          x.uscc,
          x.measure,
          x.subject,
          x.subject_key,
          x.state,
          x.body,
          SqlInt(x.submission_seq),
          SqlText(x.submitted_on),
          SqlText(x.decision),
          x.amount_fen,
          SqlInt(x.allocated_fen),
          SqlText(x.deadline),
          SqlText(x.reference),
          SqlInt(x.created_by),
          x.created_at,
          x.updated_at};
}

std::vector<SqlValue> HistoryValues(const HistoryEntry& x) {
  return {x.id,       x.application_id, x.at,         x.action,        SqlText(x.from_state),
          x.to_state, x.actor,          x.actor_role, SqlText(x.note), SqlText(x.deadline)};
}

std::vector<SqlValue> ObjectionValues(const Objection& x) {
  return {x.id,
          x.round,
          x.application_id,
          x.text,
          x.state,
          SqlInt(x.filed_by),
          x.at,
          SqlText(x.resolution_note),
          SqlInt(x.resolved_by),
          SqlText(x.resolved_at)};
}

std::vector<SqlValue> LedgerValues(const LedgerEntry& x) {
  return {x.id,
          x.uscc,
          x.policy,
          x.measure,
          SqlText(x.level),
          x.subject,
          x.amount_fen,
          x.granted_on,
          x.scope,
          SqlText(x.application_id),
          SqlText(x.round)};
}

std::vector<SqlValue> PaymentValues(const Payment& x) {
  return {x.id,         x.round,  x.application_id,     x.payee,    x.uscc,
          x.amount_fen, x.status, SqlText(x.reference), x.attempts, x.updated_at};
}

std::vector<SqlValue> InvitationValues(const Invitation& x) {
  return {x.id,         x.round,       x.uscc, x.measure, x.subject, x.amount_fen, x.state, SqlText(x.application_id),
          x.created_at, x.application, x.name};
}

}  // namespace rows
}  // namespace qgrant::store
