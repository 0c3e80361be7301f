// A SQLite connection (libsqlite3) behind SqlConn: WAL, foreign keys, synchronous=FULL, a busy
// timeout so that a second process (qgrant user add beside qgrant serve) waits for the write lock
// instead of failing, and every statement prepared once and kept for the connection's life.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql.h"

struct sqlite3;
struct sqlite3_stmt;

namespace qgrant::store {

class SqliteConn final : public SqlConn {
 public:
  // Opens (creating if absent) the database file at `path`. A `query_only` connection refuses
  // every write, which is how readers and `qgrant audit verify` promise to change nothing.
  static Result<std::unique_ptr<SqliteConn>> Open(const std::string& path, bool query_only);
  ~SqliteConn() override;
  SqliteConn(const SqliteConn&) = delete;
  SqliteConn& operator=(const SqliteConn&) = delete;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Status Exec(std::string_view script) override;
  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) override;
  SqlFailure last_failure() const override { return last_failure_; }

 private:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  Status Fail(int rc, const std::string& what);
  Result<sqlite3_stmt*> Prepared(const std::string& sql);

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  SqlFailure last_failure_ = SqlFailure::kNone;
};

}  // namespace qgrant::store
