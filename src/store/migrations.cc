#include "store/migrations.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace qgrant::store {
namespace {

constexpr std::string_view kSqliteSuffix = ".sqlite.sql";
constexpr std::string_view kPostgresSuffix = ".pg.sql";
constexpr std::string_view kCommonSuffix = ".sql";

// A transaction-scoped advisory lock key for migrations on PostgreSQL ("qgrant-m").
constexpr const char* kPgMigrationLock = "SELECT pg_advisory_xact_lock(7165223868530617709)";

int VersionOf(std::string_view name) {
  int v = 0;
  for (char c : name) {
    if (!std::isdigit(static_cast<unsigned char>(c))) break;
    v = v * 10 + (c - '0');
  }
  return v;
}

Result<int> CurrentVersion(SqlConn& conn) {
  auto rows = conn.Query("SELECT MAX(version) FROM schema_version", {});
  if (!rows.ok()) return rows.status();
  return rows->empty() ? 0 : int(rows->front().Int(0));
}

Status ApplyPending(SqlConn& conn) {
  QGRANT_RETURN_IF_ERROR(
      conn.Exec("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, name TEXT NOT NULL)"));
  auto current = CurrentVersion(conn);
  if (!current.ok()) return current.status();
  const int latest = LatestSchemaVersion();
  if (*current > latest) {
    return Status::InvalidArgument("the database has schema version " + std::to_string(*current) +
                                   ", newer than this qgrant knows (" + std::to_string(latest) +
                                   "); use a newer qgrant");
  }
  for (const Migration& m : MigrationsFor(conn.dialect())) {
    if (m.version <= *current) continue;
    Status st = conn.Exec(m.script);
    if (!st.ok()) return Status::Internal("migration " + m.name + " failed: " + st.message());
    auto rec = conn.Query("INSERT INTO schema_version (version, name) VALUES (?, ?)", {int64_t{m.version}, m.name});
    if (!rec.ok()) return rec.status();
  }
  return Status::Ok();
}

}  // namespace

std::vector<Migration> MigrationsFor(Dialect dialect) {
  const std::string_view own = dialect == Dialect::kSqlite ? kSqliteSuffix : kPostgresSuffix;
  const std::string_view other = dialect == Dialect::kSqlite ? kPostgresSuffix : kSqliteSuffix;
  std::map<int, Migration> common;
  std::map<int, std::string> dialect_part;
  for (size_t i = 0; i < kEmbeddedMigrationFileCount; ++i) {
    const std::string_view name = kEmbeddedMigrationFiles[i].name;
    const int version = VersionOf(name);
    if (name.ends_with(other)) continue;
    if (name.ends_with(own)) {
      dialect_part[version] += kEmbeddedMigrationFiles[i].text;
      continue;
    }
    Migration& m = common[version];
    m.version = version;
    m.name = std::string(name.substr(0, name.size() - kCommonSuffix.size()));
    m.script = kEmbeddedMigrationFiles[i].text;
  }
  std::vector<Migration> out;
  for (auto& [version, m] : common) {
    m.script += "\n" + dialect_part[version];  // the dialect part may refer to the common tables
    out.push_back(std::move(m));
  }
  return out;
}

int LatestSchemaVersion() {
  int latest = 0;
  for (size_t i = 0; i < kEmbeddedMigrationFileCount; ++i) {
    latest = std::max(latest, VersionOf(kEmbeddedMigrationFiles[i].name));
  }
  return latest;
}

Status Migrate(SqlConn& conn) {
  const bool pg = conn.dialect() == Dialect::kPostgres;
  // SQLite: BEGIN IMMEDIATE takes the write lock before the version is read.
  QGRANT_RETURN_IF_ERROR(conn.Exec(pg ? "BEGIN" : "BEGIN IMMEDIATE"));
  Status st = pg ? conn.Exec(kPgMigrationLock) : Status::Ok();
  if (st.ok()) st = ApplyPending(conn);
  if (!st.ok()) {
    (void)conn.Exec("ROLLBACK");
    return st;
  }
  return conn.Exec("COMMIT");
}

}  // namespace qgrant::store
