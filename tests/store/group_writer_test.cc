// The group writer's thread answers every job, whatever the backend throws: an exception there
// (memory exhausted) fails the group's jobs, rolls the transaction back and leaves the writer
// running, where it once would have ended the process with every caller's write.
#include "store/group_writer.h"

#include <gtest/gtest.h>

#include <new>
#include <string>
#include <vector>

namespace qgrant::store {
namespace {

// A connection that records its scripts and throws on the one named in `throw_on`, once.
class FakeConn : public SqlConn {
 public:
  Dialect dialect() const override { return Dialect::kSqlite; }
  Status Exec(std::string_view script) override {
    scripts.emplace_back(script);
    if (!throw_on.empty() && script == throw_on) {
      throw_on.clear();
      throw std::bad_alloc();
    }
    return Status::Ok();
  }
  Result<std::vector<SqlRow>> Query(const std::string&, const std::vector<SqlValue>&) override {
    return std::vector<SqlRow>();
  }
  SqlFailure last_failure() const override { return SqlFailure::kNone; }

  std::vector<std::string> scripts;
  std::string throw_on;
};

// Begins on the fake connection, or throws (once) or fails when told to; counts what it did.
class FakeTransaction : public GroupTransaction {
 public:
  Result<SqlConn*> Begin() override {
    if (throw_on_begin) {
      throw_on_begin = false;
      throw std::bad_alloc();
    }
    if (offline) return Status::IoError("offline");
    return static_cast<SqlConn*>(&conn);
  }
  Status Commit() override {
    ++commits;
    return Status::Ok();
  }
  void Abort() override { ++aborts; }

  FakeConn conn;
  bool throw_on_begin = false;
  bool offline = false;
  int commits = 0, aborts = 0;
};

Clock FixedClock() {
  return [] { return std::string("2026-12-05T12:00:00.000+08:00"); };
}

Status NoChange(WriteTx&) { return Status::Ok(); }

TEST(GroupWriterTest, AnExceptionAtBeginFailsTheJobAndTheWriterGoesOn) {
  FakeTransaction transaction;
  transaction.throw_on_begin = true;
  GroupWriter writer(transaction, FixedClock(), 8);
  const Status first = writer.Submit(NoChange);
  EXPECT_FALSE(first.ok());
  EXPECT_NE(first.message().find("writer failed"), std::string::npos) << first.message();
  EXPECT_EQ(transaction.aborts, 1);
  transaction.offline = true;
  const Status second = writer.Submit(NoChange);  // answered: the thread is still there
  EXPECT_EQ(second.message(), "offline");
  transaction.offline = false;
  EXPECT_TRUE(writer.Submit(NoChange).ok());
  EXPECT_EQ(transaction.commits, 1);
}

// The job itself succeeded, but the backend threw before the group committed: the job must not
// be reported committed, and the transaction is rolled back.
TEST(GroupWriterTest, AJobThatRanIsNotReportedCommittedWhenTheBackendThrowsAfterIt) {
  FakeTransaction transaction;
  transaction.conn.throw_on = "RELEASE job";
  GroupWriter writer(transaction, FixedClock(), 8);
  bool ran = false;
  const Status st = writer.Submit([&](WriteTx&) {
    ran = true;
    return Status::Ok();
  });
  EXPECT_TRUE(ran);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(transaction.commits, 0);
  EXPECT_EQ(transaction.aborts, 1);
  EXPECT_TRUE(writer.Submit(NoChange).ok());
  EXPECT_EQ(transaction.commits, 1);
}

}  // namespace
}  // namespace qgrant::store
