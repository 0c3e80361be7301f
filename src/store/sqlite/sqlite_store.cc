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
  group_writer_ =
      std::make_unique<GroupWriter>(static_cast<GroupTransaction&>(*this), options_.clock, options_.max_group);
}

SqliteStore::~SqliteStore() { group_writer_.reset(); }

Status SqliteStore::RunWrite(const std::function<Status(WriteTx&)>& job) { return group_writer_->Submit(job); }

Result<SqlConn*> SqliteStore::Begin() {
  QGRANT_RETURN_IF_ERROR(writer_->Exec("BEGIN IMMEDIATE"));
  return static_cast<SqlConn*>(writer_.get());
}

Status SqliteStore::Commit() { return writer_->Exec("COMMIT"); }

void SqliteStore::Abort() { (void)writer_->Exec("ROLLBACK"); }

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
  Status st = RunGuarded(reader, job);
  Status end = (*conn)->Exec("COMMIT");
  if (end.ok()) ReturnReader(std::move(*conn));
  return st.ok() ? end : st;
}

}  // namespace qgrant::store
