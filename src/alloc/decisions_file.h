// qgrant allocate over a decisions file of any size, in two passes over the text.
//
// Pass 1 (ScanDecisions) reads every line once, on every core, and keeps for each eligible
// decision only what the budget needs: where its line starts, its amount, its group (a small
// integer, see GroupIndex) and whether the allocation can be spliced into its text. Memory is
// therefore bounded by those few fields, not by the JSON. The same pass refuses what would pay
// wrongly: a line that is not a decision, a repeated member name, an amount outside 0..10^15 fen
// or above the decision's cap_fen, and a decision id seen on an earlier line (a file concatenated
// twice would otherwise be paid twice), ids compared with their JSON escapes decoded.
//
// Pass 2 (WriteAllocated) writes every non-blank line again, in order, with `allocated_fen` and
// the `allocation` object added to the eligible ones: byte for byte what qgrant allocate has
// always written (see decision_scan.h).
//
// Both passes read the file in blocks with read(2), a thread its own part: on the virtual machines
// this runs on, a page of a mapped file costs a fault on first touch, and reading the blocks was
// five times faster than mapping (10^7 decisions, 2.4 GB: 0.26 s against 1.3 s for one pass).
// Only the few lines looked up again (a repeated id, to name it) are read through a mapping.
// Standard input is first spooled to an unlinked temporary file, so both passes can read it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "alloc/allocate.h"
#include "common/huge_pages.h"
#include "common/status.h"

namespace qgrant::alloc {

// A whole input file, read-only. A UTF-8 byte-order mark at the start is not part of the text:
// offsets count from after it.
class InputText {
 public:
  InputText() = default;
  InputText(const InputText&) = delete;
  InputText& operator=(const InputText&) = delete;
  ~InputText();

  // `path` "-" reads standard input.
  Status Open(const std::string& path);
  // The text itself, held in memory (tests, and input that is already there).
  void Hold(std::string text);

  uint64_t size() const { return text_.size(); }
  // Copies text[offset, offset + n) into `into`; throws std::runtime_error, with the system's reason,
  // when the file cannot be read (every caller runs under Guarded).
  void Read(uint64_t offset, size_t n, char* into) const;
  // The offset just past the line end at or after `offset`, or size() when no line end follows.
  uint64_t LineEndAfter(uint64_t offset) const;
  // The whole text, mapped into memory and read a page at a time as it is touched: for looking
  // up a few lines, not for reading through.
  std::string_view mapped() const { return text_; }

 private:
  int fd_ = -1;
  uint64_t skip_ = 0;  // the byte-order mark's length
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::string held_;
  std::string_view text_;
};

// What pass 1 keeps, one entry per eligible decision, in input order.
struct EligibleDecisions {
  // Columns of millions of entries for a large file: on huge pages (common/huge_pages.h).
  HugePageVector<uint64_t> offsets;  // where each eligible line starts in the text
  HugePageVector<int64_t> amounts;   // amount_fen
  HugePageVector<int32_t> groups;    // GroupIndex::Of(measure, clause); empty for pro rata
  HugePageVector<uint8_t> spliced;   // 1: the allocation is spliced into the text as it is
  HugePageVector<uint32_t> lengths;  // each eligible line's length, without its line end
  int64_t decisions = 0;             // non-blank lines
  // Every line ends with a bare '\n', none is blank, none is longer than 4 GB: then everything
  // between two eligible lines is written back as it is, in one copy.
  bool regular = true;
};

struct ScanReport {
  std::vector<std::string> errors;  // "SOURCE:LINE: message", the first kMaxReportedErrors by line
  int64_t error_count = 0;
  std::string failure;  // the scan itself could not finish (out of memory); nothing else is valid
};

inline constexpr size_t kMaxReportedErrors = 20;

// Pass 1 over `text` (named `source` in errors) with `threads` threads (0: one per core).
// Errors, if any, are in the report and the decisions must not be allocated.
ScanReport ScanDecisions(const InputText& text, std::string_view source, const GroupIndex& groups, unsigned threads,
                         EligibleDecisions* out);

// Pass 2: writes every non-blank line of `text` to `out`, eligible ones with their allocation.
// Returns an error when writing fails.
Status WriteAllocated(const InputText& text, const EligibleDecisions& eligible, const AllocationPlan& plan,
                      const AllocationResult& result, std::FILE* out);

}  // namespace qgrant::alloc
