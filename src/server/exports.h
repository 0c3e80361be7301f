// Files the service hands out (CONTRACT §7): the public notice list and the payment file for
// finance, as CSV and XLSX from one table description.
//
// CSV: UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese headers), RFC 4180
// quoting, and no text cell beginning with = + - @ unescaped (common/csv.h). Amounts are exact
// decimals written from integer fen (common/money.h): 万元 trimmed ("294.117647"), 元 with two
// decimals ("2941176.47").
//
// XLSX (libxlsxwriter): amounts are numbers, so they sum, with a number format for their unit; the
// number is the exact decimal above read as a spreadsheet reads a typed decimal (at most 6
// decimals and 10^15 fen: the value prints back as the same decimal), never a computed fraction.
// The total row sums the column with a formula whose stored value is the exact total.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "common/status.h"

namespace qgrant::server {

enum class ColumnUnit { kText, kWan, kYuan };  // text; fen shown in 万元; fen shown in 元 (2 decimals)

struct ExportTable {
  std::string sheet;  // the XLSX sheet's name (at most 31 characters)
  std::vector<std::string> headers;
  std::vector<ColumnUnit> units;                                      // one per header
  std::vector<std::vector<std::variant<std::string, int64_t>>> rows;  // text, or fen for amount columns
  // A total row: its label (in the first column) and the total of each amount column.
  std::string total_label;
};

std::string TableCsv(const ExportTable& table);
Result<std::string> TableXlsx(const ExportTable& table);

inline constexpr const char* kCsvType = "text/csv; charset=utf-8";
inline constexpr const char* kXlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace qgrant::server
