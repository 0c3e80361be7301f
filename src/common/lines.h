// IsBlankLine: the one rule for blank lines in JSON Lines and CSV input (CONTRACT.md §6: blank
// lines are skipped and produce nothing), shared by every reader of such input.
#pragma once

#include <string_view>

namespace qgrant {

inline bool IsBlankLine(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace qgrant
