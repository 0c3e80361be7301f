// Typed reads and writes over one transaction, written once for both backends (the SQL is the
// dialect both share; see sql.h). A Reader sees one consistent snapshot; a WriteTx is a Reader
// inside the write transaction, so a job can read, check, change, audit and remember its answer
// atomically. Neither is made by the caller: Store::Read and Store::Write hand one to a job.
//
// Ownership and lifetime: both borrow their connection and are valid only inside the job they
// were passed to. Not thread-safe (one job, one thread).
//
// Errors: a Status (IoError for the database, InvalidArgument for a value the schema refuses,
// NotFound for an update of a row that does not exist). "Absent" on reads is std::nullopt, not an
// error.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "store/audit.h"
#include "store/sql.h"
#include "store/types.h"

namespace qgrant::store {

// Other states kept in some rounds (an applicant sees some states as others until a round's
// notice starts, CONTRACT §7): an application of one of `rounds` is kept when its state is one of
// `states` (none: it is not kept), whatever ApplicationFilter::states says.
struct StatesInRounds {
  std::vector<std::string> rounds;
  std::vector<std::string> states;
};

// Which applications a list wants. Empty fields do not filter; `states` keeps those in the list
// (in the rounds of `states_in_rounds`, its states instead).
struct ApplicationFilter {
  std::optional<std::string> round;
  std::optional<std::string> uscc;
  std::vector<std::string> states;
  std::optional<StatesInRounds> states_in_rounds;
  int64_t after_seq = 0;  // cursor: only applications created after this one
  int64_t limit = 50;
};

// Count and amount of a group of a round's applications (by state or by measure).
struct GroupTotal {
  std::string key;
  int64_t count = 0;
  int64_t amount_fen = 0;   // sum of allocated_fen where set, else of the decision's amount_fen
  int64_t decided_fen = 0;  // sum of the decisions' amount_fen, allocated or not
};

class Reader {
 public:
  explicit Reader(SqlConn& conn) : conn_(conn) {}
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  Result<std::optional<User>> UserByTokenHash(const std::string& token_hash);
  Result<std::optional<User>> UserByLogin(const std::string& login);
  Result<std::optional<User>> UserById(int64_t id);
  Result<std::vector<User>> Users();

  Result<std::optional<Round>> GetRound(const std::string& id);
  Result<std::vector<Round>> Rounds();
  Result<std::vector<GroupTotal>> RoundTotalsByState(const std::string& round);
  Result<std::vector<GroupTotal>> RoundTotalsByMeasure(const std::string& round);

  Result<std::optional<Application>> GetApplication(const std::string& id);
  Result<std::vector<Application>> Applications(const ApplicationFilter& filter);
  // A round's applications in `states`, in submission order (one round is one input, §6).
  Result<std::vector<Application>> ApplicationsBySubmission(const std::string& round,
                                                            const std::vector<std::string>& states);
  // The unit's application in the round for the measure and subject key whose state is not in
  // `dead_states` (the duplicate check of §7), other than `except_id`.
  Result<std::optional<Application>> FindLiveApplication(const std::string& round, const std::string& uscc,
                                                         const std::string& measure, const std::string& subject_key,
                                                         const std::vector<std::string>& dead_states,
                                                         const std::string& except_id = "");
  Result<std::vector<HistoryEntry>> History(const std::string& application_id);
  Result<std::vector<Review>> Reviews(const std::string& application_id);

  Result<std::optional<Objection>> GetObjection(int64_t id);
  Result<std::vector<Objection>> Objections(const std::string& round);
  Result<std::vector<LedgerEntry>> Ledger(const std::optional<std::string>& uscc);
  Result<std::optional<Payment>> GetPayment(int64_t id);
  Result<std::vector<Payment>> Payments(const std::string& round);
  Result<std::optional<Invitation>> GetInvitation(int64_t id);
  Result<std::vector<Invitation>> Invitations(const std::optional<std::string>& uscc);

  Result<std::vector<AuditEntry>> AuditEntries(int64_t after_seq, int64_t limit);
  Result<std::optional<AuditEntry>> AuditHead();
  // Recomputes every hash of the chain (audit.h).
  Result<AuditVerdict> VerifyAudit();

  Result<std::optional<IdempotencyRecord>> FindIdempotency(int64_t user_id, const std::string& key);

  // The session whose id hashes to `id_hash` and its user, expired or not (the caller decides).
  Result<std::optional<std::pair<WebSession, User>>> WebSessionByHash(const std::string& id_hash);

 protected:
  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) {
    return conn_.Query(sql, params);
  }

 private:
  SqlConn& conn_;
};

// The write transaction of one job. Every job that changes a row must also add an audit entry
// (Audit), or the store rolls the job back: "every change is in the audit chain" is enforced
// here, not hoped for.
class WriteTx : public Reader {
 public:
  // `now` is the instant of this transaction (RFC 3339, +08:00): records and audit entries use it.
  WriteTx(SqlConn& conn, std::string now) : Reader(conn), now_(std::move(now)) {}

  const std::string& now() const { return now_; }

  // Adds a user; a login already taken is InvalidArgument naming it. Sets user->id, created_at.
  Status AddUser(User* user, const std::string& token_hash);
  Status SetUserActive(int64_t user_id, bool active);

  Status InsertRound(Round* round);  // sets seq, created_at, updated_at; an existing id: InvalidArgument
  Status UpdateRound(Round* round);  // every column but id, seq and created_at

  // Sets seq and, when app->id is empty, a new id "APP-000042" from it; created_at, updated_at.
  Status InsertApplication(Application* app);
  Status UpdateApplication(Application* app);
  // The next value of the store-wide submission order (for Application::submission_seq).
  Result<int64_t> NextSubmissionSeq();
  Status AddHistory(HistoryEntry* entry);  // at defaults to now()
  // One review per (application, expert): a second replaces the first, keeping its id.
  Status PutReview(Review* review);

  Status InsertObjection(Objection* objection);
  Status UpdateObjection(const Objection& objection);
  Status InsertLedgerEntry(LedgerEntry* entry);
  Status InsertPayment(Payment* payment);
  Status UpdatePayment(Payment* payment);
  Status InsertInvitation(Invitation* invitation);
  Status UpdateInvitation(const Invitation& invitation);

  // Appends the next link of the audit chain (seq, at = now(), prev_hash, hash).
  Result<AuditEntry> Audit(const AuditEvent& event);

  // Stores the first answer to an idempotent request (created_at = now()). A key the user has
  // already used is InvalidArgument: look it up first with FindIdempotency.
  Status RememberAnswer(IdempotencyRecord* record);
  // Drops answers stored before `epoch_seconds` (Unix time), at most kForgetBatch of them. Keys
  // must be kept at least 24 hours (CONTRACT §7), so callers pass now - 24 h or earlier. Not
  // audited: no domain data changes.
  static constexpr int kForgetBatch = 10000;
  Status ForgetAnswersBefore(int64_t epoch_seconds);

  // Sign-in sessions: InsertWebSession sets created_at = now(); DeleteWebSession of an unknown
  // hash is NotFound; DeleteWebSessionsExpiredBefore drops sessions that ended before then.
  Status InsertWebSession(WebSession* session);
  Status DeleteWebSession(const std::string& id_hash);
  Status UpdateWebSessionExpiry(const WebSession& session);  // its expires_at and expires_epoch
  Status DeleteWebSessionsExpiredBefore(int64_t epoch_seconds);

  bool changed() const { return changed_; }
  bool audited() const { return audited_; }

 private:
  Result<int64_t> NextId(const char* table, const char* column);
  Status Change(const std::string& sql, const std::vector<SqlValue>& params, const std::string& what);

  std::string now_;
  bool changed_ = false;
  bool audited_ = false;
};

}  // namespace qgrant::store
