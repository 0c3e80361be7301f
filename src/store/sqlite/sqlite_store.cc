#include "store/sqlite/sqlite_store.h"

#include "store/job.h"
#include "store/migrations.h"

namespace qgrant::store {

Result<std::unique_ptr<Store>> SqliteStore::Open(const std::string& path, StoreOptions options) {
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) {
    return Status::InvalidArgument("SQLite database must be a file path (got '" + path +
                                   "'); readers and the writer share it through the file");
  }
  auto writer = SqliteConn::Open(path, /*query_only=*/false);
  if (!writer.ok()) return writer.status();
  QGRANT_RETURN_IF_ERROR(Migrate(**writer));
  return std::unique_ptr<Store>(new SqliteStore(path, std::move(options), std::move(*writer)));
}

SqliteStore::SqliteStore(std::string path, StoreOptions options, std::unique_ptr<SqliteConn> writer)
    : path_(std::move(path)), options_(std::move(options)), writer_(std::move(writer)) {
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  writer_thread_.join();
}

Status SqliteStore::RunWrite(const std::function<Status(WriteTx&)>& job) {
  PendingWrite pending{&job, Status::Ok()};
  std::unique_lock lock(queue_mu_);
  if (stopping_) return Status::Internal("the store is closing; the write was not made");
  queue_.push_back(&pending);
  queue_cv_.notify_one();
  done_cv_.wait(lock, [&] { return pending.done; });
  return pending.result;
}

void SqliteStore::WriterLoop() {
  std::vector<PendingWrite*> group;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued job is done
      while (!queue_.empty() && int(group.size()) < options_.max_group) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    CommitGroup(group);
    {
      std::lock_guard lock(queue_mu_);
      for (PendingWrite* p : group) p->done = true;
    }
    done_cv_.notify_all();
    group.clear();
  }
}

// One transaction for the whole group; each job in a SAVEPOINT. A job is reported successful only
// if the COMMIT that holds it succeeded.
void SqliteStore::CommitGroup(std::vector<PendingWrite*>& group) {
  Status begin = writer_->Exec("BEGIN IMMEDIATE");
  if (!begin.ok()) {
    for (PendingWrite* p : group) p->result = begin;
    return;
  }
  Status broken;  // set when the transaction itself can no longer be trusted
  for (PendingWrite* p : group) {
    if (!broken.ok()) { p->result = broken; continue; }
    Status sp = writer_->Exec("SAVEPOINT job");
    if (!sp.ok()) { broken = sp; p->result = sp; continue; }
    WriteTx tx(*writer_, options_.clock());
    p->result = RunAuditedJob(tx, *p->job);
    Status end = p->result.ok() ? writer_->Exec("RELEASE job")
                                : writer_->Exec("ROLLBACK TO job; RELEASE job");
    if (!end.ok()) broken = end;
  }
  Status commit = broken.ok() ? writer_->Exec("COMMIT") : broken;
  jobs_ += int64_t(group.size());
  if (commit.ok()) ++commits_;
  if (!commit.ok()) {
    (void)writer_->Exec("ROLLBACK");
    const Status lost = Status::IoError("the write was not committed: " + commit.message());
    for (PendingWrite* p : group) {
      if (p->result.ok()) p->result = lost;
    }
  }
}

Result<std::unique_ptr<SqliteConn>> SqliteStore::TakeReader() {
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      auto conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return conn;
    }
  }
  return SqliteConn::Open(path_, /*query_only=*/true);
}

void SqliteStore::ReturnReader(std::unique_ptr<SqliteConn> conn) {
  std::lock_guard lock(readers_mu_);
  if (int(idle_readers_.size()) < options_.read_connections) idle_readers_.push_back(std::move(conn));
}

Status SqliteStore::RunRead(const std::function<Status(Reader&)>& job) {
  auto conn = TakeReader();
  if (!conn.ok()) return conn.status();
  // A read transaction pins one WAL snapshot for all the job's statements.
  QGRANT_RETURN_IF_ERROR((*conn)->Exec("BEGIN"));
  Reader reader(**conn);
  Status st = job(reader);
  Status end = (*conn)->Exec("COMMIT");
  if (end.ok()) ReturnReader(std::move(*conn));
  return st.ok() ? end : st;
}

}  // namespace qgrant::store
