// The reads of tx.h: one SELECT each, mapped by rows.h.
#include <string>

#include "store/crypto.h"
#include "store/rows.h"
#include "store/tx.h"

namespace qgrant::store {
namespace {

using namespace rows;

std::string Select(const char* columns, const char* rest) { return std::string("SELECT ") + columns + " " + rest; }

template <typename T, typename Map>
Result<std::vector<T>> All(Result<std::vector<SqlRow>> rows, Map map) {
  if (!rows.ok()) return rows.status();
  std::vector<T> out;
  out.reserve(rows->size());
  for (const SqlRow& r : *rows) out.push_back(map(r));
  return out;
}

template <typename T, typename Map>
Result<std::optional<T>> One(Result<std::vector<SqlRow>> rows, Map map) {
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<T>();
  return std::optional<T>(map(rows->front()));
}

// " AND state IN (?, ?)" for a non-empty list, adding the states to `params`.
std::string StateIn(const std::vector<std::string>& states, std::vector<SqlValue>* params, bool negate = false) {
  if (states.empty()) return "";
  for (const auto& s : states) params->push_back(s);
  return std::string(" AND state ") + (negate ? "NOT IN (" : "IN (") + Placeholders(states.size()) + ")";
}

// " AND ((round_id NOT IN (...) AND state IN (...)) OR (round_id IN (...) AND state IN (...)))":
// `states` outside the rounds of `in_rounds`, its own states in them (ApplicationFilter).
std::string StatesInRoundsSql(const std::vector<std::string>& states, const StatesInRounds& in_rounds,
                              std::vector<SqlValue>* params) {
  const std::string rounds = "(" + Placeholders(in_rounds.rounds.size()) + ")";
  for (const auto& r : in_rounds.rounds) params->push_back(r);
  std::string sql = " AND ((round_id NOT IN " + rounds + StateIn(states, params) + ")";
  if (!in_rounds.states.empty()) {
    for (const auto& r : in_rounds.rounds) params->push_back(r);
    sql += " OR (round_id IN " + rounds + StateIn(in_rounds.states, params) + ")";
  }
  return sql + ")";
}

Result<std::vector<GroupTotal>> Totals(Result<std::vector<SqlRow>> rows) {
  return All<GroupTotal>(std::move(rows), [](const SqlRow& r) {
    return GroupTotal{r.Text(0), r.Int(1), r.Int(2), r.Int(3)};
  });
}

}  // namespace

Result<std::optional<User>> Reader::UserByTokenHash(const std::string& token_hash) {
  auto rows = Query(Select(kUserColumns, ", token_hash FROM users WHERE token_hash = ?"), {token_hash});
  if (!rows.ok()) return rows.status();
  // The index found the row by hash; the final check is in constant time, so that no early exit
  // times how much of a guessed hash matched.
  if (rows->empty() || !ConstantTimeEquals(rows->front().Text(7), token_hash)) return std::optional<User>();
  return std::optional<User>(ToUser(rows->front()));
}

Result<std::optional<std::pair<WebSession, User>>> Reader::WebSessionByHash(const std::string& id_hash) {
  using Found = std::pair<WebSession, User>;
  auto rows = Query(
      "SELECT u.id, u.login, u.role, u.uscc, u.name, u.active, u.created_at, s.id_hash, s.created_at, s.expires_at, "
      "s.expires_epoch FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?",
      {id_hash});
  if (!rows.ok()) return rows.status();
  if (rows->empty() || !ConstantTimeEquals(rows->front().Text(7), id_hash)) return std::optional<Found>();
  const SqlRow& r = rows->front();
  return std::optional<Found>(Found{WebSession{r.Text(7), r.Int(0), r.Text(8), r.Text(9), r.Int(10)}, ToUser(r)});
}

Result<std::optional<User>> Reader::UserByLogin(const std::string& login) {
  return One<User>(Query(Select(kUserColumns, "FROM users WHERE login = ?"), {login}), ToUser);
}

Result<std::optional<User>> Reader::UserById(int64_t id) {
  return One<User>(Query(Select(kUserColumns, "FROM users WHERE id = ?"), {id}), ToUser);
}

Result<std::vector<User>> Reader::Users() {
  return All<User>(Query(Select(kUserColumns, "FROM users ORDER BY id"), {}), ToUser);
}

Result<std::optional<Round>> Reader::GetRound(const std::string& id) {
  return One<Round>(Query(Select(kRoundColumns, "FROM rounds WHERE id = ?"), {id}), ToRound);
}

Result<std::vector<Round>> Reader::Rounds() {
  return All<Round>(Query(Select(kRoundColumns, "FROM rounds ORDER BY seq"), {}), ToRound);
}

Result<std::vector<GroupTotal>> Reader::RoundTotalsByState(const std::string& round) {
  return Totals(
      Query("SELECT state, COUNT(*), COALESCE(SUM(COALESCE(allocated_fen, amount_fen)), 0), "
            "COALESCE(SUM(amount_fen), 0) FROM applications WHERE round_id = ? GROUP BY state ORDER BY state",
            {round}));
}

Result<std::vector<GroupTotal>> Reader::RoundTotalsByMeasure(const std::string& round) {
  return Totals(
      Query("SELECT measure, COUNT(*), COALESCE(SUM(COALESCE(allocated_fen, amount_fen)), 0), "
            "COALESCE(SUM(amount_fen), 0) FROM applications WHERE round_id = ? GROUP BY measure ORDER BY measure",
            {round}));
}

Result<std::optional<Application>> Reader::GetApplication(const std::string& id) {
  return One<Application>(Query(Select(kApplicationColumns, "FROM applications WHERE id = ?"), {id}), ToApplication);
}

Result<std::vector<Application>> Reader::Applications(const ApplicationFilter& f) {
  std::vector<SqlValue> params{f.after_seq};
  std::string sql = Select(kApplicationColumns, "FROM applications WHERE seq > ?");
  if (f.round) {
    sql += " AND round_id = ?";
    params.push_back(*f.round);
  }
  if (f.uscc) {
    sql += " AND uscc = ?";
    params.push_back(*f.uscc);
  }
  if (f.states_in_rounds && !f.states_in_rounds->rounds.empty())
    sql += StatesInRoundsSql(f.states, *f.states_in_rounds, &params);
  else
    sql += StateIn(f.states, &params);
  sql += " ORDER BY seq LIMIT ?";
  params.push_back(f.limit);
  return All<Application>(Query(sql, params), ToApplication);
}

Result<std::vector<Application>> Reader::ApplicationsBySubmission(const std::string& round,
                                                                  const std::vector<std::string>& states) {
  std::vector<SqlValue> params{round};
  std::string sql = Select(kApplicationColumns, "FROM applications WHERE round_id = ?");
  sql += StateIn(states, &params);
  sql += " ORDER BY submission_seq IS NULL, submission_seq, seq";  // never submitted: last, on both
  return All<Application>(Query(sql, params), ToApplication);
}

Result<std::optional<Application>> Reader::FindLiveApplication(const std::string& round, const std::string& uscc,
                                                               const std::string& measure,
                                                               const std::string& subject_key,
                                                               const std::vector<std::string>& dead_states,
                                                               const std::string& except_id) {
  std::vector<SqlValue> params{uscc, round, measure, subject_key, except_id};
  std::string sql = Select(kApplicationColumns,
                           "FROM applications WHERE uscc = ? AND round_id = ? AND measure = ? "
                           "AND subject_key = ? AND id <> ?");
  sql += StateIn(dead_states, &params, /*negate=*/true);
  sql += " ORDER BY seq LIMIT 1";
  return One<Application>(Query(sql, params), ToApplication);
}

Result<std::vector<HistoryEntry>> Reader::History(const std::string& application_id) {
  return All<HistoryEntry>(
      Query(Select(kHistoryColumns, "FROM application_history WHERE application_id = ? ORDER BY id"), {application_id}),
      ToHistory);
}

Result<std::vector<Review>> Reader::Reviews(const std::string& application_id) {
  return All<Review>(Query("SELECT r.id, r.application_id, r.expert_id, u.login, r.passed, r.score, r.note, "
                           "r.conflict_of_interest, r.at FROM reviews r JOIN users u ON u.id = r.expert_id "
                           "WHERE r.application_id = ? ORDER BY r.id",
                           {application_id}),
                     ToReview);
}

Result<std::optional<Objection>> Reader::GetObjection(int64_t id) {
  return One<Objection>(Query(Select(kObjectionColumns, "FROM objections WHERE id = ?"), {id}), ToObjection);
}

Result<std::vector<Objection>> Reader::Objections(const std::string& round) {
  return All<Objection>(Query(Select(kObjectionColumns, "FROM objections WHERE round_id = ? ORDER BY id"), {round}),
                        ToObjection);
}

Result<std::vector<LedgerEntry>> Reader::Ledger(const std::optional<std::string>& uscc) {
  if (uscc) {
    return All<LedgerEntry>(Query(Select(kLedgerColumns, "FROM ledger_entries WHERE uscc = ? ORDER BY id"), {*uscc}),
                            ToLedger);
  }
  return All<LedgerEntry>(Query(Select(kLedgerColumns, "FROM ledger_entries ORDER BY id"), {}), ToLedger);
}

Result<std::optional<Payment>> Reader::GetPayment(int64_t id) {
  return One<Payment>(Query(Select(kPaymentColumns, "FROM payments WHERE id = ?"), {id}), ToPayment);
}

Result<std::vector<Payment>> Reader::Payments(const std::string& round) {
  return All<Payment>(Query(Select(kPaymentColumns, "FROM payments WHERE round_id = ? ORDER BY id"), {round}),
                      ToPayment);
}

Result<std::optional<Invitation>> Reader::GetInvitation(int64_t id) {
  return One<Invitation>(Query(Select(kInvitationColumns, "FROM invitations WHERE id = ?"), {id}), ToInvitation);
}

Result<std::vector<Invitation>> Reader::Invitations(const std::optional<std::string>& uscc) {
  if (uscc) {
    return All<Invitation>(Query(Select(kInvitationColumns, "FROM invitations WHERE uscc = ? ORDER BY id"), {*uscc}),
                           ToInvitation);
  }
  return All<Invitation>(Query(Select(kInvitationColumns, "FROM invitations ORDER BY id"), {}), ToInvitation);
}

Result<std::vector<AuditEntry>> Reader::AuditEntries(int64_t after_seq, int64_t limit) {
  auto rows = Query(Select(kAuditColumns, "FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"), {after_seq, limit});
  if (!rows.ok()) return rows.status();
  std::vector<AuditEntry> out;
  for (const SqlRow& r : *rows) {
    auto e = ToAudit(r);
    if (!e.ok()) return e.status();
    out.push_back(std::move(*e));
  }
  return out;
}

Result<std::optional<AuditEntry>> Reader::AuditHead() {
  auto rows = Query(Select(kAuditColumns, "FROM audit_log ORDER BY seq DESC LIMIT 1"), {});
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return std::optional<AuditEntry>();
  auto e = ToAudit(rows->front());
  if (!e.ok()) return e.status();
  return std::optional<AuditEntry>(std::move(*e));
}

Result<AuditVerdict> Reader::VerifyAudit() {
  constexpr int64_t kPage = 2000;  // bounded memory however long the chain
  AuditChainChecker checker;
  int64_t after = 0;
  for (;;) {
    auto rows = Query(Select(kAuditColumns, "FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?"), {after, kPage});
    if (!rows.ok()) return rows.status();
    for (const SqlRow& r : *rows) {
      if (!checker.Add(r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7),
                       r.Text(8))) {
        return checker.verdict();
      }
      after = r.Int(0);
    }
    if (int64_t(rows->size()) < kPage) return checker.verdict();
  }
}

Result<std::optional<IdempotencyRecord>> Reader::FindIdempotency(int64_t user_id, const std::string& key) {
  return One<IdempotencyRecord>(
      Query(Select(kIdempotencyColumns, "FROM idempotency WHERE user_id = ? AND idem_key = ?"), {user_id, key}),
      ToIdempotency);
}

}  // namespace qgrant::store
