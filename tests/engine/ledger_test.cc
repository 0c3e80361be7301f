#include "engine/ledger.h"

#include <gtest/gtest.h>

namespace qgrant::engine {
namespace {

LedgerEntry Entry(std::string uscc, std::string measure, std::string level, std::string subject, int64_t fen) {
  LedgerEntry e;
  e.uscc = std::move(uscc);
  e.policy = "sz-quality-brand";
  e.measure = std::move(measure);
  e.level = std::move(level);
  e.subject = std::move(subject);
  e.amount_fen = fen;
  return e;
}

TEST(LedgerTest, FindsBySubjectLevelAndItem) {
  Ledger l;
  l.Add(Ledger::View(Entry("914403001922038216", "china_quality_award", "nominee", "CQA-2021", 100000000)), false);
  l.Add(Ledger::View(Entry("91440300708461136T", "high_end_certification", "", "GP-1", 5000000)), true);
  EXPECT_TRUE(l.FindSubject("914403001922038216", "CQA-2021"));
  EXPECT_FALSE(l.FindSubject("91440300708461136T", "CQA-2021"));  // another unit
  EXPECT_TRUE(l.FindLevel("914403001922038216", "china_quality_award", "nominee"));
  EXPECT_FALSE(l.FindLevel("914403001922038216", "china_quality_award", "winner"));
  EXPECT_TRUE(l.FindLevel("914403001922038216", "china_quality_award", ""));  // any level
  EXPECT_TRUE(l.FindItem("high_end_certification", "GP-1"));
  EXPECT_FALSE(l.FindItem("high_end_certification", "GP-2"));
  EXPECT_FALSE(l.FindItem("china_quality_award", "GP-1"));
}

TEST(LedgerTest, SubjectOnlyEntriesDoNotCountAsAwards) {
  Ledger l;
  l.Add(Ledger::View(Entry("914403001922038216", "high_end_certification", "", "BATCH-1", 0)), false, /*subject_only=*/true);
  EXPECT_TRUE(l.FindSubject("914403001922038216", "BATCH-1"));
  EXPECT_FALSE(l.FindLevel("914403001922038216", "high_end_certification", ""));
  EXPECT_TRUE(l.EntriesFor("914403001922038216", "high_end_certification").empty());
}

TEST(LedgerTest, StaysCorrectWhileGrowing) {
  Ledger l;
  for (int i = 0; i < 50000; ++i) {
    l.Add(Ledger::View(Entry("914403001922038216", "metrology", "", "P-" + std::to_string(i), i)), false);
  }
  EXPECT_EQ(l.size(), 50000u);
  for (int i = 0; i < 50000; i += 997) EXPECT_TRUE(l.FindSubject("914403001922038216", "P-" + std::to_string(i)));
  EXPECT_FALSE(l.FindSubject("914403001922038216", "P-50000"));
  EXPECT_EQ(l.EntriesFor("914403001922038216", "metrology").size(), 50000u);
  auto e = l.FindSubject("914403001922038216", "P-4242");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->amount_fen, 4242);
}

TEST(LedgerTest, LoadLineValidates) {
  Ledger l;
  EXPECT_TRUE(l.LoadLine(R"({"uscc":"914403001922038216","policy":"p","measure":"m","subject":"s","amount_fen":5,"granted_on":"2022-03-01"})", 1).ok());
  EXPECT_EQ(l.size(), 1u);
  Status bad_json = l.LoadLine("{oops", 2);
  EXPECT_FALSE(bad_json.ok());
  EXPECT_NE(bad_json.message().find("line 2"), std::string::npos);
  EXPECT_FALSE(l.LoadLine(R"({"uscc":"x","policy":"p","measure":"m"})", 3).ok());  // no subject
  EXPECT_FALSE(l.LoadLine(R"({"uscc":"x","policy":"p","measure":"m","subject":"s","amount_fen":-1})", 4).ok());
  EXPECT_FALSE(l.LoadLine(R"({"uscc":"x","policy":"p","measure":"m","subject":"s","granted_on":"2022-02-30"})", 5).ok());
  EXPECT_EQ(l.size(), 1u);  // nothing taken from bad lines
}

}  // namespace
}  // namespace qgrant::engine
