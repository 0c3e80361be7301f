#include "store/postgres/pg_store.h"

#include "store/job.h"
#include "store/migrations.h"

namespace qgrant::store {
namespace {

// The writer lock's key ("qgrant-w"); migrations use their own (migrations.cc).
constexpr const char* kLockWriter = "SELECT pg_advisory_lock(7165223868530617719)";
constexpr const char* kUnlockWriter = "SELECT pg_advisory_unlock(7165223868530617719)";

}  // namespace

Result<std::unique_ptr<Store>> PgStore::Open(const std::string& url, StoreOptions options) {
  std::unique_ptr<PgStore> store(new PgStore(url, std::move(options)));
  auto conn = store->Acquire();
  if (!conn.ok()) return conn.status();
  Status st = Migrate(**conn);
  store->Release(std::move(*conn));
  if (!st.ok()) return st;
  store->group_writer_ = std::make_unique<GroupWriter>(static_cast<GroupTransaction&>(*store), store->options_.clock,
                                                       store->options_.max_group);
  return std::unique_ptr<Store>(std::move(store));
}

PgStore::~PgStore() { group_writer_.reset(); }

Status PgStore::RunWrite(const std::function<Status(WriteTx&)>& job) { return group_writer_->Submit(job); }

Result<SqlConn*> PgStore::Begin() {
  if (!writer_ || !writer_->healthy()) {
    auto conn = PgConn::Open(url_);
    if (!conn.ok()) return conn.status();
    writer_ = std::move(*conn);
  }
  QGRANT_RETURN_IF_ERROR(writer_->Exec(kLockWriter));
  Status st = writer_->Exec("BEGIN ISOLATION LEVEL SERIALIZABLE");
  if (!st.ok()) {
    (void)writer_->Exec(kUnlockWriter);
    return st;
  }
  return static_cast<SqlConn*>(writer_.get());
}

Status PgStore::Commit() {
  QGRANT_RETURN_IF_ERROR(writer_->Exec("COMMIT"));
  (void)writer_->Exec(kUnlockWriter);  // a lost connection releases it too
  return Status::Ok();
}

void PgStore::Abort() {
  (void)writer_->Exec("ROLLBACK");
  (void)writer_->Exec(kUnlockWriter);
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

Status PgStore::RunRead(const std::function<Status(Reader&)>& job) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  Status st = (*conn)->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (st.ok()) {
    Reader reader(**conn);
    st = RunGuarded(reader, job);
    Status end = (*conn)->Exec(st.ok() ? "COMMIT" : "ROLLBACK");
    if (st.ok()) st = end;
  }
  Release(std::move(*conn));
  return st;
}

}  // namespace qgrant::store
