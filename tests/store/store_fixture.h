// A test fixture parameterised by backend: every test runs on a fresh SQLite file and, when the
// environment variable QGRANT_TEST_PG holds a PostgreSQL URL (scripts/test.sh starts a throwaway
// cluster and sets it), on a fresh schema of that database. Raw() opens a connection behind the
// store's back, for the tests that tamper with rows.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/sql.h"
#include "store/store.h"

namespace qgrant::store::testing {

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  void TearDown() override;

  bool postgres() const { return GetParam() == "postgresql"; }
  const std::string& url() const { return url_; }

  // Opens (again) a store on this test's database.
  std::unique_ptr<Store> Open(StoreOptions options = {});
  // A connection to this test's database that bypasses the store.
  std::unique_ptr<SqlConn> Raw();
  // Runs raw SQL and expects it to succeed.
  void RawExec(const std::string& sql);

  std::unique_ptr<Store> store_;

 private:
  std::string url_;
  std::string dir_;     // SQLite: a temp directory
  std::string schema_;  // PostgreSQL: this test's schema
  std::string pg_base_;
};

// "sqlite" / "postgresql" as the test name's suffix.
std::string BackendName(const ::testing::TestParamInfo<std::string>& info);

// A valid audit event for `object`, with `after` = {"n": n}.
AuditEvent Event(const std::string& object, int n);

// A round "R1" for 2026 and an application in it, ready to insert.
Round SampleRound(const std::string& id = "R1");
Application SampleApplication(const std::string& round = "R1", const std::string& subject = "CQA-2025");

}  // namespace qgrant::store::testing

#define QGRANT_STORE_BACKENDS(suite)                                                   \
  INSTANTIATE_TEST_SUITE_P(Backends, suite, ::testing::Values("sqlite", "postgresql"), \
                           ::qgrant::store::testing::BackendName)
