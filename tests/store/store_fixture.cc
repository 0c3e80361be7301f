#include "store_fixture.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "store/postgres/pg_conn.h"
#include "store/sqlite/sqlite_conn.h"

namespace qgrant::store::testing {
namespace {

std::string UniqueName() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

// Adds libpq's `options` parameter so that every connection of the store works in `schema`.
std::string WithSearchPath(const std::string& url, const std::string& schema) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

}  // namespace

std::string BackendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

void StoreTest::SetUp() {
  if (postgres()) {
    const char* pg = std::getenv("QGRANT_TEST_PG");
    if (pg == nullptr || *pg == '\0') GTEST_SKIP() << "QGRANT_TEST_PG is not set; PostgreSQL tests skipped";
    pg_base_ = pg;
    schema_ = UniqueName();
    auto admin = PgConn::Open(pg_base_);
    ASSERT_TRUE(admin.ok()) << admin.status().message();
    ASSERT_TRUE((*admin)->Exec("CREATE SCHEMA " + schema_).ok());
    url_ = WithSearchPath(pg_base_, schema_);
  } else {
    dir_ = (std::filesystem::temp_directory_path() / ("qgrant_store_" + UniqueName())).string();
    std::filesystem::create_directories(dir_);
    url_ = "sqlite:" + dir_ + "/test.db";
  }
  store_ = Open();
  ASSERT_NE(store_, nullptr);
}

void StoreTest::TearDown() {
  store_.reset();
  if (!schema_.empty()) {
    auto admin = PgConn::Open(pg_base_);
    if (admin.ok()) (void)(*admin)->Exec("DROP SCHEMA " + schema_ + " CASCADE");
  }
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

std::unique_ptr<Store> StoreTest::Open(StoreOptions options) {
  auto store = OpenStore(url_, std::move(options));
  EXPECT_TRUE(store.ok()) << store.status().message();
  return store.ok() ? std::move(*store) : nullptr;
}

std::unique_ptr<SqlConn> StoreTest::Raw() {
  if (postgres()) {
    auto conn = PgConn::Open(url_);
    EXPECT_TRUE(conn.ok()) << conn.status().message();
    return conn.ok() ? std::move(*conn) : nullptr;
  }
  auto conn = SqliteConn::Open(url_.substr(7), /*query_only=*/false);
  EXPECT_TRUE(conn.ok()) << conn.status().message();
  return conn.ok() ? std::move(*conn) : nullptr;
}

void StoreTest::RawExec(const std::string& sql) {
  auto conn = Raw();
  ASSERT_NE(conn, nullptr);
  Status st = conn->Exec(sql);
  ASSERT_TRUE(st.ok()) << sql << ": " << st.message();
}

AuditEvent Event(const std::string& object, int n) {
  return AuditEvent{"tester", "test.write", object, nullptr, nlohmann::json{{"n", n}}};
}

Round SampleRound(const std::string& id) {
  Round r;
  r.id = id;
  r.title = "2026 第一批";
  r.guide = "2026";
  r.budget_fen = 1'000'000'000;
  r.opens_on = "2026-03-01";
  r.closes_on = "2026-04-30";
  r.state = "scheduled";
  return r;
}

Application SampleApplication(const std::string& round, const std::string& subject) {
  Application a;
  a.round = round;
  a.uscc = "91440300MA5FUTURE0";
  a.measure = "china_quality_award";
  a.subject = subject;
  a.subject_key = subject;
  a.state = "draft";
  a.body = R"({"measure":"china_quality_award","subject":")" + subject + R"("})";
  return a;
}

}  // namespace qgrant::store::testing
