#include "common/diagnostic.h"

namespace qgrant {

SourcePos LocateOffset(std::string_view text, int32_t offset) {
  SourcePos pos;
  pos.offset = offset;
  if (offset > static_cast<int32_t>(text.size())) offset = static_cast<int32_t>(text.size());
  for (int32_t i = 0; i < offset; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++pos.column;
    }
  }
  return pos;
}

std::string FormatDiagnostic(std::string_view file, std::string_view text, const Diagnostic& d) {
  std::string out;
  if (!file.empty()) {
    out += file;
    out += ':';
  }
  out += std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column) + ": " + d.message + "\n";
  // Find the source line.
  size_t start = 0;
  int line = 1;
  while (line < d.pos.line && start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      start = text.size();
      break;
    }
    start = nl + 1;
    ++line;
  }
  size_t end = text.find('\n', start);
  if (end == std::string_view::npos) end = text.size();
  std::string_view src = text.substr(start, end - start);
  out += " | ";
  out += src;
  out += "\n | ";
  // Caret: pad with one space per code point; wide (CJK) characters take two columns on a terminal.
  int col = 1;
  for (size_t i = 0; i < src.size() && col < d.pos.column;) {
    unsigned char c = static_cast<unsigned char>(src[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    out += (c == '\t') ? "\t" : (len >= 3 ? "  " : " ");
    i += len;
    ++col;
  }
  out += "^\n";
  return out;
}

std::string FormatDiagnostics(std::string_view file, std::string_view text, const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += FormatDiagnostic(file, text, d);
  return out;
}

}  // namespace qgrant
