// The pieces of src/web that need no browser: escaping, form decoding, the CSRF token, the
// application form generated from a measure and read back, amounts and dates, the chart.
#include <gtest/gtest.h>

#include "server/router.h"
#include "web/forms.h"
#include "web/html.h"
#include "web/session.h"

namespace qgrant::web {
namespace {

TEST(Html, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(Esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
}

TEST(Html, AmountsComeFromFenExactly) {
  EXPECT_EQ(MoneyHtml(300000000, false), "300万元（3,000,000.00元）");
  EXPECT_EQ(MoneyHtml(500000, false), "0.5万元（5,000.00元）");
  EXPECT_EQ(MoneyHtml(300000000, true), "3,000,000.00 yuan");
}

TEST(Html, DatesInTimeElements) {
  EXPECT_EQ(DateHtml("2026-06-01", false), "<time datetime=\"2026-06-01\">2026年6月1日</time>");
  EXPECT_EQ(DateHtml("2026-06-01", true), "<time datetime=\"2026-06-01\">2026-06-01</time>");
  EXPECT_EQ(DateHtml("<b>", false), "&lt;b&gt;");
}

TEST(Html, ChartEscapesLabelsAndScalesBars) {
  const std::string svg = BarChartSvg("c", "<t>", {{"<script>", 200}, {"b", 100}}, false);
  EXPECT_EQ(svg.find("<script>"), std::string::npos);
  EXPECT_NE(svg.find("width=\"300\""), std::string::npos);  // the largest bar fills the width
  EXPECT_NE(svg.find("width=\"150\""), std::string::npos);
  EXPECT_NE(svg.find("role=\"img\""), std::string::npos);
}

TEST(Forms, DecodesUrlEncodedBodies) {
  Form f = Form::Parse("a=1+2&b=%E4%B8%AD&c=&d=%3Cx%3E&a=again");
  EXPECT_EQ(f.Get("a"), "1 2");
  EXPECT_EQ(f.Get("b"), "中");
  EXPECT_TRUE(f.Has("c"));
  EXPECT_EQ(f.Get("d"), "<x>");
  EXPECT_EQ(f.Get("missing"), "");
}

TEST(Forms, FieldIdsFollowThePath) {
  EXPECT_EQ(FieldId("facts.certificates[1].number"), "f-facts-certificates-1-number");
  EXPECT_EQ(FieldId("applicant.uscc"), "f-applicant-uscc");
}

TEST(Session, CsrfTokenIsBoundToTheSession) {
  const std::string t = CsrfTokenOf("session-a");
  EXPECT_EQ(t.size(), 64u);
  EXPECT_TRUE(ValidCsrf("session-a", t));
  EXPECT_FALSE(ValidCsrf("session-b", t));
  EXPECT_FALSE(ValidCsrf("", CsrfTokenOf("")));
  EXPECT_EQ(t.find("session-a"), std::string::npos);
  EXPECT_NE(RandomHex(), RandomHex());
}

TEST(Session, ReadsCookies) {
  server::Request r;
  r.headers = {{"cookie", "a=1; qgrant_lang=en;  __Host-qg_session=tok"}};
  EXPECT_EQ(CookieValue(r, "qgrant_lang"), "en");
  EXPECT_EQ(CookieValue(r, "__Host-qg_session"), "tok");
  EXPECT_EQ(CookieValue(r, "b"), std::nullopt);
}

TEST(Session, SessionCookieIsAHostCookie) {
  // WEB.md §4: __Host- prefix, so Secure, Path=/ and no Domain; HttpOnly; SameSite=Lax.
  const std::string c = SessionCookie("x");
  EXPECT_EQ(c.rfind("__Host-qg_session=x;", 0), 0u) << c;
  for (const char* part : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Lax"}) {
    EXPECT_NE(c.find(part), std::string::npos) << part << " in " << c;
  }
  EXPECT_EQ(c.find("Domain"), std::string::npos);
  EXPECT_NE(SessionCookie("").find("Max-Age=0"), std::string::npos);
  EXPECT_NE(SignInCookie("y").find("; Secure; HttpOnly; SameSite=Strict"), std::string::npos);
}

TEST(Session, LanguageCookieIsSecureBehindAnHttpsProxy) {
  server::Request plain;
  EXPECT_FALSE(OverHttps(plain));
  EXPECT_EQ(LangCookie(true, OverHttps(plain)).find("Secure"), std::string::npos);
  server::Request proxied;
  proxied.headers = {{"x-forwarded-proto", "HTTPS, http"}};
  EXPECT_TRUE(OverHttps(proxied));
  EXPECT_NE(LangCookie(true, OverHttps(proxied)).find("; Secure"), std::string::npos);
  proxied.headers = {{"x-forwarded-proto", "http"}};
  EXPECT_FALSE(OverHttps(proxied));
  proxied.headers = {{"x-forwarded-proto", "httpsx"}};
  EXPECT_FALSE(OverHttps(proxied));
}

const nlohmann::json kMeasure = nlohmann::json::parse(R"({
  "id": "high_end_certification", "level_names": {},
  "facts": [{"name": "certificates", "type": "list", "required": true, "min_items": 1, "item_fields": [
    {"name": "type", "type": "string", "required": true, "values": ["green_product", "robot"]},
    {"name": "number", "type": "string", "required": true},
    {"name": "issued_on", "type": "date", "required": true}]}]})");

TEST(Forms, TheApplicationFormComesFromTheMeasure) {
  Form values;
  values.Set("facts.certificates[1].number", "N2");
  std::vector<std::string> names;
  const std::string html =
      ApplicationFields(kMeasure, values, {{"facts.certificates[1].number", "重复"}}, false, 0, &names);
  EXPECT_NE(html.find("name=\"facts.certificates[0].type\""), std::string::npos);
  EXPECT_NE(html.find("name=\"facts.certificates[1].issued_on\""), std::string::npos);
  EXPECT_NE(html.find("aria-describedby=\"f-facts-certificates-1-number-err\""), std::string::npos);
  EXPECT_NE(html.find("for=\"f-applicant-uscc\""), std::string::npos);
}

TEST(Forms, TheApplicationIsReadBackTyped) {
  Form f = Form::Parse(
      "applicant.uscc=9144+0300ma5xxxxxxr&applicant.registered_in_shenzhen=true&applicant.serious_dishonesty=false"
      "&subject=S&facts.certificates%5B0%5D.type=robot&facts.certificates%5B0%5D.number=N1"
      "&facts.certificates%5B1%5D.number=&facts.certificates%5B2%5D.number=N3");
  const nlohmann::json app = ApplicationFromForm(kMeasure, f);
  EXPECT_EQ(app["applicant"]["uscc"], "91440300MA5XXXXXXR");
  EXPECT_EQ(app["applicant"]["registered_in_shenzhen"], true);
  EXPECT_EQ(app["applicant"]["serious_dishonesty"], false);
  ASSERT_EQ(app["facts"]["certificates"].size(), 2u);  // the empty row is left out
  EXPECT_EQ(app["facts"]["certificates"][1]["number"], "N3");
  EXPECT_FALSE(app.contains("obtained_on"));  // empty: the API names it
  EXPECT_EQ(FormFromApplication(app).Get("facts.certificates[1].number"), "N3");
}

TEST(Router, TheStartPageIsThePathOfNoSegments) {
  server::Router router(nullptr);
  server::Route start;
  start.method = "GET";
  start.pattern = "/";
  start.handler = [](const server::Call&) { return server::Response::Json(200, "{}"); };
  router.Add(start);
  server::Request root;
  root.method = "GET";
  root.target = "/";
  EXPECT_EQ(router.Dispatch(root).status, 200);
  server::Request other;
  other.method = "GET";
  other.target = "/x";
  EXPECT_EQ(router.Dispatch(other).status, 404);
}

}  // namespace
}  // namespace qgrant::web
