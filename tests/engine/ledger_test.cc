#include "engine/ledger.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>
#include <vector>

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

// The names of a row are interned and remembered by where they live; one buffer that holds
// another name of the same length at each call (as an application's level does) must not be
// taken for the name it held before.
TEST(LedgerTest, ANameAtAReusedAddressIsReadAgain) {
  Ledger l;
  char measure[] = "measure_a";
  char level[] = "gold";
  const std::pair<char, const char*> turns[] = {{'a', "gold"}, {'b', "blue"}, {'a', "gold"}, {'c', "blue"}};
  for (const auto& [m, lv] : turns) {
    measure[8] = m;
    std::memcpy(level, lv, 4);
    l.Add({"914403001922038216", "sz-quality-brand", measure, level, "S", 100, {}}, false);
  }
  ASSERT_EQ(l.size(), 4u);
  const char* expect_measure[] = {"measure_a", "measure_b", "measure_a", "measure_c"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(l.entry(i).measure, expect_measure[i]) << i;
    EXPECT_EQ(l.entry(i).level, turns[i].second) << i;
  }
  EXPECT_TRUE(l.FindLevel("914403001922038216", "measure_c", "blue"));
  EXPECT_FALSE(l.FindLevel("914403001922038216", "measure_c", "gold"));
}

TEST(LedgerTest, KeyHashInTwoStepsIsTheSame) {
  for (const char* a : {"", "9144030019220382", "914403001922038216", "high_end_certification"}) {
    for (const char* b : {"", "S", "CQA-2021", "GP-2026-001-a-long-certificate-number"}) {
      EXPECT_EQ(Ledger::KeyHash(a, b), Ledger::KeyHashWith(Ledger::KeyHashPrefix(a), b));
    }
  }
  EXPECT_NE(Ledger::KeyHash("ab", "c"), Ledger::KeyHash("a", "bc"));
}

// Every byte of a key counts, whatever its length: a key that differs in any one byte hashes
// differently, and the short keys' last bytes (read without a copy) weigh as any others.
TEST(LedgerTest, KeyHashReadsEveryByteOfTheKey) {
  for (size_t size = 0; size <= 26; ++size) {
    std::string key;
    for (size_t i = 0; i < size; ++i) key += static_cast<char>('A' + i);
    const uint64_t hash = Ledger::KeyHashWith(0, key);
    for (size_t at = 0; at < size; ++at) {
      for (char other : {'a', '\0', '\xFF'}) {
        std::string changed = key;
        changed[at] = other;
        EXPECT_NE(Ledger::KeyHashWith(0, changed), hash) << "size " << size << " at " << at;
      }
    }
    // A string's bytes past its end do not count: the same key in a longer buffer.
    const std::string longer = key + "XYZ";
    EXPECT_EQ(Ledger::KeyHashWith(0, std::string_view(longer).substr(0, size)), hash) << size;
  }
}

TEST(LedgerTest, SubjectOnlyEntriesDoNotCountAsAwards) {
  Ledger l;
  l.Add(Ledger::View(Entry("914403001922038216", "high_end_certification", "", "BATCH-1", 0)), false,
        /*subject_only=*/true);
  EXPECT_TRUE(l.FindSubject("914403001922038216", "BATCH-1"));
  EXPECT_FALSE(l.FindLevel("914403001922038216", "high_end_certification", ""));
  EXPECT_TRUE(l.EntriesFor("914403001922038216", "high_end_certification").empty());
}

// FindInRound and CountPaid read a unit's rows in place; their answers are those worked out from
// EntriesFor (the unit's entries in order, subject-only ones aside), over rows of a ledger file
// and of the round, subject-only and unpaid ones, of several years and of another unit.
TEST(LedgerTest, InRoundAndPaidCountReadAsTheUnitsEntries) {
  const std::string unit = "914403001922038216", measure = "high_end_certification";
  Ledger l;
  // The round's first row of the unit takes only its subject: not an entry FindInRound answers.
  l.Add(Ledger::View(Entry(unit, measure, "", "BATCH-0", 0)), false, /*subject_only=*/true);
  std::mt19937 random(7);
  for (int i = 0; i < 3000; ++i) {
    const int kind = static_cast<int>(random() % 6);
    const std::string subject = "C-" + std::to_string(i);
    const std::string who = kind == 5 ? "91440300708461136T" : unit;
    if (kind < 2) {  // a ledger file's row, granted in 2025 or 2026, paid or not
      const std::string line = R"({"uscc":")" + who + R"(","policy":"p","measure":")" + measure + R"(","subject":")" +
                               subject + R"(","amount_fen":)" + std::to_string(random() % 2 * 100) +
                               R"(,"granted_on":")" + (kind == 0 ? "2025-12-31" : "2026-01-01") + R"("})";
      ASSERT_TRUE(l.LoadLine(line, i + 1).ok()) << line;
    } else {  // the round's: paid, or only its subject taken
      l.Add(Ledger::View(Entry(who, measure, "", subject, kind == 2 ? 0 : 500)), kind != 4, /*subject_only=*/kind == 4);
    }
    if (i % 500 != 499) continue;
    const auto entries = l.EntriesFor(unit, measure);
    const auto in_round = std::find_if(entries.begin(), entries.end(), [](const LedgerEntry& e) { return e.in_round; });
    const auto found = l.FindInRound(unit, measure, Ledger::KeyHash(unit, measure));
    ASSERT_EQ(found.has_value(), in_round != entries.end()) << i;
    if (found) {
      EXPECT_EQ(found->subject, in_round->subject) << i;
    }
    policy::Date first, last;
    ASSERT_TRUE(policy::ParseDate("2026-01-01", &first) && policy::ParseDate("2026-12-31", &last));
    const auto paid = std::count_if(entries.begin(), entries.end(), [&](const LedgerEntry& e) {
      return e.amount_fen > 0 && (e.in_round || (first <= e.granted_on && e.granted_on <= last));
    });
    EXPECT_EQ(l.CountPaid(unit, measure, Ledger::KeyHash(unit, measure), first, last), paid) << i;
  }
  EXPECT_FALSE(l.FindInRound("914403000000000000", measure, Ledger::KeyHash("914403000000000000", measure)));
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
  EXPECT_TRUE(
      l.LoadLine(
           R"({"uscc":"914403001922038216","policy":"p","measure":"m","subject":"s","amount_fen":5,"granted_on":"2022-03-01"})",
           1)
          .ok());
  EXPECT_EQ(l.size(), 1u);
  Status bad_json = l.LoadLine("{oops", 2);
  EXPECT_FALSE(bad_json.ok());
  EXPECT_NE(bad_json.message().find("line 2"), std::string::npos);
  EXPECT_FALSE(l.LoadLine(R"({"uscc":"x","policy":"p","measure":"m"})", 3).ok());  // no subject
  EXPECT_FALSE(l.LoadLine(R"({"uscc":"x","policy":"p","measure":"m","subject":"s","amount_fen":-1})", 4).ok());
  EXPECT_FALSE(
      l.LoadLine(R"({"uscc":"x","policy":"p","measure":"m","subject":"s","granted_on":"2022-02-30"})", 5).ok());
  EXPECT_EQ(l.size(), 1u);  // nothing taken from bad lines
}

// Room made ahead for a round (Expect: at once, a little, far too much, after rows or before any)
// changes no answer: the same entries, and the earliest of a key found first.
TEST(LedgerTest, ExpectMakesRoomWithoutChangingAnAnswer) {
  auto fill = [](Ledger* l, int from, int to) {
    for (int i = from; i < to; ++i) {
      // 3,000 subjects of one unit, funded again and again: the amount says which row it was.
      l->Add(Ledger::View(
                 Entry("914403001922038216", "m" + std::to_string(i % 5), "", "S-" + std::to_string(i % 3000), i + 1)),
             true);
    }
  };
  Ledger plain;
  fill(&plain, 0, 20000);
  for (size_t early : {size_t{0}, size_t{10}, size_t{20000}, size_t{1000000}}) {
    Ledger l;
    l.Expect(early, early / 3);
    fill(&l, 0, 1000);
    l.Expect(19000, 10);  // items outgrow their index before the rows do
    fill(&l, 1000, 20000);
    l.Expect(5, 5);  // less than there is room for: nothing to do
    ASSERT_EQ(l.size(), plain.size()) << early;
    for (int s = 0; s < 3000; s += 37) {
      const std::string subject = "S-" + std::to_string(s);
      ASSERT_TRUE(l.FindSubject("914403001922038216", subject)) << early << " " << subject;
      EXPECT_EQ(l.FindSubject("914403001922038216", subject)->amount_fen, s + 1) << early;
      EXPECT_EQ(l.FindItem("m" + std::to_string(s % 5), subject)->amount_fen, s + 1) << early;
    }
    EXPECT_EQ(l.EntriesFor("914403001922038216", "m2").size(), plain.EntriesFor("914403001922038216", "m2").size());
    EXPECT_EQ(l.entry(12345).subject, plain.entry(12345).subject);
  }
}

// A ledger file of `lines` rows of one unit: measures m0 to m6 in turn, `subjects` subjects in
// turn, each funded again and again; the amount says which line it was (line + 1: an entry of
// 0 fen is an honour without payment, which clause （十二） does not count).
void WriteOneUnitLedger(const std::string& path, int lines, int subjects) {
  std::ofstream out(path);
  for (int i = 0; i < lines; ++i) {
    out << R"({"uscc":"914403001922038216","policy":"p","measure":"m)" << i % 7 << R"(","subject":"S-)" << i % subjects
        << R"(","amount_fen":)" << i + 1 << "}\n";
  }
}

// A large file is parsed on every core and indexed by two threads at once; the answers must be
// those of one thread adding the rows in file order: the earliest entry of a key first.
TEST(LedgerTest, LargeFileLoadsInFileOrder) {
  const std::string path = ::testing::TempDir() + "/ledger_large.jsonl";
  WriteOneUnitLedger(path, 200000, 50000);  // 50,000 subjects, each funded four times
  Ledger l;
  ASSERT_TRUE(l.LoadFile(path).ok());
  EXPECT_EQ(l.size(), 200000u);
  for (int s = 0; s < 50000; s += 1237) {
    auto e = l.FindSubject("914403001922038216", "S-" + std::to_string(s));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->amount_fen, s + 1);  // the first line with that subject
    auto item = l.FindItem("m" + std::to_string(s % 7), "S-" + std::to_string(s));
    ASSERT_TRUE(item);
    EXPECT_EQ(item->amount_fen, s + 1);
  }
  EXPECT_FALSE(l.FindSubject("914403001922038216", "S-50000"));
  auto level = l.FindLevel("914403001922038216", "m3", "");
  ASSERT_TRUE(level);
  EXPECT_EQ(level->amount_fen, 4);
  std::remove(path.c_str());
}

// A file loaded for a round (IndexOnExpect) is indexed at the round's Expect (even when the
// indexes already had room for it), or at the first row added, with the answers of a file indexed
// when read; a lookup before that is an error, never a
// "not funded" that would pay a unit twice.
TEST(LedgerTest, AFileIndexedAtExpectAnswersAsOneIndexedWhenRead) {
  const std::string path = ::testing::TempDir() + "/ledger_on_expect.jsonl";
  WriteOneUnitLedger(path, 100000, 25000);
  Ledger read;
  ASSERT_TRUE(read.LoadFile(path).ok());
  for (int how = 0; how < 4; ++how) {
    Ledger l;
    if (how == 3) l.Expect(500000, 500000);  // room made before the file: its rows still wait for Expect
    l.IndexOnExpect();
    ASSERT_TRUE(l.LoadFile(path).ok());
    EXPECT_THROW(l.FindSubject("914403001922038216", "S-1"), std::logic_error) << how;
    if (how == 0 || how == 3) l.Expect(0, 0);
    if (how == 1) l.Expect(500000, 1);  // rows far over, items far under what the file holds
    if (how == 2) l.Add(Ledger::View(Entry("914403001922038216", "m1", "", "S-25000", 7)), true);
    for (int s = 0; s < 25000; s += 613) {
      const std::string subject = "S-" + std::to_string(s);
      ASSERT_TRUE(l.FindSubject("914403001922038216", subject)) << how << " " << subject;
      EXPECT_EQ(l.FindSubject("914403001922038216", subject)->amount_fen,
                read.FindSubject("914403001922038216", subject)->amount_fen);
      EXPECT_EQ(l.FindItem("m" + std::to_string(s % 7), subject)->amount_fen,
                read.FindItem("m" + std::to_string(s % 7), subject)->amount_fen);
    }
    EXPECT_EQ(l.EntriesFor("914403001922038216", "m3").size(), read.EntriesFor("914403001922038216", "m3").size());
    EXPECT_EQ(l.FindItem("m1", "S-25000").has_value(), how == 2);
  }
  std::remove(path.c_str());
}

// Each row keeps the application it came from (beside its strings), whichever way it was added:
// by the engine, a line, or a file read on several threads; a file that fails takes its rows back
// and leaves the ids of the rows before it.
TEST(LedgerTest, RowsKeepTheirApplicationIds) {
  Ledger l;
  const LedgerEntry first_entry = Entry("914403001922038216", "metrology", "", "P-1", 1);
  LedgerEntryView first = Ledger::View(first_entry);  // views into first_entry
  first.application_id = "APP-一";
  l.Add(first, false);
  l.Add(Ledger::View(Entry("914403001922038216", "metrology", "", "P-2", 2)), false);  // none
  ASSERT_TRUE(l.LoadLine(R"({"uscc":"914403001922038216","policy":"p","measure":"m","subject":"L-1",)"
                         R"("application_id":"APP-\"q\""})",
                         1)
                  .ok());
  const std::string path = ::testing::TempDir() + "/ledger_ids.jsonl";
  {
    std::ofstream out(path);
    for (int i = 0; i < 100000; ++i) {
      out << R"({"uscc":"914403001922038216","policy":"p","measure":"m","amount_fen":1,"subject":"F-)" << i << '"';
      if (i % 3 == 0) out << R"(,"application_id":"F-APP-)" << i << '"';
      out << "}\n";
    }
  }
  ASSERT_TRUE(l.LoadFile(path).ok());
  const std::string bad = ::testing::TempDir() + "/ledger_ids_bad.jsonl";
  {
    std::ofstream out(bad);
    out << R"({"uscc":"914403001922038216","policy":"p","measure":"m","subject":"B-1","application_id":"B"})"
        << "\n{not json\n";
  }
  EXPECT_FALSE(l.LoadFile(bad).ok());
  ASSERT_EQ(l.size(), 3u + 100000u);
  EXPECT_EQ(l.entry(0).application_id, "APP-一");
  EXPECT_EQ(l.entry(1).application_id, "");
  EXPECT_EQ(l.entry(2).application_id, "APP-\"q\"");
  EXPECT_EQ(l.entry(2).subject, "L-1");
  for (int i = 0; i < 100000; i += 4999) {
    const LedgerEntry e = l.entry(3 + i);
    EXPECT_EQ(e.subject, "F-" + std::to_string(i));
    EXPECT_EQ(e.application_id, i % 3 == 0 ? "F-APP-" + std::to_string(i) : "") << i;
  }
  const Ledger copy = l;  // simulate's scenarios each copy the ledger
  EXPECT_EQ(copy.entry(0).application_id, "APP-一");
  l.Add(first, false);  // after the rows of a file
  EXPECT_EQ(l.entry(l.size() - 1).application_id, "APP-一");
  EXPECT_EQ(l.FindSubject("914403001922038216", "F-3")->application_id, "F-APP-3");
  std::remove(path.c_str());
  std::remove(bad.c_str());
}

TEST(LedgerTest, AFileWithABadLineAddsNothing) {
  const std::string path = ::testing::TempDir() + "/ledger_bad.jsonl";
  {
    std::ofstream out(path);
    for (int i = 0; i < 100000; ++i) {
      if (i == 77777) {
        out << "{not json\n";
        continue;
      }
      out << R"({"uscc":"914403001922038216","policy":"p","measure":"m","subject":"S-)" << i << R"("})"
          << "\n";
    }
  }
  Ledger l;
  l.Add(Ledger::View(Entry("914403001922038216", "metrology", "", "KEEP", 1)), false);
  Status st = l.LoadFile(path);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("line 77778"), std::string::npos) << st.message();
  EXPECT_EQ(l.size(), 1u);
  EXPECT_TRUE(l.FindSubject("914403001922038216", "KEEP"));
  EXPECT_FALSE(l.FindSubject("914403001922038216", "S-1"));
  std::remove(path.c_str());
}

// A line longer than the blocks the file is read in (4 MB) is carried from block to block
// until it ends: the lines around it load, and a bad one is reported with its own number.
TEST(LedgerTest, ALineLongerThanABlockIsReadWhole) {
  const std::string path = ::testing::TempDir() + "/ledger_long_line.jsonl";
  auto write = [&](bool long_line_valid) {
    std::ofstream out(path);
    for (int i = 0; i < 30000; ++i) {
      if (i == 20000) {
        const std::string filler(5 << 20, 'X');
        out << (long_line_valid ? R"({"uscc":"914403001922038216","policy":"p","measure":"m","subject":"LONG-)" +
                                      filler + R"(","amount_fen":1})"
                                : "{" + filler)
            << "\n";
      }
      out << R"({"uscc":"914403001922038216","policy":"p","measure":"m","subject":"S-)" << i << R"(","amount_fen":1})"
          << "\n";
    }
  };
  write(true);
  Ledger l;
  ASSERT_TRUE(l.LoadFile(path).ok());
  EXPECT_EQ(l.size(), 30001u);
  EXPECT_TRUE(l.FindSubject("914403001922038216", "S-19999"));
  EXPECT_TRUE(l.FindSubject("914403001922038216", "S-29999"));
  EXPECT_TRUE(l.FindSubject("914403001922038216", "LONG-" + std::string(5 << 20, 'X')));

  write(false);
  Ledger bad;
  const Status st = bad.LoadFile(path);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("line 20001"), std::string::npos) << st.message().substr(0, 200);
  EXPECT_EQ(bad.size(), 0u);
  std::remove(path.c_str());
}

// Ledger lines in the plain form are read without the full JSON parser; an escape anywhere sends
// a line to the full parser. Each line, valid or broken, must come out the same both ways: the
// same entry, or the same error.
TEST(LedgerTest, PlainLinesReadAsTheFullParserReadsThem) {
  std::mt19937 rng(27112026);
  auto chance = [&](int percent) { return std::uniform_int_distribution<int>(0, 99)(rng) < percent; };
  // Mostly the first (well-formed) option, sometimes any.
  auto pick = [&](std::initializer_list<const char*> options) {
    std::vector<const char*> v(options);
    return std::string(chance(80) ? v[0] : v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)]);
  };
  int compared = 0, accepted = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<std::string> members;
    auto add = [&](const std::string& key, const std::string& value) { members.push_back("\"" + key + "\":" + value); };
    if (!chance(3)) add("uscc", pick({"\"914403001922038216\"", "\"\"", "5", "null", "\"9144 X\""}));
    if (!chance(3)) add("policy", pick({"\"sz-quality-brand\"", "\"other\"", "true", "null", "\"深圳市其他政策\""}));
    if (!chance(3)) add("measure", pick({"\"metrology\"", "\"china_quality_award\"", "[1]", "{}"}));
    if (chance(50)) add("level", pick({"\"winner\"", "\"\"", "null", "1"}));
    // Chinese subjects are read by the plain reader too; invalid UTF-8 (cut short, a stray
    // continuation byte, a byte never in UTF-8) is the full parser's to refuse.
    if (!chance(3)) {
      add("subject", pick({"\"S-1\"", "\"CQA-2021\"", "\"\"", "false", "\"2025年度质量项目（组织类）\"",
                           "\"深\xE5\x9C\"", "\"\x80深圳\"", "\"\xFF\"", "\"\xED\xA0\x80\""}));
    }
    // Escapes, as Python's json writes them, are decoded by the plain reader too; a surrogate,
    // an unknown escape or an escape cut short are the full parser's.
    if (chance(30)) {
      add(pick({"subject", "uscc", "policy", "level", "measure"}),
          pick({"\"\\u6df1\\u5733 S\\u002d1\"", "\"a\\\"b\\\\c\\/d\\n\"", "\"\\u00e9\xE6\xB7\xB1\"",
                "\"x\\ud83d\\ude00\"", "\"\\x41\"", "\"\\u12\"", "\"\\\"", "\"\\u0000\"", "\"\\u0041\xFF\"",
                "\"\\u0041\xE6\xB7\""}));
    }
    if (chance(70)) add("granted_on", pick({"\"2022-03-01\"", "\"2022-02-30\"", "\"\"", "null", "20220301"}));
    if (chance(70)) {
      add("amount_fen", pick({"100", "0", "-5", "-0", "007", "1.5", "1e3", "123456789012345678", "1234567890123456789",
                              "99999999999999999999", "\"100\"", "null", "true", "-"}));
    }
    if (chance(20))
      add(pick({"note", "uscc", "subject", "amount_fen"}), pick({"\"x\"", "1", "null", "[1,2]", "{\"a\":1}", "true"}));
    std::shuffle(members.begin(), members.end(), rng);
    std::string line = "{";
    for (size_t i = 0; i < members.size(); ++i) line += (i ? pick({",", " , ", ",\t"}) : "") + members[i];
    line += pick({"}", " }", "}  ", "},", "} x", ""});
    if (chance(10) && !line.empty()) {  // a byte lost or changed
      const size_t at = std::uniform_int_distribution<size_t>(0, line.size() - 1)(rng);
      if (chance(50))
        line.erase(at, 1);
      else
        line[at] = pick({"\"", ":", "{", "\x01", "a", "\xE6"})[0];
    }
    // The twin: the same line with a member the plain reader declines (a surrogate pair in a
    // field that changes nothing) put first.
    std::string twin = line;
    const size_t brace = twin.find('{');
    if (brace != std::string::npos) {
      const size_t next = twin.find_first_not_of(" \t", brace + 1);
      const bool empty = next != std::string::npos && twin[next] == '}';
      twin.insert(brace + 1, std::string("\"round\":\"\\ud83d\\ude00\"") + (empty ? "" : ","));
    }
    Ledger plain, full;
    Status a = plain.LoadLine(line, 1), b = full.LoadLine(twin, 1);
    ASSERT_EQ(a.ok(), b.ok()) << line << "\n" << twin << "\n" << a.message() << " / " << b.message();
    ++compared;
    if (!a.ok()) {
      EXPECT_EQ(a.message(), b.message()) << line;
      continue;
    }
    ++accepted;
    const LedgerEntry x = plain.entry(0), y = full.entry(0);
    EXPECT_EQ(x.uscc, y.uscc) << line;
    EXPECT_EQ(x.policy, y.policy) << line;
    EXPECT_EQ(x.measure, y.measure) << line;
    EXPECT_EQ(x.level, y.level) << line;
    EXPECT_EQ(x.subject, y.subject) << line;
    EXPECT_EQ(x.amount_fen, y.amount_fen) << line;
    EXPECT_EQ(x.granted_on.days, y.granted_on.days) << line;
  }
  EXPECT_EQ(compared, 20000);
  EXPECT_GT(accepted, 1000);  // the generator makes enough good lines to compare values
}

}  // namespace
}  // namespace qgrant::engine
