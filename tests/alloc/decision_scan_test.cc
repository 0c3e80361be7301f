// DecisionScanner (one decision line, validated in one pass) and ScanDecisions (pass 1 over a whole
// file on several threads): what is refused, what is kept, and when a line can take the
// allocation spliced into its text.
#include "alloc/decision_scan.h"

#include <gtest/gtest.h>

#include <string>

#include "alloc/decisions_file.h"

namespace qgrant::alloc {
namespace {

std::string ErrorOf(std::string_view line) {
  DecisionScanner scanner;
  ScannedDecision d;
  return scanner.Scan(line, &d);
}

ScannedDecision Scanned(std::string_view line) {
  DecisionScanner scanner;
  ScannedDecision d;
  EXPECT_EQ(scanner.Scan(line, &d), "") << line;
  return d;
}

TEST(DecisionScanTest, ReadsTheFieldsTheBudgetNeeds) {
  const ScannedDecision d = Scanned(
      R"({"id":"2026-CQA-0001","measure":"china_quality_award","clause":"三（八）","outcome":"eligible","cap_fen":300000000,"amount_fen":250000000,"reasons":[],"items":[]})");
  EXPECT_TRUE(d.eligible);
  EXPECT_EQ(d.id, "\"2026-CQA-0001\"");
  EXPECT_EQ(d.measure, "china_quality_award");
  EXPECT_EQ(d.clause, "三（八）");
  EXPECT_EQ(d.amount_fen, 250000000);
  EXPECT_EQ(d.cap_fen, 300000000);
  EXPECT_TRUE(d.canonical);
  EXPECT_FALSE(Scanned(R"({"id":null,"outcome":"invalid"})").eligible);
  EXPECT_EQ(Scanned(R"({"id":null,"outcome":"invalid"})").id, "");
}

TEST(DecisionScanTest, KnowsWhenTheWriterWouldPrintTheLineDifferently) {
  EXPECT_TRUE(
      Scanned(
          R"({"id":"t","outcome":"eligible","amount_fen":1,"s":"\"\\\b\f\n\r\t\u0001\u001f","n":-9223372036854775808})")
          .canonical);
  EXPECT_TRUE(
      Scanned(R"({"id":"t","outcome":"eligible","amount_fen":1,"u":18446744073709551615,"e":{},"a":[]})").canonical);
  for (const char* line : {R"({ "id":"t","outcome":"eligible","amount_fen":1})",
                           R"({"id":"t","outcome":"eligible","amount_fen":1,"x":1.5})",
                           R"({"id":"t","outcome":"eligible","amount_fen":1,"x":-0})",
                           R"({"id":"t","outcome":"eligible","amount_fen":1,"x":"a\/b"})",
                           R"({"id":"t","outcome":"eligible","amount_fen":1,"x":"\u00e9"})",
                           R"({"id":"t","outcome":"eligible","amount_fen":1,"x":"\u000A"})",
                           R"({"id":"t","outcome":"eligible","amount_fen":1,"x":"\u001F"})",
                           R"({"id":"t","outcome":"eligible","amount_fen":1,"x":18446744073709551616})",
                           R"({"id":"t","outcome":"eligible","amount_fen":1,"allocated_fen":3})",
                           R"({"id":"t","outcome":"eligible","amount_fen":1,"allocation":{}})"}) {
    EXPECT_FALSE(Scanned(line).canonical) << line;
  }
}

TEST(DecisionScanTest, RefusesRepeatedMemberNamesAtAnyDepth) {
  EXPECT_NE(
      ErrorOf(R"({"id":"t","outcome":"eligible","amount_fen":1,"amount_fen":2})").find("\"amount_fen\" appears twice"),
      std::string::npos);
  EXPECT_NE(ErrorOf(R"({"outcome":"ineligible","r":[{"a":1,"b":{"c":1,"c":1}}]})").find("\"c\" appears twice"),
            std::string::npos);
  // The same name written with an escape is the same name.
  EXPECT_NE(ErrorOf(R"({"outcome":"ineligible","ab":1,"a\u0062":2})").find("appears twice"), std::string::npos);
  // Many members: found by sorting rather than pairwise.
  std::string big = R"({"outcome":"ineligible")";
  for (int i = 0; i < 40; ++i) big += ",\"k" + std::to_string(i) + "\":1";
  EXPECT_EQ(ErrorOf(big + "}"), "");
  EXPECT_NE(ErrorOf(big + ",\"k7\":2}").find("\"k7\" appears twice"), std::string::npos);
  // A name holding an escape character is quoted with it shown, not sent to the terminal.
  const std::string escaped = ErrorOf(R"({"outcome":"ineligible","\u001b[2J":1,"\u001b[2J":2})");
  EXPECT_NE(escaped.find("\"\\x1b[2J\" appears twice"), std::string::npos) << escaped;
  EXPECT_EQ(escaped.find('\x1b'), std::string::npos);
}

TEST(DecisionScanTest, AmountsAreIntegersWithinTheBoundAndTheCap) {
  for (const char* amount : {"1.0", "1e3", "-1", "1000000000000001", "9223372036854775808", "\"5\"", "null"}) {
    const std::string line = std::string(R"({"id":"t","outcome":"eligible","amount_fen":)") + amount + "}";
    EXPECT_NE(ErrorOf(line).find("amount_fen"), std::string::npos) << line;
  }
  EXPECT_EQ(Scanned(R"({"id":"t","outcome":"eligible","amount_fen":1000000000000000})").amount_fen, 1000000000000000);
  EXPECT_NE(ErrorOf(R"({"id":"t","outcome":"eligible","amount_fen":6,"cap_fen":5})").find("amount_fen 6 > cap_fen 5"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"id":"t","outcome":"eligible","amount_fen":1,"cap_fen":1.5})").find("cap_fen"),
            std::string::npos);
  EXPECT_EQ(ErrorOf(R"({"id":"t","outcome":"eligible","amount_fen":5,"cap_fen":5})"), "");
}

TEST(DecisionScanTest, RefusesWhatIsNotJson) {
  for (const char* line : {"{", "{\"outcome\":\"eligible\"", "{\"a\":tru}", "{\"a\":01}", "{\"a\":1,}",
                           "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\xff\"}",
                           "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xc0\xaf\"}", "{\"a\":\"tab\there\"}", "{} x"}) {
    EXPECT_NE(ErrorOf(line).find("not JSON"), std::string::npos) << line;
  }
  EXPECT_NE(ErrorOf("[1]").find("must be a JSON object"), std::string::npos);
  EXPECT_NE(ErrorOf("{\"a\":" + std::string(10000, '[') + std::string(10000, ']') + "}").find("nested too deeply"),
            std::string::npos);
  EXPECT_NE(ErrorOf(R"({"outcome":"maybe"})").find("is not one of"), std::string::npos);
  EXPECT_NE(ErrorOf(R"({"id":"x"})").find("no \"outcome\""), std::string::npos);
  EXPECT_NE(
      ErrorOf(R"({"id":"t","outcome":"eligible","amount_fen":1,"measure":3})").find("\"measure\" must be a string"),
      std::string::npos);
  EXPECT_EQ(Scanned(R"({"outcome":"ineligible","s":"😀 \ud83d\ude00"})").canonical, false);
}

// Pass 1 over a text long enough for two threads: ids repeated across the two halves are found,
// and every error names the right line of the whole file.
TEST(ScanDecisionsTest, FindsRepeatsAcrossThreadsWithTheirLineNumbers) {
  std::string text;
  const int n = 20000;
  for (int i = 1; i <= n; ++i) {
    text += R"({"id":"D-)" + std::to_string(i) +
            R"(","measure":"m","clause":"c","outcome":"eligible","cap_fen":100,"amount_fen":)" +
            std::to_string(i % 100) +
            R"(,"reasons":[{"code":"first_time","zh":"首次获得该项支持","en":"first time"}],"items":[]})" + "\n";
    if (i % 1000 == 0) text += "\n";  // blank lines count as lines but are not decisions
  }
  ASSERT_GT(text.size(), size_t{2} << 20);
  EligibleDecisions clean;
  AllocationPlan plan;
  InputText input;
  input.Hold(text);
  ScanReport report = ScanDecisions(input, "d.jsonl", GroupIndex(plan), 2, &clean);
  EXPECT_EQ(report.error_count, 0) << (report.errors.empty() ? "" : report.errors[0]);
  EXPECT_EQ(clean.decisions, n);
  ASSERT_EQ(clean.amounts.size(), static_cast<size_t>(n));
  EXPECT_EQ(clean.amounts[n - 1], n % 100);

  // D-7 again at the end: line n + n/1000 (blank lines) + 1; its first line is 7.
  text += R"({"id":"D-7","outcome":"ineligible"})"
          "\n";
  EligibleDecisions twice;
  input.Hold(text);
  report = ScanDecisions(input, "d.jsonl", GroupIndex(plan), 2, &twice);
  ASSERT_EQ(report.error_count, 1);
  const std::string line = std::to_string(n + n / 1000 + 1);
  EXPECT_EQ(report.errors[0].rfind("d.jsonl:" + line + ": ", 0), 0u) << report.errors[0];
  EXPECT_NE(report.errors[0].find("decision id \"D-7\" repeats line 7"), std::string::npos) << report.errors[0];
}

// allocation.md: a decision id already seen on an earlier line is a malformed line. The same id
// written with a JSON escape is the same id, not a second decision to pay.
TEST(ScanDecisionsTest, AnIdWrittenWithEscapesIsTheSameId) {
  // The decoded id lives in the scanner: it is read while the scanner is.
  DecisionScanner scanner;
  ScannedDecision d;
  ASSERT_EQ(scanner.Scan(R"({"id":"2026-CQA-\u0030001","outcome":"ineligible"})", &d), "");
  EXPECT_EQ(d.id, R"("2026-CQA-\u0030001")");  // as written, for messages
  EXPECT_EQ(d.id_key, "2026-CQA-0001");
  EXPECT_TRUE(d.id_is_string);

  const auto scan = [](const std::string& text) {
    InputText input;
    input.Hold(text);
    EligibleDecisions eligible;
    return ScanDecisions(input, "d.jsonl", GroupIndex(AllocationPlan()), 1, &eligible);
  };
  const std::string first = R"({"id":"2026-CQA-0001","outcome":"eligible","amount_fen":300000000})";
  for (const std::string& again :
       {std::string(R"({"id":"2026-CQA-\u0030001","outcome":"eligible","amount_fen":300000000})"),
        std::string(R"({"id":"\u0032026-CQA-0001","outcome":"ineligible"})"),
        std::string(R"({"id":"2026\u002dCQA\u002D0001","outcome":"eligible","amount_fen":1})")}) {
    const ScanReport report = scan(first + "\n" + again + "\n");
    ASSERT_EQ(report.error_count, 1) << again;
    EXPECT_EQ(report.errors[0].rfind("d.jsonl:2: ", 0), 0u) << report.errors[0];
    EXPECT_NE(report.errors[0].find("repeats line 1"), std::string::npos) << report.errors[0];
  }
  // Escapes decoded, not ids merged: a string and a number stay two ids, and so do other strings.
  EXPECT_EQ(scan(R"({"id":"1","outcome":"ineligible"})"
                 "\n"
                 R"({"id":1,"outcome":"ineligible"})"
                 "\n"
                 R"({"id":"\u0031 ","outcome":"ineligible"})"
                 "\n")
                .error_count,
            0);
}

}  // namespace
}  // namespace qgrant::alloc
