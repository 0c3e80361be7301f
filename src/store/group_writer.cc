#include "store/group_writer.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <string>

#include "store/job.h"

namespace qgrant::store {
namespace {

constexpr int kMaxAttempts = 8;

}  // namespace

GroupWriter::GroupWriter(GroupTransaction& transaction, Clock clock, int max_group)
    : transaction_(transaction), clock_(std::move(clock)), max_group_(max_group) {
  group_.reserve(static_cast<size_t>(std::max(max_group, 1)));  // the writer thread never grows it
  thread_ = std::thread([this] { Loop(); });
}

GroupWriter::~GroupWriter() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  thread_.join();
}

Status GroupWriter::Submit(const std::function<Status(WriteTx&)>& job) {
  Pending pending{&job, Status::Ok()};
  std::unique_lock lock(mu_);
  if (stopping_) return Status::Internal("the store is closing; the write was not made");
  queue_.push_back(&pending);
  queue_cv_.notify_one();
  done_cv_.wait(lock, [&] { return pending.done; });
  return pending.result;
}

void GroupWriter::Loop() {
  std::vector<Pending*>& group = group_;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued job is done
      while (!queue_.empty() && int(group.size()) < max_group_) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    RunGroup(group);
    jobs_ += int64_t(group.size());
    {
      std::lock_guard lock(mu_);
      for (Pending* p : group) p->done = true;
    }
    done_cv_.notify_all();
    group.clear();
  }
}

void GroupWriter::RunGroup(std::vector<Pending*>& group) {
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    if (!TryGroupGuarded(group)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
  }
  // Still failing to serialise: each job keeps the error of the last attempt.
}

bool GroupWriter::TryGroupGuarded(std::vector<Pending*>& group) noexcept {
  const char* what = "a non-standard exception";
  try {
    return TryGroup(group);
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  // The transaction may be open, with some jobs' changes in it: rolled back (a ROLLBACK or an
  // unlock with nothing to undo is harmless), and no job of the group is reported committed.
  try {
    transaction_.Abort();
  } catch (...) {
  }
  for (Pending* p : group) {
    try {
      p->result = Status::Internal(std::string("the write was not committed: the store's writer failed: ") + what);
    } catch (...) {
      p->result = Status::Internal("not committed");  // short enough to need no memory
    }
  }
  return false;
}

bool GroupWriter::TryGroup(std::vector<Pending*>& group) {
  auto conn = transaction_.Begin();
  if (!conn.ok()) {
    for (Pending* p : group) p->result = conn.status();
    return false;
  }
  Status broken;  // set when the transaction itself can no longer be trusted
  for (Pending* p : group) {
    if (!broken.ok()) {
      p->result = broken;
      continue;
    }
    Status sp = (*conn)->Exec("SAVEPOINT job");
    if (!sp.ok()) {
      broken = sp;
      p->result = sp;
      continue;
    }
    WriteTx tx(**conn, clock_());
    p->result = RunAuditedJob(tx, *p->job);
    if (!p->result.ok() && (*conn)->last_failure() == SqlFailure::kSerialization) {
      transaction_.Abort();
      return true;
    }
    Status end = p->result.ok() ? (*conn)->Exec("RELEASE job") : (*conn)->Exec("ROLLBACK TO job; RELEASE job");
    if (!end.ok()) broken = end;
  }
  Status commit = broken.ok() ? transaction_.Commit() : broken;
  if (commit.ok()) {
    ++commits_;
    return false;
  }
  const bool retry = (*conn)->last_failure() == SqlFailure::kSerialization;
  transaction_.Abort();
  if (retry) return true;
  const Status lost = Status::IoError("the write was not committed: " + commit.message());
  for (Pending* p : group) {
    if (p->result.ok()) p->result = lost;
  }
  return false;
}

}  // namespace qgrant::store
