// A round to the end over real HTTP, on SQLite and PostgreSQL (CONTRACT §7): allocation with the
// guide's strategy, the public notice on the official calendar and its files, objections upheld
// and dismissed, approval into the ledger with the service date moved past the notice, payments
// paid, failed and retried, the decision letter; a second round blocked by the first one's
// ledger entries; a no-application round from invitation to payment; and officers working at
// once without the allocated total ever passing the budget.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "common/calendar.h"
#include "round_fixture.h"

namespace qgrant::server {
namespace {

constexpr const char* kA = "91440300MA5XXXXXXR";
constexpr const char* kB = "914403001922038216";
constexpr const char* kC = "12440300MB2D00001R";

class RoundToTheEnd : public RoundTest {
 protected:
  void SetUp() override {
    RoundTest::SetUp();
    if (IsSkipped()) return;
    officer_ = AddUser("officer", "officer");
    reviewer_ = AddUser("reviewer", "reviewer");
    finance_ = AddUser("finance", "finance");
    auditor_ = AddUser("auditor", "auditor");
    a_ = AddUser("unit-a", "applicant", kA);
    b_ = AddUser("unit-b", "applicant", kB);
    c_ = AddUser("unit-c", "applicant", kC);
  }

  json Ok(const HttpAnswer& r, int status = 200) {
    EXPECT_EQ(r.status, status) << r.body;
    return r.status == status && !r.body.empty() && r.body[0] == '{' ? Body(r) : json();
  }

  void OpenRound(const std::string& id, int64_t budget, const std::string& opens = "2026-05-01") {
    Ok(Call(officer_, "POST", "/rounds",
            json{{"id", id},
                 {"title", id + " 年度资助"},
                 {"guide", "2026"},
                 {"budget_fen", budget},
                 {"opens_on", opens},
                 {"closes_on", "2026-12-31"}}
                .dump()),
       201);
  }

  // Creates, submits and accepts an application: its id.
  std::string Accepted(const std::string& token, const std::string& round, const std::string& body) {
    const std::string id = Ok(Call(token, "POST", "/rounds/" + round + "/applications", body), 201).value("id", "");
    Ok(Call(token, "POST", "/applications/" + id + "/actions/submit", "{}"));
    Ok(Call(reviewer_, "POST", "/applications/" + id + "/actions/accept", "{}"));
    return id;
  }

  static std::string DayAfter(const std::string& iso) { return common::FormatIsoDay(*common::ParseIsoDay(iso) + 1); }

  // The XML parts of an XLSX answer (a ZIP), read back with unzip.
  std::string XlsxPart(const std::string& bytes, const std::string& part) {
    const std::string file =
        (std::filesystem::temp_directory_path() / ("qgrant-test-" + std::to_string(::getpid()) + ".xlsx")).string();
    std::ofstream(file, std::ios::binary) << bytes;
    std::string out;
    if (FILE* p = ::popen(("unzip -p " + file + " " + part).c_str(), "r")) {
      char buf[4096];
      for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
      ::pclose(p);
    }
    std::filesystem::remove(file);
    return out;
  }

  std::string officer_, reviewer_, finance_, auditor_, a_, b_, c_;
};

std::string Certificates(const std::string& uscc, const std::string& name, const std::string& subject,
                         const std::vector<std::string>& numbers) {
  json certs = json::array();
  for (const auto& n : numbers)
    certs.push_back({{"type", "green_product"}, {"number", n}, {"issued_on", "2026-01-15"}});
  json j =
      json::parse(Application(uscc, name, "enterprise", "high_end_certification", subject, {{"certificates", certs}}));
  j["obtained_on"] = "2026-02-01";
  return j.dump();
}

TEST_P(RoundToTheEnd, AllocateNoticeObjectApprovePay) {
  OpenRound("r2026", 205'000'000);
  const std::string app1 = Accepted(
      a_, "r2026", Application(kA, "甲公司", "enterprise", "china_quality_award", "CQA-2025-A", {{"level", "winner"}}));
  const std::string app2 =
      Accepted(b_, "r2026",
               Application(kB, "乙公司", "enterprise", "guangdong_quality_award", "GQA-2025-B", {{"level", "winner"}}));
  const std::string app3 =
      Accepted(a_, "r2026", Certificates(kA, "甲公司", "HEC-2026-A", {"GP-2026-001", "GP-2026-002"}));
  // C's application, eligible to the engine, is refused at review: it takes no part in the rest.
  const std::string app4 =
      Ok(Call(c_, "POST", "/rounds/r2026/applications",
              Application(kC, "丙中心", "public_institution", "qi_demonstration", "QID-2026-C", {})),
         201)
          .value("id", "");
  Ok(Call(c_, "POST", "/applications/" + app4 + "/actions/submit", "{}"));
  Ok(Call(reviewer_, "POST", "/applications/" + app4 + "/actions/reject", R"({"note":"项目尚未建成运行"})"));

  // Allocation needs the round closed; then 410万 asked of 205万: every amount × 50%.
  EXPECT_EQ(Call(officer_, "POST", "/rounds/r2026/allocate", "{}").status, 409);
  Ok(Call(officer_, "POST", "/rounds/r2026/close", "{}"));
  EXPECT_EQ(Call(a_, "POST", "/rounds/r2026/allocate", "{}").status, 403);
  json r = Ok(Call(officer_, "POST", "/rounds/r2026/allocate", "{}"));
  EXPECT_EQ(r["eligible_total_fen"], 410'000'000);
  EXPECT_EQ(r["allocated_total_fen"], 205'000'000);
  ASSERT_EQ(r["applications"].size(), 3u);
  EXPECT_EQ(r["applications"][0]["allocated_fen"], 150'000'000);
  EXPECT_NE(r["applications"][0]["step"]["zh"].get<std::string>().find("折算比例50%"), std::string::npos) << r.dump();
  // Repeatable before the notice, with a new budget (audited): 164万 is 40%.
  r = Ok(Call(officer_, "POST", "/rounds/r2026/allocate", R"({"budget_fen":164000000})"));
  EXPECT_EQ(r["allocated_total_fen"], 164'000'000);
  EXPECT_EQ(r["applications"][0]["allocated_fen"], 120'000'000);
  EXPECT_EQ(r["applications"][1]["allocated_fen"], 40'000'000);
  EXPECT_EQ(r["applications"][2]["allocated_fen"], 4'000'000);
  EXPECT_EQ(r["applications"][2]["state"], "proposed");
  json seen = Ok(Call(a_, "GET", "/applications/" + app1));
  EXPECT_EQ(seen["state"], "accepted");                   // proposed reads as accepted until the notice
  EXPECT_EQ(seen["history"].back()["action"], "accept");  // and the allocation leaves no trace yet
  EXPECT_EQ(Ok(Call(officer_, "GET", "/rounds/r2026"))["by_state"]["proposed"]["amount_fen"], 164'000'000);

  // The notice: 5 working days from 2026-06-15 end on 2026-06-23 (the Dragon Boat holiday);
  // a year with no calendar is a 400 naming it; the list is not public before it starts.
  HttpAnswer bad = Call(officer_, "POST", "/rounds/r2026/notice", R"({"starts_on":"2027-03-01","working_days":5})");
  ASSERT_EQ(bad.status, 400) << bad.body;
  r = Body(bad);
  EXPECT_EQ(r["errors"][0]["field"], "starts_on");
  EXPECT_NE(r["errors"][0]["message"].get<std::string>().find("2027"), std::string::npos);
  r = Ok(Call(officer_, "POST", "/rounds/r2026/notice", R"({"starts_on":"2026-06-15","working_days":5})"));
  EXPECT_EQ(r["ends_on"], "2026-06-23");
  EXPECT_EQ(Fetch(server_->port(), "GET", "/api/v1/rounds/r2026/notice").status, 404);
  // Allocation is repeatable until the notice starts; the notice is then posted again.
  EXPECT_EQ(Ok(Call(officer_, "POST", "/rounds/r2026/allocate", "{}"))["allocated_total_fen"], 164'000'000);
  EXPECT_EQ(Ok(Call(officer_, "GET", "/rounds/r2026"))["state"], "allocated");
  EXPECT_EQ(
      Ok(Call(officer_, "POST", "/rounds/r2026/notice", R"({"starts_on":"2026-06-15","working_days":5})"))["ends_on"],
      "2026-06-23");

  StartServer("2026-06-15");
  EXPECT_EQ(Call(officer_, "POST", "/rounds/r2026/allocate", "{}").status, 409);   // the notice has started
  HttpAnswer list = Fetch(server_->port(), "GET", "/api/v1/rounds/r2026/notice");  // anyone
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Body(list)["total_fen"], 164'000'000);
  ASSERT_EQ(Body(list)["items"].size(), 3u);
  EXPECT_EQ(Body(list)["items"][0]["item"], "中国质量奖");
  EXPECT_EQ(Body(list)["items"][2]["item"], "GP-2026-001、GP-2026-002");
  EXPECT_EQ(Body(list)["items"][1]["name"], "乙公司");
  HttpAnswer csv = Fetch(server_->port(), "GET", "/api/v1/rounds/r2026/notice?format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("\xEF\xBB\xBF统一社会信用代码,单位名称,措施,条款,项目,拟资助金额（万元）\r\n", 0), 0u)
      << csv.body;
  EXPECT_NE(csv.body.find("91440300MA5XXXXXXR,甲公司,中国质量奖,第（八）条,中国质量奖,120\r\n"), std::string::npos)
      << csv.body;
  EXPECT_NE(csv.body.find("合计,,,,,164\r\n"), std::string::npos) << csv.body;
  HttpAnswer xlsx = Fetch(server_->port(), "GET", "/api/v1/rounds/r2026/notice?format=xlsx");
  ASSERT_EQ(xlsx.status, 200);
  const std::string sheet = XlsxPart(xlsx.body, "xl/worksheets/sheet1.xml");
  EXPECT_NE(sheet.find("<v>120</v>"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("<f>SUM(F2:F4)</f><v>164</v>"), std::string::npos) << sheet;
  EXPECT_NE(XlsxPart(xlsx.body, "xl/sharedStrings.xml").find("拟资助金额（万元）"), std::string::npos);
  EXPECT_EQ(Call(a_, "GET", "/applications/" + app1).status, 200);
  EXPECT_EQ(Ok(Call(a_, "GET", "/applications/" + app1))["state"], "in_notice");

  // Objections: B objects to A's award (upheld), A to B's (dismissed); only on the list.
  EXPECT_EQ(
      Call(b_, "POST", "/rounds/r2026/objections", json{{"application_id", "APP-999999"}, {"text", "x"}}.dump()).status,
      400);
  const std::string o1 = Ok(Call(b_, "POST", "/rounds/r2026/objections",
                                 json{{"application_id", app1}, {"text", "该奖项获奖单位非申报单位"}}.dump()),
                            201)["id"];
  const std::string o2 =
      Ok(Call(a_, "POST", "/rounds/r2026/objections", json{{"application_id", app2}, {"text", "材料不实"}}.dump()),
         201)["id"];
  EXPECT_EQ(Call(a_, "GET", "/rounds/r2026/objections").status, 403);
  EXPECT_EQ(Ok(Call(auditor_, "GET", "/rounds/r2026/objections"))["items"].size(), 2u);
  StartServer("2026-06-24");
  EXPECT_EQ(Call(officer_, "POST", "/rounds/r2026/approve", "{}").status, 409);  // objections open
  Ok(Call(officer_, "POST", "/objections/" + o1 + "/resolve", R"({"upheld":true,"note":"经核实异议成立"})"));
  Ok(Call(officer_, "POST", "/objections/" + o2 + "/resolve", R"({"upheld":false,"note":"经核实异议不成立"})"));
  EXPECT_EQ(Call(officer_, "POST", "/objections/" + o1 + "/resolve", R"({"upheld":false})").status, 409);
  json a1 = Ok(Call(officer_, "GET", "/applications/" + app1));
  EXPECT_EQ(a1["state"], "rejected");
  EXPECT_EQ(a1["allocated_fen"], 0);
  EXPECT_EQ(Body(Fetch(server_->port(), "GET", "/api/v1/rounds/r2026/notice"))["total_fen"], 44'000'000);
  // After the notice: an objection is too late; the letter waits for approval.
  EXPECT_EQ(
      Call(b_, "POST", "/rounds/r2026/objections", json{{"application_id", app3}, {"text", "迟到"}}.dump()).status,
      409);
  EXPECT_EQ(Call(a_, "GET", "/applications/" + app3 + "/letter").status, 404);

  // Approval: the noticed applications, into the ledger, with pending payments; once only.
  r = Ok(Call(officer_, "POST", "/rounds/r2026/approve", "{}"));
  EXPECT_EQ(r["approved"], json({app2, app3}));
  EXPECT_EQ(r["approved_total_fen"], 44'000'000);
  EXPECT_EQ(r["payments"], 2);
  EXPECT_EQ(Call(officer_, "POST", "/rounds/r2026/approve", "{}").status, 409);
  json ledger = Ok(Call(a_, "GET", "/ledger"));
  ASSERT_EQ(ledger["items"].size(), 2u) << ledger.dump();  // one entry per paid certificate, 4万 split 2万 + 2万
  EXPECT_EQ(ledger["items"][0]["subject"], "GP-2026-001");
  EXPECT_EQ(ledger["items"][0]["amount_fen"], 2'000'000);
  EXPECT_EQ(ledger["items"][1]["amount_fen"], 2'000'000);
  EXPECT_EQ(ledger["items"][0]["granted_on"], "2026-06-24");
  EXPECT_EQ(Call(a_, "GET", "/ledger?uscc=" + std::string(kB)).status, 404);
  json one = Ok(Call(a_, "GET", "/ledger?limit=1"));
  ASSERT_EQ(one["items"].size(), 1u);
  EXPECT_EQ(one["items"][0], ledger["items"][0]);
  ASSERT_TRUE(one["next_cursor"].is_string());
  EXPECT_EQ(Ok(Call(a_, "GET", "/ledger?limit=1&cursor=" + one["next_cursor"].get<std::string>()))["items"][0],
            ledger["items"][1]);
  EXPECT_EQ(Call(a_, "GET", "/ledger?limit=501&bogus=1").status, 400);

  // Payments: B paid; C failed, then retried and paid; paid is final.
  EXPECT_EQ(Call(officer_, "GET", "/rounds/r2026/payments").status, 403);
  json pays = Ok(Call(finance_, "GET", "/rounds/r2026/payments"));
  ASSERT_EQ(pays["items"].size(), 2u);
  // A list like every other (§7 "Lists"): pages of `limit`, an opaque cursor, the totals whole.
  json first_page = Ok(Call(finance_, "GET", "/rounds/r2026/payments?limit=1"));
  ASSERT_EQ(first_page["items"].size(), 1u);
  ASSERT_TRUE(first_page["next_cursor"].is_string()) << first_page.dump();
  EXPECT_EQ(first_page["totals"], pays["totals"]);
  json second_page = Ok(
      Call(finance_, "GET", "/rounds/r2026/payments?limit=1&cursor=" + first_page["next_cursor"].get<std::string>()));
  ASSERT_EQ(second_page["items"].size(), 1u);
  EXPECT_TRUE(second_page["next_cursor"].is_null());
  EXPECT_EQ(second_page["items"][0], pays["items"][1]);
  EXPECT_EQ(Call(finance_, "GET", "/rounds/r2026/payments?limit=0").status, 400);
  EXPECT_EQ(Call(finance_, "GET", "/rounds/r2026/payments?cursor=99").status, 400);
  EXPECT_EQ(Call(finance_, "GET", "/rounds/r2026/payments?cursor=x").status, 400);
  EXPECT_EQ(pays["totals"]["pending"]["amount_fen"], 44'000'000);
  std::map<std::string, std::string> pay;
  for (const auto& p : pays["items"]) pay[p["application_id"]] = p["id"];
  const std::string p2 = "/payments/" + pay[app2], p3 = "/payments/" + pay[app3];
  EXPECT_EQ(Call(finance_, "POST", p2, R"({"status":"paid"})").status, 400);  // a paid payment needs its reference
  // A null reference is no reference (§6), refused as one, never a 500; a tab alone is none either.
  EXPECT_EQ(Call(finance_, "POST", p2, R"({"status":"paid","reference":null})").status, 400);
  EXPECT_EQ(Call(finance_, "POST", p2, R"({"status":"paid","reference":"\t"})").status, 400);
  Ok(Call(finance_, "POST", p2, R"({"status":"paid","reference":"BANK-0001"})"));
  Ok(Call(finance_, "POST", p3, R"({"status":"failed","reference":"账户名称不符"})"));
  EXPECT_EQ(Ok(Call(finance_, "GET", "/rounds/r2026/payments"))["totals"]["failed"]["amount_fen"], 4'000'000);
  r = Ok(Call(finance_, "POST", p3, R"({"status":"paid","reference":"BANK-0002"})"));
  EXPECT_EQ(r["attempts"], 2);
  EXPECT_EQ(Call(finance_, "POST", p3, R"({"status":"failed"})").status, 409);
  pays = Ok(Call(finance_, "GET", "/rounds/r2026/payments"));
  EXPECT_EQ(pays["totals"]["paid"]["count"], 2);
  EXPECT_EQ(pays["totals"]["paid"]["amount_fen"], 44'000'000);
  EXPECT_EQ(pays["totals"]["pending"]["count"], 0);
  EXPECT_EQ(Ok(Call(b_, "GET", "/applications/" + app2))["state"], "paid");
  HttpAnswer file = Call(finance_, "GET", "/rounds/r2026/payments?format=csv");
  EXPECT_EQ(file.body.rfind("\xEF\xBB\xBF收款单位,统一社会信用代码,金额（元）,付款参考号", 0), 0u) << file.body;
  EXPECT_NE(file.body.find("乙公司,914403001922038216,400000.00,BANK-0001"), std::string::npos) << file.body;
  // The file's payment number is the API's id, as finance posts it back (POST /payments/{id}).
  EXPECT_NE(file.body.find("BANK-0001," + pay[app2] + "," + app2 + ","), std::string::npos) << file.body;
  EXPECT_NE(file.body.find("合计,,440000.00,"), std::string::npos) << file.body;
  const std::string pay_sheet =
      XlsxPart(Call(finance_, "GET", "/rounds/r2026/payments?format=xlsx").body, "xl/worksheets/sheet1.xml");
  EXPECT_NE(pay_sheet.find("<v>400000</v>"), std::string::npos) << pay_sheet;
  EXPECT_NE(pay_sheet.find("<v>440000</v>"), std::string::npos) << pay_sheet;

  // The decision letters: the unit's own, citing the clause, the amount and the budget step.
  HttpAnswer letter = Call(a_, "GET", "/applications/" + app3 + "/letter");
  ASSERT_EQ(letter.status, 200) << letter.body;
  EXPECT_NE(letter.body.find("资助决定书"), std::string::npos);
  EXPECT_NE(letter.body.find("第（三）条"), std::string::npos);
  EXPECT_NE(letter.body.find("4万元（40,000.00元）"), std::string::npos);
  EXPECT_NE(letter.body.find("折算比例40%"), std::string::npos);
  EXPECT_NE(letter.body.find("批准日期</th><td>2026年6月24日"), std::string::npos) << letter.body;
  EXPECT_NE(letter.Header("Content-Security-Policy").find("default-src 'none'"), std::string::npos);
  HttpAnswer pdf = Call(a_, "GET", "/applications/" + app3 + "/letter?format=pdf");
  ASSERT_EQ(pdf.status, 200);
  EXPECT_EQ(pdf.Header("Content-Type"), "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  EXPECT_NE(pdf.body.find("NotoSansCJK"), std::string::npos);  // the CJK font is embedded, not substituted
  // Refusal letters say how the application came to its end and why, with no amount: A's award,
  // refused on an upheld objection, went through the notice; C's, refused at review, did not.
  const std::string refused = Call(a_, "GET", "/applications/" + app1 + "/letter").body;
  EXPECT_NE(refused.find("不予资助告知书"), std::string::npos);
  EXPECT_NE(refused.find("经审核、评审、资金分配和公示，现决定如下"), std::string::npos) << refused;
  EXPECT_NE(refused.find("公示期内异议成立：经核实异议成立"), std::string::npos) << refused;
  EXPECT_EQ(refused.find("核定金额"), std::string::npos) << refused;
  EXPECT_EQ(Ok(Call(a_, "GET", "/applications/" + app1))["history"].back()["note"],
            "异议成立：经核实异议成立 / objection upheld");
  const std::string at_review = Call(c_, "GET", "/applications/" + app4 + "/letter").body;
  EXPECT_NE(at_review.find("经审核，现决定如下"), std::string::npos) << at_review;
  EXPECT_NE(at_review.find("经审核不予资助：项目尚未建成运行"), std::string::npos) << at_review;
  EXPECT_EQ(at_review.find("核定金额"), std::string::npos) << at_review;
  EXPECT_EQ(at_review.find("按上限"), std::string::npos) << at_review;
  EXPECT_EQ(Call(a_, "GET", "/applications/" + app2 + "/letter").status, 404);

  auto verdict = store::VerifyAuditAt(url_);
  ASSERT_TRUE(verdict.ok()) << verdict.status().message();
  EXPECT_TRUE(verdict->ok) << verdict->reason;

  // A second round sees the first one's awards in the ledger.
  OpenRound("r2026b", 500'000'000, "2026-06-24");
  json again =
      Ok(Call(b_, "POST", "/rounds/r2026b/applications",
              Application(kB, "乙公司", "enterprise", "guangdong_quality_award", "GQA-2026-B", {{"level", "winner"}})),
         201);
  EXPECT_EQ(again["decision"]["outcome"], "ineligible") << again.dump();
  again = Ok(
      Call(a_, "POST", "/rounds/r2026b/applications", Certificates(kA, "甲公司", "HEC-2026-A2", {"GP-2026-001"})), 201);
  EXPECT_EQ(again["decision"]["outcome"], "ineligible") << again.dump();
  EXPECT_EQ(again["decision"]["amount_fen"], 0);
}

// A letter tells a decision: an application the round left undecided (submitted, never
// accepted) has none once the round is approved, rather than a refusal with no reason.
TEST_P(RoundToTheEnd, AnUndecidedApplicationHasNoLetter) {
  OpenRound("r1", 100'000'000);
  const std::string decided = Accepted(
      a_, "r1", Application(kA, "甲公司", "enterprise", "china_quality_award", "CQA-L", {{"level", "winner"}}));
  const std::string undecided =
      Ok(Call(a_, "POST", "/rounds/r1/applications",
              Application(kA, "甲公司", "enterprise", "qi_demonstration", "QID-L", json::object())),
         201)
          .value("id", "");
  Ok(Call(a_, "POST", "/applications/" + undecided + "/actions/submit", "{}"));
  Ok(Call(officer_, "POST", "/rounds/r1/close", "{}"));
  Ok(Call(officer_, "POST", "/rounds/r1/allocate", "{}"));
  json r = Ok(Call(officer_, "POST", "/rounds/r1/notice", R"({"starts_on":"2026-06-01","working_days":5})"));
  StartServer(DayAfter(r["ends_on"]));
  Ok(Call(officer_, "POST", "/rounds/r1/approve", "{}"));
  EXPECT_EQ(Call(a_, "GET", "/applications/" + decided + "/letter").status, 200);
  EXPECT_EQ(Ok(Call(a_, "GET", "/applications/" + undecided))["state"], "submitted");
  EXPECT_EQ(Call(a_, "GET", "/applications/" + undecided + "/letter").status, 404);
}

// The allocation's decision is made beside the round's other applications: a unit's second
// winner of the same award is "not the first time" there. Before the notice the unit sees each
// application decided on its own, or the decision would give the hidden outcome away.
TEST_P(RoundToTheEnd, TheAllocationsDecisionStaysHiddenUntilTheNoticeStarts) {
  OpenRound("r1", 100'000'000);
  const std::string first = Accepted(
      a_, "r1", Application(kA, "甲公司", "enterprise", "guangdong_quality_award", "GDQA-1", {{"level", "winner"}}));
  const std::string second = Accepted(
      a_, "r1", Application(kA, "甲公司", "enterprise", "guangdong_quality_award", "GDQA-2", {{"level", "winner"}}));
  Ok(Call(officer_, "POST", "/rounds/r1/close", "{}"));
  Ok(Call(officer_, "POST", "/rounds/r1/allocate", "{}"));
  ASSERT_EQ(Ok(Call(officer_, "GET", "/applications/" + second))["decision"]["outcome"], "ineligible");
  for (const std::string& id : {first, second}) {
    const json seen = Ok(Call(a_, "GET", "/applications/" + id));
    EXPECT_EQ(seen["state"], "accepted");
    EXPECT_EQ(seen["decision"]["outcome"], "eligible") << seen.dump();
    EXPECT_EQ(seen.dump().find("not_first_time"), std::string::npos) << seen.dump();
  }
  for (const auto& item : Ok(Call(a_, "GET", "/applications?round=r1"))["items"]) {
    EXPECT_EQ(item["decision"]["outcome"], "eligible") << item.dump();
  }
}

// Until the notice starts an applicant sees proposed and not_funded as accepted, everywhere: the
// case, the list and its state filter, the history, a 409, the round's totals; and no allocated
// amount or budget step. Once the notice starts it sees them as they are.
TEST_P(RoundToTheEnd, TheOutcomeStaysHiddenFromTheApplicantUntilTheNoticeStarts) {
  const std::string expert = AddUser("expert", "expert");
  OpenRound("r1", 100'000'000);
  const std::string funded = Accepted(
      a_, "r1", Application(kA, "甲公司", "enterprise", "china_quality_award", "CQA-2025-A", {{"level", "winner"}}));
  // Not funded: its experts' review fails (（七） needs one), so the round decides it ineligible.
  const std::string unfunded =
      Ok(Call(a_, "POST", "/rounds/r1/applications",
              Application(kA, "甲公司", "enterprise", "qi_demonstration", "QID-2025-A", json::object())),
         201)
          .value("id", "");
  Ok(Call(a_, "POST", "/applications/" + unfunded + "/actions/submit", "{}"));
  Ok(Call(expert, "POST", "/applications/" + unfunded + "/reviews", R"({"passed":false,"score":40})"), 201);
  Ok(Call(reviewer_, "POST", "/applications/" + unfunded + "/actions/accept", "{}"));
  const json before_allocation = Ok(Call(a_, "GET", "/rounds/r1"));
  Ok(Call(officer_, "POST", "/rounds/r1/close", "{}"));
  json r = Ok(Call(officer_, "POST", "/rounds/r1/allocate", "{}"));
  ASSERT_EQ(r["applications"].size(), 2u) << r.dump();
  EXPECT_EQ(Ok(Call(officer_, "GET", "/applications/" + funded))["state"], "proposed");
  EXPECT_EQ(Ok(Call(officer_, "GET", "/applications/" + funded))["allocated_fen"], 100'000'000);
  EXPECT_EQ(Ok(Call(officer_, "GET", "/applications/" + unfunded))["state"], "not_funded");

  // The applicant's ids for a list query.
  auto ids = [&](const std::string& query) {
    std::vector<std::string> out;
    const json list = Ok(Call(a_, "GET", "/applications?" + query));
    for (const auto& a : list["items"]) out.push_back(a["id"]);
    return out;
  };
  const std::vector<std::string> both = {funded, unfunded}, none;
  auto expect_hidden = [&](const std::string& when) {
    SCOPED_TRACE(when);
    for (const std::string& app : both) {
      const json seen = Ok(Call(a_, "GET", "/applications/" + app));
      EXPECT_EQ(seen["state"], "accepted");
      EXPECT_TRUE(seen["allocated_fen"].is_null()) << seen.dump();
      EXPECT_FALSE(seen["decision"].contains("allocated_fen")) << seen["decision"].dump();
      EXPECT_FALSE(seen["decision"].contains("allocation")) << seen["decision"].dump();
      EXPECT_EQ(seen["history"].back()["action"], "accept") << seen["history"].dump();
      EXPECT_EQ(seen["history"].back()["to"], "accepted");
      // A wrong-state 409 names the state the applicant sees.
      HttpAnswer refused = Call(a_, "POST", "/applications/" + app + "/actions/withdraw", "{}");
      EXPECT_EQ(refused.status, 409);
      EXPECT_EQ(Body(refused)["state"], "accepted") << refused.body;
      EXPECT_EQ(Body(refused)["detail"].get<std::string>().find("proposed"), std::string::npos) << refused.body;
      EXPECT_EQ(Body(refused)["detail"].get<std::string>().find("not_funded"), std::string::npos) << refused.body;
    }
    EXPECT_EQ(ids("round=r1&state=accepted"), both);
    EXPECT_EQ(ids("state=accepted"), both);
    for (const char* state : {"proposed", "not_funded", "in_notice"}) {
      EXPECT_EQ(ids(std::string("round=r1&state=") + state), none) << state;
      EXPECT_EQ(ids(std::string("state=") + state), none) << state;
    }
    const json list = Ok(Call(a_, "GET", "/applications?round=r1"));
    ASSERT_EQ(list["items"].size(), 2u);
    for (const auto& a : list["items"]) {
      EXPECT_EQ(a["state"], "accepted");
      EXPECT_TRUE(a["allocated_fen"].is_null());
    }
    // The round's totals as before allocation: every case accepted, at the decisions' amounts.
    const json round = Ok(Call(a_, "GET", "/rounds/r1"));
    EXPECT_EQ(round["by_state"], before_allocation["by_state"]) << round.dump();
    EXPECT_EQ(round["by_measure"], before_allocation["by_measure"]) << round.dump();
    EXPECT_EQ(Ok(Call(a_, "GET", "/rounds"))["items"][0]["by_state"], before_allocation["by_state"]);
  };
  EXPECT_EQ(before_allocation["by_state"]["accepted"]["count"], 2) << before_allocation.dump();
  expect_hidden("allocated");
  // Staff still see the round as it is.
  const json staff_round = Ok(Call(officer_, "GET", "/rounds/r1"));
  EXPECT_EQ(staff_round["by_state"]["proposed"]["amount_fen"], 100'000'000);
  EXPECT_EQ(staff_round["by_state"]["not_funded"]["count"], 1);
  EXPECT_EQ(staff_round["by_measure"]["china_quality_award"]["amount_fen"], 100'000'000);

  // A notice posted to start later moves the proposed case to in_notice; it stays hidden.
  Ok(Call(officer_, "POST", "/rounds/r1/notice", R"({"starts_on":"2026-06-15","working_days":5})"));
  EXPECT_EQ(Ok(Call(officer_, "GET", "/applications/" + funded))["state"], "in_notice");
  expect_hidden("noticed, not started");

  // From its first day the applicant sees the outcome.
  StartServer("2026-06-15");
  json seen = Ok(Call(a_, "GET", "/applications/" + funded));
  EXPECT_EQ(seen["state"], "in_notice");
  EXPECT_EQ(seen["allocated_fen"], 100'000'000);
  EXPECT_EQ(seen["decision"]["allocated_fen"], 100'000'000);
  EXPECT_EQ(seen["history"].back()["action"], "notice");
  seen = Ok(Call(a_, "GET", "/applications/" + unfunded));
  EXPECT_EQ(seen["state"], "not_funded");
  EXPECT_EQ(seen["allocated_fen"], 0);
  EXPECT_EQ(seen["history"].back()["action"], "allocate");
  EXPECT_EQ(ids("round=r1&state=accepted"), none);
  EXPECT_EQ(ids("round=r1&state=in_notice"), std::vector<std::string>{funded});
  EXPECT_EQ(ids("state=not_funded"), std::vector<std::string>{unfunded});
  const json round = Ok(Call(a_, "GET", "/rounds/r1"));
  EXPECT_EQ(round["by_state"], Ok(Call(officer_, "GET", "/rounds/r1"))["by_state"]);
  EXPECT_FALSE(round["by_state"].contains("accepted")) << round.dump();
}

TEST_P(RoundToTheEnd, AnUpheldObjectionAllowsAllocatingAgainBeforeTheNoticeRestarts) {
  OpenRound("r1", 100'000'000);
  const std::string app1 = Accepted(
      a_, "r1", Application(kA, "甲公司", "enterprise", "guangdong_quality_award", "G-A", {{"level", "winner"}}));
  const std::string app2 = Accepted(
      b_, "r1", Application(kB, "乙公司", "enterprise", "guangdong_quality_award", "G-B", {{"level", "winner"}}));
  Ok(Call(officer_, "POST", "/rounds/r1/close", "{}"));
  EXPECT_EQ(Ok(Call(officer_, "POST", "/rounds/r1/allocate", "{}"))["applications"][1]["allocated_fen"], 50'000'000);
  Ok(Call(officer_, "POST", "/rounds/r1/notice", R"({"starts_on":"2026-06-01","working_days":3})"));
  EXPECT_EQ(Call(officer_, "POST", "/rounds/r1/allocate", "{}").status, 409);
  const std::string o =
      Ok(Call(b_, "POST", "/rounds/r1/objections", json{{"application_id", app1}, {"text", "不实"}}.dump()), 201)["id"];
  Ok(Call(officer_, "POST", "/objections/" + o + "/resolve", R"({"upheld":true,"note":"成立"})"));
  // The released amount goes to B only through a new allocation, and the notice starts again.
  json r = Ok(Call(officer_, "POST", "/rounds/r1/allocate", "{}"));
  ASSERT_EQ(r["applications"].size(), 1u);
  EXPECT_EQ(r["applications"][0]["id"], app2);
  EXPECT_EQ(r["applications"][0]["allocated_fen"], 100'000'000);
  EXPECT_EQ(Ok(Call(officer_, "GET", "/rounds/r1"))["state"], "allocated");
  EXPECT_EQ(Call(officer_, "POST", "/rounds/r1/approve", "{}").status, 409);
  r = Ok(Call(officer_, "POST", "/rounds/r1/notice", R"({"starts_on":"2026-06-02","working_days":3})"));
  StartServer(DayAfter(r["ends_on"]));
  EXPECT_EQ(Ok(Call(officer_, "POST", "/rounds/r1/approve", "{}"))["approved_total_fen"], 100'000'000);
  auto audit = Ok(Call(auditor_, "GET", "/audit?limit=500"));
  int allocations = 0;
  for (const auto& e : audit["items"]) allocations += e["action"] == "round.allocate";
  EXPECT_EQ(allocations, 2);
}

TEST_P(RoundToTheEnd, ANoApplicationRoundFromInvitationToPayment) {
  OpenRound("proactive", 100'000'000);
  json unit_c = {{"uscc", kC},
                 {"name", "丙中心"},
                 {"kind", "public_institution"},
                 {"registered_in_shenzhen", true},
                 {"serious_dishonesty", false},
                 {"achievements",
                  {{{"measure", "china_quality_award"},
                    {"subject", "CQA-2025-C"},
                    {"obtained_on", "2025-09-12"},
                    {"facts", {{"level", "nominee"}}}}}}};
  json unknown = {{"uscc", "91440300708461136T"},
                  {"name", "某网络公司"},
                  {"kind", "enterprise"},
                  {"registered_in_shenzhen", true},
                  {"serious_dishonesty", false},
                  {"achievements",
                   {{{"measure", "china_quality_award"}, {"subject", "CQA-2025-X"}, {"obtained_on", "2025-09-12"}}}}};
  EXPECT_EQ(Call(a_, "POST", "/rounds/proactive/invitations", json{{"registry", {unit_c}}}.dump()).status, 403);
  json r = Ok(Call(officer_, "POST", "/rounds/proactive/invitations", json{{"registry", {unit_c, unknown}}}.dump()));
  EXPECT_EQ(r["invited"], 1);
  ASSERT_EQ(r["undetermined"].size(), 1u) << r.dump();
  EXPECT_EQ(r["undetermined"][0]["uscc"], "91440300708461136T");
  EXPECT_FALSE(r["undetermined"][0]["missing"].empty());
  // The same registry again invites nobody twice; JSON Lines work as well.
  r = Ok(Call(officer_, "POST", "/rounds/proactive/invitations",
              unit_c.dump() + "\nnot a unit\n" + unknown.dump() + "\n"));
  EXPECT_EQ(r["invited"], 0);
  EXPECT_EQ(r["bad_lines"], 1);
  EXPECT_EQ(r["undetermined"].size(), 1u);

  EXPECT_EQ(Ok(Call(a_, "GET", "/invitations"))["items"].size(), 0u);
  json mine = Ok(Call(c_, "GET", "/invitations"));
  ASSERT_EQ(mine["items"].size(), 1u);
  EXPECT_EQ(mine["items"][0]["amount_fen"], 100'000'000);
  const std::string inv = mine["items"][0]["id"].get<std::string>();
  EXPECT_EQ(Call(a_, "POST", "/invitations/" + inv + "/confirm", "{}").status, 404);  // another unit's
  json app = Ok(Call(c_, "POST", "/invitations/" + inv + "/confirm", "{}"), 201);
  EXPECT_EQ(app["state"], "submitted");
  EXPECT_EQ(app["decision"]["outcome"], "eligible");
  EXPECT_EQ(Call(c_, "POST", "/invitations/" + inv + "/confirm", "{}").status, 409);
  EXPECT_EQ(Call(c_, "POST", "/invitations/" + inv + "/decline", "{}").status, 409);

  const std::string id = app["id"];
  Ok(Call(reviewer_, "POST", "/applications/" + id + "/actions/accept", "{}"));
  Ok(Call(officer_, "POST", "/rounds/proactive/close", "{}"));
  EXPECT_EQ(Ok(Call(officer_, "POST", "/rounds/proactive/allocate", "{}"))["allocated_total_fen"], 100'000'000);
  r = Ok(Call(officer_, "POST", "/rounds/proactive/notice", R"({"starts_on":"2026-06-01","working_days":5})"));
  StartServer(DayAfter(r["ends_on"]));
  Ok(Call(officer_, "POST", "/rounds/proactive/approve", "{}"));
  json pays = Ok(Call(finance_, "GET", "/rounds/proactive/payments"));
  Ok(Call(finance_, "POST", "/payments/" + pays["items"][0]["id"].get<std::string>(),
          R"({"status":"paid","reference":"BANK-9"})"));
  EXPECT_EQ(Ok(Call(c_, "GET", "/applications/" + id))["state"], "paid");
  int audited = 0;
  const json audit = Ok(Call(auditor_, "GET", "/audit?limit=500"));
  for (const auto& e : audit["items"]) audited += e["action"].get<std::string>().rfind("invitation.", 0) == 0;
  EXPECT_EQ(audited, 2);  // created, confirmed
}

// Officers allocating with changing budgets, posting the notice and trying to approve, a
// reviewer rejecting, and a reader checking every answer, all at once over HTTP: the allocated
// total never passes the budget, and the audit chain verifies.
TEST_P(RoundToTheEnd, TheBudgetHoldsUnderConcurrentOfficers) {
  OpenRound("busy", 300'000'000);
  std::vector<std::string> apps;
  const char* units[] = {kA, kB};
  const std::string tokens[] = {a_, b_};
  for (int i = 0; i < 6; ++i) {
    apps.push_back(Accepted(tokens[i % 2], "busy",
                            Application(units[i % 2], i % 2 ? "乙公司" : "甲公司", "enterprise", "metrology",
                                        "ME-" + std::to_string(i), {{"activity", "demonstration"}})));
  }
  Ok(Call(officer_, "POST", "/rounds/busy/close", "{}"));
  const std::string officer2 = AddUser("officer2", "officer");
  std::atomic<int> violations{0}, answered{0}, refused{0}, reads{0};
  auto allocated_within_budget = [&](const json& round) {
    int64_t allocated = 0;
    for (const char* s : {"proposed", "in_notice", "approved", "paid"}) {
      if (round["by_state"].contains(s)) allocated += round["by_state"][s]["amount_fen"].get<int64_t>();
    }
    return allocated <= round["budget_fen"].get<int64_t>();
  };
  std::vector<std::thread> threads;
  for (const std::string& token : {officer_, officer2}) {
    threads.emplace_back([&, token] {
      for (int k = 0; k < 12; ++k) {
        const int64_t budget = 10'000'000 + 7'777'777 * k;
        HttpAnswer r = Call(token, "POST", "/rounds/busy/allocate", json{{"budget_fen", budget}}.dump());
        if (r.status == 200) {
          ++answered;
          json j = Body(r);
          if (j["allocated_total_fen"].get<int64_t>() > j["budget_fen"].get<int64_t>()) ++violations;
        } else if (r.status == 409) {
          ++refused;  // the notice had started
        } else {
          ++violations;
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (int k = 0; k < 30; ++k) {
      HttpAnswer r = Call(auditor_, "GET", "/rounds/busy");
      ++reads;
      if (r.status != 200 || !allocated_within_budget(Body(r))) ++violations;
    }
  });
  threads.emplace_back([&] {
    Call(reviewer_, "POST", "/applications/" + apps[0] + "/actions/reject", R"({"note":"材料不全"})");
    // The notice is posted while the officers are still allocating.
    for (int waited = 0; answered < 8 && waited < 1000; ++waited)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    Call(officer_, "POST", "/rounds/busy/notice", R"({"starts_on":"2026-06-01","working_days":5})");
    for (int k = 0; k < 5; ++k) {
      if (Call(officer2, "POST", "/rounds/busy/approve", "{}").status != 409) ++violations;  // the notice has not ended
    }
  });
  for (auto& t : threads) t.join();
  std::cout << "concurrent officers: " << answered << " allocations answered, " << refused << " refused (409), "
            << reads << " reads of the round checked, " << violations << " over the budget or failed\n";
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(answered.load(), 0);
  EXPECT_TRUE(allocated_within_budget(Ok(Call(auditor_, "GET", "/rounds/busy"))));
  auto verdict = store::VerifyAuditAt(url_);
  ASSERT_TRUE(verdict.ok()) << verdict.status().message();
  EXPECT_TRUE(verdict->ok) << verdict->reason;
}

INSTANTIATE_TEST_SUITE_P(Backends, RoundToTheEnd, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace qgrant::server
