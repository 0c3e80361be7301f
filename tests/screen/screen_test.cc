#include "screen/screening.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <random>
#include <sstream>

#include "engine/application.h"
#include "engine/evaluator.h"
#include "policy/loader.h"

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
    policy::ParseDate("2026-06-01", &d);
    rules_ = std::make_unique<policy::RuleSet>(policy::ResolveRules(bundle_, nullptr, d));
  }

  Result<ScreenResult> Run(const std::vector<std::string>& lines, std::vector<engine::Decision>* decisions = nullptr) {
    size_t i = 0;
    auto source = [&](std::string_view* line) {
      if (i == lines.size()) return false;
      *line = lines[i++];
      return true;
    };
    return Screen(source, *rules_, engine::Ledger(), [&](const ScreenRow&, const engine::Decision& d) {
      if (decisions) decisions->push_back(d);
    });
  }

  policy::PolicyBundle bundle_;
  std::unique_ptr<policy::RuleSet> rules_;
};

// A unit with every fact, for each paying measure; screening drops some of them.
std::vector<json> FullUnits() {
  json base = {{"uscc", "91440300MA5XXXXXXR"}, {"name", "深圳市示例科技有限公司"}, {"kind", "enterprise"},
               {"district", "南山区"}, {"registered_in_shenzhen", true}, {"serious_dishonesty", false},
               {"established_on", "2015-03-01"}};
  std::vector<json> achievements = {
      {{"measure", "china_quality_award"}, {"subject", "S1"}, {"obtained_on", "2025-09-12"}, {"facts", {{"level", "winner"}}}},
      {{"measure", "mayor_quality_award"}, {"subject", "S2"}, {"obtained_on", "2025-09-12"}, {"facts", {{"grade", "bronze"}}}},
      {{"measure", "international_accreditation"}, {"subject", "S3"}, {"obtained_on", "2025-09-12"}, {"facts", {{"body", "UKAS"}}}},
      {{"measure", "international_accreditation"}, {"subject", "S4"}, {"obtained_on", "2025-09-12"}, {"facts", {{"body", "XYZ"}}}},
      {{"measure", "brand_value_evaluation"}, {"subject", "S5"}, {"obtained_on", "2025-09-12"}, {"facts", {{"standard", "ISO 10668"}}}},
      {{"measure", "metrology"}, {"subject", "S6"}, {"obtained_on", "2025-09-12"},
       {"facts", {{"activity", "national_regulation"}, {"role", "lead"}}}},
      {{"measure", "quality_innovation"}, {"subject", "S7"}, {"obtained_on", "2025-09-12"}, {"facts", {{"category", "management"}}}},
      {{"measure", "high_end_certification"}, {"subject", "S8"}, {"obtained_on", "2025-09-12"},
       {"facts", {{"certificates", json::array({{{"type", "robot"}, {"number", "R-1"}, {"issued_on", "2025-01-01"}}})}}}},
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
  EXPECT_NE(csv.find("待补充信息,facts.grade"), std::string::npos);
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

}  // namespace
}  // namespace qgrant::screen
