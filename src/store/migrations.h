// Versioned schema migrations (src/store/migrations/NNNN_name.sql), embedded in the binary at build
// time. Version N is NNNN_name.sql followed by NNNN_name.sqlite.sql or NNNN_name.pg.sql when the
// dialects differ. Opening a store applies every version newer than the database's in one
// transaction each, recording it in `schema_version`; a database newer than this binary is refused,
// so an old binary never writes rows a newer schema does not expect.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/sql.h"

namespace qgrant::store {

struct EmbeddedMigrationFile {
  const char* name;
  const char* text;
};
extern const EmbeddedMigrationFile kEmbeddedMigrationFiles[];
extern const size_t kEmbeddedMigrationFileCount;

struct Migration {
  int version = 0;
  std::string name;    // "0001_init"
  std::string script;  // the common part and this dialect's part
};

// The migrations for `dialect`, in version order.
std::vector<Migration> MigrationsFor(Dialect dialect);

// The newest version this binary knows.
int LatestSchemaVersion();

// Brings the database on `conn` up to LatestSchemaVersion(). Safe when several processes open the
// same database at once: the check and the upgrade run under the database's write lock.
Status Migrate(SqlConn& conn);

}  // namespace qgrant::store
