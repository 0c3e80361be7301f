// The store: everything qgrant's service keeps (users, rounds, applications and their history,
// reviews, objections, ledger, payments, invitations), the audit chain and the answers to
// idempotent requests, in SQLite or PostgreSQL behind one interface. It knows SQL and the contract's
// records; it knows no HTTP and no workflow rule (which action is allowed from which state is the
// service's data; the store persists whatever state the service sets).
//
//   auto store = OpenStore("sqlite:/var/lib/qgrant/qgrant.db");   // or "postgresql://…"
//   auto app = (*store)->Write([&](WriteTx& tx) -> Result<Application> {
//     ... read, check, tx.UpdateApplication(&a), tx.AddHistory(&h), tx.Audit(event),
//     tx.RememberAnswer(&answer) ...
//   });
//
// Transactions. Write runs a job in ONE transaction and returns only once it is committed and
// durable (SQLite synchronous=FULL; PostgreSQL's commit): a job's change, its audit entry and its
// idempotency record commit together or not at all. A job that changes a row without adding an
// audit entry is rolled back with an Internal error. A job that returns an error is rolled back
// and changes nothing; other jobs are unaffected (both backends commit several queued jobs per
// transaction, each inside a SAVEPOINT, so a failing one rolls back only itself: group_writer.h).
//   REQUIRES: a job has no effect outside its WriteTx and may run more than once (a group whose
//   transaction failed to serialise is run again), so it must not, e.g., send mail.
//   REQUIRES: a job does not call Write or Read on the store (on SQLite the writer thread would
//   wait for itself); it reads through its WriteTx, which sees its own changes.
// Read runs a job on one consistent snapshot, beside the writer.
//
// Thread-safety: a Store may be used from any number of threads at once. Writes are serialised
// (one writer thread per store; across processes SQLite's write lock or, on PostgreSQL, a
// database-wide advisory lock, which is also what keeps the audit chain a chain). Several processes may open the same
// database (qgrant user add beside qgrant serve).
//
// Ownership: OpenStore's caller owns the Store; destroying it finishes the queued writes first.
// Errors: Status/Result from common/status.h; nothing is thrown.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>

#include "common/status.h"
#include "store/clock.h"
#include "store/tx.h"
#include "store/types.h"

namespace qgrant::store {

struct StoreOptions {
  Clock clock = RealClock();  // instants of records and audit entries
  int read_connections = 4;   // SQLite readers / PostgreSQL pool size
  int max_group = 64;         // most jobs committed in one transaction
};

class Store {
 public:
  virtual ~Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Runs `job(WriteTx&)`, which returns Status or Result<T>; answers the same type.
  template <typename Job>
  std::invoke_result_t<Job&, WriteTx&> Write(Job&& job);

  // Runs `job(Reader&)`, which returns Status or Result<T>, on one snapshot.
  template <typename Job>
  std::invoke_result_t<Job&, Reader&> Read(Job&& job);

  // "sqlite" or "postgresql".
  virtual std::string_view backend() const = 0;

  // Counts since the store was opened: jobs run and transactions committed. Jobs per commit is
  // what group commit buys.
  struct WriteStats {
    int64_t jobs = 0;
    int64_t commits = 0;
  };
  virtual WriteStats write_stats() const = 0;

 protected:
  Store() = default;
  virtual Status RunWrite(const std::function<Status(WriteTx&)>& job) = 0;
  virtual Status RunRead(const std::function<Status(Reader&)>& job) = 0;
};

// Opens the database `url` names, applying pending migrations:
//   "PATH" or "sqlite:PATH"  a SQLite file (created if absent)
//   "postgresql://…" (or "postgres://…")  a PostgreSQL database (libpq URL)
// A database whose schema is newer than this binary is refused (InvalidArgument naming both).
Result<std::unique_ptr<Store>> OpenStore(std::string_view url, StoreOptions options = {});

// The user a bearer token belongs to (looked up by its SHA-256, compared in constant time), or
// nullopt for an unknown or deactivated user's token.
Result<std::optional<User>> Authenticate(Store& store, std::string_view token);

// Adds a user with a new token, audited as `actor`, and returns the token (shown once; only its
// hash is kept). InvalidArgument for an unknown role, an applicant without a USCC, a duplicate
// login. The USCC's check character is the caller's to verify (engine/uscc.h).
Result<std::string> CreateUser(Store& store, User user, const std::string& actor);

// Sign-in sessions of the web pages (WEB.md §4): the browser keeps a random id, the store its
// SHA-256. StartWebSession makes one for `user` lasting `lifetime_seconds` from `now_epoch`
// (Unix time), audited as "session.start" by the user, and drops the sessions that expired a day
// or more before; it answers the id (shown once). WebSessionUser answers the session's user and
// end while the session lasts and the user is active, else nullopt. EndWebSession deletes the session,
// audited as "session.end"; an unknown or ended id changes nothing and is not an error.
struct StartedWebSession {
  std::string id;
  std::string expires_at;  // RFC 3339, +08:00
};
Result<StartedWebSession> StartWebSession(Store& store, const User& user, int64_t now_epoch, int64_t lifetime_seconds);
struct LiveWebSession {
  User user;
  std::string expires_at;  // RFC 3339, +08:00
};
Result<std::optional<LiveWebSession>> WebSessionUser(Store& store, std::string_view id, int64_t now_epoch);
// Moves a live session's end to `lifetime_seconds` from `now_epoch`, audited as "session.extend";
// nullopt (nothing changed) when the session has ended, expired or lost its user.
Result<std::optional<std::string>> ExtendWebSession(Store& store, std::string_view id, int64_t now_epoch,
                                                    int64_t lifetime_seconds);
Status EndWebSession(Store& store, std::string_view id);

// Verifies the audit chain of the database `url` names without changing anything: no migration,
// no file created (a missing SQLite file is InvalidArgument), one read-only snapshot. Safe beside a
// running server. A database newer than this binary is refused, as OpenStore does.
Result<AuditVerdict> VerifyAuditAt(std::string_view url);

template <typename Job>
std::invoke_result_t<Job&, WriteTx&> Store::Write(Job&& job) {
  using R = std::invoke_result_t<Job&, WriteTx&>;
  if constexpr (std::is_same_v<R, Status>) {
    return RunWrite(job);
  } else {
    std::optional<R> out;
    Status st = RunWrite([&](WriteTx& tx) {
      out.emplace(job(tx));
      return out->ok() ? Status::Ok() : out->status();
    });
    if (!st.ok()) return st;
    return std::move(*out);
  }
}

template <typename Job>
std::invoke_result_t<Job&, Reader&> Store::Read(Job&& job) {
  using R = std::invoke_result_t<Job&, Reader&>;
  if constexpr (std::is_same_v<R, Status>) {
    return RunRead(job);
  } else {
    std::optional<R> out;
    Status st = RunRead([&](Reader& r) {
      out.emplace(job(r));
      return out->ok() ? Status::Ok() : out->status();
    });
    if (!st.ok()) return st;
    return std::move(*out);
  }
}

}  // namespace qgrant::store
