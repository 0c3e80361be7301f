// Pages of the applicant and the calculator over one router on SQLite: the new-application form
// is refused as the API refuses the application (a round that does not exist: 404; staff: 403),
// and a referral measure's result says where to apply, with no amount.
#include "page_fixture.h"

namespace qgrant::web {
namespace {

using ApplicantPagesTest = PageTest;

TEST_F(ApplicantPagesTest, TheNewApplicationFormIsForAnApplicantInARoundThatExists) {
  OpenRound();
  const std::string form = "/applications/new?round=r1&measure=china_quality_award";
  server::Response ok = Page(unit_, form);
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(Has(ok.body, "name=\"facts.level\""));
  // No such round: a 404 page, for anyone signed in.
  for (const std::string& token : {unit_, officer_}) {
    server::Response missing = Page(token, "/applications/new?round=nope&measure=china_quality_award");
    EXPECT_EQ(missing.status, 404) << missing.body;
    EXPECT_FALSE(Has(missing.body, "name=\"facts.level\""));
  }
  // Staff make no application: 403, as the API answers them.
  for (const std::string& token : {officer_, reviewer_}) {
    server::Response staff = Page(token, form);
    EXPECT_EQ(staff.status, 403) << staff.body;
    EXPECT_FALSE(Has(staff.body, "name=\"facts.level\""));
    EXPECT_EQ(Post(token, form, "add_row=facts.level").status, 403);
  }
  EXPECT_EQ(Page(unit_, "/applications/new?round=r1&measure=no_such_measure").status, 404);
  EXPECT_EQ(Page("", form).status, 303);  // to the sign-in page
}

// A measure's page is an 办事指南 (WEB.md §1) built from the policy, the guide and the workflow:
// who may apply, what keeps a unit out, the once-only rule in the clause's word, the expert
// review, the guide's limits and window, the steps; a referral measure has no steps here.
TEST_F(ApplicantPagesTest, AMeasurePageIsAGuideFromTheData) {
  const std::string certificates = Page("", "/measures/high_end_certification").body;
  for (const char* part :
       {"<h2>基本信息</h2>", "<h2>申请条件</h2>", "<h2>申报材料</h2>", "<h2>申报时间</h2>", "<h2>办理流程</h2>",
        "<h2>办理时限</h2>", "申报单位：企业</li>", "每个证书编号仅资助一次", "每家单位每年度最多资助 3 项",
        "申报单位被列入严重失信主体名单", "获得日期不早于 <time datetime=\"2025-01-01\">",
        "<time datetime=\"2026-03-01\">2026年3月1日</time>至<time datetime=\"2026-12-31\">",
        "认证证书；其他材料以2026年度申报指南为准"}) {
    EXPECT_TRUE(Has(certificates, part)) << part << "\n" << certificates;
  }
  EXPECT_FALSE(Has(certificates, "专家评审"));
  const std::string innovation = Page("", "/measures/quality_innovation").body;
  EXPECT_TRUE(Has(innovation, "须经专家评审认定：取得明显经济社会效益")) << innovation;
  EXPECT_TRUE(Has(innovation, "<li>专家评审</li>"));
  EXPECT_TRUE(Has(innovation, "申报企业须成立满2年"));  // the guide's condition
  EXPECT_TRUE(Has(Page("", "/measures/china_quality_award").body, "仅奖励首次获得"));
  EXPECT_TRUE(Has(Page("", "/measures/performance_excellence").body, "仅资助首次获得"));
  const std::string referral = Page("", "/measures/shenzhen_standard_certification").body;
  EXPECT_TRUE(Has(referral, "<h2>申请条件</h2>"));
  EXPECT_FALSE(Has(referral, "<h2>办理流程</h2>"));
  const std::string english = Request("", "/measures/high_end_certification", "GET", "", "qgrant_lang=en").body;
  EXPECT_TRUE(Has(english, "Each certificate number is funded once")) << english;
  EXPECT_TRUE(Has(english, "as the 2026 application guide says"));
}

TEST_F(ApplicantPagesTest, AReferralMeasureSaysWhereToApplyAndShowsNoAmount) {
  server::Response page =
      Page("",
           "/measures/shenzhen_standard_certification?calc=1&applicant.uscc=91440300MA5XXXXXXR&applicant.name=A"
           "&applicant.kind=enterprise&applicant.registered_in_shenzhen=true&applicant.serious_dishonesty=false"
           "&subject=S&obtained_on=2026-03-01&facts.scheme=zhenpin");
  ASSERT_EQ(page.status, 200);
  const size_t at = page.body.find("id=\"result\"");
  ASSERT_NE(at, std::string::npos);
  const std::string result = page.body.substr(at, page.body.find("</section>", at) - at);
  EXPECT_TRUE(Has(result, "不由本系统核算（转办）")) << result;
  EXPECT_TRUE(Has(result, "本措施不由本系统核算，请按以下指引办理：")) << result;
  EXPECT_TRUE(Has(result, "“圳品”“深圳标准认证”相关政策申请扶持")) << result;
  EXPECT_FALSE(Has(result, "元")) << result;  // no amount, not even 0元
  EXPECT_FALSE(Has(result, "资助上限")) << result;
}

// The form of high-end certification names each certificate type as the policy does (绿色产品认证),
// never by its id, which stays the value posted; the labels are the policy's too; in English under
// the English cookie. The calculator and the applicant's new application share the form.
TEST_F(ApplicantPagesTest, TheCertificateFormShowsThePolicysNamesNotIds) {
  OpenRound();
  for (const auto& [token, target] :
       {std::pair<std::string, std::string>{"", "/measures/high_end_certification"},
        std::pair<std::string, std::string>{unit_, "/applications/new?round=r1&measure=high_end_certification"}}) {
    server::Response page = Page(token, target);
    ASSERT_EQ(page.status, 200) << target;
    EXPECT_TRUE(Has(page.body, "value=\"green_product\"")) << target;
    EXPECT_TRUE(Has(page.body, ">绿色产品认证</option>")) << target;
    EXPECT_TRUE(Has(page.body, ">车规芯片认证</option>")) << target;
    EXPECT_TRUE(Has(page.body, ">其他高端品质认证</option>")) << target;
    for (const char* id : {"green_product", "green_finance", "carbon_footprint", "automotive_chip", "robot",
                           "other_high_end", "certificates", "issued_on"}) {
      EXPECT_FALSE(Has(page.body, ">" + std::string(id) + "<")) << target << ": " << id << " shown as text";
    }
    EXPECT_TRUE(Has(page.body, "<legend>认证证书</legend>")) << target;
    EXPECT_TRUE(Has(page.body, ">认证类型 <span class=\"req\"")) << target;
    EXPECT_TRUE(Has(page.body, ">证书编号 <span class=\"req\"")) << target;
  }
  server::Response en = Request("", "/measures/high_end_certification", "GET", "", "qgrant_lang=en");
  ASSERT_EQ(en.status, 200);
  EXPECT_TRUE(Has(en.body, ">Green product certification</option>")) << en.body;
  EXPECT_TRUE(Has(en.body, ">Certificate number <span class=\"req\"")) << en.body;
  EXPECT_FALSE(Has(en.body, ">green_product<"));
  EXPECT_FALSE(Has(en.body, "绿色产品认证"));
}

// A referral measure's scheme and a platform's kind read as the policy names them too, and the
// ceiling of a measure by level names each level.
TEST_F(ApplicantPagesTest, OtherClosedListsShowThePolicysNames) {
  server::Response scheme = Page("", "/measures/shenzhen_standard_certification");
  ASSERT_EQ(scheme.status, 200);
  EXPECT_TRUE(Has(scheme.body, ">“圳品”</label>")) << scheme.body;
  EXPECT_TRUE(Has(scheme.body, ">深圳标准认证</label>"));
  EXPECT_FALSE(Has(scheme.body, ">zhenpin<"));
  server::Response platform = Page("", "/measures/public_technical_platform");
  ASSERT_EQ(platform.status, 200);
  EXPECT_TRUE(Has(platform.body, ">质量标准实验室</label>")) << platform.body;
  EXPECT_TRUE(Has(platform.body, ">市级</label>"));
  EXPECT_FALSE(Has(platform.body, ">quality_standard_lab<"));
  EXPECT_FALSE(Has(platform.body, ">municipal<"));
  server::Response award = Page("", "/measures/mayor_quality_award");
  ASSERT_EQ(award.status, 200);
  EXPECT_TRUE(Has(award.body, "<dd>深圳市市长质量奖金奖 200万元")) << award.body;  // the ceiling by grade
  EXPECT_TRUE(Has(award.body, ">深圳市市长质量奖铜奖</label>"));
}

}  // namespace
}  // namespace qgrant::web
