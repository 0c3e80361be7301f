#include "store/migrations.h"

#include <unistd.h>

#include <filesystem>

#include "store/sqlite/sqlite_conn.h"
#include "store_fixture.h"

namespace qgrant::store::testing {
namespace {

using MigrationsTest = StoreTest;

int64_t StoredVersion(SqlConn& conn) {
  auto rows = conn.Query("SELECT MAX(version) FROM schema_version", {});
  EXPECT_TRUE(rows.ok()) << rows.status().message();
  return rows.ok() ? rows->front().Int(0) : -1;
}

TEST_P(MigrationsTest, NewDatabaseIsAtTheLatestVersion) {
  auto raw = Raw();
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(StoredVersion(*raw), LatestSchemaVersion());
  EXPECT_GE(LatestSchemaVersion(), 1);
}

TEST_P(MigrationsTest, ReopeningAppliesNothingTwice) {
  store_.reset();
  auto again = Open();
  ASSERT_NE(again, nullptr);
  auto raw = Raw();
  auto rows = raw->Query("SELECT COUNT(*) FROM schema_version", {});
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->front().Int(0), LatestSchemaVersion());
}

TEST_P(MigrationsTest, RefusesADatabaseNewerThanTheBinary) {
  store_.reset();
  const int newer = LatestSchemaVersion() + 5;
  RawExec("INSERT INTO schema_version (version, name) VALUES (" + std::to_string(newer) + ", 'future')");
  auto opened = OpenStore(url());
  ASSERT_FALSE(opened.ok());
  const std::string& msg = opened.status().message();
  EXPECT_NE(msg.find("schema version " + std::to_string(newer)), std::string::npos) << msg;
  EXPECT_NE(msg.find("(" + std::to_string(LatestSchemaVersion()) + ")"), std::string::npos) << msg;
}

TEST_P(MigrationsTest, VerifyRefusesANewerDatabaseAndChangesNothing) {
  store_.reset();
  RawExec("INSERT INTO schema_version (version, name) VALUES (99, 'future')");
  auto verdict = VerifyAuditAt(url());
  ASSERT_FALSE(verdict.ok());
  EXPECT_NE(verdict.status().message().find("schema version 99"), std::string::npos);
  auto raw = Raw();
  EXPECT_EQ(StoredVersion(*raw), 99);
}

TEST_P(MigrationsTest, VerifyOfAFreshDatabaseIsAnEmptyChain) {
  auto verdict = VerifyAuditAt(url());
  ASSERT_TRUE(verdict.ok()) << verdict.status().message();
  EXPECT_TRUE(verdict->ok);
  EXPECT_EQ(verdict->entries, 0);
  EXPECT_EQ(verdict->head, std::string(64, '0'));
}

TEST_P(MigrationsTest, EachDialectGetsItsOwnPart) {
  const auto migrations = MigrationsFor(postgres() ? Dialect::kPostgres : Dialect::kSqlite);
  ASSERT_FALSE(migrations.empty());
  EXPECT_EQ(migrations.front().name, "0001_init");
  const bool has_plpgsql = migrations.front().script.find("plpgsql") != std::string::npos;
  EXPECT_EQ(has_plpgsql, postgres());
}

TEST(MigrationsOpenTest, RefusesUnknownUrlsAndMemoryDatabases) {
  auto mysql = OpenStore("mysql://localhost/db");
  ASSERT_FALSE(mysql.ok());
  EXPECT_NE(mysql.status().message().find("unknown database URL"), std::string::npos);
  auto memory = OpenStore("sqlite::memory:");
  ASSERT_FALSE(memory.ok());
  EXPECT_NE(memory.status().message().find("must be a file path"), std::string::npos);
  auto unreachable = OpenStore("postgresql://127.0.0.1:1/qgrant?connect_timeout=2");
  ASSERT_FALSE(unreachable.ok());
  EXPECT_NE(unreachable.status().message().find("cannot connect to PostgreSQL"), std::string::npos);
  auto missing_dir = OpenStore("/nonexistent-dir/qgrant.db");
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_NE(missing_dir.status().message().find("cannot open SQLite database"), std::string::npos);
}

TEST(MigrationsOpenTest, VerifyRefusesAFileThatIsNotAQgrantDatabase) {
  const std::string path = ::testing::TempDir() + "not_qgrant_" + std::to_string(::getpid()) + ".db";
  {
    auto conn = SqliteConn::Open(path, /*query_only=*/false);
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (x TEXT)").ok());
  }
  auto verdict = VerifyAuditAt(path);
  ASSERT_FALSE(verdict.ok());
  EXPECT_NE(verdict.status().message().find("not a qgrant database"), std::string::npos);
  std::filesystem::remove(path);
}

QGRANT_STORE_BACKENDS(MigrationsTest);

}  // namespace
}  // namespace qgrant::store::testing
