#include "store/sqlite/sqlite_conn.h"

#include <sqlite3.h>

namespace qgrant::store {
namespace {

constexpr int kBusyTimeoutMs = 30000;

}  // namespace

Result<std::unique_ptr<SqliteConn>> SqliteConn::Open(const std::string& path, bool query_only) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::IoError("cannot open SQLite database '" + path + "': " + msg);
  }
  std::unique_ptr<SqliteConn> conn(new SqliteConn(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);
  // WAL lets readers run beside the single writer; FULL syncs the WAL at every commit, which is
  // what makes an acknowledged write survive a power cut, not only a crash.
  Status st = conn->Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;");
  if (st.ok() && query_only) st = conn->Exec("PRAGMA query_only=ON;");
  if (!st.ok()) return Status::IoError("cannot use SQLite database '" + path + "': " + st.message());
  return conn;
}

SqliteConn::~SqliteConn() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status SqliteConn::Fail(int rc, const std::string& what) {
  const int primary = rc & 0xff;
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    last_failure_ = SqlFailure::kUniqueViolation;
  } else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    last_failure_ = SqlFailure::kSerialization;
  } else {
    last_failure_ = SqlFailure::kOther;
  }
  return Status::IoError("SQLite: " + std::string(sqlite3_errmsg(db_)) + " (" + what + ")");
}

Status SqliteConn::Exec(std::string_view script) {
  last_failure_ = SqlFailure::kNone;
  const std::string text(script);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Fail(rc, text.substr(0, 60));
  return Status::Ok();
}

Result<sqlite3_stmt*> SqliteConn::Prepared(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Fail(rc, sql.substr(0, 60));
  statements_.emplace(sql, stmt);
  return stmt;
}

Result<std::vector<SqlRow>> SqliteConn::Query(const std::string& sql, const std::vector<SqlValue>& params) {
  last_failure_ = SqlFailure::kNone;
  auto prepared = Prepared(sql);
  if (!prepared.ok()) return prepared.status();
  sqlite3_stmt* stmt = *prepared;
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  for (size_t i = 0; i < params.size(); ++i) {
    const int idx = int(i) + 1;
    if (const auto* n = std::get_if<int64_t>(&params[i])) {
      sqlite3_bind_int64(stmt, idx, *n);
    } else if (const auto* s = std::get_if<std::string>(&params[i])) {
      sqlite3_bind_text(stmt, idx, s->data(), int(s->size()), SQLITE_TRANSIENT);
    }  // monostate: left NULL by clear_bindings
  }
  std::vector<SqlRow> rows;
  for (;;) {
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) {
      Status st = Fail(rc, sql.substr(0, 60));
      sqlite3_reset(stmt);
      return st;
    }
    SqlRow row;
    const int n = sqlite3_column_count(stmt);
    row.cells.reserve(n);
    for (int c = 0; c < n; ++c) {
      if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
        row.cells.emplace_back(std::nullopt);
      } else {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        row.cells.emplace_back(std::string(text, sqlite3_column_bytes(stmt, c)));
      }
    }
    rows.push_back(std::move(row));
  }
  sqlite3_reset(stmt);
  return rows;
}

}  // namespace qgrant::store
