// The officer's and finance's round pages over one router on SQLite: a form the API or the page
// refuses comes back to its own page with an error summary at the top and each problem beside
// its field, changing nothing (an objection's resolution, an objection on the notice page, a
// payment recorded paid without a reference); and the round's steps answer 303 to a page that
// shows what they did (allocation, 免申即享 invitations), so a reload posts nothing again.
#include "page_fixture.h"

namespace qgrant::web {
namespace {

using nlohmann::json;

class RoundPagesTest : public PageTest {
 protected:
  // Round r1 in its notice (from today, 2026-06-01, five working days: to 2026-06-08) with unit
  // A's application on the list: its id.
  std::string InNotice() {
    const std::string id = Accepted();
    Api(reviewer_, "POST", "/applications/" + id + "/actions/accept", "{}");
    Api(officer_, "POST", "/rounds/r1/close", "{}");
    Api(officer_, "POST", "/rounds/r1/allocate", "{}");
    Api(officer_, "POST", "/rounds/r1/notice", R"({"starts_on":"2026-06-01","working_days":5})");
    return id;
  }
};

std::string ObjectionState(const json& list) {
  return list.is_object() && list["items"].size() == 1 ? list["items"][0].value("state", "") : "";
}

TEST_F(RoundPagesTest, ResolvingAnObjectionWithNothingChosenChangesNothing) {
  const std::string id = InNotice();
  const std::string unit_b = AddUser("unit-b", "applicant", "91440300708461136T");
  const json objection = Api(unit_b, "POST", "/rounds/r1/objections",
                             json{{"application_id", id}, {"text", "该奖项为2021年获得"}}.dump(), 201);
  const std::string oid = objection.value("id", "");
  ASSERT_FALSE(oid.empty());
  const std::string action = "/objections/" + oid + "/resolve?round=r1";

  // Neither the outcome nor a note: the round page again, 400, each problem at its field.
  server::Response empty = Post(officer_, action, "idem=form-1");
  EXPECT_EQ(empty.status, 400) << empty.body;
  EXPECT_TRUE(Has(empty.body, "<title>错误：")) << empty.body;
  EXPECT_TRUE(Has(empty.body, "id=\"error-summary\""));
  EXPECT_TRUE(Has(empty.body, "href=\"#f-upheld-" + oid + "\""));  // the summary links to the group
  EXPECT_TRUE(Has(empty.body, "<fieldset id=\"f-upheld-" + oid + "\""));
  EXPECT_TRUE(Has(empty.body, "id=\"f-upheld-" + oid + "-err\""));
  EXPECT_TRUE(Has(empty.body, "id=\"f-note-" + oid + "-err\""));
  EXPECT_TRUE(Has(empty.body, "请选择处理结果"));
  // The summary sits at the top, before the page's tables, once.
  EXPECT_LT(empty.body.find("id=\"error-summary\""), empty.body.find("按状态统计"));
  EXPECT_EQ(empty.body.find("id=\"error-summary\""), empty.body.rfind("id=\"error-summary\""));
  EXPECT_EQ(ObjectionState(Api(officer_, "GET", "/rounds/r1/objections", "")), "open");

  // A note but no outcome: the note is kept, the outcome asked for.
  server::Response no_choice = Post(officer_, action, "idem=form-2&note-" + oid + "=checked-the-award");
  EXPECT_EQ(no_choice.status, 400);
  EXPECT_TRUE(Has(no_choice.body, "value=\"checked-the-award\""));
  EXPECT_TRUE(Has(no_choice.body, "id=\"f-upheld-" + oid + "-err\""));
  EXPECT_FALSE(Has(no_choice.body, "id=\"f-note-" + oid + "-err\""));
  // An outcome but no note: the choice is kept.
  server::Response no_note = Post(officer_, action, "idem=form-3&upheld-" + oid + "=false&note-" + oid + "=+");
  EXPECT_EQ(no_note.status, 400);
  EXPECT_TRUE(Has(no_note.body, "id=\"f-note-" + oid + "-err\""));
  EXPECT_TRUE(Has(no_note.body, "value=\"false\" checked"));
  EXPECT_EQ(ObjectionState(Api(officer_, "GET", "/rounds/r1/objections", "")), "open");

  // Both: resolved, 303 to the round page.
  server::Response done = Post(officer_, action, "idem=form-4&upheld-" + oid + "=false&note-" + oid + "=checked");
  EXPECT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(Location(done), "/rounds/r1?done=1");
  EXPECT_EQ(ObjectionState(Api(officer_, "GET", "/rounds/r1/objections", "")), "dismissed");
}

TEST_F(RoundPagesTest, AnInvalidObjectionComesBackToTheNoticeAsTyped) {
  const std::string id = InNotice();
  const std::string unit_b = AddUser("unit-b", "applicant", "91440300708461136T");
  // No text: the notice page with its form, the problem beside the text.
  server::Response no_text = Post(unit_b, "/rounds/r1/objections", "idem=form-1&application_id=" + id + "&text=");
  EXPECT_EQ(no_text.status, 400) << no_text.body;
  EXPECT_TRUE(Has(no_text.body, "<h1>2026年度质量品牌扶持项目拟资助项目公示</h1>"));
  EXPECT_TRUE(Has(no_text.body, "<title>错误："));
  EXPECT_TRUE(Has(no_text.body, "id=\"error-summary\""));
  EXPECT_TRUE(Has(no_text.body, "href=\"#f-text\""));
  EXPECT_TRUE(Has(no_text.body, "id=\"f-text-err\""));
  EXPECT_TRUE(Has(no_text.body, "<option value=\"" + id + "\" selected>"));  // the choice is kept
  EXPECT_TRUE(Has(no_text.body, "action=\"/rounds/r1/objections\""));
  // An application not on the list: the typed text kept (escaped), the problem beside the choice.
  server::Response not_listed =
      Post(unit_b, "/rounds/r1/objections", "idem=form-2&application_id=APP-NOPE&text=wrong+%3Cb%3Eyear%3C%2Fb%3E");
  EXPECT_EQ(not_listed.status, 400) << not_listed.body;
  EXPECT_TRUE(Has(not_listed.body, "id=\"f-application_id-err\""));
  EXPECT_TRUE(Has(not_listed.body, "不在本批次公示名单上"));
  EXPECT_TRUE(Has(not_listed.body, ">wrong &lt;b&gt;year&lt;/b&gt;</textarea>")) << not_listed.body;
  EXPECT_FALSE(Has(not_listed.body, "<b>year"));
  EXPECT_TRUE(Api(officer_, "GET", "/rounds/r1/objections", "")["items"].empty());
  // The notice names the round (year and programme), gives its working days, and labels each
  // file with its format and size (WEB.md §1 公示).
  const server::Response page = Page(unit_b, "/rounds/r1/notice");
  EXPECT_TRUE(Has(page.body, "（5个工作日）")) << page.body;
  EXPECT_TRUE(Has(page.body, ">下载 CSV（1 KB）</a>")) << page.body;
  EXPECT_TRUE(Has(page.body, ">下载 XLSX（")) << page.body;
  // A good one is filed: 303 to the notice.
  server::Response filed = Post(unit_b, "/rounds/r1/objections", "idem=form-3&application_id=" + id + "&text=year");
  EXPECT_EQ(filed.status, 303);
  EXPECT_EQ(Location(filed), "/rounds/r1/notice?objected=1");
}

// WCAG 3.3.4: posting the notice shows its computed last day first and changes nothing until
// confirmed; approving is disabled with the reason while the notice runs or an objection is
// open, and then goes through a confirm page with the count and the amount.
TEST_F(RoundPagesTest, NoticeAndApprovalAreConfirmedFirstAndApproveSaysWhyItWaits) {
  const std::string id = Accepted();
  Api(reviewer_, "POST", "/applications/" + id + "/actions/accept", "{}");
  Api(officer_, "POST", "/rounds/r1/close", "{}");
  Api(officer_, "POST", "/rounds/r1/allocate", "{}");
  // "005" is read as 5 here as for the API: confirmed first, like any other spelling.
  EXPECT_TRUE(Has(Post(officer_, "/rounds/r1/notice", "idem=form-z&starts_on=2026-06-01&working_days=005").body,
                  "<h1>确认发布公示</h1>"));
  const server::Response ask = Post(officer_, "/rounds/r1/notice", "idem=form-n&starts_on=2026-06-01&working_days=5");
  EXPECT_EQ(ask.status, 200) << ask.body;
  EXPECT_TRUE(Has(ask.body, "<h1>确认发布公示</h1>")) << ask.body;
  // 2026-06-01 (Monday) + 5 working days, counted from the day after: to Monday 2026-06-08.
  EXPECT_TRUE(Has(ask.body, "<time datetime=\"2026-06-08\">2026年6月8日</time>（5个工作日）")) << ask.body;
  EXPECT_TRUE(Has(ask.body, "name=\"confirm\" value=\"1\""));
  EXPECT_TRUE(Has(ask.body, "name=\"idem\" value=\"form-n\""));
  EXPECT_EQ(Api(officer_, "GET", "/rounds/r1", "").value("state", ""), "allocated");  // nothing yet
  // A start the API refuses gets no confirm page: the API's error, on the round page.
  const server::Response past = Post(officer_, "/rounds/r1/notice", "idem=form-p&starts_on=2026-05-01&working_days=5");
  EXPECT_EQ(past.status, 400) << past.body;
  EXPECT_FALSE(Has(past.body, "确认发布公示"));
  const server::Response posted =
      Post(officer_, "/rounds/r1/notice", "idem=form-n&confirm=1&starts_on=2026-06-01&working_days=5");
  EXPECT_EQ(posted.status, 303) << posted.body;
  EXPECT_EQ(Api(officer_, "GET", "/rounds/r1", "").value("state", ""), "in_notice");

  // During the notice: approve is disabled, the reason beside it, and posting it anyway is the
  // API's 409 page.
  server::Response round = Page(officer_, "/rounds/r1");
  EXPECT_TRUE(Has(round.body, "disabled aria-describedby=\"approve-why\"")) << round.body;
  EXPECT_TRUE(Has(round.body, "公示期至<time datetime=\"2026-06-08\">2026年6月8日</time>结束，期满后方可批准"));
  EXPECT_EQ(Post(officer_, "/rounds/r1/approve", "idem=form-a").status, 409);

  // After it, with an objection open: still disabled, saying so.
  const std::string unit_b = AddUser("unit-b", "applicant", "91440300708461136T");
  const json objection =
      Api(unit_b, "POST", "/rounds/r1/objections", json{{"application_id", id}, {"text", "核实"}}.dump(), 201);
  Start("2026-06-10");
  round = Page(officer_, "/rounds/r1");
  EXPECT_TRUE(Has(round.body, "尚有1件异议未处理")) << round.body;
  Api(officer_, "POST", "/objections/" + objection.value("id", std::string()) + "/resolve",
      R"({"upheld":false,"note":"已核实"})");
  round = Page(officer_, "/rounds/r1");
  EXPECT_FALSE(Has(round.body, "approve-why"));
  EXPECT_TRUE(Has(round.body, "action=\"/rounds/r1/approve\""));
  const server::Response confirm = Post(officer_, "/rounds/r1/approve", "idem=form-b");
  EXPECT_EQ(confirm.status, 200);
  EXPECT_TRUE(Has(confirm.body, "<h1>确认批准资助计划</h1>"));
  EXPECT_TRUE(Has(confirm.body, "批准公示中的 1 件申报")) << confirm.body;
  EXPECT_TRUE(Has(confirm.body, "不能撤回"));
  EXPECT_EQ(Api(officer_, "GET", "/rounds/r1", "").value("state", ""), "in_notice");
  EXPECT_EQ(Post(officer_, "/rounds/r1/approve", "idem=form-b&confirm=1").status, 303);
  EXPECT_EQ(Api(officer_, "GET", "/rounds/r1", "").value("state", ""), "approved");
}

TEST_F(RoundPagesTest, APaymentRecordedPaidWithoutAReferenceComesBackToThePayments) {
  InNotice();
  Start("2026-06-10");  // the notice ended on 2026-06-08
  Api(officer_, "POST", "/rounds/r1/approve", "{}");
  const std::string finance = AddUser("finance", "finance");
  const json payments = Api(finance, "GET", "/rounds/r1/payments", "");
  ASSERT_EQ(payments["items"].size(), 1u);
  const json& p = payments["items"][0];
  const std::string pid = p["id"].is_string() ? p["id"].get<std::string>() : p["id"].dump();
  server::Response refused =
      Post(finance, "/payments/" + pid + "?round=r1", "idem=form-1&status=paid&reference-" + pid + "=");
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_TRUE(Has(refused.body, "<h1>资金拨付</h1>"));
  EXPECT_TRUE(Has(refused.body, "<title>错误："));
  EXPECT_TRUE(Has(refused.body, "id=\"error-summary\""));
  EXPECT_TRUE(Has(refused.body, "href=\"#f-reference-" + pid + "\""));
  EXPECT_TRUE(Has(refused.body, "id=\"f-reference-" + pid + "-err\""));
  EXPECT_TRUE(Has(refused.body, "action=\"/payments/" + pid + "?round=r1\""));  // the form is there
  EXPECT_FALSE(Has(refused.body, "接口状态码"));
  EXPECT_EQ(Api(finance, "GET", "/rounds/r1/payments", "")["items"][0].value("status", ""), "pending");
  // A reference of white space alone (a tab) is no reference: refused here, nothing recorded.
  server::Response tab =
      Post(finance, "/payments/" + pid + "?round=r1", "idem=form-t&status=paid&reference-" + pid + "=%09");
  EXPECT_EQ(tab.status, 400) << tab.body;
  EXPECT_TRUE(Has(tab.body, "id=\"f-reference-" + pid + "-err\""));
  EXPECT_EQ(Api(finance, "GET", "/rounds/r1/payments", "")["items"][0].value("status", ""), "pending");
  // A payment not on the round named: not found, nothing recorded.
  EXPECT_EQ(Post(finance, "/payments/" + pid + "?round=nope", "idem=form-n&status=paid&reference-" + pid + "=B").status,
            404);
  EXPECT_EQ(Api(finance, "GET", "/rounds/r1/payments", "")["items"][0].value("status", ""), "pending");
  // With a reference: a confirm page first (paid is final), naming the payee, amount and reference.
  server::Response ask =
      Post(finance, "/payments/" + pid + "?round=r1", "idem=form-2&status=paid&reference-" + pid + "=BANK-1");
  EXPECT_EQ(ask.status, 200) << ask.body;
  EXPECT_TRUE(Has(ask.body, "<h1>确认登记已拨付</h1>")) << ask.body;
  EXPECT_TRUE(Has(ask.body, "<dd>BANK-1</dd>"));
  EXPECT_TRUE(Has(ask.body, "<dd>100万元（1,000,000.00元）</dd>")) << ask.body;  // the budget, 100万
  EXPECT_TRUE(Has(ask.body, "name=\"confirm\" value=\"1\""));
  EXPECT_EQ(Api(finance, "GET", "/rounds/r1/payments", "")["items"][0].value("status", ""), "pending");
  server::Response paid =
      Post(finance, "/payments/" + pid + "?round=r1", "idem=form-2&confirm=1&status=paid&reference-" + pid + "=BANK-1");
  EXPECT_EQ(paid.status, 303);
  EXPECT_EQ(Api(finance, "GET", "/rounds/r1/payments", "")["items"][0].value("status", ""), "paid");
}

TEST_F(RoundPagesTest, AllocatingAnswers303ToTheRoundShowingTheAllocation) {
  const std::string id = Accepted();
  Api(reviewer_, "POST", "/applications/" + id + "/actions/accept", "{}");
  Api(officer_, "POST", "/rounds/r1/close", "{}");
  const std::string auditor = AddUser("auditor", "auditor");
  server::Response posted = Post(officer_, "/rounds/r1/allocate", "idem=form-1&budget_fen=");
  EXPECT_EQ(posted.status, 303) << posted.body;
  EXPECT_EQ(Location(posted), "/rounds/r1?allocated=1");
  EXPECT_TRUE(posted.body.empty());
  const size_t audited = Api(auditor, "GET", "/audit?limit=500", "")["items"].size();
  // The page it leads to shows the allocation from the round's applications, as often as it is read.
  for (int i = 0; i < 2; ++i) {
    server::Response page = Page(officer_, Location(posted));
    ASSERT_EQ(page.status, 200);
    EXPECT_TRUE(Has(page.body, "class=\"allocation result\" role=\"status\"")) << page.body;
    EXPECT_TRUE(Has(page.body, "已分配合计 100万元（1,000,000.00元）"));
    EXPECT_TRUE(Has(page.body, "符合条件合计 300万元（3,000,000.00元）"));
    EXPECT_TRUE(Has(page.body, "<th scope=\"row\">" + id + "</th>"));
    EXPECT_TRUE(Has(page.body, "id=\"chart-alloc-t\""));  // the chart
  }
  EXPECT_EQ(Api(auditor, "GET", "/audit?limit=500", "")["items"].size(), audited);  // reading it changed nothing
  // The round page shows it afterwards too, without announcing it.
  server::Response later = Page(officer_, "/rounds/r1");
  EXPECT_TRUE(Has(later.body, "已分配合计 100万元（1,000,000.00元）"));
  EXPECT_FALSE(Has(later.body, "allocation result"));
}

TEST_F(RoundPagesTest, InvitingAnswers303ToTheRoundShowingTheScreening) {
  OpenRound();
  server::Response posted = Post(officer_, "/rounds/r1/invitations", "idem=form-1&registry_file=registry.jsonl");
  EXPECT_EQ(posted.status, 303) << posted.body;
  const std::string location = Location(posted);
  EXPECT_EQ(location.rfind("/rounds/r1?invited=", 0), 0u) << location;
  const size_t invited = Api(officer_, "GET", "/invitations?round=r1", "")["items"].size();
  ASSERT_GT(invited, 0u);
  for (int i = 0; i < 2; ++i) {  // a reload shows the same and invites nobody again
    server::Response page = Page(officer_, location);
    ASSERT_EQ(page.status, 200);
    EXPECT_TRUE(Has(page.body, "邀请结果")) << page.body;
    EXPECT_TRUE(Has(page.body, "已邀请 " + std::to_string(invited) + " 家")) << page.body;
    EXPECT_TRUE(Has(page.body, "本批次已发出邀请 " + std::to_string(invited) + " 份"));
    // Units the screening could not decide read by the measure's title and the facts' labels.
    EXPECT_TRUE(Has(page.body, "：缺少 ")) << page.body;
    EXPECT_TRUE(Has(page.body, "深圳市市长质量奖：缺少 等次")) << page.body;
    EXPECT_TRUE(Has(page.body, "：缺少 是否列入严重失信主体名单")) << page.body;
    EXPECT_FALSE(Has(page.body, "缺少 applicant.")) << page.body;
    EXPECT_FALSE(Has(page.body, "mayor_quality_award")) << page.body;
  }
  EXPECT_EQ(Api(officer_, "GET", "/invitations?round=r1", "")["items"].size(), invited);
  // The screening is the poster's to see: another officer reading the same address sees the
  // invitations, not the screening.
  const std::string admin = AddUser("admin", "admin");
  server::Response other = Page(admin, location);
  EXPECT_EQ(other.status, 200);
  EXPECT_FALSE(Has(other.body, "邀请结果"));
  EXPECT_TRUE(Has(other.body, "本批次已发出邀请 " + std::to_string(invited) + " 份"));
}

}  // namespace
}  // namespace qgrant::web
