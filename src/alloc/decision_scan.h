// Reading one decision line for qgrant allocate without building it: a single pass over the text
// that validates the whole line as JSON, refuses repeated member names in any object (CONTRACT §6:
// no reader may silently keep the first or the last), and picks out the few top-level members the
// allocation needs. Nothing is allocated for a typical line; the views point into the line.
//
// The scan also says whether the line is already written exactly as the JSON writer the
// allocation output has always used (nlohmann::json's compact dump) would write it: no white space
// between tokens, only the short escapes (\" \\ \b \f \n \r \t), integers without sign games or
// fractions, and no `allocated_fen` or `allocation` member of its own. Such a line (every line
// qgrant eval writes) gets the allocation spliced in before its closing brace; any other is
// re-serialised, so the output stays byte for byte what it always was.
//
// Thread-safety: a DecisionScanner holds scratch space; use one per thread.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace qgrant::alloc {

// How every syntax error of a decision line begins (the position and the reason follow).
inline constexpr std::string_view kNotJson = "不是有效的 JSON / not JSON";

struct ScannedDecision {
  bool eligible = false;
  std::string_view id;  // the raw JSON text of `id` ("" when absent or null), for messages
  // What ids are compared by: a string id's decoded content ("A" and "\u0041" are one id), else
  // the raw text; `id_is_string` tells the string "1" from the number 1.
  std::string_view id_key;
  bool id_is_string = false;
  std::string_view measure;  // decoded; "" when absent or null
  std::string_view clause;
  int64_t amount_fen = 0;  // eligible decisions only
  bool has_cap = false;
  int64_t cap_fen = 0;
  bool canonical = false;  // see above: the allocation can be spliced in
};

class DecisionScanner {
 public:
  // Scans `line` (no line end). Returns "" when the decision is usable, else the reason, Chinese
  // first and English beside it. Views in `out` stay valid until the next Scan and while `line`
  // lives. `valid_utf8`: the caller has checked that the line is valid UTF-8 (a block of lines at
  // a time is several times faster than a character at a time), so strings need not be.
  std::string Scan(std::string_view line, ScannedDecision* out, bool valid_utf8 = false);

  struct Member;  // a top-level member of interest, found during the scan

 private:
  class Parser;
  std::deque<std::string> decoded_;     // keys and values that held escapes, decoded
  std::vector<std::string_view> keys_;  // the parser's scratch, kept to spare an allocation a line
};

}  // namespace qgrant::alloc
