// A PostgreSQL connection (libpq, loaded with the first one) behind SqlConn. Statements are written with `?` (sql.h)
// and rewritten to `$1…$n`; each is prepared once per connection. Parameters and results travel in text format.
// SQLSTATE 40001/40P01 (serialization failure, deadlock) are reported as SqlFailure::kSerialization so that the store
// retries the transaction.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql.h"

struct pg_conn;

namespace qgrant::store {

class PgConn final : public SqlConn {
 public:
  static Result<std::unique_ptr<PgConn>> Open(const std::string& url);
  ~PgConn() override;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  Dialect dialect() const override { return Dialect::kPostgres; }
  Status Exec(std::string_view script) override;
  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) override;
  SqlFailure last_failure() const override { return last_failure_; }

  // False once the server connection is lost; the pool then drops this connection.
  bool healthy() const;

 private:
  explicit PgConn(pg_conn* conn) : conn_(conn) {}
  Result<std::string> Prepared(const std::string& sql);

  pg_conn* conn_;
  std::unordered_map<std::string, std::string> statements_;  // SQL → prepared statement name
  SqlFailure last_failure_ = SqlFailure::kNone;
};

// "a = ? AND b = '?'" → "a = $1 AND b = '?'" (placeholders outside quoted literals).
std::string NumberPlaceholders(const std::string& sql);

}  // namespace qgrant::store
