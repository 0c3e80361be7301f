// The writes of tx.h. Ids are MAX + 1 inside the transaction: writes are serialised (the SQLite
// writer thread; PostgreSQL's writer lock), so no two transactions can pick the same id.
#include <cstdio>
#include <ctime>

#include "store/crypto.h"
#include "store/jcs.h"
#include "store/rows.h"
#include "store/tx.h"

namespace qgrant::store {
namespace {

using namespace rows;

std::string Insert(const char* table, const char* columns, size_t n) {
  return std::string("INSERT INTO ") + table + " (" + columns + ") VALUES (" + Placeholders(n) + ")";
}

std::vector<std::string> Columns(const char* list) {
  std::vector<std::string> out;
  std::string col;
  for (const char* p = list;; ++p) {
    if (*p == ',' || *p == '\0') {
      out.push_back(col);
      col.clear();
      if (*p == '\0') return out;
    } else if (*p != ' ') {
      col.push_back(*p);
    }
  }
}

// An UPDATE of every column after the first `skip` (the key) but created_at, which never changes,
// with the parameters taken from `values` (the full column list's) and then `key`.
struct UpdateStatement {
  std::string sql;
  std::vector<SqlValue> params;
};

UpdateStatement Update(const char* table, const char* columns, size_t skip, std::vector<SqlValue> values,
                       const char* where, SqlValue key) {
  UpdateStatement u{std::string("UPDATE ") + table + " SET ", {}};
  const std::vector<std::string> cols = Columns(columns);
  for (size_t i = skip; i < cols.size(); ++i) {
    if (cols[i] == "created_at") continue;
    u.sql += (u.params.empty() ? "" : ", ") + cols[i] + " = ?";
    u.params.push_back(std::move(values[i]));
  }
  // RETURNING tells an update of a row that is not there (NotFound) from one that succeeded.
  u.sql += std::string(" WHERE ") + where + " RETURNING 1";
  u.params.push_back(std::move(key));
  return u;
}

}  // namespace

Result<int64_t> WriteTx::NextId(const char* table, const char* column) {
  auto rows = Query(std::string("SELECT COALESCE(MAX(") + column + "), 0) + 1 FROM " + table, {});
  if (!rows.ok()) return rows.status();
  return rows->front().Int(0);
}

Status WriteTx::Change(const std::string& sql, const std::vector<SqlValue>& params, const std::string& what) {
  auto rows = Query(sql, params);
  if (!rows.ok()) return Status::IoError("cannot write " + what + ": " + rows.status().message());
  if (sql.ends_with("RETURNING 1") && rows->empty()) return Status::NotFound(what + " does not exist");
  changed_ = true;
  return Status::Ok();
}

Status WriteTx::AddUser(User* user, const std::string& token_hash) {
  auto existing = UserByLogin(user->login);
  if (!existing.ok()) return existing.status();
  if (*existing) return Status::InvalidArgument("a user with login '" + user->login + "' already exists");
  auto id = NextId("users", "id");
  if (!id.ok()) return id.status();
  user->id = *id;
  user->created_at = now_;
  return Change(Insert("users", "id, login, role, uscc, name, active, created_at, token_hash", 8),
                {user->id, user->login, user->role, SqlText(user->uscc), user->name, int64_t{user->active},
                 user->created_at, token_hash},
                "user " + user->login);
}

Status WriteTx::SetUserActive(int64_t user_id, bool active) {
  return Change("UPDATE users SET active = ? WHERE id = ? RETURNING 1", {int64_t{active}, user_id},
                "user " + std::to_string(user_id));
}

Status WriteTx::InsertRound(Round* round) {
  auto existing = GetRound(round->id);
  if (!existing.ok()) return existing.status();
  if (*existing) return Status::InvalidArgument("a round with id '" + round->id + "' already exists");
  auto seq = NextId("rounds", "seq");
  if (!seq.ok()) return seq.status();
  round->seq = *seq;
  round->created_at = round->updated_at = now_;
  return Change(Insert("rounds", kRoundColumns, 13), RoundValues(*round), "round " + round->id);
}

Status WriteTx::UpdateRound(Round* round) {
  round->updated_at = now_;
  auto u = Update("rounds", kRoundColumns, 2, RoundValues(*round), "id = ?", round->id);
  return Change(u.sql, u.params, "round " + round->id);
}

Status WriteTx::InsertApplication(Application* app) {
  auto seq = NextId("applications", "seq");
  if (!seq.ok()) return seq.status();
  app->seq = *seq;
  if (app->id.empty()) {
    char id[32];
    std::snprintf(id, sizeof id, "APP-%06lld", static_cast<long long>(app->seq));
    app->id = id;
  }
  auto existing = GetApplication(app->id);
  if (!existing.ok()) return existing.status();
  if (*existing) return Status::InvalidArgument("an application with id '" + app->id + "' already exists");
  app->created_at = app->updated_at = now_;
  return Change(Insert("applications", kApplicationColumns, 19), ApplicationValues(*app), "application " + app->id);
}

Status WriteTx::UpdateApplication(Application* app) {
  app->updated_at = now_;
  auto u = Update("applications", kApplicationColumns, 2, ApplicationValues(*app), "id = ?", app->id);
  return Change(u.sql, u.params, "application " + app->id);
}

Result<int64_t> WriteTx::NextSubmissionSeq() { return NextId("applications", "submission_seq"); }

Status WriteTx::AddHistory(HistoryEntry* entry) {
  auto id = NextId("application_history", "id");
  if (!id.ok()) return id.status();
  entry->id = *id;
  if (entry->at.empty()) entry->at = now_;
  return Change(Insert("application_history", kHistoryColumns, 10), HistoryValues(*entry), "history");
}

Status WriteTx::PutReview(Review* review) {
  auto rows = Query("SELECT id FROM reviews WHERE application_id = ? AND expert_id = ?",
                    {review->application_id, review->expert_id});
  if (!rows.ok()) return rows.status();
  review->at = now_;
  const SqlValue passed = review->passed ? SqlValue(int64_t{*review->passed}) : SqlNull();
  if (!rows->empty()) {
    review->id = rows->front().Int(0);
    return Change(
        "UPDATE reviews SET passed = ?, score = ?, note = ?, conflict_of_interest = ?, at = ? WHERE id = ?"
        " RETURNING 1",
        {passed, SqlInt(review->score), review->note, int64_t{review->conflict_of_interest}, review->at, review->id},
        "review");
  }
  auto id = NextId("reviews", "id");
  if (!id.ok()) return id.status();
  review->id = *id;
  return Change(Insert("reviews", "id, application_id, expert_id, passed, score, note, conflict_of_interest, at", 8),
                {review->id, review->application_id, review->expert_id, passed, SqlInt(review->score), review->note,
                 int64_t{review->conflict_of_interest}, review->at},
                "review");
}

Status WriteTx::InsertObjection(Objection* objection) {
  auto id = NextId("objections", "id");
  if (!id.ok()) return id.status();
  objection->id = *id;
  objection->at = now_;
  return Change(Insert("objections", kObjectionColumns, 10), ObjectionValues(*objection), "objection");
}

Status WriteTx::UpdateObjection(const Objection& objection) {
  auto u = Update("objections", kObjectionColumns, 1, ObjectionValues(objection), "id = ?", objection.id);
  return Change(u.sql, u.params, "objection");
}

Status WriteTx::InsertLedgerEntry(LedgerEntry* entry) {
  auto id = NextId("ledger_entries", "id");
  if (!id.ok()) return id.status();
  entry->id = *id;
  return Change(Insert("ledger_entries", kLedgerColumns, 11), LedgerValues(*entry), "ledger entry");
}

Status WriteTx::InsertPayment(Payment* payment) {
  auto id = NextId("payments", "id");
  if (!id.ok()) return id.status();
  payment->id = *id;
  payment->updated_at = now_;
  return Change(Insert("payments", kPaymentColumns, 10), PaymentValues(*payment), "payment");
}

Status WriteTx::UpdatePayment(Payment* payment) {
  payment->updated_at = now_;
  auto u = Update("payments", kPaymentColumns, 1, PaymentValues(*payment), "id = ?", payment->id);
  return Change(u.sql, u.params, "payment");
}

Status WriteTx::InsertInvitation(Invitation* invitation) {
  auto id = NextId("invitations", "id");
  if (!id.ok()) return id.status();
  invitation->id = *id;
  invitation->created_at = now_;
  return Change(Insert("invitations", kInvitationColumns, 11), InvitationValues(*invitation), "invitation");
}

Status WriteTx::UpdateInvitation(const Invitation& invitation) {
  auto u = Update("invitations", kInvitationColumns, 1, InvitationValues(invitation), "id = ?", invitation.id);
  return Change(u.sql, u.params, "invitation");
}

Result<AuditEntry> WriteTx::Audit(const AuditEvent& event) {
  auto head = Query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", {});
  if (!head.ok()) return head.status();
  AuditEntry e{1, now_, event.actor, event.action, event.object, event.before, event.after, kGenesisHash, ""};
  if (!head->empty()) {
    e.seq = head->front().Int(0) + 1;
    e.prev_hash = head->front().Text(1);
  }
  auto hash = AuditHash(e);
  if (!hash.ok()) return hash.status();
  e.hash = *hash;
  auto before = CanonicalJson(e.before);
  auto after = CanonicalJson(e.after);
  if (!before.ok() || !after.ok()) return Status::Internal("audit values lost their canonical form");
  auto rows = Query(Insert("audit_log", kAuditColumns, 9),
                    {e.seq, e.at, e.actor, e.action, e.object, *before, *after, e.prev_hash, e.hash});
  if (!rows.ok()) return Status::IoError("cannot append to the audit log: " + rows.status().message());
  audited_ = true;
  return e;
}

Status WriteTx::RememberAnswer(IdempotencyRecord* record) {
  record->created_at = now_;
  if (record->created_epoch == 0) record->created_epoch = std::time(nullptr);
  auto rows = Query(Insert("idempotency", kIdempotencyColumns, 10),
                    {record->user_id, record->key, record->method, record->path, record->body_hash, record->status,
                     record->response, record->created_at, record->created_epoch, record->location});
  if (!rows.ok()) {
    return Status::InvalidArgument("cannot remember the answer to idempotency key '" + record->key +
                                   "': " + rows.status().message());
  }
  return Status::Ok();
}

Status WriteTx::InsertWebSession(WebSession* session) {
  session->created_at = now_;
  return Change(Insert("web_sessions", "id_hash, user_id, created_at, expires_at, expires_epoch", 5),
                {session->id_hash, session->user_id, session->created_at, session->expires_at, session->expires_epoch},
                "session");
}

Status WriteTx::UpdateWebSessionExpiry(const WebSession& session) {
  return Change("UPDATE web_sessions SET expires_at = ?, expires_epoch = ? WHERE id_hash = ? RETURNING 1",
                {session.expires_at, session.expires_epoch, session.id_hash}, "session");
}

Status WriteTx::DeleteWebSession(const std::string& id_hash) {
  return Change("DELETE FROM web_sessions WHERE id_hash = ? RETURNING 1", {id_hash}, "session");
}

Status WriteTx::DeleteWebSessionsExpiredBefore(int64_t epoch_seconds) {
  return Change("DELETE FROM web_sessions WHERE expires_epoch < ?", {epoch_seconds}, "expired sessions");
}

Status WriteTx::ForgetAnswersBefore(int64_t epoch_seconds) {
  // At most kForgetBatch rows a call, so that no write waits long behind a sweep of a backlog.
  auto rows = Query(
      "DELETE FROM idempotency WHERE (user_id, idem_key) IN (SELECT user_id, idem_key FROM idempotency WHERE "
      "created_epoch < ? LIMIT " +
          std::to_string(kForgetBatch) + ")",
      {epoch_seconds});
  return rows.ok() ? Status::Ok() : rows.status();
}

}  // namespace qgrant::store
