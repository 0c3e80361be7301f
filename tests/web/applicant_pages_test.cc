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

}  // namespace
}  // namespace qgrant::web
