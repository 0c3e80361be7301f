// The router's refusal order and the strict JSON body reader, without a network.
#include "server/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/json_body.h"
#include "test_service.h"

namespace qgrant::server {
namespace {

using nlohmann::json;

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() : router_(std::make_shared<testing::FakeAuthenticator>()) {
    Route r;
    r.method = "POST";
    r.pattern = "/things/{id}/actions/{action}";
    r.access = Access::Roles({Role::kApplicant, Role::kReviewer});
    r.choice_param = "action";
    r.choices = {{"poke", Access::Roles({Role::kApplicant})}, {"judge", Access::Roles({Role::kReviewer})}};
    r.visible = [](const Call& call) { return call.Param("id") != "absent"; };
    r.handler = [](const Call& call) {
      return Response::Json(200, json{{"id", call.Param("id")}, {"key", call.idempotency_key.value_or("")}}.dump());
    };
    router_.Add(r);
    Route open;
    open.method = "GET";
    open.pattern = "/open";
    open.handler = [](const Call& call) { return Response::Json(200, call.user ? call.user->login : "anonymous"); };
    router_.Add(open);
    Route boom;
    boom.method = "GET";
    boom.pattern = "/boom";
    boom.handler = [](const Call&) -> Response { throw std::runtime_error("bug"); };
    router_.Add(boom);
  }

  Response Go(const std::string& method, const std::string& target, const std::string& token = "",
              const std::string& key = "") {
    Request req;
    req.method = method;
    req.target = target;
    if (!token.empty()) req.headers.emplace_back("authorization", "Bearer " + token);
    if (!key.empty()) req.headers.emplace_back("idempotency-key", key);
    return router_.Dispatch(req);
  }

  Router router_;
};

TEST_F(RouterTest, RefusalsComeInTheContractsOrder) {
  EXPECT_EQ(Go("POST", "/nowhere").status, 404);                                    // no such path, before 401
  EXPECT_EQ(Go("GET", "/things/1/actions/poke").status, 405);                       // wrong method
  EXPECT_EQ(Go("POST", "/things/1/actions/poke").status, 401);                      // no token
  EXPECT_EQ(Go("POST", "/things/1/actions/poke", "bad").status, 401);               // unknown token
  EXPECT_EQ(Go("POST", "/things/1/actions/fly", "tok-officer").status, 404);        // unknown action, before 403
  EXPECT_EQ(Go("POST", "/things/absent/actions/poke", "tok-officer").status, 404);  // absent, before 403
  EXPECT_EQ(Go("POST", "/things/1/actions/poke", "tok-officer").status, 403);       // role outside the route
  EXPECT_EQ(Go("POST", "/things/1/actions/judge", "tok-applicant").status, 403);    // role outside the action
  EXPECT_EQ(Go("POST", "/things/1/actions/poke", "tok-applicant", "bad key").status, 400);
  Response ok = Go("POST", "/things/x%2Fy/actions/poke", "tok-applicant", "k-1");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(json::parse(ok.body), (json{{"id", "x/y"}, {"key", "k-1"}}));  // segments are decoded after splitting
}

TEST_F(RouterTest, ProblemsHaveTheContractsShape) {
  Response r = Go("GET", "/things/1/actions/poke");
  EXPECT_EQ(r.content_type, "application/problem+json");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>("Allow", "POST")));
  json body = json::parse(r.body);
  EXPECT_EQ(body["status"], 405);
  EXPECT_EQ(body["title"], "不支持该方法 / Method not allowed");
  EXPECT_TRUE(body["type"].is_string());
  EXPECT_TRUE(body["detail"].is_string());
  EXPECT_EQ(body["errors"], json::array());
}

TEST_F(RouterTest, OptionalSignInStillRefusesABadToken) {
  EXPECT_EQ(Go("GET", "/open").body, "anonymous");
  EXPECT_EQ(Go("GET", "/open", "tok-auditor").body, "auditor");
  EXPECT_EQ(Go("GET", "/open", "forged").status, 401);
  Request basic;
  basic.method = "GET";
  basic.target = "/open";
  basic.headers.emplace_back("authorization", "Basic dXNlcjpwYXNz");
  EXPECT_EQ(router_.Dispatch(basic).status, 401);
}

TEST_F(RouterTest, AnExceptionIsALastResort500) {
  Response r = Go("GET", "/boom");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json::parse(r.body)["status"], 500);
}

TEST_F(RouterTest, ABadTargetIs400) { EXPECT_EQ(Go("GET", "http://example.com/open").status, 400); }

TEST(AuthTest, BearerAndIdempotencyKeys) {
  EXPECT_EQ(ParseBearer("Bearer abc-123").value_or(""), "abc-123");
  EXPECT_EQ(ParseBearer("bearer abc==").value_or(""), "abc==");
  EXPECT_FALSE(ParseBearer("Bearer"));
  EXPECT_FALSE(ParseBearer("Bearer a b"));
  EXPECT_FALSE(ParseBearer("Token abc"));
  EXPECT_TRUE(ValidIdempotencyKey("a"));
  EXPECT_TRUE(ValidIdempotencyKey(std::string(255, '~')));
  EXPECT_FALSE(ValidIdempotencyKey(""));
  EXPECT_FALSE(ValidIdempotencyKey(std::string(256, 'a')));
  EXPECT_FALSE(ValidIdempotencyKey("has space"));
  EXPECT_FALSE(ValidIdempotencyKey("中文"));
}

TEST(AuthTest, AdminMayDoWhatAnOfficerDoes) {
  EXPECT_TRUE(Access::Roles({Role::kOfficer}).Allows(Role::kAdmin));
  EXPECT_FALSE(Access::Roles({Role::kAuditor}).Allows(Role::kAdmin));
  EXPECT_FALSE(Access::Staff().Allows(Role::kApplicant));
  EXPECT_TRUE(Access::Staff().Allows(Role::kExpert));
}

// nlohmann::json::parse takes a NUL byte for the end of its input; text with one is not JSON.
TEST(JsonBodyTest, BlankTextIsAnyWhiteSpaceAlone) {
  for (const char* blank : {"", " ", "\t\r\n", "\u3000", "\u00a0\u200b\ufeff", " \u2003 "}) {
    EXPECT_TRUE(IsBlankText(blank)) << blank;
  }
  for (const char* text : {"a", " 补正 ", "\u3000x", "0"}) EXPECT_FALSE(IsBlankText(text)) << text;
}

TEST(JsonBodyTest, ANulByteEndsNothing) {
  EXPECT_TRUE(ParseJsonOrDiscarded(std::string("{\"registry\":[]}\0junk", 20)).is_discarded());
  EXPECT_TRUE(ParseJsonOrDiscarded(std::string("{\"a\":\"x\0\"}", 10)).is_discarded());
  EXPECT_TRUE(ParseJsonOrDiscarded("{\"a\":").is_discarded());
  EXPECT_EQ(ParseJsonOrDiscarded(R"({"registry":[{"uscc":"X"}]})")["registry"][0]["uscc"], "X");
}

TEST(JsonBodyTest, SyntaxErrorsGiveLineAndColumn) {
  Response problem;
  EXPECT_FALSE(ParseJsonBody("{\n  \"a\": 1,\n  \"b\": tru\n}", &problem));
  EXPECT_EQ(problem.status, 400);
  json body = json::parse(problem.body);
  EXPECT_EQ(body["errors"], json::array());
  EXPECT_NE(body["detail"].get<std::string>().find("line 3, column"), std::string::npos) << body["detail"];
}

TEST(JsonBodyTest, RepeatedMembersAreRefusedWithTheirPath) {
  Response problem;
  EXPECT_FALSE(ParseJsonBody(R"({"a":{"list":[{"x":1,"x":2}]}})", &problem));
  json body = json::parse(problem.body);
  EXPECT_EQ(body["status"], 400);
  EXPECT_EQ(body["errors"][0]["field"], "a.list[0].x");
}

TEST(JsonBodyTest, UnknownMembersAndWrongTypesAreNamed) {
  const std::vector<MemberSpec> item = {{"number", JsonType::kString, true}};
  const std::vector<MemberSpec> facts = {{"certificates", JsonType::kArray, false, &item}};
  const std::vector<MemberSpec> spec = {
      {"note", JsonType::kString, true}, {"score", JsonType::kInteger}, {"facts", JsonType::kObject, false, &facts}};
  Response problem;
  auto value =
      ParseJsonBody(R"({"score":1.5,"extra":true,"facts":{"certificates":[{"number":"a"},{"number":7}]}})", &problem);
  ASSERT_TRUE(value);
  std::vector<FieldError> errors;
  CheckMembers(*value, spec, "", &errors);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"extra", "note", "score", "facts.certificates[1].number"}));
  json body = json::parse(InvalidBody(errors).body);
  EXPECT_EQ(body["status"], 400);
  EXPECT_EQ(body["errors"].size(), 4u);
}

}  // namespace
}  // namespace qgrant::server
