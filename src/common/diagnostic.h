// Diagnostics: mistakes in something a person wrote (an expression, a policy file), located by
// line and column and shown with the offending line and a caret. Authoring errors are collected and
// reported together, never one at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qgrant {

// A position in a source text: byte offset, plus 1-based line and column (in code points).
struct SourcePos {
  int32_t offset = 0;
  int32_t line = 1;
  int32_t column = 1;
};

struct Diagnostic {
  SourcePos pos;
  std::string message;
};

// Computes line and column for a byte offset in `text`. Columns count code points, so a caret
// lines up under Chinese text as well.
SourcePos LocateOffset(std::string_view text, int32_t offset);

// "file:line:col: message" followed by the source line and a caret under the column.
// `file` may be empty, then the line starts with "line:col".
std::string FormatDiagnostic(std::string_view file, std::string_view text, const Diagnostic& d);

std::string FormatDiagnostics(std::string_view file, std::string_view text, const std::vector<Diagnostic>& ds);

}  // namespace qgrant
