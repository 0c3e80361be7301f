// The case page over a real store, the pages and the API on one router (as `qgrant serve` wires
// them), called without HTTP: what an applicant's page shows of an allocated round before and
// after the notice starts, and the page of a submission the closed round refuses.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "policy/loader.h"
#include "server/service.h"
#include "server/store_calls.h"
#include "store/store.h"
#include "web/pages.h"

namespace qgrant::web {
namespace {

using nlohmann::json;

class CasePageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("qgrant-web-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    auto opened = store::OpenStore("sqlite:" + (dir_ / "web.db").string());
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
    Start("2026-06-01");
    officer_ = AddUser("officer", "officer");
    reviewer_ = AddUser("reviewer", "reviewer");
    unit_ = AddUser("unit-a", "applicant", "91440300MA5XXXXXXR");
  }

  void TearDown() override {
    router_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The API and the pages on one router, with `today` as the service date.
  void Start(const std::string& today_text) {
    const std::string policy = std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand";
    policy::PolicyBundle bundle;
    policy::DiagnosticSink sink;
    ASSERT_TRUE(policy::LoadBundle({policy}, &bundle, &sink));
    policy::Date today;
    ASSERT_TRUE(policy::ParseDate(today_text, &today));
    auto service = std::make_shared<server::Service>(std::move(bundle), today,
                                                     std::make_shared<server::StoreLedgerSource>(store_.get()));
    auto workflow = server::Workflow::Load(std::string(QGRANT_SOURCE_DIR) + "/policies/workflow.yaml");
    ASSERT_TRUE(workflow.ok());
    service->Attach(store_.get(), std::move(*workflow));
    auto auth = std::make_shared<server::StoreAuthenticator>(store_.get());
    router_ = server::BuildApiRouter(service, auth);
    AddPages(*router_, service, auth, {policy, std::string(QGRANT_SOURCE_DIR) + "/examples"});
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

  // An API call with a bearer token: the answer's JSON, its status asserted.
  json Api(const std::string& token, const std::string& method, const std::string& target, const std::string& body,
           int status = 200) {
    server::Request r;
    r.method = method;
    r.target = "/api/v1" + target;
    r.headers = {{"authorization", "Bearer " + token}};
    r.body = body;
    server::Response answer = router_->Dispatch(r);
    EXPECT_EQ(answer.status, status) << method << " " << target << ": " << answer.body;
    return json::parse(answer.body, nullptr, false);
  }

  // A page as the signed-in user of `token` sees it (a POST carries `form`, url-encoded).
  server::Response Page(const std::string& token, const std::string& target, const std::string& method = "GET",
                        const std::string& form = "") {
    server::Request r;
    r.method = method;
    r.target = target;
    r.headers = {{"cookie", "qgrant_session=" + token}};
    if (method == "POST") r.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    r.body = form;
    return router_->Dispatch(r);
  }

  // An accepted application of unit A in round r1 (opened here, 100万 to share): its id.
  std::string Accepted(const std::string& closes_on = "2026-12-31") {
    Api(officer_, "POST", "/rounds",
        json{{"id", "r1"},
             {"title", "r1"},
             {"guide", "2026"},
             {"budget_fen", 100'000'000},
             {"opens_on", "2026-05-01"},
             {"closes_on", closes_on}}
            .dump(),
        201);
    const json app = {{"applicant",
                       {{"uscc", "91440300MA5XXXXXXR"},
                        {"name", "甲公司"},
                        {"kind", "enterprise"},
                        {"registered_in_shenzhen", true},
                        {"serious_dishonesty", false}}},
                      {"measure", "china_quality_award"},
                      {"subject", "CQA-2025-A"},
                      {"obtained_on", "2025-09-12"},
                      {"facts", {{"level", "winner"}}}};
    const std::string id = Api(unit_, "POST", "/rounds/r1/applications", app.dump(), 201).value("id", "");
    Api(unit_, "POST", "/applications/" + id + "/actions/submit", "{}");
    return id;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<server::Router> router_;
  std::string officer_, reviewer_, unit_;
};

bool Has(const std::string& html, const std::string& text) { return html.find(text) != std::string::npos; }

TEST_F(CasePageTest, TheApplicantSeesNoProposedAmountUntilTheNoticeStarts) {
  const std::string id = Accepted();
  Api(reviewer_, "POST", "/applications/" + id + "/actions/accept", "{}");
  Api(officer_, "POST", "/rounds/r1/close", "{}");
  Api(officer_, "POST", "/rounds/r1/allocate", "{}");
  // Staff see the proposed amount.
  server::Response staff = Page(officer_, "/applications/" + id);
  ASSERT_EQ(staff.status, 200);
  EXPECT_TRUE(Has(staff.body, "拟资助金额")) << staff.body;
  EXPECT_TRUE(Has(staff.body, "100万元（1,000,000.00元）"));
  // The unit sees its case accepted, with no amount beside it; nor in its list.
  for (const std::string& page : {"/applications/" + id, std::string("/applications")}) {
    server::Response seen = Page(unit_, page);
    ASSERT_EQ(seen.status, 200) << page;
    EXPECT_TRUE(Has(seen.body, "已受理")) << page;
    EXPECT_FALSE(Has(seen.body, "拟资助")) << page << ": " << seen.body;
    EXPECT_FALSE(Has(seen.body, "100万元")) << page;
    EXPECT_FALSE(Has(seen.body, "资金分配")) << page;  // no allocation in its progress either
  }
  // From the notice's first day it sees the amount.
  Api(officer_, "POST", "/rounds/r1/notice", R"({"starts_on":"2026-06-01","working_days":5})");
  server::Response noticed = Page(unit_, "/applications/" + id);
  ASSERT_EQ(noticed.status, 200);
  EXPECT_TRUE(Has(noticed.body, "公示中"));
  EXPECT_TRUE(Has(noticed.body, "拟资助金额"));
  EXPECT_TRUE(Has(noticed.body, "100万元（1,000,000.00元）"));
}

TEST_F(CasePageTest, ASubmissionTheClosedRoundRefusesShowsBothStates) {
  const std::string id = Accepted("2026-06-05");
  Api(reviewer_, "POST", "/applications/" + id + "/actions/return", R"({"note":"请补充","deadline":"2026-06-20"})");
  Start("2026-06-10");  // the round closed on 06-05; the deadline has not passed
  server::Response confirm = Page(unit_, "/applications/" + id + "/confirm/submit");
  ASSERT_EQ(confirm.status, 200);
  const std::string marker = "name=\"csrf\" value=\"";
  const size_t at = confirm.body.find(marker);
  ASSERT_NE(at, std::string::npos) << confirm.body;
  const std::string csrf =
      confirm.body.substr(at + marker.size(), confirm.body.find('"', at + marker.size()) - at - marker.size());
  server::Response refused = Page(unit_, "/applications/" + id + "/actions/submit", "POST", "csrf=" + csrf);
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_TRUE(Has(refused.body, "当前状态：退回补正")) << refused.body;
  EXPECT_TRUE(Has(refused.body, "申报批次：已截止")) << refused.body;
  EXPECT_EQ(Api(unit_, "GET", "/applications/" + id, "")["state"], "returned");
}

}  // namespace
}  // namespace qgrant::web
