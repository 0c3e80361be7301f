// Reads a file (or stdin) line by line in large blocks, handing out views into its buffer: the
// cheap way through millions of JSON lines. A view is valid until the next call.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "common/huge_pages.h"
#include "common/status.h"

namespace qgrant::cli {

class LineReader {
 public:
  LineReader() = default;
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Empty path or "-": standard input. A directory or unreadable file is an error naming it.
  Status Open(const std::string& path);
  // The next line without its newline; false at the end or on a read error (see status()).
  [[nodiscard]] bool Next(std::string_view* line);
  const Status& status() const { return status_; }
  // The size of the input when it is a regular file, else 0 (a pipe, a terminal): what a command
  // sizes its tables by before reading.
  size_t FileBytes() const;
  // The lines the input holds, estimated from its size and the lines of the block at hand (the
  // first block is read now if nothing has been): 0 when the size is not known, at most
  // kMostLines. For sizing tables before reading, not for counting.
  size_t EstimateLines();
  static constexpr size_t kMostLines = size_t{1} << 28;
  // Up to `per_window` whole, non-blank lines from each of `windows` places spread evenly over a
  // regular file (the first at its start), read aside without moving the reading on: a sample of
  // the whole input, for sizing tables by what its lines are like (an input sorted by kind has a
  // first block like none of the rest). Empty for a pipe or a terminal, or on a read error (the
  // reading itself reports those).
  std::vector<std::string> SampleLines(size_t windows, size_t per_window) const;
  // The lines `bytes` of input hold if they are as long as those of `sample` (not empty), each
  // with its newline; at most kMostLines.
  static size_t LinesLike(const std::vector<std::string>& sample, size_t bytes);

 private:
  [[nodiscard]] bool Fill();

  std::string name_;  // for messages: the path, or "standard input"
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  HugePageBuffer buffer_;
  size_t size_ = 0;   // bytes in buffer_
  size_t begin_ = 0;  // start of unread data in buffer_
  bool eof_ = false;
  bool cr_tail_ = false;  // the rest of the input has no newline: lines end at carriage returns
  Status status_;
};

// For an input file of 4 MB or more (a few thousand lines and up, where sizing matters): 16 lines
// from each of 32 places all over it (RoundOptions::sample), and `*expected_lines` made the count
// their length gives. Applications sorted by measure or with the broken ones first, units with
// their achievements first, have a first block and batch like none of the rest. Otherwise empty,
// the count kept.
std::vector<std::string> InputSample(const LineReader& in, size_t* expected_lines);

// Reads a whole (small) file, such as a bindings or configuration file. The error names the
// path and the reason: missing, unreadable, a directory, a read error part way.
Status ReadWholeFile(const std::string& path, std::string* out);

}  // namespace qgrant::cli
