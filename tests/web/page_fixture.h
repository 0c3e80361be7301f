// The pages over a real store, the pages and the API on one router (as `qgrant serve` wires
// them), called without HTTP: the fixture of the page tests. Users are added to the store; a
// page is requested with the session cookie of the user's sign-in, a form posted with the
// session's CSRF token.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "policy/loader.h"
#include "server/service.h"
#include "server/store_calls.h"
#include "store/store.h"
#include "web/pages.h"

namespace qgrant::web {

class PageTest : public ::testing::Test {
 protected:
  using json = nlohmann::json;

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

  // The API and the pages on one router, with `today` as the service date (a restart: the
  // pages' CSRF key is new).
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
    AddPages(*router_, service, {auth, std::make_shared<server::StoreSessions>(store_.get())},
             {policy, std::string(QGRANT_SOURCE_DIR) + "/examples"});
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

  // A page as the signed-in user of `token` sees it (no cookie for ""); a POST carries `form`,
  // url-encoded.
  server::Response Page(const std::string& token, const std::string& target, const std::string& method = "GET",
                        const std::string& form = "") {
    return Request(token.empty() ? "" : SessionOf(token), target, method, form);
  }

  // A request with the session cookie `session` (none for "").
  server::Response Request(const std::string& session, const std::string& target, const std::string& method = "GET",
                           const std::string& form = "", const std::string& more_cookies = "") {
    server::Request r;
    r.method = method;
    r.target = target;
    std::string cookies = more_cookies;
    if (!session.empty()) cookies += (cookies.empty() ? "" : "; ") + std::string("__Host-qg_session=") + session;
    if (!cookies.empty()) r.headers = {{"cookie", cookies}};
    if (method == "POST") r.headers.emplace_back("content-type", "application/x-www-form-urlencoded");
    r.body = form;
    return router_->Dispatch(r);
  }

  // The value a Set-Cookie header of `r` gives cookie `name` ("" when none).
  static std::string SetCookie(const server::Response& r, const std::string& name) {
    for (const auto& [header, value] : r.headers) {
      if (header == "Set-Cookie" && value.rfind(name + "=", 0) == 0) {
        return value.substr(name.size() + 1, value.find(';') - name.size() - 1);
      }
    }
    return "";
  }

  // The hidden field `name` of a page's first form that has it.
  static std::string Hidden(const server::Response& page, const std::string& name) {
    const std::string marker = "name=\"" + name + "\" value=\"";
    const size_t at = page.body.find(marker);
    if (at == std::string::npos) return "";
    return page.body.substr(at + marker.size(), page.body.find('"', at + marker.size()) - at - marker.size());
  }

  // Signs in with `token` as a browser does (the sign-in page, then its form): the session id
  // the answer's cookie holds ("" when refused).
  std::string SignIn(const std::string& token) {
    const server::Response form = Request("", "/signin");
    const std::string cookie = "__Host-qg_signin=" + SetCookie(form, "__Host-qg_signin");
    const server::Response r =
        Request("", "/signin", "POST", "token=" + token + "&signin=" + Hidden(form, "signin"), cookie);
    return SetCookie(r, "__Host-qg_session");
  }

  // The session of `token`'s user, signed in at its first use.
  std::string SessionOf(const std::string& token) {
    std::string& id = sessions_[token];
    if (id.empty()) id = SignIn(token);
    EXPECT_FALSE(id.empty()) << "sign-in with " << token << " failed";
    return id;
  }

  // The CSRF token of the session of `token`, as its pages carry it.
  std::string Csrf(const std::string& token) {
    const std::string csrf = Hidden(Page(token, "/"), "csrf");
    EXPECT_FALSE(csrf.empty());
    return csrf;
  }

  // A form posted by the user of `token` with its session's CSRF token and `fields` (url-encoded).
  server::Response Post(const std::string& token, const std::string& target, const std::string& fields) {
    return Page(token, target, "POST", "csrf=" + Csrf(token) + (fields.empty() ? "" : "&" + fields));
  }

  // The answer's Location header ("" when none).
  static std::string Location(const server::Response& r) {
    for (const auto& [name, value] : r.headers) {
      if (name == "Location") return value;
    }
    return "";
  }

  // Round r1 (opened 2026-05-01, 100万 to share), created by the officer.
  void OpenRound(const std::string& closes_on = "2026-12-31") {
    Api(officer_, "POST", "/rounds",
        json{{"id", "r1"},
             {"title", "2026年度质量品牌扶持项目"},
             {"guide", "2026"},
             {"budget_fen", 100'000'000},
             {"opens_on", "2026-05-01"},
             {"closes_on", closes_on}}
            .dump(),
        201);
  }

  // A China Quality Award application (level `level`) of the unit of `token` (USCC `uscc`) in
  // r1, a draft: its id.
  std::string Draft(const std::string& token, const std::string& uscc, const std::string& subject,
                    const std::string& level = "winner") {
    const json app = {{"applicant",
                       {{"uscc", uscc},
                        {"name", "甲公司"},
                        {"kind", "enterprise"},
                        {"registered_in_shenzhen", true},
                        {"serious_dishonesty", false}}},
                      {"measure", "china_quality_award"},
                      {"subject", subject},
                      {"obtained_on", "2025-09-12"},
                      {"facts", {{"level", level}}}};
    return Api(token, "POST", "/rounds/r1/applications", app.dump(), 201).value("id", "");
  }

  // The same, submitted: its id.
  std::string Submitted(const std::string& token, const std::string& uscc, const std::string& subject) {
    const std::string id = Draft(token, uscc, subject);
    Api(token, "POST", "/applications/" + id + "/actions/submit", "{}");
    return id;
  }

  // An accepted application of unit A in round r1 (opened here): its id.
  std::string Accepted(const std::string& closes_on = "2026-12-31") {
    OpenRound(closes_on);
    return Submitted(unit_, "91440300MA5XXXXXXR", "CQA-2025-A");
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::shared_ptr<server::Router> router_;
  std::string officer_, reviewer_, unit_;
  std::map<std::string, std::string> sessions_;  // by token: the session its sign-in began
};

inline bool Has(const std::string& html, const std::string& text) { return html.find(text) != std::string::npos; }

}  // namespace qgrant::web
