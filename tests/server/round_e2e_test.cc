// A round through CONTRACT §7's states as real HTTP requests, on SQLite and (when QGRANT_TEST_PG
// names a server) PostgreSQL: an officer opens a round, three units apply, one is returned and
// resubmitted, one rejected, an expert reviews, an applicant withdraws; each answer is asserted,
// and the audit chain verifies at the end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "server/http_server.h"
#include "server/service.h"
#include "server/store_calls.h"
#include "store/postgres/pg_conn.h"
#include "store/store.h"
#include "test_client.h"

namespace qgrant::server {
namespace {

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
      url_ = std::string(pg) + (std::string(pg).find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + name;
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

  void StartServer() {
    policy::PolicyBundle bundle;
    policy::DiagnosticSink sink;
    ASSERT_TRUE(policy::LoadBundle({std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand"}, &bundle, &sink));
    policy::Date today;
    policy::ParseDate("2026-06-01", &today);
    auto service = std::make_shared<Service>(std::move(bundle), today, std::make_shared<StoreLedgerSource>(store_.get()));
    auto workflow = Workflow::Load(std::string(QGRANT_SOURCE_DIR) + "/policies/workflow.yaml");
    ASSERT_TRUE(workflow.ok());
    service->Attach(store_.get(), std::move(*workflow));
    ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<HttpServer>(options, BuildApiRouter(service, std::make_shared<StoreAuthenticator>(store_.get())));
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

  HttpAnswer Call(const std::string& token, const std::string& method, const std::string& target, const std::string& body = "") {
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

std::string Application(const std::string& uscc, const std::string& name, const std::string& kind,
                        const std::string& measure, const std::string& subject, const json& facts) {
  json j = {{"applicant", {{"uscc", uscc}, {"name", name}, {"kind", kind}, {"registered_in_shenzhen", true},
                           {"serious_dishonesty", false}}},
            {"measure", measure},
            {"subject", subject},
            {"obtained_on", "2025-09-12"},
            {"facts", facts}};
  return j.dump();
}

TEST_P(RoundTest, ARoundThroughItsStates) {
  const std::string officer = AddUser("officer", "officer"), reviewer = AddUser("reviewer", "reviewer"),
                    expert = AddUser("expert", "expert"), auditor = AddUser("auditor", "auditor");
  const std::string a = AddUser("unit-a", "applicant", "91440300MA5XXXXXXR"),
                    b = AddUser("unit-b", "applicant", "914403001922038216"),
                    c = AddUser("unit-c", "applicant", "12440300MB2D00001R");
  // The officer opens the round; a second with the same id is a conflict; applicants may not.
  const std::string round = R"({"id":"r2026","title":"2026年度","guide":"2026","budget_fen":500000000,"opens_on":"2026-05-01","closes_on":"2026-12-31"})";
  HttpAnswer r = Call(officer, "POST", "/rounds", round);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["state"], "open");
  EXPECT_EQ(Call(officer, "POST", "/rounds", round).status, 409);
  EXPECT_EQ(Call(a, "POST", "/rounds", round).status, 403);
  EXPECT_EQ(Call("", "POST", "/rounds", round).status, 401);

  // Three units apply.
  r = Call(a, "POST", "/rounds/r2026/applications",
           Application("91440300MA5XXXXXXR", "甲公司", "enterprise", "china_quality_award", "CQA-2025-A", {{"level", "winner"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string app_a = Body(r)["id"];
  EXPECT_EQ(Body(r)["state"], "draft");
  EXPECT_EQ(Body(r)["decision"]["outcome"], "eligible");
  r = Call(b, "POST", "/rounds/r2026/applications",
           Application("914403001922038216", "乙公司", "enterprise", "qi_demonstration", "QID-2025-B", json::object()));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string app_b = Body(r)["id"];
  r = Call(c, "POST", "/rounds/r2026/applications",
           Application("12440300MB2D00001R", "丙中心", "public_institution", "metrology", "ME-2025-C", {{"activity", "demonstration"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string app_c = Body(r)["id"];
  // A second live application for the same subject is a conflict naming the first; another
  // unit's USCC is forbidden; an invalid application is a 400 naming the field.
  r = Call(a, "POST", "/rounds/r2026/applications",
           Application("91440300MA5XXXXXXR", "甲公司", "enterprise", "china_quality_award", "cqa-2025-a ", {{"level", "winner"}}));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Body(r)["existing"], app_a);
  EXPECT_EQ(Call(a, "POST", "/rounds/r2026/applications",
                 Application("914403001922038216", "乙公司", "enterprise", "qi_demonstration", "X", json::object())).status, 403);
  r = Call(a, "POST", "/rounds/r2026/applications",
           Application("91440300MA5XXXXXXR", "甲公司", "enterprise", "china_quality_award", "CQA-X", {{"level", "gold"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r)["errors"][0]["field"], "facts.level");

  // Each unit sees only its own case; experts see no drafts.
  EXPECT_EQ(Call(b, "GET", "/applications/" + app_a).status, 404);
  EXPECT_EQ(Call(expert, "GET", "/applications/" + app_a).status, 404);
  EXPECT_EQ(Call(a, "GET", "/applications?round=r2026").status, 200);
  EXPECT_EQ(Body(Call(a, "GET", "/applications?round=r2026"))["items"].size(), 1u);

  // All three submit.
  for (const auto& [token, id] : {std::pair{a, app_a}, {b, app_b}, {c, app_c}}) {
    r = Call(token, "POST", "/applications/" + id + "/actions/submit", "{}");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Body(r)["state"], "submitted");
    EXPECT_EQ(Body(r)["submitted_on"], "2026-06-01");
  }
  // An applicant cannot accept; a reviewer cannot submit (403); a second submit is a wrong state.
  EXPECT_EQ(Call(a, "POST", "/applications/" + app_a + "/actions/accept", "{}").status, 403);
  r = Call(a, "POST", "/applications/" + app_a + "/actions/submit", "{}");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Body(r)["state"], "submitted");
  EXPECT_EQ(Body(r)["allowed_actions"], json({"withdraw"}));
  EXPECT_EQ(Call(reviewer, "POST", "/applications/" + app_a + "/actions/fly", "{}").status, 404);

  // A is returned with a deadline and resubmitted; the return needs a note.
  EXPECT_EQ(Call(reviewer, "POST", "/applications/" + app_a + "/actions/return", R"({"deadline":"2026-06-10"})").status, 400);
  r = Call(reviewer, "POST", "/applications/" + app_a + "/actions/return", R"({"note":"请补充获奖证书","deadline":"2026-06-10"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "returned");
  EXPECT_EQ(Body(r)["deadline"], "2026-06-10");
  r = Call(a, "GET", "/applications/" + app_a);
  EXPECT_EQ(Body(r)["history"].back()["note"], "请补充获奖证书");
  r = Call(a, "PUT", "/applications/" + app_a,
           Application("91440300MA5XXXXXXR", "甲公司", "enterprise", "china_quality_award", "CQA-2025-A", {{"level", "nominee"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["decision"]["amount_fen"], 100000000);
  r = Call(a, "POST", "/applications/" + app_a + "/actions/submit", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "submitted");
  EXPECT_EQ(Call(reviewer, "POST", "/applications/" + app_a + "/actions/accept", "{}").status, 200);

  // B is reviewed by the expert (qualitative condition of （七）), then rejected with a note.
  r = Call(expert, "POST", "/applications/" + app_b + "/reviews", R"({"passed":false,"score":40,"note":"示范价值不足","conflict_of_interest":false})");
  ASSERT_EQ(r.status, 201) << r.body;
  r = Call(reviewer, "GET", "/applications/" + app_b);
  EXPECT_EQ(Body(r)["decision"]["outcome"], "ineligible");
  EXPECT_EQ(Body(r)["decision"]["reasons"][0]["code"], "review_not_passed");
  EXPECT_EQ(Call(b, "GET", "/applications/" + app_b).body.find("示范价值不足"), std::string::npos);  // review notes are internal
  r = Call(reviewer, "POST", "/applications/" + app_b + "/actions/reject", R"({"note":"专家评审未通过"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "rejected");
  // A declared conflict records no score and does not count.
  r = Call(expert, "POST", "/applications/" + app_a + "/reviews", R"({"conflict_of_interest":true,"note":"本人曾任该单位顾问"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(Body(r)["score"].is_null());

  // C withdraws; withdrawn is final.
  r = Call(c, "POST", "/applications/" + app_c + "/actions/withdraw", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "withdrawn");
  EXPECT_EQ(Call(c, "POST", "/applications/" + app_c + "/actions/submit", "{}").status, 409);

  // The round counts by state; the audit chain verifies from the API and from the database.
  r = Call(officer, "GET", "/rounds/r2026");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Body(r)["by_state"]["accepted"]["count"], 1);
  EXPECT_EQ(Body(r)["by_state"]["rejected"]["count"], 1);
  EXPECT_EQ(Body(r)["by_state"]["withdrawn"]["count"], 1);
  r = Call(auditor, "GET", "/audit?limit=500");
  ASSERT_EQ(r.status, 200);
  EXPECT_GT(Body(r)["items"].size(), 15u);
  EXPECT_EQ(Call(officer, "GET", "/audit").status, 403);
  auto verdict = store::VerifyAuditAt(url_);
  ASSERT_TRUE(verdict.ok()) << verdict.status().message();
  EXPECT_TRUE(verdict->ok) << verdict->reason;
}

TEST_P(RoundTest, AnIdempotentRepeatGetsTheFirstAnswer) {
  const std::string officer = AddUser("officer", "officer");
  const std::string body = R"({"id":"r1","title":"t","guide":"2026","budget_fen":1,"opens_on":"2026-05-01","closes_on":"2026-12-31"})";
  std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + officer}, {"Idempotency-Key", "k-1"}};
  HttpAnswer first = Fetch(server_->port(), "POST", "/api/v1/rounds", body, h);
  ASSERT_EQ(first.status, 201) << first.body;
  HttpAnswer again = Fetch(server_->port(), "POST", "/api/v1/rounds", body, h);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  HttpAnswer other = Fetch(server_->port(), "POST", "/api/v1/rounds", R"({"id":"r2","title":"t","guide":"2026","budget_fen":1,"opens_on":"2026-05-01","closes_on":"2026-12-31"})", h);
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(Body(Call(officer, "GET", "/rounds"))["items"].size(), 1u);
}

// Every route of the router × every role (and no sign-in) × own or another unit's case: the
// answer's class is asserted from the route's own Access, so a new route cannot be left out.
TEST_P(RoundTest, PermissionMatrixOverEveryRoute) {
  std::map<std::string, std::string> token;
  for (const char* role : {"officer", "reviewer", "expert", "finance", "auditor", "admin"}) token[role] = AddUser(role, role);
  token["applicant"] = AddUser("unit-a", "applicant", "91440300MA5XXXXXXR");
  const std::string other = AddUser("unit-b", "applicant", "914403001922038216");
  ASSERT_EQ(Call(token["officer"], "POST", "/rounds",
                 R"({"id":"r1","title":"t","guide":"2026","budget_fen":1000,"opens_on":"2026-05-01","closes_on":"2026-12-31"})").status, 201);
  HttpAnswer r = Call(token["applicant"], "POST", "/rounds/r1/applications",
                      Application("91440300MA5XXXXXXR", "甲", "enterprise", "china_quality_award", "C-1", {{"level", "winner"}}));
  ASSERT_EQ(r.status, 201);
  const std::string app = Body(r)["id"];
  ASSERT_EQ(Call(token["applicant"], "POST", "/applications/" + app + "/actions/submit", "{}").status, 200);

  policy::PolicyBundle bundle;
  policy::DiagnosticSink sink;
  ASSERT_TRUE(policy::LoadBundle({std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand"}, &bundle, &sink));
  auto service = std::make_shared<Service>(std::move(bundle), std::nullopt);
  service->Attach(store_.get(), *Workflow::Load(std::string(QGRANT_SOURCE_DIR) + "/policies/workflow.yaml"));
  auto router = BuildApiRouter(service, nullptr);
  int checked = 0;
  for (const Route& route : router->routes()) {
    std::string target = route.pattern;
    auto put = [&](const std::string& name, const std::string& value) {
      const size_t at = target.find("{" + name + "}");
      if (at != std::string::npos) target.replace(at, name.size() + 2, value);
    };
    const bool app_route = target.rfind("/api/v1/applications/{id}", 0) == 0;
    put("id", app_route ? app : "r1");
    put("action", "withdraw");
    const std::string path = route.pattern.rfind("/api/v1", 0) == 0 ? target.substr(7) : target;
    auto call = [&](const std::string& t) {
      if (route.pattern.rfind("/api/v1", 0) != 0) return Fetch(server_->port(), route.method, target, "{}", {});
      return Call(t, route.method, path, "{}");
    };
    const HttpAnswer anonymous = call("");
    if (route.access.anyone()) {
      EXPECT_NE(anonymous.status, 401) << route.method << " " << route.pattern;
    } else {
      EXPECT_EQ(anonymous.status, 401) << route.method << " " << route.pattern;
    }
    for (const auto& [role_name, t] : token) {
      const HttpAnswer a = call(t);
      const Role role = *ParseRole(role_name);
      const bool allowed = route.access.Allows(role) &&
                           (route.choices.empty() || std::any_of(route.choices.begin(), route.choices.end(), [&](const auto& c) {
                              return c.first == "withdraw" && c.second.Allows(role);
                            }));
      const std::string what = route.method + " " + route.pattern + " as " + role_name + ": " + a.body;
      // 501: a route of issue 13 not built yet (allocation, notice, approval, payments, invitations).
      EXPECT_TRUE(a.status < 500 || a.status == 501) << what;
      if (!allowed) {
        EXPECT_TRUE(a.status == 403 || (a.status == 404 && app_route)) << what;
      } else {
        EXPECT_NE(a.status, 403) << what;
        EXPECT_NE(a.status, 401) << what;
      }
    }
    if (app_route && route.access.Allows(Role::kApplicant) && call(token["applicant"]).status != 501) {
      EXPECT_EQ(call(other).status, 404) << route.method << " " << route.pattern << " as another unit";
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(router->routes().size()));
  EXPECT_GE(checked, 30);  // every path of §7 and its further routes
}

INSTANTIATE_TEST_SUITE_P(Backends, RoundTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace qgrant::server
