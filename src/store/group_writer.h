// Internal to the store: group commit, shared by both backends. One writer thread drains a queue
// of write jobs and runs up to max_group of them in one transaction (one sync to disk for many
// writes), each inside its own SAVEPOINT so that a failing job rolls back alone. A job is reported
// successful only once the COMMIT holding it succeeded.
//
// If a job or the COMMIT fails to serialise (SqlFailure::kSerialization: PostgreSQL's 40001 and
// 40P01, SQLite's busy), the whole group is rolled back and run again, a few times, with a
// growing pause: jobs may therefore run more than once (store.h says so to the caller).
//
// Thread-safety: Submit may be called from any thread; it blocks until its job is committed or
// has failed. Destroying the writer finishes the queued jobs first.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/clock.h"
#include "store/tx.h"

namespace qgrant::store {

// What a backend does around one group's transaction.
class GroupTransaction {
 public:
  virtual ~GroupTransaction() = default;
  // Takes the database's write lock, begins, and answers the connection the jobs run on.
  virtual Result<SqlConn*> Begin() = 0;
  virtual Status Commit() = 0;  // commits and releases the lock
  virtual void Abort() = 0;     // rolls back and releases the lock
};

class GroupWriter {
 public:
  GroupWriter(GroupTransaction& transaction, Clock clock, int max_group);
  ~GroupWriter();
  GroupWriter(const GroupWriter&) = delete;
  GroupWriter& operator=(const GroupWriter&) = delete;

  Status Submit(const std::function<Status(WriteTx&)>& job);

  int64_t jobs() const { return jobs_; }
  int64_t commits() const { return commits_; }

 private:
  struct Pending {
    const std::function<Status(WriteTx&)>* job;
    Status result;
    bool done = false;
  };

  void Loop();
  void RunGroup(std::vector<Pending*>& group);
  // One attempt; true when the group failed to serialise and should run again.
  bool TryGroup(std::vector<Pending*>& group);
  // TryGroup, where an exception from the backend (memory exhausted, say) fails the group's jobs
  // instead of ending the process with every caller's write (jobs' own exceptions are RunGuarded's).
  bool TryGroupGuarded(std::vector<Pending*>& group) noexcept;

  GroupTransaction& transaction_;
  const Clock clock_;
  const int max_group_;
  std::atomic<int64_t> jobs_{0};
  std::atomic<int64_t> commits_{0};

  std::mutex mu_;
  std::condition_variable queue_cv_;  // the writer waits for jobs
  std::condition_variable done_cv_;   // callers wait for their job's outcome
  std::deque<Pending*> queue_;
  std::vector<Pending*> group_;  // the writer thread's: the group being run, room made at the start
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace qgrant::store
