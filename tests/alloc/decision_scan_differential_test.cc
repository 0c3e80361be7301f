// DecisionScanner against nlohmann::json (the parser and writer allocate has always used), on
// random mutations of decision lines: whatever the scanner accepts as JSON, nlohmann parses;
// whatever it calls not JSON, nlohmann refuses too; and a line it calls canonical is exactly what
// nlohmann's dump writes for it — the property behind splicing the allocation into the text.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "alloc/decision_scan.h"

namespace qgrant::alloc {
namespace {

using nlohmann::ordered_json;

const char* const kSeeds[] = {
    R"({"id":"2026-CQA-0001","measure":"china_quality_award","clause":"三（八）","outcome":"eligible","cap_fen":300000000,"amount_fen":300000000,"reasons":[{"code":"first_time","zh":"首次获得中国质量奖","en":"China Quality Award obtained for the first time"}],"items":[]})",
    R"({"id":null,"outcome":"invalid","reasons":[{"code":"not_json","path":"","zh":"不是 JSON 对象","en":"not a JSON object"}],"items":[]})",
    R"({"id":"H-5","measure":"high_end_certification","clause":"一（三）","outcome":"eligible","cap_fen":10000000,"amount_fen":10000000,"items":[{"number":"GP-1","amount_fen":5000000},{"number":"GP-2","amount_fen":5000000}],"x":[true,false,null,-12,0]})",
};

// Fragments that exercise the scanner's edges: escapes, numbers, white space, UTF-8.
const char* const kFragments[] = {"\\u0001",
                                  "\\u001f",
                                  "\\u00e9",
                                  "\\/",
                                  "\\n",
                                  "\\\"",
                                  "\\ud83d\\ude00",
                                  "\\ud800",
                                  " ",
                                  "\t",
                                  "-0",
                                  "1.5",
                                  "1e3",
                                  "18446744073709551616",
                                  "-9223372036854775809",
                                  "\xe4\xb8\x89",
                                  "\xff",
                                  "\xc0\xaf",
                                  "\xed\xa0\x80",
                                  "{}",
                                  "[]",
                                  ",",
                                  ":",
                                  "\"",
                                  "\\"};

std::string Mutate(std::string s, std::mt19937_64& rng) {
  const int edits = 1 + static_cast<int>(rng() % 3);
  for (int e = 0; e < edits && !s.empty(); ++e) {
    const size_t at = rng() % s.size();
    switch (rng() % 4) {
      case 0:
        s.insert(at, kFragments[rng() % std::size(kFragments)]);
        break;
      case 1:
        s.erase(at, 1 + rng() % 3);
        break;
      case 2:
        s[at] = static_cast<char>(rng() % 128);
        break;
      default: {  // replace a string's content or a number with a fragment
        const size_t end = std::min(s.size(), at + 1 + rng() % 6);
        s.replace(at, end - at, kFragments[rng() % std::size(kFragments)]);
      }
    }
  }
  return s;
}

TEST(DecisionScanDifferentialTest, AgreesWithNlohmannOnRandomMutations) {
  std::mt19937_64 rng(20261204);
  DecisionScanner scanner;
  ScannedDecision d;
  int accepted = 0, canonical = 0, refused = 0, checked_utf8 = 0;
  for (int i = 0; i < 60000; ++i) {
    const std::string line = Mutate(kSeeds[rng() % std::size(kSeeds)], rng);
    const std::string error = scanner.Scan(line, &d);
    if (simdjson::validate_utf8(line.data(), line.size())) {
      // The block reader's fast path (UTF-8 checked a block at a time) decides exactly the same.
      const ScannedDecision slow = d;
      ScannedDecision fast;
      ++checked_utf8;
      ASSERT_EQ(scanner.Scan(line, &fast, true), error) << line;
      EXPECT_EQ(fast.eligible, slow.eligible);
      EXPECT_EQ(fast.amount_fen, slow.amount_fen);
      EXPECT_EQ(fast.canonical, slow.canonical) << line;
      (void)scanner.Scan(line, &d);  // the views of `d` again
    }
    const bool syntax_error = error.starts_with(kNotJson);
    ordered_json doc;
    bool parsed = true;
    try {
      doc = ordered_json::parse(line);
    } catch (const ordered_json::exception&) {
      parsed = false;
    }
    if (syntax_error) {
      ++refused;
      EXPECT_FALSE(parsed) << "the scanner refused what nlohmann parses: " << line << "\n" << error;
      continue;
    }
    // Valid JSON for the scanner. nlohmann may still fail on a number it cannot hold (1e400),
    // which the allocate command checks separately; nothing else.
    if (!parsed) continue;
    ++accepted;
    if (error.empty() && d.canonical) {
      ++canonical;
      EXPECT_EQ(doc.dump(-1, ' ', false, ordered_json::error_handler_t::replace), line);
    }
  }
  // The mutations reach every branch: refused, accepted, and canonical lines.
  EXPECT_GT(refused, 10000);
  EXPECT_GT(accepted, 5000);
  EXPECT_GT(canonical, 1000);
  EXPECT_GT(checked_utf8, 30000);
}

}  // namespace
}  // namespace qgrant::alloc
