// Every link leads somewhere: for each role (and an anonymous visitor), at each stage of a round
// (open with 免申即享 invitations, allocated, a notice posted but not yet begun, in its notice
// with an objection, approved, paid), the pages are crawled from the start page through every
// link of this site they show (the navigation, the round, the queue, the cases, the notice, the
// payments, the letter, the exports), redirects followed, and no link answers 403 or 404 (or a
// server error). A page shows a link only where its target exists for the visitor's role.
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "page_fixture.h"

namespace qgrant::web {
namespace {

using nlohmann::json;

// The href values of a page (HTML-unescaped), of this site only, fragments left out.
std::vector<std::string> Links(const std::string& html) {
  std::vector<std::string> out;
  const std::string marker = "href=\"";
  for (size_t at = html.find(marker); at != std::string::npos; at = html.find(marker, at + 1)) {
    const size_t start = at + marker.size();
    std::string link = html.substr(start, html.find('"', start) - start);
    for (size_t amp = link.find("&amp;"); amp != std::string::npos; amp = link.find("&amp;", amp + 1))
      link.replace(amp, 5, "&");
    if (link.empty() || link[0] != '/' || link.rfind("//", 0) == 0) continue;  // fragments, other sites
    out.push_back(link);
  }
  return out;
}

class PageLinksTest : public PageTest {
 protected:
  struct Visitor {
    std::string name, token;
  };

  void SetUp() override {
    PageTest::SetUp();
    unit_b_ = AddUser("unit-b", "applicant", "91440300708461136T");
    visitors_ = {{"anonymous", ""},
                 {"unit-a", unit_},
                 {"unit-b", unit_b_},
                 {"reviewer", reviewer_},
                 {"expert", AddUser("expert", "expert")},
                 {"officer", officer_},
                 {"admin", AddUser("admin", "admin")},
                 {"finance", AddUser("finance", "finance")},
                 {"auditor", AddUser("auditor", "auditor")}};
  }

  // Crawls what `who` can reach from the start page; every answer checked. Returns the pages
  // crawled. `extra`: further pages to start from (a case, the notice: pages a visitor reaches
  // from a link elsewhere, an email or a bookmark).
  std::set<std::string> Crawl(const std::string& stage, const Visitor& who, const std::vector<std::string>& extra) {
    std::set<std::string> seen;
    std::deque<std::pair<std::string, std::string>> queue;  // target, the page linking to it
    queue.emplace_back("/", "(start)");
    for (const auto& e : extra) queue.emplace_back(e, "(start)");
    while (!queue.empty()) {
      const auto [target, from] = queue.front();
      queue.pop_front();
      if (!seen.insert(target).second) continue;
      const server::Response r = Page(who.token, target);
      const std::string where = stage + ", " + who.name + ": " + target + " (linked from " + from + ")";
      EXPECT_NE(r.status, 404) << where;
      EXPECT_NE(r.status, 403) << where;
      EXPECT_LT(r.status, 500) << where;
      if (r.status == 303) {
        // A redirect is followed, except the language switch's (back to the page it was on).
        if (target.rfind("/lang", 0) != 0) queue.emplace_back(Location(r), target);
        continue;
      }
      if (r.status != 200 || r.content_type.find("text/html") == std::string::npos) continue;
      // The sign-in page links to itself with the page to come back to, and so on: its links are
      // those of the page it came from.
      if (target.rfind("/signin", 0) == 0) continue;
      for (const std::string& link : Links(r.body)) {
        if (!seen.count(link)) queue.emplace_back(link, target);
      }
    }
    return seen;
  }

  // Crawls for every visitor; `extra` by visitor name.
  void CrawlAll(const std::string& stage, const std::map<std::string, std::vector<std::string>>& extra = {}) {
    for (const Visitor& who : visitors_) {
      auto it = extra.find(who.name);
      const std::set<std::string> seen = Crawl(stage, who, it == extra.end() ? std::vector<std::string>{} : it->second);
      crawled_[stage + " " + who.name] = seen;
    }
  }

  bool Crawled(const std::string& stage, const std::string& who, const std::string& page) {
    return crawled_[stage + " " + who].count(page) > 0;
  }

  std::string unit_b_;
  std::vector<Visitor> visitors_;
  std::map<std::string, std::set<std::string>> crawled_;
};

TEST_F(PageLinksTest, NoLinkOfAnyPageAnswers403Or404AtAnyStageOfARound) {
  // Open: unit A's application accepted, unit B's submitted, a draft, invitations sent.
  const std::string a = Accepted();
  Api(reviewer_, "POST", "/applications/" + a + "/actions/accept", "{}");
  const std::string b = Submitted(unit_b_, "91440300708461136T", "CQA-2025-B");
  const std::string d = Draft(unit_, "91440300MA5XXXXXXR", "CQA-DRAFT", "nominee");
  Api(officer_, "POST", "/rounds/r1/invitations", R"({"registry":[{"uscc":"91440300MA5XXXXXXR","name":"甲公司",
      "kind":"enterprise","registered_in_shenzhen":true,"serious_dishonesty":false,"achievements":[
      {"measure":"high_end_certification","subject":"HEC-2026","obtained_on":"2026-02-01","facts":{"certificates":[
      {"type":"green_product","number":"GP-2026-001","issued_on":"2026-01-15"}]}}]}]})");
  const std::map<std::string, std::vector<std::string>> cases = {{"unit-a", {"/applications/" + a}},
                                                                 {"unit-b", {"/applications/" + b}}};
  CrawlAll("open", cases);
  EXPECT_TRUE(Crawled("open", "officer", "/rounds/r1"));
  EXPECT_TRUE(Crawled("open", "officer", "/applications/" + a));  // from the queue
  EXPECT_TRUE(Crawled("open", "reviewer", "/applications/" + b));
  EXPECT_TRUE(Crawled("open", "unit-a", "/applications/" + d));
  EXPECT_FALSE(Crawled("open", "officer", "/rounds/r1/notice"));
  EXPECT_FALSE(Crawled("open", "officer", "/rounds/r1/payments"));
  EXPECT_TRUE(Crawled("open", "finance", "/rounds/r1/payments"));

  // Allocated.
  Api(reviewer_, "POST", "/applications/" + b + "/actions/accept", "{}");
  Api(officer_, "POST", "/rounds/r1/close", "{}");
  Api(officer_, "POST", "/rounds/r1/allocate", "{}");
  CrawlAll("allocated", cases);
  EXPECT_FALSE(Crawled("allocated", "officer", "/rounds/r1/notice"));

  // A notice posted to begin in two days: the list is not public yet, so nobody is sent to it.
  Api(officer_, "POST", "/rounds/r1/notice", R"({"starts_on":"2026-06-03","working_days":5})");
  CrawlAll("notice posted", cases);
  EXPECT_FALSE(Crawled("notice posted", "officer", "/rounds/r1/notice"));
  EXPECT_FALSE(Crawled("notice posted", "auditor", "/api/v1/rounds/r1/notice?format=csv"));

  // In the notice, with an objection of unit B.
  Start("2026-06-03");
  const std::string objection =
      Api(unit_b_, "POST", "/rounds/r1/objections", json{{"application_id", a}, {"text", "year"}}.dump(), 201)
          .value("id", "");
  std::map<std::string, std::vector<std::string>> noticed = cases;
  noticed["anonymous"] = {"/rounds/r1/notice"};
  CrawlAll("in notice", noticed);
  EXPECT_TRUE(Crawled("in notice", "officer", "/rounds/r1/notice"));
  EXPECT_TRUE(Crawled("in notice", "officer", "/api/v1/rounds/r1/notice?format=xlsx"));
  EXPECT_TRUE(Crawled("in notice", "anonymous", "/api/v1/rounds/r1/notice?format=csv"));

  // Approved after the notice (which ended on 2026-06-10).
  Api(officer_, "POST", "/objections/" + objection + "/resolve", R"({"upheld":false,"note":"checked"})");
  Start("2026-06-12");
  Api(officer_, "POST", "/rounds/r1/approve", "{}");
  CrawlAll("approved", noticed);
  EXPECT_TRUE(Crawled("approved", "unit-a", "/applications/" + a + "/letter"));
  EXPECT_TRUE(Crawled("approved", "unit-a", "/applications/" + a + "/letter.pdf"));
  EXPECT_TRUE(Crawled("approved", "finance", "/rounds/r1/payments/export?format=xlsx"));

  // Paid.
  const std::string finance = visitors_[7].token;
  for (const auto& p : Api(finance, "GET", "/rounds/r1/payments", "")["items"]) {
    Api(finance, "POST", "/payments/" + (p["id"].is_string() ? p["id"].get<std::string>() : p["id"].dump()),
        R"({"status":"paid","reference":"BANK-1"})");
  }
  CrawlAll("paid", noticed);
  EXPECT_TRUE(Crawled("paid", "officer", "/applications/" + a + "/letter"));
  EXPECT_GT(crawled_["paid officer"].size(), 30u);
}

}  // namespace
}  // namespace qgrant::web
