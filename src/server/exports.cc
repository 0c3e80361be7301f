#include "server/exports.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/csv.h"
#include "common/money.h"

namespace qgrant::server {

namespace {

using Cell = std::variant<std::string, int64_t>;

// The exact decimal of an amount in its column's unit.
std::string Decimal(ColumnUnit unit, int64_t fen) {
  return unit == ColumnUnit::kWan ? money::WanNumber(fen) : money::YuanNumber(fen, false);
}

// The totals of the amount columns, checked against the 10^15 bound.
Result<std::vector<int64_t>> Totals(const ExportTable& t) {
  std::vector<money::Total> totals(t.headers.size());
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (const int64_t* fen = std::get_if<int64_t>(&row[c])) totals[c].Add(*fen);
    }
  }
  std::vector<int64_t> out;
  for (const auto& total : totals) {
    if (!total.ok()) return total.status();
    out.push_back(total.fen());
  }
  return out;
}

void AppendCell(const Cell& cell, ColumnUnit unit, std::string* out) {
  if (const int64_t* fen = std::get_if<int64_t>(&cell)) {
    out->append(Decimal(unit, *fen));
  } else {
    AppendCsvField(out, std::get<std::string>(cell));
  }
}

}  // namespace

std::string TableCsv(const ExportTable& t) {
  std::string out = "\xEF\xBB\xBF";
  for (size_t c = 0; c < t.headers.size(); ++c) {
    if (c) out += ',';
    AppendCsvField(&out, t.headers[c]);
  }
  out += "\r\n";
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c) out += ',';
      AppendCell(row[c], t.units[c], &out);
    }
    out += "\r\n";
  }
  if (t.total_label.empty()) return out;
  auto totals = Totals(t);
  for (size_t c = 0; c < t.headers.size(); ++c) {
    if (c) out += ',';
    if (c == 0)
      AppendCsvField(&out, t.total_label);
    else if (t.units[c] != ColumnUnit::kText && totals.ok())
      out += Decimal(t.units[c], (*totals)[c]);
  }
  out += "\r\n";
  return out;
}

namespace {

// A workbook written to a private temporary file (libxlsxwriter 1.1.4 writes only to files),
// read back and removed.
class TempFile {
 public:
  TempFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "qgrant-export-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd >= 0) {
      ::close(fd);
      path_ = pattern;
    }
  }
  ~TempFile() {
    if (!path_.empty()) std::filesystem::remove(path_);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ColumnName(size_t c) { return std::string(1, static_cast<char>('A' + c)); }

Status WriteSheet(lxw_workbook* wb, const ExportTable& t, const std::vector<int64_t>& totals) {
  lxw_worksheet* ws = workbook_add_worksheet(wb, t.sheet.c_str());
  if (ws == nullptr) return Status::Internal("cannot add the sheet " + t.sheet);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* wan = workbook_add_format(wb);
  format_set_num_format(wan, "#,##0.00####");
  lxw_format* yuan = workbook_add_format(wb);
  format_set_num_format(yuan, "#,##0.00");
  auto format_of = [&](ColumnUnit u) { return u == ColumnUnit::kWan ? wan : u == ColumnUnit::kYuan ? yuan : nullptr; };
  for (size_t c = 0; c < t.headers.size(); ++c) {
    worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), t.headers[c].c_str(), bold);
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c),
                         t.units[c] == ColumnUnit::kText ? 24 : 18, nullptr);
  }
  lxw_row_t r = 1;
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      if (const int64_t* fen = std::get_if<int64_t>(&row[c])) {
        worksheet_write_number(ws, r, col, std::strtod(Decimal(t.units[c], *fen).c_str(), nullptr),
                               format_of(t.units[c]));
      } else {
        worksheet_write_string(ws, r, col, std::get<std::string>(row[c]).c_str(), nullptr);
      }
    }
    ++r;
  }
  if (!t.total_label.empty()) {
    worksheet_write_string(ws, r, 0, t.total_label.c_str(), bold);
    for (size_t c = 1; c < t.headers.size(); ++c) {
      if (t.units[c] == ColumnUnit::kText) continue;
      const std::string column = ColumnName(c);
      const std::string formula = "=SUM(" + column + "2:" + column + std::to_string(r) + ")";
      worksheet_write_formula_num(ws, r, static_cast<lxw_col_t>(c), formula.c_str(), format_of(t.units[c]),
                                  std::strtod(Decimal(t.units[c], totals[c]).c_str(), nullptr));
    }
  }
  worksheet_freeze_panes(ws, 1, 0);
  return Status::Ok();
}

}  // namespace

Result<std::string> TableXlsx(const ExportTable& t) {
  if (t.headers.size() > 26) return Status::Internal("too many columns for an export");
  auto totals = Totals(t);
  if (!totals.ok()) return totals.status();
  TempFile file;
  if (file.path().empty()) return Status::IoError("cannot create a temporary file for the workbook");
  lxw_workbook* wb = workbook_new(file.path().c_str());
  if (wb == nullptr) return Status::IoError("cannot start the workbook");
  Status written = WriteSheet(wb, t, *totals);
  if (workbook_close(wb) != LXW_NO_ERROR && written.ok()) written = Status::IoError("cannot write the workbook");
  if (!written.ok()) return written;
  std::ifstream in(file.path(), std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) return Status::IoError("cannot read the workbook back");
  return bytes.str();
}

}  // namespace qgrant::server
