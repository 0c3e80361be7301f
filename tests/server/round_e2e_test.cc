// A round through CONTRACT §7's states as real HTTP requests, on SQLite and (when QGRANT_TEST_PG
// names a server) PostgreSQL: an officer opens a round, three units apply, one is returned and
// resubmitted, one rejected, an expert reviews, an applicant withdraws; each answer is asserted,
// and the audit chain verifies at the end.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "round_fixture.h"
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

// A round open from 2026-05-01 to the year's end, with a budget of 1 fen.
constexpr const char* kRoundR1 =
    R"({"id":"r1","title":"t","guide":"2026","budget_fen":1,"opens_on":"2026-05-01","closes_on":"2026-12-31"})";

TEST_P(RoundTest, ARoundThroughItsStates) {
  const std::string officer = AddUser("officer", "officer"), reviewer = AddUser("reviewer", "reviewer"),
                    expert = AddUser("expert", "expert"), auditor = AddUser("auditor", "auditor");
  const std::string a = AddUser("unit-a", "applicant", "91440300MA5XXXXXXR"),
                    b = AddUser("unit-b", "applicant", "914403001922038216"),
                    c = AddUser("unit-c", "applicant", "12440300MB2D00001R");
  // The officer opens the round; a second with the same id is a conflict; applicants may not.
  const std::string round =
      R"({"id":"r2026","title":"2026年度","guide":"2026","budget_fen":500000000,"opens_on":"2026-05-01","closes_on":"2026-12-31"})";
  HttpAnswer r = Call(officer, "POST", "/rounds", round);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r)["state"], "open");
  EXPECT_EQ(Call(officer, "POST", "/rounds", round).status, 409);
  EXPECT_EQ(Call(a, "POST", "/rounds", round).status, 403);
  EXPECT_EQ(Call("", "POST", "/rounds", round).status, 401);

  // Three units apply.
  r = Call(a, "POST", "/rounds/r2026/applications",
           Application("91440300MA5XXXXXXR", "甲公司", "enterprise", "china_quality_award", "CQA-2025-A",
                       {{"level", "winner"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string app_a = Body(r)["id"];
  EXPECT_EQ(Body(r)["state"], "draft");
  EXPECT_EQ(Body(r)["decision"]["outcome"], "eligible");
  r = Call(b, "POST", "/rounds/r2026/applications",
           Application("914403001922038216", "乙公司", "enterprise", "qi_demonstration", "QID-2025-B", json::object()));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string app_b = Body(r)["id"];
  r = Call(c, "POST", "/rounds/r2026/applications",
           Application("12440300MB2D00001R", "丙中心", "public_institution", "metrology", "ME-2025-C",
                       {{"activity", "demonstration"}}));
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string app_c = Body(r)["id"];
  // A second live application for the same subject is a conflict naming the first; another
  // unit's USCC is forbidden; an invalid application is a 400 naming the field.
  r = Call(a, "POST", "/rounds/r2026/applications",
           Application("91440300MA5XXXXXXR", "甲公司", "enterprise", "china_quality_award", "cqa-2025-a ",
                       {{"level", "winner"}}));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Body(r)["existing"], app_a);
  EXPECT_EQ(Call(a, "POST", "/rounds/r2026/applications",
                 Application("914403001922038216", "乙公司", "enterprise", "qi_demonstration", "X", json::object()))
                .status,
            403);
  r = Call(
      a, "POST", "/rounds/r2026/applications",
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
  EXPECT_EQ(Call(reviewer, "POST", "/applications/" + app_a + "/actions/return", R"({"deadline":"2026-06-10"})").status,
            400);
  // A note of white space alone, ideographic spaces included, is no note.
  for (const char* blank :
       {R"({"note":"   ","deadline":"2026-06-10"})", "{\"note\":\"\u3000\\t\u200b\",\"deadline\":\"2026-06-10\"}"}) {
    r = Call(reviewer, "POST", "/applications/" + app_a + "/actions/return", blank);
    EXPECT_EQ(r.status, 400) << blank;
    EXPECT_NE(r.body.find("\"note\""), std::string::npos) << r.body;
  }
  // A deadline that is no date is said to be so, not to be missing.
  r = Call(reviewer, "POST", "/applications/" + app_a + "/actions/return", R"({"note":"n","deadline":"2026-06-31"})");
  EXPECT_EQ(r.status, 400);
  ASSERT_EQ(Body(r)["errors"].size(), 1u) << r.body;
  EXPECT_EQ(Body(r)["errors"][0]["field"], "deadline");
  EXPECT_NE(Body(r)["errors"][0]["message"].get<std::string>().find("not a real date"), std::string::npos) << r.body;
  r = Call(reviewer, "POST", "/applications/" + app_a + "/actions/return",
           R"({"note":"请补充获奖证书","deadline":"2026-06-10"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "returned");
  EXPECT_EQ(Body(r)["deadline"], "2026-06-10");
  r = Call(a, "GET", "/applications/" + app_a);
  EXPECT_EQ(Body(r)["history"].back()["note"], "请补充获奖证书");
  r = Call(a, "PUT", "/applications/" + app_a,
           Application("91440300MA5XXXXXXR", "甲公司", "enterprise", "china_quality_award", "CQA-2025-A",
                       {{"level", "nominee"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["decision"]["amount_fen"], 100000000);
  r = Call(a, "POST", "/applications/" + app_a + "/actions/submit", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "submitted");
  EXPECT_EQ(Call(reviewer, "POST", "/applications/" + app_a + "/actions/accept", "{}").status, 200);

  // B is reviewed by the expert (qualitative condition of （七）), then rejected with a note.
  r = Call(expert, "POST", "/applications/" + app_b + "/reviews",
           R"({"passed":false,"score":40,"note":"示范价值不足","conflict_of_interest":false})");
  ASSERT_EQ(r.status, 201) << r.body;
  r = Call(reviewer, "GET", "/applications/" + app_b);
  EXPECT_EQ(Body(r)["decision"]["outcome"], "ineligible");
  EXPECT_EQ(Body(r)["decision"]["reasons"][0]["code"], "review_not_passed");
  EXPECT_EQ(Call(b, "GET", "/applications/" + app_b).body.find("示范价值不足"),
            std::string::npos);  // review notes are internal
  r = Call(reviewer, "POST", "/applications/" + app_b + "/actions/reject", R"({"note":"专家评审未通过"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "rejected");
  // A declared conflict records no score and does not count.
  r = Call(expert, "POST", "/applications/" + app_a + "/reviews",
           R"({"conflict_of_interest":true,"note":"本人曾任该单位顾问"})");
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

// null counts as absent everywhere (§6), and bad input never gets a 5xx: a null member of a
// review or an application body is no member at all.
TEST_P(RoundTest, NullMembersAreAbsentNeverA500) {
  const std::string officer = AddUser("officer", "officer"), expert = AddUser("expert", "expert");
  const std::string a = AddUser("unit-a", "applicant", "91440300MA5XXXXXXR");
  ASSERT_EQ(Call(officer, "POST", "/rounds", kRoundR1).status, 201);
  json app = json::parse(
      Application("91440300MA5XXXXXXR", "甲公司", "enterprise", "china_quality_award", "CQA-N", {{"level", "winner"}}));
  app["review"] = nullptr;
  app["submitted_on"] = nullptr;
  app["id"] = nullptr;
  HttpAnswer r = Call(a, "POST", "/rounds/r1/applications", app.dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = Body(r)["id"];
  ASSERT_EQ(Call(a, "POST", "/applications/" + id + "/actions/submit", "{}").status, 200);
  r = Call(expert, "POST", "/applications/" + id + "/reviews",
           R"({"passed":true,"score":60,"conflict_of_interest":null})");
  EXPECT_EQ(r.status, 201) << r.body;
  r = Call(expert, "POST", "/applications/" + id + "/reviews", R"({"passed":null,"score":null})");
  EXPECT_EQ(r.status, 400) << r.body;  // passed is required: null is no answer
  EXPECT_NE(r.body.find("\"passed\""), std::string::npos) << r.body;
}

// Experts see no drafts, nor a draft withdrawn before it was ever submitted; a withdrawn
// application that was submitted they still see.
TEST_P(RoundTest, ExpertsSeeNoDraftWithdrawnUnsubmitted) {
  const std::string officer = AddUser("officer", "officer"), expert = AddUser("expert", "expert");
  const std::string a = AddUser("unit-a", "applicant", "91440300MA5XXXXXXR");
  ASSERT_EQ(Call(officer, "POST", "/rounds", kRoundR1).status, 201);
  auto create = [&](const std::string& subject) -> std::string {
    HttpAnswer r =
        Call(a, "POST", "/rounds/r1/applications",
             Application("91440300MA5XXXXXXR", "甲公司", "enterprise", "qi_demonstration", subject, json::object()));
    EXPECT_EQ(r.status, 201) << r.body;
    return Body(r)["id"];
  };
  const std::string never = create("QID-NEVER"), once = create("QID-ONCE");
  ASSERT_EQ(Call(a, "POST", "/applications/" + once + "/actions/submit", "{}").status, 200);
  for (const std::string& id : {never, once}) {
    ASSERT_EQ(Call(a, "POST", "/applications/" + id + "/actions/withdraw", "{}").status, 200);
  }
  EXPECT_EQ(Call(expert, "GET", "/applications/" + never).status, 404);
  EXPECT_EQ(Call(expert, "GET", "/applications/" + once).status, 200);
}

// A filter value no list can have is a mistyped query, named, not an empty answer (§7).
TEST_P(RoundTest, AStateFilterNoListHasIsRefused) {
  const std::string officer = AddUser("officer", "officer");
  EXPECT_EQ(Call(officer, "GET", "/applications?state=accepted").status, 200);
  HttpAnswer r = Call(officer, "GET", "/applications?state=acepted");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"field\":\"state\""), std::string::npos) << r.body;
  EXPECT_EQ(Call(officer, "GET", "/invitations?state=open").status, 200);
  EXPECT_EQ(Call(officer, "GET", "/invitations?state=bogus").status, 400);
}

TEST_P(RoundTest, AnIdempotentRepeatGetsTheFirstAnswer) {
  const std::string officer = AddUser("officer", "officer");
  const std::string body = kRoundR1;
  std::vector<std::pair<std::string, std::string>> h = {{"Authorization", "Bearer " + officer},
                                                        {"Idempotency-Key", "k-1"}};
  HttpAnswer first = Fetch(server_->port(), "POST", "/api/v1/rounds", body, h);
  ASSERT_EQ(first.status, 201) << first.body;
  HttpAnswer again = Fetch(server_->port(), "POST", "/api/v1/rounds", body, h);
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(first.Header("Location"), "/api/v1/rounds/r1");
  EXPECT_EQ(again.Header("Location"), "/api/v1/rounds/r1");  // the repeat of a 201 names it too
  HttpAnswer other = Fetch(
      server_->port(), "POST", "/api/v1/rounds",
      R"({"id":"r2","title":"t","guide":"2026","budget_fen":1,"opens_on":"2026-05-01","closes_on":"2026-12-31"})", h);
  EXPECT_EQ(other.status, 422);
  EXPECT_EQ(Body(Call(officer, "GET", "/rounds"))["items"].size(), 1u);
}

// Answers are kept a week, then dropped: the first idempotent write of a server's hour sweeps
// the older ones away, and keeps those of the last 24 hours (the contract's minimum) and more.
TEST_P(RoundTest, IdempotencyAnswersOlderThanAWeekAreDropped) {
  const std::string officer = AddUser("officer", "officer");
  auto user = store_->Read([](store::Reader& r) { return r.UserByLogin("officer"); });
  ASSERT_TRUE(user.ok() && user->has_value());
  const int64_t now = std::time(nullptr);
  ASSERT_TRUE(store_
                  ->Write([&](store::WriteTx& tx) -> Status {
                    for (const auto& [key, age] : std::vector<std::pair<std::string, int64_t>>{
                             {"old", 8 * 86400}, {"day", 86400 + 60}, {"six-days", 6 * 86400}}) {
                      store::IdempotencyRecord r{(*user)->id, key,  "POST", "/api/v1/rounds", "h",
                                                 201,         "{}", "",     now - age,        ""};
                      QGRANT_RETURN_IF_ERROR(tx.RememberAnswer(&r));
                    }
                    return Status::Ok();
                  })
                  .ok());
  HttpAnswer write = Fetch(server_->port(), "POST", "/api/v1/rounds", kRoundR1,
                           {{"Authorization", "Bearer " + officer}, {"Idempotency-Key", "new"}});
  ASSERT_EQ(write.status, 201) << write.body;
  auto kept = [&](const std::string& key) {
    auto found = store_->Read([&](store::Reader& r) { return r.FindIdempotency((*user)->id, key); });
    return found.ok() && found->has_value();
  };
  EXPECT_FALSE(kept("old"));
  EXPECT_TRUE(kept("day"));
  EXPECT_TRUE(kept("six-days"));
  EXPECT_TRUE(kept("new"));
}

// Every route of the router × every role (and no sign-in) × own or another unit's case: the
// answer's class is asserted from the route's own Access, so a new route cannot be left out.
TEST_P(RoundTest, PermissionMatrixOverEveryRoute) {
  std::map<std::string, std::string> token;
  for (const char* role : {"officer", "reviewer", "expert", "finance", "auditor", "admin"})
    token[role] = AddUser(role, role);
  token["applicant"] = AddUser("unit-a", "applicant", "91440300MA5XXXXXXR");
  const std::string other = AddUser("unit-b", "applicant", "914403001922038216");
  ASSERT_EQ(
      Call(
          token["officer"], "POST", "/rounds",
          R"({"id":"r1","title":"t","guide":"2026","budget_fen":1000,"opens_on":"2026-05-01","closes_on":"2026-12-31"})")
          .status,
      201);
  HttpAnswer r =
      Call(token["applicant"], "POST", "/rounds/r1/applications",
           Application("91440300MA5XXXXXXR", "甲", "enterprise", "china_quality_award", "C-1", {{"level", "winner"}}));
  ASSERT_EQ(r.status, 201);
  const std::string app = Body(r)["id"];
  ASSERT_EQ(Call(token["applicant"], "POST", "/applications/" + app + "/actions/submit", "{}").status, 200);
  // A second round taken to approval, so that an objection, a payment and an invitation exist.
  ASSERT_EQ(
      Call(
          token["officer"], "POST", "/rounds",
          R"({"id":"r2","title":"t","guide":"2026","budget_fen":1000,"opens_on":"2026-05-01","closes_on":"2026-12-31"})")
          .status,
      201);
  r = Call(token["applicant"], "POST", "/rounds/r2/applications",
           Application("91440300MA5XXXXXXR", "甲", "enterprise", "china_quality_award", "C-2", {{"level", "winner"}}));
  const std::string app2 = Body(r)["id"];
  ASSERT_EQ(Call(token["applicant"], "POST", "/applications/" + app2 + "/actions/submit", "{}").status, 200);
  ASSERT_EQ(Call(token["reviewer"], "POST", "/applications/" + app2 + "/actions/accept", "{}").status, 200);
  ASSERT_EQ(Call(token["officer"], "POST", "/rounds/r2/close", "{}").status, 200);
  ASSERT_EQ(Call(token["officer"], "POST", "/rounds/r2/allocate", "{}").status, 200);
  ASSERT_EQ(
      Call(token["officer"], "POST", "/rounds/r2/notice", R"({"starts_on":"2026-06-01","working_days":1})").status,
      200);
  r = Call(other, "POST", "/rounds/r2/objections", json{{"application_id", app2}, {"text", "异议"}}.dump());
  const std::string objection = Body(r)["id"].get<std::string>();
  ASSERT_EQ(Call(token["officer"], "POST", "/objections/" + objection + "/resolve", R"({"upheld":false})").status, 200);
  StartServer("2026-06-03");
  ASSERT_EQ(Call(token["officer"], "POST", "/rounds/r2/approve", "{}").status, 200);
  const std::string payment =
      Body(Call(token["finance"], "GET", "/rounds/r2/payments"))["items"][0]["id"].get<std::string>();
  const json registry = {{"registry",
                          {{{"uscc", "91440300MA5XXXXXXR"},
                            {"name", "甲"},
                            {"kind", "enterprise"},
                            {"registered_in_shenzhen", true},
                            {"serious_dishonesty", false},
                            {"achievements",
                             {{{"measure", "guangdong_quality_award"},
                               {"subject", "G-1"},
                               {"obtained_on", "2025-09-12"},
                               {"facts", {{"level", "winner"}}}}}}}}}};
  r = Call(token["officer"], "POST", "/rounds/r1/invitations", registry.dump());
  ASSERT_EQ(Body(r)["invited"], 1) << r.body;
  const std::string invitation = Body(r)["invitations"][0]["id"].get<std::string>();

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
    const bool unit_route = app_route || target.rfind("/api/v1/invitations/{id}", 0) == 0;
    if (target.rfind("/api/v1/objections/", 0) == 0)
      put("id", objection);
    else if (target.rfind("/api/v1/payments/", 0) == 0)
      put("id", payment);
    else if (target.rfind("/api/v1/invitations/", 0) == 0)
      put("id", invitation);
    else
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
      const bool allowed =
          route.access.Allows(role) &&
          (route.choices.empty() || std::any_of(route.choices.begin(), route.choices.end(), [&](const auto& c) {
             return c.first == "withdraw" && c.second.Allows(role);
           }));
      const std::string what = route.method + " " + route.pattern + " as " + role_name + ": " + a.body;
      EXPECT_LT(a.status, 500) << what;
      if (!allowed) {
        EXPECT_TRUE(a.status == 403 || (a.status == 404 && unit_route)) << what;
      } else {
        EXPECT_NE(a.status, 403) << what;
        EXPECT_NE(a.status, 401) << what;
      }
    }
    if (unit_route && route.access.Allows(Role::kApplicant)) {
      EXPECT_EQ(call(other).status, 404) << route.method << " " << route.pattern << " as another unit";
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(router->routes().size()));
  EXPECT_GE(checked, 30);  // every path of §7 and its further routes
}

// A number out of range (1e400, or an integer beyond 64 bits), or a text holding a NUL character
// (which PostgreSQL's text cannot store), in the body of any JSON write is a 400 naming its field,
// never a 500, and changes nothing: no row, no audit entry.
TEST_P(RoundTest, ANumberOutOfRangeIsA400AndChangesNothing) {
  const std::string officer = AddUser("officer", "officer"), reviewer = AddUser("reviewer", "reviewer"),
                    expert = AddUser("expert", "expert"), auditor = AddUser("auditor", "auditor"),
                    a = AddUser("unit-a", "applicant", "91440300MA5XXXXXXR");
  ASSERT_EQ(
      Call(
          officer, "POST", "/rounds",
          R"({"id":"r1","title":"t","guide":"2026","budget_fen":1000,"opens_on":"2026-05-01","closes_on":"2026-12-31"})")
          .status,
      201);
  const std::string app_body =
      Application("91440300MA5XXXXXXR", "甲", "enterprise", "china_quality_award", "C-1", {{"level", "winner"}});
  HttpAnswer r = Call(a, "POST", "/rounds/r1/applications", app_body);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string app = Body(r)["id"];
  ASSERT_EQ(Call(a, "POST", "/applications/" + app + "/actions/submit", "{}").status, 200);
  // What a client can see of the store, before and after.
  auto snapshot = [&] {
    return Call(auditor, "GET", "/audit?limit=500").body + Call(officer, "GET", "/rounds").body +
           Call(officer, "GET", "/applications?limit=500").body + Call(officer, "GET", "/applications/" + app).body;
  };
  const std::string before = snapshot();
  // `number` in place of the string "N" of `body`.
  auto with = [](json body, const std::string& number) {
    std::string text = body.dump();
    const size_t at = text.find("\"N\"");
    return text.replace(at, 3, number);
  };
  json with_requested = json::parse(app_body);
  with_requested["requested_fen"] = "N";
  struct Case {
    std::string token, method, path;
    json body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {officer,
       "POST",
       "/rounds",
       {{"id", "r2"},
        {"title", "t"},
        {"guide", "2026"},
        {"budget_fen", "N"},
        {"opens_on", "2026-05-01"},
        {"closes_on", "2026-12-31"}},
       "budget_fen"},
      {a, "POST", "/rounds/r1/applications", with_requested, "requested_fen"},
      {a, "PUT", "/applications/" + app, with_requested, "requested_fen"},
      {a, "POST", "/applications/" + app + "/actions/withdraw", {{"note", "N"}}, "note"},
      {reviewer,
       "POST",
       "/applications/" + app + "/actions/return",
       {{"note", "n"}, {"deadline", "2026-06-10"}, {"x", {1, 2, "N"}}},
       "x[2]"},
      {expert, "POST", "/applications/" + app + "/reviews", {{"passed", true}, {"score", "N"}}, "score"},
      {officer, "POST", "/rounds/r1/close", {{"x", "N"}}, "x"},
      {officer, "POST", "/rounds/r1/allocate", {{"budget_fen", "N"}}, "budget_fen"},
      {officer, "POST", "/rounds/r1/notice", {{"starts_on", "2026-06-15"}, {"working_days", "N"}}, "working_days"},
      {a, "POST", "/rounds/r1/objections", {{"application_id", app}, {"text", "t"}, {"n", {{"m", "N"}}}}, "n.m"},
  };
  for (const std::string number : {"1e400", "-1e400", "99999999999999999999999", R"("t\u0000")"}) {
    for (const Case& c : cases) {
      const std::string what = c.method + " " + c.path + " with " + number;
      r = Call(c.token, c.method, c.path, with(c.body, number));
      ASSERT_EQ(r.status, 400) << what << ": " << r.body;
      EXPECT_EQ(r.Header("Content-Type"), "application/problem+json") << what;
      const json p = Body(r);
      EXPECT_EQ(p["status"], 400) << what;
      ASSERT_EQ(p["errors"].size(), 1u) << what << ": " << r.body;
      EXPECT_EQ(p["errors"][0]["field"], c.field) << what;
    }
    // /evaluate decides any object: `invalid`, naming the field.
    r = Call(a, "POST", "/evaluate", with(with_requested, number));
    ASSERT_EQ(r.status, 200) << number << ": " << r.body;
    EXPECT_EQ(Body(r)["outcome"], "invalid");
    EXPECT_EQ(Body(r)["reasons"].back()["path"], "requested_fen") << r.body;
  }
  EXPECT_EQ(snapshot(), before);
  auto verdict = store::VerifyAuditAt(url_);
  ASSERT_TRUE(verdict.ok()) << verdict.status().message();
  EXPECT_TRUE(verdict->ok) << verdict->reason;
}

// A returned application after the round has closed: resubmitting or replacing it is a 409 that
// keeps the application's state, names the round's, and allows what may still be fired (withdraw,
// which succeeds); nothing changes.
TEST_P(RoundTest, AClosedRoundsConflictNamesTheApplicationsStateAndTheRounds) {
  const std::string officer = AddUser("officer", "officer"), reviewer = AddUser("reviewer", "reviewer"),
                    a = AddUser("unit-a", "applicant", "91440300MA5XXXXXXR");
  ASSERT_EQ(
      Call(
          officer, "POST", "/rounds",
          R"({"id":"r1","title":"t","guide":"2026","budget_fen":1000,"opens_on":"2026-05-01","closes_on":"2026-06-05"})")
          .status,
      201);
  const std::string body =
      Application("91440300MA5XXXXXXR", "甲", "enterprise", "china_quality_award", "C-1", {{"level", "winner"}});
  const std::string returned = Body(Call(a, "POST", "/rounds/r1/applications", body))["id"];
  ASSERT_EQ(Call(a, "POST", "/applications/" + returned + "/actions/submit", "{}").status, 200);
  ASSERT_EQ(Call(reviewer, "POST", "/applications/" + returned + "/actions/return",
                 R"({"note":"请补充","deadline":"2026-06-20"})")
                .status,
            200);
  const std::string draft = Body(Call(a, "POST", "/rounds/r1/applications",
                                      Application("91440300MA5XXXXXXR", "甲", "enterprise", "china_quality_award",
                                                  "C-2", {{"level", "winner"}})))["id"];
  StartServer("2026-06-10");  // after closes_on, before the deadline
  const std::string seen_before = Call(a, "GET", "/applications/" + returned).body;
  const std::string round_before = Call(officer, "GET", "/rounds/r1").body;
  for (const auto& [method, path, payload] : {std::tuple<std::string, std::string, std::string>{
                                                  "POST", "/applications/" + returned + "/actions/submit", "{}"},
                                              {"PUT", "/applications/" + returned, body}}) {
    HttpAnswer r = Call(a, method, path, payload);
    ASSERT_EQ(r.status, 409) << method << " " << path << ": " << r.body;
    const json p = Body(r);
    EXPECT_EQ(p["state"], "returned") << r.body;
    EXPECT_EQ(p["round_state"], "closed") << r.body;
    EXPECT_EQ(p["allowed_actions"], json({"withdraw"})) << r.body;
  }
  HttpAnswer r = Call(a, "POST", "/applications/" + draft + "/actions/submit", "{}");
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Body(r)["state"], "draft");
  EXPECT_EQ(Body(r)["round_state"], "closed");
  EXPECT_EQ(Body(r)["allowed_actions"], json({"withdraw"}));
  // A new application names the round's state, there being no application yet.
  r = Call(a, "POST", "/rounds/r1/applications",
           Application("91440300MA5XXXXXXR", "甲", "enterprise", "china_quality_award", "C-3", {{"level", "winner"}}));
  ASSERT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(Body(r)["round_state"], "closed");
  // Nothing changed; the allowed action is indeed allowed.
  EXPECT_EQ(Call(a, "GET", "/applications/" + returned).body, seen_before);
  EXPECT_EQ(Call(officer, "GET", "/rounds/r1").body, round_before);
  r = Call(a, "POST", "/applications/" + returned + "/actions/withdraw", "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["state"], "withdrawn");
}

INSTANTIATE_TEST_SUITE_P(Backends, RoundTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace qgrant::server
