// The real server, started in-process on an ephemeral port (as cpp-httplib's tests do), called
// by a plain HTTP client: the public routes, the limits, malformed requests, overload.
#include <gtest/gtest.h>

#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "server/http_server.h"
#include "test_client.h"
#include "test_service.h"

namespace qgrant::server {
namespace {

using nlohmann::json;
using testing::Connection;
using testing::Fetch;

class HttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_ = BuildApiRouter(testing::TestService(), std::make_shared<testing::FakeAuthenticator>());
  }
  void Start(ServerOptions options = {}) {
    options.port = 0;
    options.io_threads = 2;
    options.workers = options.workers ? options.workers : 2;
    server_ = std::make_unique<HttpServer>(options, router_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }
  // The server still answers after whatever the test did.
  void ExpectHealthy() {
    auto r = Fetch(port_, "GET", "/healthz");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"status":"ok"})");
  }
  json Problem(const testing::HttpAnswer& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("Content-Type"), "application/problem+json");
    json body = json::parse(r.body, nullptr, false);
    EXPECT_EQ(body.value("status", 0), status);
    return body;
  }

  std::shared_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

// A response may carry a header more than once (two Set-Cookie: a sign-in sets the session and
// clears the sign-in form's cookie); every one reaches the wire.
TEST_F(HttpTest, RepeatedHeadersAllReachTheWire) {
  Route route;
  route.method = "GET";
  route.pattern = "/two-cookies";
  route.summary = "test";
  route.handler = [](const Call&) {
    Response r = Response::Json(200, "{}");
    r.headers.emplace_back("Set-Cookie", "a=1; Path=/");
    r.headers.emplace_back("Set-Cookie", "b=2; Path=/");
    return r;
  };
  router_->Add(std::move(route));
  Start();
  auto r = Fetch(port_, "GET", "/two-cookies");
  std::vector<std::string> cookies;
  for (const auto& [name, value] : r.headers) {
    if (name == "Set-Cookie" || name == "set-cookie") cookies.push_back(value);
  }
  EXPECT_EQ(cookies, (std::vector<std::string>{"a=1; Path=/", "b=2; Path=/"}));
}

TEST_F(HttpTest, HealthzAndOpenApi) {
  Start();
  ExpectHealthy();
  auto r = Fetch(port_, "GET", "/openapi.json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, std::string(OpenApiDocument()));
  EXPECT_EQ(json::parse(r.body)["openapi"], "3.1.0");
}

TEST_F(HttpTest, MeasuresListsThePolicyInForce) {
  Start();
  auto r = Fetch(port_, "GET", "/api/v1/measures?guide=2026");
  ASSERT_EQ(r.status, 200);
  json body = json::parse(r.body);
  EXPECT_EQ(body["guide"], "2026");
  EXPECT_EQ(body["as_of"], "2026-03-15");
  json cqa;
  for (const auto& m : body["items"]) {
    if (m["id"] == "china_quality_award") cqa = m;
  }
  ASSERT_TRUE(cqa.is_object());
  EXPECT_EQ(cqa["clause"], "三（八）");
  EXPECT_EQ(cqa["ceiling"]["kind"], "by_level");
  EXPECT_EQ(cqa["ceiling"]["levels"][0], (json{{"level", "winner"}, {"amount_fen", 300000000}}));
  EXPECT_EQ(cqa["facts"][0]["name"], "level");
  EXPECT_EQ(cqa["facts"][0]["values"], (json{"winner", "nominee"}));
  EXPECT_FALSE(cqa["title"]["zh"].get<std::string>().empty());
  const auto service = testing::TestService();
  const auto in_force = service->Rules(service->FindGuide(2026), service->Today());
  EXPECT_EQ(body["items"].size(), in_force->rules().measures.size());
}

// Each fact carries the policy's label and the names of its values, for people (the level fact's
// from level_names); a fact the policy names no values of has no value_names.
TEST_F(HttpTest, MeasuresNameEachFactAndItsValues) {
  Start();
  auto r = Fetch(port_, "GET", "/api/v1/measures");
  ASSERT_EQ(r.status, 200);
  std::map<std::string, json> by_id;
  const json body = json::parse(r.body);
  for (const auto& m : body["items"]) by_id[m["id"]] = m;
  const json& certificates = by_id["high_end_certification"]["facts"][0];
  EXPECT_EQ(certificates["name"], "certificates");
  EXPECT_EQ(certificates["label"], (json{{"zh", "认证证书"}, {"en", "Certificates"}}));
  const json& type = certificates["item_fields"][0];
  ASSERT_EQ(type["name"], "type");
  EXPECT_EQ(type["label"]["zh"], "认证类型");
  EXPECT_EQ(type["value_names"]["green_product"],
            (json{{"zh", "绿色产品认证"}, {"en", "Green product certification"}}));
  EXPECT_EQ(type["value_names"]["robot"]["zh"], "机器人认证");
  EXPECT_EQ(type["value_names"].size(), type["values"].size());
  EXPECT_EQ(certificates["item_fields"][1]["label"]["zh"], "证书编号");
  EXPECT_FALSE(certificates["item_fields"][1].contains("value_names"));
  const json& scheme = by_id["shenzhen_standard_certification"]["facts"][0];
  EXPECT_EQ(scheme["value_names"]["zhenpin"]["zh"], "“圳品”");
  // The level fact's values by the measure's level_names, which stay as they were.
  const json& cqa = by_id["china_quality_award"];
  EXPECT_EQ(cqa["facts"][0]["value_names"], cqa["level_names"]);
  EXPECT_EQ(cqa["facts"][0]["value_names"]["nominee"]["zh"], "中国质量奖提名奖");
  const json& standard = by_id["brand_value_evaluation"]["facts"][0];
  EXPECT_EQ(standard["label"]["en"], "Standard of the evaluation");
  EXPECT_FALSE(standard.contains("value_names"));
}

TEST_F(HttpTest, EvaluateDecidesWithoutTheLedgerForAnonymousCallers) {
  Start();
  auto r = Fetch(port_, "POST", "/api/v1/evaluate", testing::kEligibleApplication);
  ASSERT_EQ(r.status, 200) << r.body;
  json d = json::parse(r.body);
  EXPECT_EQ(d["id"], "2026-CQA-0001");
  EXPECT_EQ(d["outcome"], "eligible");
  EXPECT_EQ(d["amount_fen"], 300000000);
  EXPECT_EQ(d["reasons"].back()["code"], "ledger_not_consulted");
}

// A store's ledger in which the test unit already won the China Quality Award.
class OneAwardLedger : public LedgerSource {
 public:
  Status Fill(const engine::Application& app, bool whole_ledger, engine::Ledger* ledger) const override {
    calls.push_back(app.uscc + (whole_ledger ? " whole" : " own"));
    return ledger->LoadLine(std::string(R"({"uscc":")") + testing::kUnitUscc +
                                R"(","policy":"sz-quality-brand","measure":"china_quality_award","level":"winner",)"
                                R"("subject":"CQA-2019-winner","amount_fen":300000000,"granted_on":"2020-01-01"})",
                            1);
  }
  mutable std::vector<std::string> calls;  // one test thread reads it after the answers
};

TEST_F(HttpTest, EvaluateConsultsTheLedgerThatTheCallerMaySee) {
  auto ledger = std::make_shared<OneAwardLedger>();
  router_ = BuildApiRouter(testing::MakeTestService(ledger), std::make_shared<testing::FakeAuthenticator>());
  Start();
  auto outcome = [&](const std::string& token, const std::string& uscc) {
    json app = json::parse(testing::kEligibleApplication);
    app["applicant"]["uscc"] = uscc;
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    json d = json::parse(Fetch(port_, "POST", "/api/v1/evaluate", app.dump(), headers).body);
    return d["outcome"].get<std::string>() + " " + d["reasons"].back()["code"].get<std::string>();
  };
  const std::string other_unit = "914403001922038216";
  EXPECT_EQ(outcome("", testing::kUnitUscc), "eligible ledger_not_consulted");
  EXPECT_EQ(outcome("tok-applicant", testing::kUnitUscc), "ineligible not_first_time");
  EXPECT_EQ(outcome("tok-applicant", other_unit), "eligible ledger_not_consulted");
  EXPECT_EQ(outcome("tok-officer", testing::kUnitUscc), "ineligible not_first_time");
  EXPECT_EQ(ledger->calls, (std::vector<std::string>{std::string(testing::kUnitUscc) + " own",
                                                     std::string(testing::kUnitUscc) + " whole"}));
}

TEST_F(HttpTest, EvaluateAnswersAnInvalidApplicationWith200) {
  Start();
  // The path of the first field found wrong, in an `invalid` decision.
  auto invalid_path = [&](const json& app) {
    auto r = Fetch(port_, "POST", "/api/v1/evaluate", app.dump());
    EXPECT_EQ(r.status, 200);
    json d = json::parse(r.body);
    EXPECT_EQ(d["outcome"], "invalid") << r.body;
    return d["reasons"][0].value("path", "");
  };
  json bad_uscc = json::parse(testing::kEligibleApplication);
  bad_uscc["applicant"]["uscc"] = "91440300MA5XXXXXX0";
  EXPECT_EQ(invalid_path(bad_uscc), "applicant.uscc");
  json bad_level = json::parse(testing::kEligibleApplication);
  bad_level["facts"]["level"] = "champion";
  EXPECT_EQ(invalid_path(bad_level), "facts.level");
}

TEST_F(HttpTest, EvaluateRefusesWhatIsNotAnObject) {
  Start();
  json p = Problem(Fetch(port_, "POST", "/api/v1/evaluate", "[1, 2]"), 400);
  EXPECT_EQ(p["errors"], json::array());
  p = Problem(Fetch(port_, "POST", "/api/v1/evaluate", "{\"id\": \"x\",\n \"applicant\": }"), 400);
  EXPECT_EQ(p["errors"], json::array());
  EXPECT_NE(p["detail"].get<std::string>().find("line 2, column 15"), std::string::npos) << p["detail"];
  Problem(Fetch(port_, "POST", "/api/v1/evaluate", ""), 400);
}

// A number no 64-bit integer or double holds (1e400, or an integer too long) is bad input, never
// a server error: /evaluate answers an object with it 200, its decision `invalid` naming the field
// (as any field it cannot take), and anything else 400, as a body that is not an application.
TEST_F(HttpTest, EvaluateTakesANumberOutOfRangeAsTheFieldsFault) {
  Start();
  for (const std::string number :
       {"1e400", "-1e400", "1E+400", "99999999999999999999999", "-99999999999999999999999"}) {
    for (const std::string token : {"", "tok-applicant", "tok-officer"}) {
      std::vector<std::pair<std::string, std::string>> headers;
      if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
      const std::string what = number + " as '" + token + "'";
      json app = json::parse(testing::kEligibleApplication);
      app["requested_fen"] = "N";
      std::string body = app.dump();
      body.replace(body.find("\"N\""), 3, number);
      auto r = Fetch(port_, "POST", "/api/v1/evaluate", body, headers);
      ASSERT_EQ(r.status, 200) << what << ": " << r.body;
      json d = json::parse(r.body);
      EXPECT_EQ(d["outcome"], "invalid") << what;
      EXPECT_EQ(d["id"], "2026-CQA-0001") << what;
      ASSERT_FALSE(d["reasons"].empty()) << what;
      EXPECT_EQ(d["reasons"][0]["path"], "requested_fen") << what << ": " << r.body;
      for (const std::string& other : {number, "[true, [1, 2], " + number + "]"}) {
        json p = Problem(Fetch(port_, "POST", "/api/v1/evaluate", other, headers), 400);
        EXPECT_LE(p["errors"].size(), 1u) << other << ": " << p;
      }
    }
  }
  ExpectHealthy();
}

TEST_F(HttpTest, EvaluateTakesAGuideAndADate) {
  Start();
  auto r = Fetch(port_, "POST", "/api/v1/evaluate?guide=2026&as_of=2026-04-01", testing::kEligibleApplication);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("2026-04-01"), std::string::npos) << r.body;  // the date applied, in the provenance
  // Before the policy takes effect nothing is paid.
  r = Fetch(port_, "POST", "/api/v1/evaluate?as_of=2025-06-01", testing::kEligibleApplication);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(json::parse(r.body)["outcome"], "eligible");
}

TEST_F(HttpTest, BadQueryParametersAreNamed) {
  Start();
  auto field = [&](const std::string& target) {
    json p = Problem(Fetch(port_, "POST", target, testing::kEligibleApplication), 400);
    return p["errors"][0]["field"].get<std::string>();
  };
  EXPECT_EQ(field("/api/v1/evaluate?as_of=2026-02-30"), "as_of");
  EXPECT_EQ(field("/api/v1/evaluate?guide=1999"), "guide");
  EXPECT_EQ(field("/api/v1/evaluate?guide=twenty"), "guide");
  EXPECT_EQ(field("/api/v1/evaluate?colour=blue"), "colour");
  EXPECT_EQ(field("/api/v1/evaluate?as_of=2026-01-01&as_of=2026-01-02"), "as_of");
}

TEST_F(HttpTest, UnknownPathsAndMethods) {
  Start();
  json p = Problem(Fetch(port_, "GET", "/api/v1/nothing"), 404);
  EXPECT_EQ(p["title"], "未找到 / Not found");
  auto r = Fetch(port_, "GET", "/api/v1/evaluate");
  Problem(r, 405);
  EXPECT_EQ(r.Header("Allow"), "POST");
}

TEST_F(HttpTest, RolesAreEnforcedBeforeTheStoreIsThere) {
  Start();
  auto bearer = [](const std::string& role) {
    return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer tok-" + role}};
  };
  Problem(Fetch(port_, "GET", "/api/v1/rounds"), 401);
  Problem(Fetch(port_, "GET", "/api/v1/rounds", "", {{"Authorization", "Bearer forged"}}), 401);
  Problem(Fetch(port_, "GET", "/api/v1/rounds", "", {{"Authorization", "Basic Zm9vOmJhcg=="}}), 401);
  Problem(Fetch(port_, "POST", "/api/v1/evaluate", testing::kEligibleApplication, {{"Authorization", "Bearer forged"}}),
          401);
  Problem(Fetch(port_, "POST", "/api/v1/rounds", "{}", bearer("applicant")), 403);
  Problem(Fetch(port_, "POST", "/api/v1/applications/A1/actions/accept", "{}", bearer("applicant")), 403);
  Problem(Fetch(port_, "POST", "/api/v1/applications/A1/actions/fly", "{}", bearer("applicant")), 404);
  Problem(Fetch(port_, "GET", "/api/v1/audit", "", bearer("officer")), 403);
  auto bad_key = bearer("officer");
  bad_key.emplace_back("Idempotency-Key", std::string(256, 'k'));
  json p = Problem(Fetch(port_, "POST", "/api/v1/rounds", "{}", bad_key), 400);
  EXPECT_EQ(p["errors"][0]["field"], "Idempotency-Key");
  p = Problem(Fetch(port_, "POST", "/api/v1/rounds", "{}", bearer("admin")), 501);
  EXPECT_EQ(p["title"], "尚未实现 / Not implemented yet");
  Problem(Fetch(port_, "POST", "/api/v1/applications/A1/actions/submit", "{}", bearer("applicant")), 501);
}

TEST_F(HttpTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Start();
  Connection c(port_);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c.Send("GET", "/healthz").status, 200);
  EXPECT_EQ(c.Send("POST", "/api/v1/evaluate", testing::kEligibleApplication).status, 200);
}

TEST_F(HttpTest, ABodyOverOneMebibyteIs413WithoutBeingRead) {
  Start();
  {
    // Only the head is sent: the answer comes without the server waiting for the 2 MiB.
    Connection c(port_);
    ASSERT_TRUE(
        c.Write("POST /api/v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 2097152\r\n\r\n{\"id\":"));
    Problem(c.Read(std::chrono::milliseconds(3000)), 413);
  }
  {
    // A chunked body is cut off where it passes the limit.
    Connection c(port_);
    ASSERT_TRUE(c.Write("POST /api/v1/evaluate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
    const std::string chunk = "10000\r\n" + std::string(0x10000, ' ') + "\r\n";
    for (int i = 0; i < 17 && c.Write(chunk); ++i) {
    }
    Problem(c.Read(std::chrono::milliseconds(3000)), 413);
  }
  // Exactly at the limit is accepted (and judged: here not an application).
  Problem(Fetch(port_, "POST", "/api/v1/evaluate", std::string(1048576, ' ')), 400);
  ExpectHealthy();
}

TEST_F(HttpTest, ExpectContinueIsAnsweredBeforeTheBody) {
  Start();
  Connection c(port_);
  const std::string body = testing::kEligibleApplication;
  ASSERT_TRUE(c.Write("POST /api/v1/evaluate HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 100);
  ASSERT_TRUE(c.Write(body));
  auto answer = c.Read();
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(json::parse(answer.body)["outcome"], "eligible");
}

TEST_F(HttpTest, MalformedRequestsAre4xxAndTheServerGoesOn) {
  Start();
  {
    Connection c(port_);
    ASSERT_TRUE(c.Write("NONSENSE\r\n\r\n"));
    Problem(c.Read(), 400);
  }
  {
    Connection c(port_);
    ASSERT_TRUE(c.Write("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n"));
    Problem(c.Read(), 431);
  }
  {
    Connection c(port_);
    ASSERT_TRUE(c.Write("POST /api/v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n"));
    Problem(c.Read(), 400);
  }
  Problem(Fetch(port_, "POST", "/api/v1/evaluate", "{\"id\":\"a\",\"id\":\"b\"}\x01"), 400);
  ExpectHealthy();
}

TEST_F(HttpTest, ASlowClientIsCutOff) {
  ServerOptions options;
  options.read_timeout = std::chrono::milliseconds(1000);
  Start(options);
  Connection c(port_);
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  const auto start = std::chrono::steady_clock::now();
  bool open = true;
  for (size_t i = 0; i < request.size() && open; ++i) {
    open = c.Write(request.substr(i, 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  // A byte every quarter second never completes the request within the deadline.
  const auto answer = c.Read(std::chrono::milliseconds(3000));
  EXPECT_EQ(answer.status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(6));
  ExpectHealthy();
}

TEST_F(HttpTest, AFullQueueIsAnswered503WithRetryAfter) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> entered;
  Route slow;
  slow.method = "GET";
  slow.pattern = "/test/slow";
  slow.handler = [&](const Call&) {
    entered.set_value();
    released.wait();
    return Response::Json(200, "{}");
  };
  router_->Add(slow);
  ServerOptions options;
  options.workers = 1;
  options.queue_capacity = 1;
  Start(options);
  auto first = std::async(std::launch::async, [&] { return Fetch(port_, "GET", "/test/slow"); });
  entered.get_future().wait();
  auto busy = Fetch(port_, "GET", "/healthz");
  Problem(busy, 503);
  EXPECT_EQ(busy.Header("Retry-After"), "1");
  release.set_value();
  EXPECT_EQ(first.get().status, 200);
  ExpectHealthy();
}

TEST_F(HttpTest, AHandlersExceptionIsA500AndNothingElseBreaks) {
  Route boom;
  boom.method = "GET";
  boom.pattern = "/test/boom";
  boom.handler = [](const Call&) -> Response { throw std::logic_error("a bug"); };
  router_->Add(boom);
  Start();
  Problem(Fetch(port_, "GET", "/test/boom"), 500);
  ExpectHealthy();
}

}  // namespace
}  // namespace qgrant::server
