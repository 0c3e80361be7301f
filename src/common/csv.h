// One CSV cell writer for every CSV the project writes (screen candidates, simulate figures).
//
// Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return, which
// some strip first) as a formula: a unit name "=HYPERLINK(…)" in a registry would become a live
// link in an officer's spreadsheet. Such a cell is neutralised by a leading apostrophe, the
// OWASP-recommended escape, which spreadsheets show as text. Numbers the program formats itself
// (amounts, counts, a negative change) are not text cells and are written without this writer.
#pragma once

#include <string>
#include <string_view>

namespace qgrant {

// True when a spreadsheet could read `cell` as a formula.
inline bool LooksLikeFormula(std::string_view cell) {
  return !cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos;
}

// Appends `text` as one CSV cell (RFC 4180 quoting), neutralised when it looks like a formula.
inline void AppendCsvField(std::string* out, std::string_view text) {
  const bool formula = LooksLikeFormula(text);
  const bool quote = formula || text.find_first_of(",\"\n\r") != std::string_view::npos;
  if (quote) out->push_back('"');
  if (formula) out->push_back('\'');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  if (quote) out->push_back('"');
}

inline std::string CsvField(std::string_view text) {
  std::string out;
  AppendCsvField(&out, text);
  return out;
}

}  // namespace qgrant
