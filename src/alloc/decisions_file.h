// qgrant allocate over a decisions file of any size, in two passes over the text.
//
// Pass 1 (ScanDecisions) reads every line once, on every core, and keeps for each eligible
// decision only what the budget needs: where its line starts, its amount, its group (a small
// integer, see GroupIndex) and whether the allocation can be spliced into its text. Memory is
// therefore bounded by those few fields, not by the JSON. The same pass refuses what would pay
// wrongly: a line that is not a decision, a repeated member name, an amount outside 0..10^15 fen
// or above the decision's cap_fen, and a decision id seen on an earlier line (a file concatenated
// twice would otherwise be paid twice).
//
// Pass 2 (WriteAllocated) writes every non-blank line again, in order, with `allocated_fen` and
// the `allocation` object added to the eligible ones: byte for byte what qgrant allocate has
// always written (see decision_scan.h).
//
// The text is the file mapped into memory (InputText); standard input is first spooled to an
// unlinked temporary file, so both passes can read it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "alloc/allocate.h"
#include "common/status.h"

namespace qgrant::alloc {

// A read-only view of a whole input file, mapped into memory. A UTF-8 byte-order mark at the
// start is not part of the text.
class InputText {
 public:
  InputText() = default;
  InputText(const InputText&) = delete;
  InputText& operator=(const InputText&) = delete;
  ~InputText();

  // `path` "-" reads standard input.
  Status Open(const std::string& path);
  std::string_view text() const { return text_; }

 private:
  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::string_view text_;
};

// What pass 1 keeps, one entry per eligible decision, in input order.
struct EligibleDecisions {
  std::vector<uint64_t> offsets;  // where each eligible line starts in the text
  std::vector<int64_t> amounts;   // amount_fen
  std::vector<int32_t> groups;    // GroupIndex::Of(measure, clause); empty for pro rata
  std::vector<uint8_t> spliced;   // 1: the allocation is spliced into the text as it is
  std::vector<uint32_t> lengths;  // each eligible line's length, without its line end
  int64_t decisions = 0;          // non-blank lines
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
ScanReport ScanDecisions(std::string_view text, std::string_view source, const GroupIndex& groups, unsigned threads,
                         EligibleDecisions* out);

// Pass 2: writes every non-blank line of `text` to `out`, eligible ones with their allocation.
// Returns an error when writing fails.
Status WriteAllocated(std::string_view text, const EligibleDecisions& eligible, const AllocationPlan& plan,
                      const AllocationResult& result, std::FILE* out);

}  // namespace qgrant::alloc
