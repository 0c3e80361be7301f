// The SQLite backend: one writer connection, driven by the group-commit writer thread
// (group_writer.h), and query-only reader connections kept in a small pool (WAL lets them read
// beside the writer). BEGIN IMMEDIATE takes the file's write lock, which is what orders this
// process's writes with another's (qgrant user add beside qgrant serve).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/group_writer.h"
#include "store/sqlite/sqlite_conn.h"
#include "store/store.h"

namespace qgrant::store {

class SqliteStore final : public Store, private GroupTransaction {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& path, StoreOptions options);
  ~SqliteStore() override;

  std::string_view backend() const override { return "sqlite"; }
  WriteStats write_stats() const override { return {group_writer_->jobs(), group_writer_->commits()}; }

 protected:
  Status RunWrite(const std::function<Status(WriteTx&)>& job) override;
  Status RunRead(const std::function<Status(Reader&)>& job) override;

 private:
  SqliteStore(std::string path, StoreOptions options, std::unique_ptr<SqliteConn> writer);
  Result<SqlConn*> Begin() override;
  Status Commit() override;
  void Abort() override;
  Result<std::unique_ptr<SqliteConn>> TakeReader();
  void ReturnReader(std::unique_ptr<SqliteConn> conn);

  const std::string path_;
  const StoreOptions options_;
  std::unique_ptr<SqliteConn> writer_;
  std::unique_ptr<GroupWriter> group_writer_;  // stopped (in the destructor) before writer_ closes

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteConn>> idle_readers_;
};

}  // namespace qgrant::store
