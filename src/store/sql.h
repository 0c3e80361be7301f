// The little SQL both backends speak to the typed operations (tx.h): a connection that runs a
// statement with positional parameters and answers rows of text cells. SQL is written once, with
// `?` placeholders and types both dialects accept (BIGINT, TEXT); the PostgreSQL connection rewrites
// `?` to `$1…$n`. Integers travel as int64, everything else as text; NULL is std::nullopt.
//
// Thread-safety: a connection is used by one thread at a time (its owner: the SQLite writer
// thread, a pooled reader, or a PostgreSQL pool slot). Errors come back as Status, never thrown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"

namespace qgrant::store {

// A bound parameter: NULL, an integer or text.
using SqlValue = std::variant<std::monostate, int64_t, std::string>;

inline SqlValue SqlNull() { return std::monostate{}; }
inline SqlValue SqlText(std::optional<std::string> v) {
  return v ? SqlValue(std::move(*v)) : SqlValue(std::monostate{});
}
inline SqlValue SqlInt(std::optional<int64_t> v) { return v ? SqlValue(*v) : SqlValue(std::monostate{}); }

// One result row; every cell as text (integers in decimal), NULL as nullopt.
struct SqlRow {
  std::vector<std::optional<std::string>> cells;

  const std::optional<std::string>& at(size_t i) const { return cells.at(i); }
  std::string Text(size_t i) const { return cells.at(i).value_or(""); }
  int64_t Int(size_t i) const;                    // 0 when NULL
  std::optional<int64_t> OptInt(size_t i) const;  // nullopt when NULL
};

enum class Dialect { kSqlite, kPostgres };

// Why a statement failed, where the caller must act differently on it.
enum class SqlFailure { kNone, kSerialization, kUniqueViolation, kOther };

class SqlConn {
 public:
  virtual ~SqlConn() = default;
  virtual Dialect dialect() const = 0;

  // Runs a script of one or more statements without parameters (migrations, BEGIN, COMMIT).
  virtual Status Exec(std::string_view script) = 0;

  // Runs one statement, preparing it once per connection and reusing it afterwards.
  virtual Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) = 0;

  // What kind of failure the last failing call was (serialization failures are retried).
  virtual SqlFailure last_failure() const = 0;
};

}  // namespace qgrant::store
