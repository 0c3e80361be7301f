// The PostgreSQL backend: one writer connection driven by the group-commit writer thread
// (group_writer.h), and a small pool of connections for reads.
//
// A group's transaction takes the database-wide writer lock (a session advisory lock) before
// BEGIN ISOLATION LEVEL SERIALIZABLE, and releases it after COMMIT. The lock is what makes the
// audit chain a chain when several processes write: the head is read and extended by one writer
// at a time. It is taken before BEGIN on purpose: a SERIALIZABLE snapshot is fixed by the first
// statement, so a lock taken inside the transaction would leave it reading a head another writer
// had already moved. A group that still fails to serialise (40001/40P01) is run again.
// Committing many jobs per transaction matters here even more than on SQLite: with the lock held
// across COMMIT, commits cannot overlap, so one job per commit would be one disk sync per write.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/group_writer.h"
#include "store/postgres/pg_conn.h"
#include "store/store.h"

namespace qgrant::store {

class PgStore final : public Store, private GroupTransaction {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& url, StoreOptions options);
  ~PgStore() override;

  std::string_view backend() const override { return "postgresql"; }
  WriteStats write_stats() const override { return {group_writer_->jobs(), group_writer_->commits()}; }

 protected:
  Status RunWrite(const std::function<Status(WriteTx&)>& job) override;
  Status RunRead(const std::function<Status(Reader&)>& job) override;

 private:
  PgStore(std::string url, StoreOptions options) : url_(std::move(url)), options_(std::move(options)) {}
  Result<SqlConn*> Begin() override;
  Status Commit() override;
  void Abort() override;
  Result<std::unique_ptr<PgConn>> Acquire();
  void Release(std::unique_ptr<PgConn> conn);

  const std::string url_;
  const StoreOptions options_;
  std::unique_ptr<PgConn> writer_;  // reconnected by Begin when the server dropped it
  std::unique_ptr<GroupWriter> group_writer_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;  // the read pool
  int open_ = 0;                               // read connections made and not dropped
};

}  // namespace qgrant::store
