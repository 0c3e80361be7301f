// VerifyAuditAt (store.h): the audit check of `qgrant audit verify`, on one read-only connection.
#include <filesystem>

#include "store/migrations.h"
#include "store/postgres/pg_conn.h"
#include "store/sqlite/sqlite_conn.h"
#include "store/store.h"

namespace qgrant::store {
namespace {

Result<std::unique_ptr<SqlConn>> ConnectReadOnly(std::string_view url) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    auto conn = PgConn::Open(std::string(url));
    if (!conn.ok()) return conn.status();
    QGRANT_RETURN_IF_ERROR((*conn)->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    return std::unique_ptr<SqlConn>(std::move(*conn));
  }
  if (url.starts_with("sqlite:")) url.remove_prefix(7);
  const std::string path(url);
  if (url.find("://") != std::string_view::npos) {
    return Status::InvalidArgument("unknown database URL '" + path +
                                   "': use a file path, sqlite:PATH or postgresql://…");
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Status::InvalidArgument("no SQLite database at '" + path + "'");
  auto conn = SqliteConn::Open(path, /*query_only=*/true);
  if (!conn.ok()) return conn.status();
  QGRANT_RETURN_IF_ERROR((*conn)->Exec("BEGIN"));
  return std::unique_ptr<SqlConn>(std::move(*conn));
}

}  // namespace

Result<AuditVerdict> VerifyAuditAt(std::string_view url) {
  auto conn = ConnectReadOnly(url);
  if (!conn.ok()) return conn.status();
  auto version = (*conn)->Query("SELECT MAX(version) FROM schema_version", {});
  if (!version.ok()) {
    return Status::InvalidArgument("not a qgrant database (no schema_version table): " + std::string(url));
  }
  const int64_t v = version->front().Int(0);
  if (v > LatestSchemaVersion()) {
    return Status::InvalidArgument("the database has schema version " + std::to_string(v) +
                                   ", newer than this qgrant knows (" + std::to_string(LatestSchemaVersion()) +
                                   "); use a newer qgrant");
  }
  Reader reader(**conn);
  auto verdict = reader.VerifyAudit();
  (void)(*conn)->Exec("COMMIT");
  return verdict;
}

}  // namespace qgrant::store
