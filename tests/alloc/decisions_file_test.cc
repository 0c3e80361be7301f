// The two passes of qgrant allocate over a real file, read in blocks, against the same text held
// in memory: a line longer than a block, lines across block ends, a byte-order mark, a last line
// without its line end, CRLF and blank lines. Both must find the same decisions and write the
// same bytes.
#include "alloc/decisions_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace qgrant::alloc {
namespace {

std::string Decision(int i, int64_t amount, const std::string& note) {
  return R"({"id":"D-)" + std::to_string(i) + R"(","measure":"m","clause":"c","outcome":")" +
         (i % 3 == 0 ? "ineligible" : "eligible") + R"(","cap_fen":1000000,"amount_fen":)" + std::to_string(amount) +
         R"(,"note":")" + note +
         R"(","reasons":[{"code":"first_time","zh":"首次获得该项支持","en":"first"}],"items":[]})";
}

// 6,000 decisions of about 200 bytes (blocks of 1 MB end inside lines), one of 3 MB in the middle.
std::string Text(const std::string& line_end, bool bom, bool last_line_end) {
  std::string text = bom ? "\xEF\xBB\xBF" : "";
  for (int i = 1; i <= 6000; ++i) {
    text += Decision(i, i * 7 % 1000000, i == 3000 ? std::string(3 << 20, 'x') : "质量" + std::to_string(i));
    if (i < 6000 || last_line_end) text += line_end;
  }
  return text;
}

struct Written {
  EligibleDecisions eligible;
  std::string output;
};

Written ScanAndWrite(const InputText& input) {
  Written w;
  AllocationPlan plan;
  plan.budget_fen = 1000000000;  // less than the total: every amount is scaled
  const ScanReport report = ScanDecisions(input, "d.jsonl", GroupIndex(plan), 2, &w.eligible);
  EXPECT_EQ(report.error_count, 0) << (report.errors.empty() ? report.failure : report.errors[0]);
  Result<AllocationResult> result = Allocate(w.eligible.amounts, w.eligible.groups, plan);
  EXPECT_TRUE(result.ok());
  if (!result.ok()) return w;
  std::FILE* out = std::tmpfile();
  EXPECT_TRUE(WriteAllocated(input, w.eligible, plan, *result, out).ok());
  w.output.resize(static_cast<size_t>(std::ftell(out)));
  std::rewind(out);
  EXPECT_EQ(std::fread(w.output.data(), 1, w.output.size(), out), w.output.size());
  std::fclose(out);
  return w;
}

void ExpectSameFromFileAndMemory(const std::string& text, bool regular) {
  char path[] = "/tmp/qgrant-decisions-XXXXXX";
  const int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(path, std::ios::binary) << text;
  InputText file, held;
  ASSERT_TRUE(file.Open(path).ok());
  held.Hold(text);
  ::unlink(path);
  EXPECT_EQ(file.size(), held.size());

  const Written a = ScanAndWrite(file), b = ScanAndWrite(held);
  EXPECT_EQ(a.eligible.decisions, 6000);
  EXPECT_EQ(a.eligible.regular, regular);
  EXPECT_EQ(a.eligible.offsets.size(), 4000u);
  EXPECT_EQ(a.eligible.offsets, b.eligible.offsets);
  EXPECT_EQ(a.eligible.lengths, b.eligible.lengths);
  EXPECT_EQ(a.eligible.amounts, b.eligible.amounts);
  EXPECT_EQ(a.eligible.spliced, b.eligible.spliced);
  ASSERT_EQ(a.output.size(), b.output.size());
  EXPECT_TRUE(a.output == b.output);
  // Every decision once, eligible ones with their allocation, the long line whole.
  EXPECT_EQ(std::count(a.output.begin(), a.output.end(), '\n'), 6000);
  size_t allocated = 0;
  for (size_t at = 0; (at = a.output.find("\"allocated_fen\":", at)) != std::string::npos; ++at) ++allocated;
  EXPECT_EQ(allocated, 4000u);
  EXPECT_NE(a.output.find(std::string(3 << 20, 'x')), std::string::npos);
  EXPECT_EQ(a.output.rfind("\xEF\xBB\xBF", 0), std::string::npos);  // the mark is not copied
}

TEST(DecisionsFileTest, ReadInBlocksAsHeldInMemory) { ExpectSameFromFileAndMemory(Text("\n", true, true), true); }

TEST(DecisionsFileTest, CrlfAndNoLastLineEndReadInBlocksAsHeldInMemory) {
  ExpectSameFromFileAndMemory(Text("\r\n", false, false), false);
}

TEST(DecisionsFileTest, LineEndAfterFindsTheNextLine) {
  InputText held;
  held.Hold("ab\ncd\n\nef");
  EXPECT_EQ(held.LineEndAfter(0), 3u);
  EXPECT_EQ(held.LineEndAfter(3), 6u);
  EXPECT_EQ(held.LineEndAfter(6), 7u);
  EXPECT_EQ(held.LineEndAfter(7), 9u);  // no line end: the end of the text
  EXPECT_EQ(held.LineEndAfter(9), 9u);
}

}  // namespace
}  // namespace qgrant::alloc
