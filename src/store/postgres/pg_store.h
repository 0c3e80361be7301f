// The PostgreSQL backend: a small pool of connections shared by reads and writes.
//
// A write takes the database-wide writer lock (a session advisory lock) before BEGIN, then runs
// the job in a SERIALIZABLE transaction and commits. The lock is what makes the audit chain a
// chain when several threads or processes write: the head is read and extended by one writer at a
// time. It is taken before BEGIN on purpose: a SERIALIZABLE snapshot is fixed by the first
// statement, so a lock taken inside the transaction would leave it reading a head that another
// writer had already moved. A transaction that still fails to serialise (SQLSTATE 40001/40P01) is
// retried from the start, a few times, with a growing pause.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/postgres/pg_conn.h"
#include "store/store.h"

namespace qgrant::store {

class PgStore final : public Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& url, StoreOptions options);

  std::string_view backend() const override { return "postgresql"; }
  WriteStats write_stats() const override { return {jobs_.load(), commits_.load()}; }

 protected:
  Status RunWrite(const std::function<Status(WriteTx&)>& job) override;
  Status RunRead(const std::function<Status(Reader&)>& job) override;

 private:
  PgStore(std::string url, StoreOptions options) : url_(std::move(url)), options_(std::move(options)) {}
  Result<std::unique_ptr<PgConn>> Acquire();
  void Release(std::unique_ptr<PgConn> conn);
  struct Attempt {
    Status status;
    bool retry = false;  // failed to serialise: run the job again
  };
  Attempt WriteOnce(PgConn& conn, const std::function<Status(WriteTx&)>& job);

  const std::string url_;
  const StoreOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<PgConn>> idle_;
  int open_ = 0;  // connections made and not dropped
  std::atomic<int64_t> jobs_{0};
  std::atomic<int64_t> commits_{0};
};

}  // namespace qgrant::store
