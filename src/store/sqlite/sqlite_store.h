// The SQLite backend: one writer thread owns the write connection and drains a queue of jobs,
// committing up to max_group of them per transaction (group commit: one fsync for many writes),
// each job inside its own SAVEPOINT so a failing job rolls back alone. Readers use their own
// query-only connections (WAL lets them read beside the writer), kept in a small pool.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite/sqlite_conn.h"
#include "store/store.h"

namespace qgrant::store {

class SqliteStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& path, StoreOptions options);
  ~SqliteStore() override;

  std::string_view backend() const override { return "sqlite"; }
  WriteStats write_stats() const override { return {jobs_.load(), commits_.load()}; }

 protected:
  Status RunWrite(const std::function<Status(WriteTx&)>& job) override;
  Status RunRead(const std::function<Status(Reader&)>& job) override;

 private:
  struct PendingWrite {
    const std::function<Status(WriteTx&)>* job;
    Status result;
    bool done = false;
  };

  SqliteStore(std::string path, StoreOptions options, std::unique_ptr<SqliteConn> writer);
  void WriterLoop();
  void CommitGroup(std::vector<PendingWrite*>& group);
  Result<std::unique_ptr<SqliteConn>> TakeReader();
  void ReturnReader(std::unique_ptr<SqliteConn> conn);

  const std::string path_;
  const StoreOptions options_;
  std::unique_ptr<SqliteConn> writer_;

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;  // the writer waits for jobs
  std::condition_variable done_cv_;   // callers wait for their job's commit
  std::deque<PendingWrite*> queue_;
  bool stopping_ = false;
  std::thread writer_thread_;

  std::atomic<int64_t> jobs_{0};
  std::atomic<int64_t> commits_{0};

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteConn>> idle_readers_;
};

}  // namespace qgrant::store
