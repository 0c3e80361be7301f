// Sign-in sessions of the pages (WEB.md §4 "Security"): signing in with a token starts a session
// kept in the store, whose random id (never the token) is the __Host- cookie; signing out ends it
// on the server; every sign-in gets a fresh id; the sign-in form needs its own form token; a form
// token of one session is no good in another; sessions and their form tokens outlive a restart.
#include "page_fixture.h"
#include "store/crypto.h"
#include "web/session.h"

namespace qgrant::web {
namespace {

using SessionPagesTest = PageTest;

TEST_F(SessionPagesTest, TheCookieHoldsASessionIdNeverTheToken) {
  const server::Response form = Request("", "/signin");
  ASSERT_EQ(form.status, 200);
  const std::string form_token = Hidden(form, "signin");
  EXPECT_EQ(form_token.size(), 32u);
  EXPECT_EQ(SetCookie(form, "__Host-qg_signin"), form_token);
  const server::Response signed_in =
      Request("", "/signin", "POST", "token=" + unit_ + "&signin=" + form_token, "__Host-qg_signin=" + form_token);
  EXPECT_EQ(signed_in.status, 303) << signed_in.body;
  EXPECT_EQ(Location(signed_in), "/applications");
  const std::string session = SetCookie(signed_in, "__Host-qg_session");
  ASSERT_EQ(session.size(), 64u);
  EXPECT_NE(session, unit_);
  for (const auto& [name, value] : signed_in.headers) EXPECT_FALSE(Has(value, unit_)) << name << ": " << value;
  const server::Response home = Request(session, "/applications");
  EXPECT_EQ(home.status, 200);
  EXPECT_TRUE(Has(home.body, "unit-a"));
  EXPECT_FALSE(Has(home.body, unit_));
  // The token is no cookie: a browser holding it as the session cookie is not signed in.
  EXPECT_EQ(Request(unit_, "/applications").status, 303);
}

TEST_F(SessionPagesTest, SigningOutEndsTheSessionOnTheServer) {
  const std::string session = SessionOf(unit_);
  const std::string csrf = Hidden(Request(session, "/"), "csrf");
  const server::Response out = Request(session, "/signout", "POST", "csrf=" + csrf);
  EXPECT_EQ(out.status, 303);
  bool cleared = false;
  for (const auto& [name, value] : out.headers) cleared |= name == "Set-Cookie" && Has(value, "Max-Age=0");
  EXPECT_TRUE(cleared);
  // A copy of the cookie kept from before is worth nothing now.
  const server::Response after = Request(session, "/applications");
  EXPECT_EQ(after.status, 303);
  EXPECT_TRUE(Location(after).starts_with("/signin"));
  auto entries = store_->Read([](store::Reader& r) { return r.AuditEntries(0, 1000); });
  ASSERT_TRUE(entries.ok());
  std::vector<std::string> actions;
  for (const auto& e : *entries) {
    if (e.action.starts_with("session.")) actions.push_back(e.action + " " + e.actor);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"session.start unit-a", "session.end unit-a"}));
}

TEST_F(SessionPagesTest, EachSignInGetsAFreshIdAndEndsTheBrowsersEarlierSession) {
  const std::string first = SessionOf(unit_);
  const server::Response form = Request(first, "/signin");
  const std::string form_token = Hidden(form, "signin");
  const server::Response again = Request(first, "/signin", "POST", "token=" + officer_ + "&signin=" + form_token,
                                         "__Host-qg_signin=" + form_token);
  ASSERT_EQ(again.status, 303);
  const std::string second = SetCookie(again, "__Host-qg_session");
  ASSERT_FALSE(second.empty());
  EXPECT_NE(second, first);
  EXPECT_EQ(Request(first, "/applications").status, 303);  // ended
  EXPECT_EQ(Request(second, "/rounds").status, 200);
}

TEST_F(SessionPagesTest, TheSignInFormNeedsItsOwnFormToken) {
  const server::Response form = Request("", "/signin");
  const std::string form_token = Hidden(form, "signin");
  // Posted from elsewhere: no cookie, another cookie, or no field.
  for (const auto& [fields, cookie] : std::vector<std::pair<std::string, std::string>>{
           {"token=" + unit_ + "&signin=" + form_token, ""},
           {"token=" + unit_ + "&signin=" + form_token, "__Host-qg_signin=" + RandomHex()},
           {"token=" + unit_, "__Host-qg_signin=" + form_token},
           {"token=" + unit_ + "&signin=", "__Host-qg_signin="}}) {
    const server::Response r = Request("", "/signin", "POST", fields, cookie);
    EXPECT_EQ(r.status, 403) << fields << " / " << cookie;
    EXPECT_EQ(SetCookie(r, "__Host-qg_session"), "") << fields;
    EXPECT_TRUE(Has(r.body, "登录表单已过期")) << r.body;
    EXPECT_FALSE(Hidden(r, "signin").empty());  // a fresh form to try again
  }
  // A wrong token with the right form token: 401, no session.
  const server::Response wrong =
      Request("", "/signin", "POST", "token=" + std::string(64, 'a') + "&signin=" + form_token,
              "__Host-qg_signin=" + form_token);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(SetCookie(wrong, "__Host-qg_session"), "");
}

TEST_F(SessionPagesTest, AFormTokenWorksOnlyInItsOwnSession) {
  OpenRound();
  const std::string a = SessionOf(unit_);
  const std::string b = SignIn(unit_);  // a second browser of the same user
  ASSERT_NE(a, b);
  const std::string csrf_a = Hidden(Request(a, "/"), "csrf");
  EXPECT_EQ(Request(b, "/signout", "POST", "csrf=" + csrf_a).status, 403);
  EXPECT_EQ(Request(b, "/applications").status, 200);  // still signed in
}

TEST_F(SessionPagesTest, SessionsAndTheirFormTokensOutliveARestart) {
  const std::string session = SessionOf(officer_);
  const std::string csrf = Hidden(Request(session, "/"), "csrf");
  Start("2026-06-02");
  EXPECT_EQ(Request(session, "/rounds").status, 200);
  EXPECT_EQ(Request(session, "/signout", "POST", "csrf=" + csrf).status, 303);
}

TEST_F(SessionPagesTest, ADeactivatedUsersSessionEndsAtOnce) {
  const std::string session = SessionOf(unit_);
  ASSERT_EQ(Request(session, "/applications").status, 200);
  Status st = store_->Write([&](store::WriteTx& tx) -> Status {
    auto u = tx.UserByLogin("unit-a");
    if (!u.ok()) return u.status();
    QGRANT_RETURN_IF_ERROR(tx.SetUserActive((*u)->id, false));
    return tx.Audit({"admin", "user.deactivate", "user:unit-a", nullptr, nullptr}).status();
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(Request(session, "/applications").status, 303);
}

// Over plain HTTP to another host the browser drops the Secure cookie: the sign-in page says so.
TEST_F(SessionPagesTest, TheSignInPageWarnsWhenTheBrowserWillNotKeepTheSession) {
  auto signin_page = [&](std::vector<std::pair<std::string, std::string>> headers) {
    server::Request r;
    r.method = "GET";
    r.target = "/signin";
    r.headers = std::move(headers);
    return router_->Dispatch(r).body;
  };
  const std::string warning = "本页面未经 HTTPS 访问";
  EXPECT_TRUE(Has(signin_page({{"host", "qgrant.example.gov.cn"}}), warning));
  EXPECT_TRUE(Has(signin_page({{"host", "10.0.0.5:8080"}}), warning));
  EXPECT_TRUE(Has(signin_page({{"host", "127.example.org"}}), warning));  // a name, not the loopback
  EXPECT_FALSE(Has(signin_page({{"host", "qgrant.example.gov.cn"}, {"x-forwarded-proto", "https"}}), warning));
  for (const char* local : {"127.0.0.1:8080", "localhost:8080", "[::1]:8080", "localhost"}) {
    EXPECT_FALSE(Has(signin_page({{"host", local}}), warning)) << local;
  }
}

// A session cookie given twice (one planted beside ours) chooses nobody; signing out lets out a
// browser whose session has already ended; the cookie that once held the token is cleared.
TEST_F(SessionPagesTest, CookiesGivenTwiceSignNobodyInAndSignOutAlwaysLetsOut) {
  const std::string session = SessionOf(unit_);
  EXPECT_EQ(Request(session, "/applications", "GET", "", "__Host-qg_session=" + SignIn(officer_)).status, 303);
  EXPECT_EQ(Request(session, "/applications").status, 200);
  // A browser whose session ended elsewhere: sign-out still clears its cookies (no form token to
  // check, nothing to end on the server).
  const std::string csrf = Hidden(Request(session, "/"), "csrf");
  ASSERT_EQ(Request(session, "/signout", "POST", "csrf=" + csrf).status, 303);
  const server::Response again = Request(session, "/signout", "POST", "", "qgrant_session=" + unit_);
  EXPECT_EQ(again.status, 303);
  std::vector<std::string> cleared;
  for (const auto& [name, value] : again.headers) {
    if (name == "Set-Cookie" && Has(value, "Max-Age=0")) cleared.push_back(value.substr(0, value.find('=')));
  }
  EXPECT_EQ(cleared, (std::vector<std::string>{"__Host-qg_session", "qgrant_session"}));
  // The sign-in page clears the old token cookie a browser still holds.
  const server::Response page = Request("", "/signin", "GET", "", "qgrant_session=" + unit_);
  bool legacy_cleared = false;
  for (const auto& [name, value] : page.headers) {
    legacy_cleared |= name == "Set-Cookie" && value.starts_with("qgrant_session=;") && Has(value, "Max-Age=0");
  }
  EXPECT_TRUE(legacy_cleared);
}

// WCAG 2.2.1: every page says when the session ends and offers to extend it; extending moves the
// end and comes back to the page, audited.
TEST_F(SessionPagesTest, ThePageSaysWhenTheSessionEndsAndItCanBeExtended) {
  const std::string session = SessionOf(unit_);
  const server::Response page = Request(session, "/applications");
  EXPECT_TRUE(Has(page.body, "登录有效至 <time datetime=\"")) << page.body;
  EXPECT_TRUE(Has(page.body, "data-ends=\"20"));
  EXPECT_TRUE(Has(page.body, "action=\"/session/extend\""));
  const std::string csrf = Hidden(page, "csrf");
  const server::Response extended =
      Request(session, "/session/extend", "POST", "csrf=" + csrf + "&next=%2Fapplications");
  EXPECT_EQ(extended.status, 303) << extended.body;
  EXPECT_EQ(Location(extended), "/applications");
  auto head = store_->Read([](store::Reader& r) { return r.AuditHead(); });
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->action, "session.extend");
  EXPECT_EQ((*head)->actor, "unit-a");
  // Without the form token: refused; elsewhere than this site: back home.
  EXPECT_EQ(Request(session, "/session/extend", "POST", "next=%2Fapplications").status, 403);
  EXPECT_EQ(Location(Request(session, "/session/extend", "POST", "csrf=" + csrf + "&next=%2F%2Fevil.example")), "/");
  // Signed out, there is nothing to extend.
  EXPECT_EQ(Request("", "/session/extend", "POST", "csrf=" + csrf).status, 403);
}

}  // namespace
}  // namespace qgrant::web
