// The fixture of the service's round tests: a fresh database per test (a SQLite file, or a
// PostgreSQL schema when QGRANT_TEST_PG names a server), the service on it over real HTTP with a
// service date that a test may move (StartServer again), users made through the store, and
// requests with a bearer token.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "server/service.h"
#include "server/store_calls.h"
#include "store/postgres/pg_conn.h"
#include "store/store.h"
#include "test_client.h"

namespace qgrant::server {

using nlohmann::json;
using testing::Fetch;
using testing::HttpAnswer;

// A fresh database per test: a SQLite file, or a PostgreSQL schema.
class RoundTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    const std::string name = "e2e" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    if (GetParam() == "postgresql") {
      const char* pg = std::getenv("QGRANT_TEST_PG");
      if (pg == nullptr || *pg == '\0') GTEST_SKIP() << "QGRANT_TEST_PG is not set";
      auto admin = store::PgConn::Open(pg);
      ASSERT_TRUE(admin.ok());
      ASSERT_TRUE((*admin)->Exec("CREATE SCHEMA " + name).ok());
      url_ = std::string(pg) + (std::string(pg).find('?') == std::string::npos ? "?" : "&") +
             "options=-csearch_path%3D" + name;
    } else {
      dir_ = std::filesystem::temp_directory_path() / name;
      std::filesystem::create_directories(dir_);
      url_ = "sqlite:" + (dir_ / "e2e.db").string();
    }
    auto opened = store::OpenStore(url_);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
    StartServer();
  }

  void TearDown() override {
    if (server_) server_->Stop();
    server_.reset();
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Starts (or restarts, on the same database) the service with `today` as its date.
  void StartServer(const std::string& today_text = "2026-06-01") {
    if (server_) server_->Stop();
    server_.reset();
    policy::PolicyBundle bundle;
    policy::DiagnosticSink sink;
    ASSERT_TRUE(policy::LoadBundle({std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand"}, &bundle, &sink));
    policy::Date today;
    ASSERT_TRUE(policy::ParseDate(today_text, &today)) << today_text;
    auto service =
        std::make_shared<Service>(std::move(bundle), today, std::make_shared<StoreLedgerSource>(store_.get()));
    auto workflow = Workflow::Load(std::string(QGRANT_SOURCE_DIR) + "/policies/workflow.yaml");
    ASSERT_TRUE(workflow.ok());
    service->Attach(store_.get(), std::move(*workflow));
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options,
                                           BuildApiRouter(service, std::make_shared<StoreAuthenticator>(store_.get())));
    ASSERT_TRUE(server_->Start().ok());
  }

  std::string AddUser(const std::string& login, const std::string& role, const std::string& uscc = "") {
    store::User u;
    u.login = login;
    u.role = role;
    if (!uscc.empty()) u.uscc = uscc;
    u.name = login;
    auto token = store::CreateUser(*store_, u, "test");
    EXPECT_TRUE(token.ok()) << token.status().message();
    return token.ok() ? *token : "";
  }

  HttpAnswer Call(const std::string& token, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return Fetch(server_->port(), method, "/api/v1" + target, body, headers);
  }

  static json Body(const HttpAnswer& a) { return json::parse(a.body); }

  std::string url_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<HttpServer> server_;
};

inline std::string Application(const std::string& uscc, const std::string& name, const std::string& kind,
                               const std::string& measure, const std::string& subject, const json& facts) {
  json j = {{"applicant",
             {{"uscc", uscc},
              {"name", name},
              {"kind", kind},
              {"registered_in_shenzhen", true},
              {"serious_dishonesty", false}}},
            {"measure", measure},
            {"subject", subject},
            {"obtained_on", "2025-09-12"},
            {"facts", facts}};
  return j.dump();
}

}  // namespace qgrant::server
