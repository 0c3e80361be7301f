#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "engine/application.h"
#include "engine/evaluator.h"
#include "policy/loader.h"
#include "screen/screening.h"
#include "simulate/registry.h"

namespace qgrant::screen {
namespace {

using nlohmann::json;

class ScreenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    policy::DiagnosticSink sink;
    ASSERT_TRUE(policy::LoadBundle({std::string(QGRANT_SOURCE_DIR) + "/policies/sz-quality-brand"}, &bundle_, &sink))
        << sink.Format();
    policy::Date d;
    EXPECT_TRUE(policy::ParseDate("2026-06-01", &d));
    rules_ = std::make_unique<policy::RuleSet>(policy::ResolveRules(bundle_, nullptr, d));
  }

  Result<ScreenResult> Run(const std::vector<std::string>& lines, std::vector<engine::Decision>* decisions = nullptr,
                           Candidates candidates = Candidates::kKeep) {
    size_t i = 0;
    auto source = [&](std::string_view* line) {
      if (i == lines.size()) return false;
      *line = lines[i++];
      return true;
    };
    return Screen(
        source, *rules_, engine::Ledger(),
        [&](const ScreenRow&, const engine::Decision& d) {
          if (decisions) decisions->push_back(d);
        },
        candidates);
  }

  policy::PolicyBundle bundle_;
  std::unique_ptr<policy::RuleSet> rules_;
};

// A unit with every fact, for each paying measure; screening drops some of them.
std::vector<json> FullUnits() {
  json base = {{"uscc", "91440300MA5XXXXXXR"},  {"name", "深圳市示例科技有限公司"}, {"kind", "enterprise"},
               {"district", "南山区"},          {"registered_in_shenzhen", true},   {"serious_dishonesty", false},
               {"established_on", "2015-03-01"}};
  std::vector<json> achievements = {
      {{"measure", "china_quality_award"},
       {"subject", "S1"},
       {"obtained_on", "2025-09-12"},
       {"facts", {{"level", "winner"}}}},
      {{"measure", "mayor_quality_award"},
       {"subject", "S2"},
       {"obtained_on", "2025-09-12"},
       {"facts", {{"grade", "bronze"}}}},
      {{"measure", "international_accreditation"},
       {"subject", "S3"},
       {"obtained_on", "2025-09-12"},
       {"facts", {{"body", "UKAS"}}}},
      {{"measure", "international_accreditation"},
       {"subject", "S4"},
       {"obtained_on", "2025-09-12"},
       {"facts", {{"body", "XYZ"}}}},
      {{"measure", "brand_value_evaluation"},
       {"subject", "S5"},
       {"obtained_on", "2025-09-12"},
       {"facts", {{"standard", "ISO 10668"}}}},
      {{"measure", "metrology"},
       {"subject", "S6"},
       {"obtained_on", "2025-09-12"},
       {"facts", {{"activity", "national_regulation"}, {"role", "lead"}}}},
      {{"measure", "quality_innovation"},
       {"subject", "S7"},
       {"obtained_on", "2025-09-12"},
       {"facts", {{"category", "management"}}}},
      {{"measure", "high_end_certification"},
       {"subject", "S8"},
       {"obtained_on", "2025-09-12"},
       {"facts",
        {{"certificates", json::array({{{"type", "robot"}, {"number", "R-1"}, {"issued_on", "2025-01-01"}}})}}}},
  };
  std::vector<json> units;
  for (const auto& a : achievements) {
    for (bool registered : {true, false}) {
      for (bool dishonest : {false, true}) {
        for (const char* kind : {"enterprise", "public_institution"}) {
          json u = base;
          u["registered_in_shenzhen"] = registered;
          u["serious_dishonesty"] = dishonest;
          u["kind"] = kind;
          u["achievements"] = json::array({a});
          units.push_back(u);
        }
      }
    }
  }
  return units;
}

// Soundness: whatever the record leaves out, screening never says eligible (or ineligible) when
// the full facts say otherwise, and undetermined names only facts that were left out.
TEST_F(ScreenTest, NeverContradictsTheFullFacts) {
  std::mt19937 rng(20261127);
  const char* removable_applicant[] = {"registered_in_shenzhen", "serious_dishonesty", "kind"};
  int undetermined = 0, decided = 0;
  for (const json& full : FullUnits()) {
    std::vector<engine::Decision> truth;
    ASSERT_TRUE(Run({full.dump()}, &truth).ok());
    ASSERT_EQ(truth.size(), 1u);
    for (int trial = 0; trial < 24; ++trial) {
      json partial = full;
      std::vector<std::string> removed;
      for (const char* f : removable_applicant) {
        if (rng() % 3 == 0) {
          partial.erase(f);
          removed.push_back(std::string("applicant.") + f);
        }
      }
      json& facts = partial["achievements"][0]["facts"];
      std::vector<std::string> keys;
      for (auto it = facts.begin(); it != facts.end(); ++it) keys.push_back(it.key());
      for (const auto& k : keys) {
        if (rng() % 2 == 0) {
          facts.erase(k);
          removed.push_back("facts." + k);
        }
      }
      std::vector<engine::Decision> got;
      ASSERT_TRUE(Run({partial.dump()}, &got).ok());
      ASSERT_EQ(got.size(), 1u);
      const engine::Decision& d = got[0];
      SCOPED_TRACE(partial.dump());
      if (d.outcome == engine::Outcome::kUndetermined) {
        ++undetermined;
        ASSERT_FALSE(d.missing_facts.empty());
        for (const auto& m : d.missing_facts) {
          EXPECT_NE(std::find(removed.begin(), removed.end(), m), removed.end()) << m << " was not removed";
        }
      } else {
        ++decided;
        EXPECT_EQ(d.outcome, truth[0].outcome);
        EXPECT_EQ(d.amount_fen, truth[0].amount_fen);
      }
    }
  }
  // Both kinds of answers occur, so the property was exercised.
  EXPECT_GT(undetermined, 50);
  EXPECT_GT(decided, 50);
}

// The registry of tests/simulate, repeated until it spans several batches of the round driver
// (1,024 lines) and their chunks: repeated units meet the ledger entries of their earlier
// achievements. A bad line and a blank line now and then.
std::vector<std::string> LongRegistry(const std::string& file) {
  std::ifstream f(std::string(QGRANT_SOURCE_DIR) + "/tests/simulate/data/" + file);
  std::vector<std::string> base;
  for (std::string line; std::getline(f, line);) base.push_back(line);
  std::vector<std::string> lines = {base[0]};  // a CSV header stays first
  for (size_t k = 1; lines.size() < 3500; ++k) {
    lines.push_back(base[1 + k % (base.size() - 1)]);
    if (k % 701 == 0) lines.push_back("{\"uscc\":");
    if (k % 997 == 0) lines.push_back("");
  }
  if (file.ends_with(".jsonl")) lines[0] = base[0];
  return lines;
}

// The batched path (engine/round.h, on every core) decides a registry exactly as the one-shot
// path: each achievement read alone and decided by Evaluator::Decide, in registry order.
TEST_F(ScreenTest, DecidesAsTheOneShotPathOverManyBatches) {
  for (const std::string file : {"registry.jsonl", "registry.csv"}) {
    const std::vector<std::string> lines = LongRegistry(file);
    const engine::Evaluator evaluator(*rules_);
    std::vector<std::string> got;  // in words at once: a decision may refer to Screen's evaluator
    size_t i = 0;
    auto source = [&](std::string_view* line) {
      if (i == lines.size()) return false;
      *line = lines[i++];
      return true;
    };
    Result<ScreenResult> result =
        Screen(source, *rules_, engine::Ledger(), [&](const ScreenRow&, const engine::Decision& d) {
          got.emplace_back();
          engine::AppendDecisionJson(d, evaluator.provenance(), &got.back());
        });
    ASSERT_TRUE(result.ok()) << result.status().message();

    std::optional<simulate::CsvLayout> csv;
    if (simulate::IsCsvHeader(lines[0])) csv = *simulate::ParseCsvHeader(lines[0]);
    simulate::RegistryReader registry(csv ? &*csv : nullptr);
    engine::ApplicationReader reader(*rules_, /*partial=*/true);
    engine::Ledger ledger;
    std::vector<std::string> want;
    int64_t bad = 0, units = 0;
    std::set<std::string> usccs;
    for (size_t k = csv ? 1 : 0; k < lines.size(); ++k) {
      if (lines[k].empty()) continue;
      simulate::RegistryRecord rec;
      registry.Read(lines[k], &rec);
      bad += rec.error.empty() ? 0 : 1;
      if (rec.error.empty() && usccs.insert(rec.uscc).second) ++units;
      for (const std::string& json : rec.applications) {
        engine::Application app;
        reader.Read(json, &app);
        want.emplace_back();
        engine::AppendDecisionJson(evaluator.Decide(app, &ledger, false), evaluator.provenance(), &want.back());
      }
    }
    ASSERT_GT(want.size(), 2000u) << file;
    EXPECT_EQ(got, want) << file;
    EXPECT_EQ(result->bad_lines, bad) << file;
    EXPECT_EQ(result->units, units) << file;
  }
}

// The round driver strips a byte-order mark from an application line, not from a unit: the
// registry reader does, and a first line holding nothing else stays a bad line.
TEST_F(ScreenTest, AByteOrderMarkAloneIsABadLine) {
  Result<ScreenResult> r = Run({"\xEF\xBB\xBF", R"({"uscc":"91440300MA5XXXXXXR","achievements":[]})"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->lines, 2);
  EXPECT_EQ(r->bad_lines, 1);
  ASSERT_EQ(r->bad_line_examples.size(), 1u);
  EXPECT_EQ(r->bad_line_examples[0], "line 1: not valid JSON");
  r =
      Run({"\xEF\xBB\xBF"
           R"({"uscc":"91440300MA5XXXXXXR","achievements":[]})"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->bad_lines, 0);
  EXPECT_EQ(r->units, 1);
}

TEST_F(ScreenTest, CandidatesAndCounts) {
  std::ifstream in(std::string(QGRANT_SOURCE_DIR) + "/examples/registry.jsonl");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  lines.push_back("{not json");
  auto r = Run(lines);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->bad_lines, 1);
  EXPECT_EQ(r->units, 4);
  EXPECT_EQ(r->counts[static_cast<int>(engine::Outcome::kEligible)], 2);
  EXPECT_EQ(r->counts[static_cast<int>(engine::Outcome::kUndetermined)], 3);
  EXPECT_EQ(r->counts[static_cast<int>(engine::Outcome::kIneligible)], 1);
  ASSERT_EQ(r->candidates.size(), 5u);
  std::string csv = CandidatesCsv(*r);
  EXPECT_EQ(csv.rfind("\xEF\xBB\xBF统一社会信用代码,单位名称,措施,条款,金额（万元）,依据,", 0), 0u);
  EXPECT_NE(csv.find("91440300MA5XXXXXXR,深圳市示例科技有限公司,中国质量奖,三（八）,300.000000,"), std::string::npos);
  // The basis cites the item as the reasons do (第（八）条), not the part and item (第三（八）条).
  EXPECT_NE(csv.find(",300.000000,第（八）条："), std::string::npos) << csv;
  EXPECT_EQ(csv.find("第三（"), std::string::npos) << csv;
  EXPECT_NE(csv.find("待补充信息,facts.grade"), std::string::npos);

  // Counting only: the same tallies and eligible total, no list (memory does not grow with it).
  auto counted = Run(lines, nullptr, Candidates::kCount);
  ASSERT_TRUE(counted.ok());
  EXPECT_TRUE(counted->candidates.empty());
  EXPECT_EQ(counted->units, r->units);
  EXPECT_EQ(counted->bad_lines, r->bad_lines);
  for (int o = 0; o < 5; ++o) EXPECT_EQ(counted->counts[o], r->counts[o]);
  int64_t listed = 0;
  for (const ScreenRow& row : r->candidates) listed += row.outcome == engine::Outcome::kEligible ? row.amount_fen : 0;
  EXPECT_EQ(*EligibleFen(*counted), listed);
  EXPECT_EQ(*EligibleFen(*r), listed);
  EXPECT_GT(listed, 0);
}

TEST_F(ScreenTest, WritesAWorkbook) {
  std::ifstream in(std::string(QGRANT_SOURCE_DIR) + "/examples/registry.jsonl");
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  auto r = Run(lines);
  ASSERT_TRUE(r.ok());
  std::string path = ::testing::TempDir() + "/screen_test.xlsx";
  ASSERT_TRUE(WriteCandidatesXlsx(*r, path).ok());
  std::ifstream x(path, std::ios::binary);
  std::stringstream ss;
  ss << x.rdbuf();
  std::string bytes = ss.str();
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(0, 2), "PK");  // a zip container, as XLSX is
  EXPECT_NE(bytes.find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_FALSE(WriteCandidatesXlsx(*r, "/nonexistent-dir/x.xlsx").ok());
}

// A unit name (or any text cell) that a spreadsheet would run as a formula is neutralised with a
// leading apostrophe; before, =HYPERLINK(…) reached the CSV live.
TEST(CandidatesCsvTest, NeutralisesCellsThatLookLikeFormulas) {
  ScreenResult r;
  ScreenRow row;
  row.uscc = "91440300MA5XXXXXXR";
  row.name = "=HYPERLINK(\"http://evil.example\",\"点击\")";
  row.measure = "china_quality_award";
  row.measure_title = {"中国质量奖", "China Quality Award"};
  row.clause = "三（八）";
  row.outcome = engine::Outcome::kEligible;
  row.amount_fen = 300'000'000;
  row.basis = "+1 basis";
  row.subject = "@SUM(A1)";
  row.missing_facts = {"-x", "\tfacts.level"};
  r.candidates.push_back(row);
  const std::string csv = CandidatesCsv(r);
  EXPECT_NE(csv.find(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"点击\"\")\","), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"'+1 basis\","), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"'@SUM(A1)\"\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\"'-x; \tfacts.level\","), std::string::npos) << csv;
  EXPECT_NE(csv.find(",三（八）,300.000000,"), std::string::npos) << csv;  // our own number: as is
  EXPECT_EQ(csv.find(",=HYPERLINK"), std::string::npos);
}

TEST(CandidatesCsvTest, TheEligibleSumIsChecked) {
  ScreenResult r;
  // Each past the bound; eleven once wrapped the sum to a small positive total.
  for (int i = 0; i < 11; ++i) (void)r.eligible.Add(900'000'000'000'000'000);
  EXPECT_FALSE(EligibleFen(r).ok());
  ScreenResult s;
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(s.eligible.Add(5));
  EXPECT_EQ(*EligibleFen(s), 10);
}

// The text of one member of a zip file (the unzip tool reads it).
std::string Unzip(const std::string& zip, const std::string& member) {
  const std::string command = "unzip -p '" + zip + "' '" + member + "'";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  if (pipe == nullptr) return out;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  pclose(pipe);
  return out;
}

ScreenRow Candidate(const std::string& measure, int64_t fen) {
  ScreenRow row;
  row.uscc = "91440300MA5XXXXXXR";
  row.name = "深圳市示例科技有限公司";
  row.measure = measure;
  row.measure_title = {"措施", "measure"};
  row.clause = "一（一）";
  row.outcome = engine::Outcome::kEligible;
  row.amount_fen = fen;
  return row;
}

// Amounts are integer fen as numbers (never text, never a fraction computed in floating point),
// shown in 万元 by a scaling number format; two measure ids sharing 31 characters keep two sheets.
TEST(CandidatesXlsxTest, AmountsAreIntegerFenWithAWanFormatAndSheetsAreUnique) {
  ScreenResult r;
  const std::string shared = "measure_with_a_very_long_name_x";  // 31 characters
  r.candidates.push_back(Candidate(shared + "_one", 300'000'000));
  r.candidates.push_back(Candidate(shared + "_one", 1));
  r.candidates.push_back(Candidate(shared + "_two", 123'456'789));
  const std::string path = ::testing::TempDir() + "/xlsx_numbers_test.xlsx";
  ASSERT_TRUE(WriteCandidatesXlsx(r, path).ok());

  const std::string workbook = Unzip(path, "xl/workbook.xml");
  EXPECT_NE(workbook.find("name=\"汇总\""), std::string::npos) << workbook;
  EXPECT_NE(workbook.find("name=\"" + shared + "\""), std::string::npos) << workbook;
  EXPECT_NE(workbook.find("name=\"measure_with_a_very_long_name~2\""), std::string::npos) << workbook;

  const std::string styles = Unzip(path, "xl/styles.xml");
  EXPECT_NE(styles.find("formatCode=\"#,##0.000000,,\""), std::string::npos) << styles;
  // Column E (万元) and I (分) of the first measure's sheet hold the same integer, as numbers.
  const std::string sheet = Unzip(path, "xl/worksheets/sheet2.xml");
  EXPECT_TRUE(std::regex_search(sheet, std::regex(R"(<c r="E2" s="\d+"><v>300000000</v></c>)"))) << sheet;
  EXPECT_TRUE(std::regex_search(sheet, std::regex(R"(<c r="I2" s="\d+"><v>300000000</v></c>)"))) << sheet;
  EXPECT_TRUE(std::regex_search(sheet, std::regex(R"(<c r="E3" s="\d+"><v>1</v></c>)"))) << sheet;
  // The summary sums exactly: 300000001 fen for the first measure.
  const std::string summary = Unzip(path, "xl/worksheets/sheet1.xml");
  EXPECT_TRUE(std::regex_search(summary, std::regex(R"(<c r="E2" s="\d+"><v>300000001</v></c>)"))) << summary;
  EXPECT_TRUE(std::regex_search(summary, std::regex(R"(<c r="E3" s="\d+"><v>123456789</v></c>)"))) << summary;
  EXPECT_EQ(Unzip(path, "xl/worksheets/sheet3.xml").find("123456789") != std::string::npos, true);
}

TEST(CandidatesXlsxTest, AnAmountPastTheBoundIsAnErrorAndLeavesNoFile) {
  ScreenResult r;
  r.candidates.push_back(Candidate("m", INT64_MAX));
  const std::string path = ::testing::TempDir() + "/xlsx_bound_test.xlsx";
  EXPECT_FALSE(WriteCandidatesXlsx(r, path).ok());
  EXPECT_FALSE(std::ifstream(path).good());
}

}  // namespace
}  // namespace qgrant::screen
