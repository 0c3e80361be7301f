// LineReader (cli/line_reader.h): the lines of a file in order, and the estimate of how many
// there are that commands size their tables by before reading.
#include "cli/line_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace qgrant::cli {
namespace {

class LineReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("line_reader_test_" + std::to_string(::getpid()))).string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void Write(const std::string& text) { std::ofstream(path_, std::ios::binary) << text; }
  // Standard input becomes a pipe holding `text`, its writing end closed.
  static void StdinFromPipe(const std::string& text) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    ASSERT_EQ(::write(fds[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
    ::close(fds[1]);
    ASSERT_EQ(::dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
    ::close(fds[0]);
  }
  std::string path_;
};

// Lines of varying length past the first block (4 MB): the estimate is near the count, and
// reading after it still yields every line, in order, none lost or repeated.
TEST_F(LineReaderTest, EstimateIsNearTheCountAndReadingAfterItLosesNothing) {
  std::string text;
  std::vector<std::string> lines;
  for (int i = 0; text.size() < (9u << 20); ++i) {
    lines.push_back("{\"id\":\"A-" + std::to_string(i) + "\",\"pad\":\"" + std::string(100 + i % 200, 'x') + "\"}");
    text += lines.back() + "\n";
  }
  Write(text);
  LineReader in;
  ASSERT_TRUE(in.Open(path_).ok());
  EXPECT_EQ(in.FileBytes(), text.size());
  const size_t estimate = in.EstimateLines();
  EXPECT_GT(estimate, lines.size() * 95 / 100);
  EXPECT_LT(estimate, lines.size() * 105 / 100);
  std::string_view line;
  size_t n = 0;
  while (in.Next(&line)) {
    ASSERT_LT(n, lines.size());
    ASSERT_EQ(line, lines[n]) << "line " << n + 1;
    ++n;
  }
  EXPECT_EQ(n, lines.size());
  EXPECT_TRUE(in.status().ok());
}

// Lines of one length: the estimate is exact, also once some lines have been read.
TEST_F(LineReaderTest, EstimateOfEqualLinesIsExact) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += std::string(99, 'a' + i % 26) + "\n";
  Write(text);
  LineReader in;
  ASSERT_TRUE(in.Open(path_).ok());
  std::string_view line;
  ASSERT_TRUE(in.Next(&line));
  EXPECT_EQ(in.EstimateLines(), 1000u);
  size_t n = 1;
  while (in.Next(&line)) ++n;
  EXPECT_EQ(n, 1000u);
}

// Nothing to estimate from: an empty file, and a pipe (its size is not known).
TEST_F(LineReaderTest, NoEstimateForAnEmptyFileOrAPipe) {
  Write("");
  LineReader empty;
  ASSERT_TRUE(empty.Open(path_).ok());
  EXPECT_EQ(empty.EstimateLines(), 0u);
  std::string_view line;
  EXPECT_FALSE(empty.Next(&line));
  EXPECT_TRUE(empty.status().ok());

  ASSERT_NO_FATAL_FAILURE(StdinFromPipe("a\nb\n"));
  LineReader piped;
  ASSERT_TRUE(piped.Open("-").ok());
  EXPECT_EQ(piped.FileBytes(), 0u);
  EXPECT_EQ(piped.EstimateLines(), 0u);
  ASSERT_TRUE(piped.Next(&line));
  EXPECT_EQ(line, "a");
  ASSERT_TRUE(piped.Next(&line));
  EXPECT_EQ(line, "b");
  EXPECT_FALSE(piped.Next(&line));
}

// A sample is whole lines from all over the file, without the byte-order mark, carriage returns
// or blank lines, taken without moving the reading on; its lines' length tells the file's lines.
TEST_F(LineReaderTest, SampleLinesComeWholeFromAllOverTheFile) {
  std::string text = "\xEF\xBB\xBF";
  std::vector<std::string> lines;
  for (int i = 0; i < 40000; ++i) {
    lines.push_back("line " + std::to_string(i) + " " + std::string(i % 50, 'x'));
    text += lines.back() + (i % 3 == 0 ? "\r\n" : "\n") + (i % 7 == 0 ? " \n" : "");
  }
  Write(text);
  LineReader in;
  ASSERT_TRUE(in.Open(path_).ok());
  const std::vector<std::string> sample = in.SampleLines(16, 4);
  ASSERT_EQ(sample.size(), 64u);
  EXPECT_EQ(sample[0], lines[0]);
  std::vector<bool> sixteenth_seen(16, false);
  for (const std::string& s : sample) {
    const int i = std::stoi(s.substr(5));
    ASSERT_LT(static_cast<size_t>(i), lines.size());
    EXPECT_EQ(s, lines[static_cast<size_t>(i)]);  // whole, no '\r'
    sixteenth_seen[static_cast<size_t>(i) * 16 / lines.size()] = true;
  }
  EXPECT_EQ(std::count(sixteenth_seen.begin(), sixteenth_seen.end(), true), 16);
  const size_t estimate = LineReader::LinesLike(sample, in.FileBytes());
  EXPECT_GT(estimate, lines.size() * 80 / 100);  // the blank lines are not counted in the sample
  EXPECT_LT(estimate, lines.size() * 130 / 100);
  std::string_view line;
  ASSERT_TRUE(in.Next(&line));
  EXPECT_EQ(line, "\xEF\xBB\xBF" + lines[0]);  // reading starts at the start (the round drops the mark)

  ASSERT_NO_FATAL_FAILURE(StdinFromPipe("a\nb\n"));
  LineReader piped;
  ASSERT_TRUE(piped.Open("-").ok());
  EXPECT_TRUE(piped.SampleLines(16, 4).empty());
  ASSERT_TRUE(piped.Next(&line));
  EXPECT_EQ(line, "a");
}

}  // namespace
}  // namespace qgrant::cli
