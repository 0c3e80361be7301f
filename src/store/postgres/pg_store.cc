#include "store/postgres/pg_store.h"

#include <chrono>
#include <thread>

#include "store/job.h"
#include "store/migrations.h"

namespace qgrant::store {
namespace {

// The writer lock's key ("qgrant-w"); migrations use their own (migrations.cc).
constexpr const char* kLockWriter = "SELECT pg_advisory_lock(7165223868530617719)";
constexpr const char* kUnlockWriter = "SELECT pg_advisory_unlock(7165223868530617719)";
constexpr int kMaxAttempts = 8;

}  // namespace

Result<std::unique_ptr<Store>> PgStore::Open(const std::string& url, StoreOptions options) {
  std::unique_ptr<PgStore> store(new PgStore(url, std::move(options)));
  auto conn = store->Acquire();
  if (!conn.ok()) return conn.status();
  Status st = Migrate(**conn);
  store->Release(std::move(*conn));
  if (!st.ok()) return st;
  return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<PgConn>> PgStore::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < options_.read_connections; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return conn;
  }
  ++open_;
  lock.unlock();
  auto conn = PgConn::Open(url_);
  if (!conn.ok()) {
    std::lock_guard relock(mu_);
    --open_;
    cv_.notify_one();
  }
  return conn;
}

void PgStore::Release(std::unique_ptr<PgConn> conn) {
  std::lock_guard lock(mu_);
  if (conn->healthy()) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;  // dropped; the next Acquire connects afresh
  }
  cv_.notify_one();
}

PgStore::Attempt PgStore::WriteOnce(PgConn& conn, const std::function<Status(WriteTx&)>& job) {
  Status st = conn.Exec(kLockWriter);
  if (!st.ok()) return {st, false};
  st = conn.Exec("BEGIN ISOLATION LEVEL SERIALIZABLE");
  bool retry = false;
  if (st.ok()) {
    WriteTx tx(conn, options_.clock());
    st = RunAuditedJob(tx, job);
    ++jobs_;
    if (st.ok()) {
      st = conn.Exec("COMMIT");
      if (st.ok()) ++commits_;
      retry = !st.ok() && conn.last_failure() == SqlFailure::kSerialization;
    } else {
      retry = conn.last_failure() == SqlFailure::kSerialization;
      (void)conn.Exec("ROLLBACK");
    }
  }
  (void)conn.Exec(kUnlockWriter);
  return {st, retry};
}

Status PgStore::RunWrite(const std::function<Status(WriteTx&)>& job) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  Attempt attempt;
  for (int n = 1; n <= kMaxAttempts; ++n) {
    attempt = WriteOnce(**conn, job);
    if (!attempt.retry || !(*conn)->healthy()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * n));
  }
  Release(std::move(*conn));
  return attempt.status;
}

Status PgStore::RunRead(const std::function<Status(Reader&)>& job) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  Status st = (*conn)->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (st.ok()) {
    Reader reader(**conn);
    st = job(reader);
    Status end = (*conn)->Exec(st.ok() ? "COMMIT" : "ROLLBACK");
    if (st.ok()) st = end;
  }
  Release(std::move(*conn));
  return st;
}

}  // namespace qgrant::store
