// The case page over a real store, the pages and the API on one router (as `qgrant serve` wires
// them), called without HTTP: what an applicant's page shows of an allocated round before and
// after the notice starts, and the page of a submission the closed round refuses.
#include "page_fixture.h"

namespace qgrant::web {
namespace {

using nlohmann::json;

using CasePageTest = PageTest;

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

// The case page shows an application's facts as the policy names them: each certificate's type
// by its name (绿色产品认证), each field by its label, in Chinese or, under the English cookie, in
// English; no id of a value or a fact.
// 办件进度 ends with the next step and its deadline (WEB.md), and 我的申报 shows the same on each
// card; a finished case says so.
TEST_F(CasePageTest, TheProgressEndsWithTheNextStepAndItsDeadline) {
  OpenRound();
  const std::string draft = Draft(unit_, "91440300MA5XXXXXXR", "CQA-DRAFT");
  std::string page = Page(unit_, "/applications/" + draft).body;
  EXPECT_TRUE(Has(page, "<strong>下一步：</strong>申报单位预览并提交申报（截止 <time datetime=\"2026-12-31\">"))
      << page;
  const std::string returned = Submitted(unit_, "91440300MA5XXXXXXR", "CQA-RETURNED");
  page = Page(unit_, "/applications/" + returned).body;
  EXPECT_TRUE(Has(page, "<strong>下一步：</strong>受理审核")) << page;
  Api(reviewer_, "POST", "/applications/" + returned + "/actions/return",
      R"({"note":"请补充","deadline":"2026-06-20"})");
  page = Page(unit_, "/applications/" + returned).body;
  EXPECT_TRUE(Has(page, "申报单位按退回意见补正后重新提交（截止 <time datetime=\"2026-06-20\">2026年6月20日</time>）"))
      << page;
  const std::string cards = Page(unit_, "/applications").body;
  EXPECT_TRUE(Has(cards, "<p class=\"next\">下一步：申报单位按退回意见补正后重新提交")) << cards;
  EXPECT_TRUE(Has(cards, "<p class=\"next\">下一步：申报单位预览并提交申报")) << cards;
  Api(unit_, "POST", "/applications/" + draft + "/actions/withdraw", "{}");
  page = Page(unit_, "/applications/" + draft).body;
  EXPECT_TRUE(Has(page, "<li class=\"next\"><p><strong>已办结</strong>")) << page;
  EXPECT_FALSE(Has(page, "下一步："));
  // In English too.
  server::Response en = Request(SessionOf(unit_), "/applications/" + returned, "GET", "", "qgrant_lang=en");
  EXPECT_TRUE(Has(en.body, "<strong>Next: </strong>The unit corrects the application as asked and resubmits it (by "))
      << en.body;
}

TEST_F(CasePageTest, TheFactsOfAnApplicationReadAsThePolicyNamesThem) {
  OpenRound();
  const json app = {{"applicant",
                     {{"uscc", "91440300MA5XXXXXXR"},
                      {"name", "甲公司"},
                      {"kind", "enterprise"},
                      {"registered_in_shenzhen", true},
                      {"serious_dishonesty", false}}},
                    {"measure", "high_end_certification"},
                    {"subject", "CERT-2026"},
                    {"obtained_on", "2026-03-01"},
                    {"facts",
                     {{"certificates",
                       {{{"type", "green_product"}, {"number", "GP-1"}, {"issued_on", "2026-03-01"}},
                        {{"type", "automotive_chip"}, {"number", "AC-2"}, {"issued_on", "2026-03-02"}}}}}}};
  const std::string id = Api(unit_, "POST", "/rounds/r1/applications", app.dump(), 201).value("id", "");
  server::Response page = Page(unit_, "/applications/" + id);
  ASSERT_EQ(page.status, 200);
  const size_t at = page.body.find("<dl class=\"details\">");
  ASSERT_NE(at, std::string::npos) << page.body;
  const std::string details = page.body.substr(at, page.body.find("</dl>", at) - at);
  EXPECT_TRUE(Has(details, "<dt>认证证书</dt>")) << details;
  EXPECT_TRUE(Has(details, "<li>认证类型：绿色产品认证，证书编号：GP-1，发证日期：2026-03-01</li>")) << details;
  EXPECT_TRUE(Has(details, "认证类型：车规芯片认证")) << details;
  EXPECT_FALSE(Has(page.body, "green_product")) << details;
  EXPECT_FALSE(Has(page.body, "automotive_chip")) << details;
  const std::string session = SessionOf(unit_);
  server::Response en = Request(session, "/applications/" + id, "GET", "", "qgrant_lang=en");
  ASSERT_EQ(en.status, 200);
  EXPECT_TRUE(Has(en.body, "<dt>Certificates</dt>")) << en.body;
  EXPECT_TRUE(Has(en.body, "Certification：Green product certification，Certificate number：GP-1")) << en.body;
  EXPECT_FALSE(Has(en.body, "green_product"));
}

// A level reads by the name the policy gives it (the level fact's names are its level_names).
TEST_F(CasePageTest, ALevelReadsAsItsLevelName) {
  const std::string id = Accepted();
  server::Response page = Page(unit_, "/applications/" + id);
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(Has(page.body, "<dt>获得奖项</dt><dd>中国质量奖</dd>")) << page.body;
}

}  // namespace
}  // namespace qgrant::web
