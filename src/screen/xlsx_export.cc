// The candidates as an XLSX workbook (libxlsxwriter): what a program officer opens to publish a
// 免申即享 list or to contact units.
//
// Amounts are exact numbers that sum. Every amount cell holds the integer number of fen; the
// 金额（万元） column shows that same integer through the number format "#,##0.000000,,", whose two
// trailing commas divide the display by 10^6 (fen per 万元). So a SUM over the column is exact
// and reads in 万元, and no fraction is ever computed or stored in binary floating point.
// libxlsxwriter takes numbers as double; an integer of at most 10^15 fen (money::kMaxFen, below
// 2^53) converts to double exactly, which WriteFen checks before converting.
//
// Sheet names are unique and at most 31 characters (Excel's limit): two measure ids sharing their
// first 31 characters get distinct names instead of losing a sheet.
#include <xlsxwriter.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>

#include "common/money.h"
#include "screen/screening.h"

namespace qgrant::screen {
namespace {

constexpr size_t kMaxSheetName = 31;
constexpr const char* kFenFormat = "#,##0";
constexpr const char* kWanFormat = "#,##0.000000,,";  // fen shown as 万元, six decimals: exact

const char* const kHeaders[] = {"统一社会信用代码", "单位名称",   "措施", "条款", "金额（万元）", "依据", "结论",
                                "缺少的事实",       "金额（分）", "事项"};

struct Formats {
  lxw_format* bold;
  lxw_format* fen;
  lxw_format* wan;
};

// Writes an integer amount of fen as a number. Fails (rather than rounding) past the bound.
Status WriteFen(lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, int64_t fen, lxw_format* format) {
  if (!money::WithinBound(fen)) return money::CheckBound(fen).status();
  worksheet_write_number(ws, r, c, static_cast<double>(fen),
                         format);  // exact: |fen| <= 10^15 < 2^53
  return Status::Ok();
}

Status WriteCount(lxw_worksheet* ws, lxw_row_t r, lxw_col_t c, int64_t count) {
  return WriteFen(ws, r, c, count, nullptr);  // counts obey the same bound, far above any registry
}

Status WriteRow(lxw_worksheet* ws, lxw_row_t r, const ScreenRow& row, const Formats& f) {
  const bool eligible = row.outcome == engine::Outcome::kEligible;
  std::string missing;
  for (const auto& m : row.missing_facts) missing += (missing.empty() ? "" : "; ") + m;
  worksheet_write_string(ws, r, 0, row.uscc.c_str(), nullptr);
  worksheet_write_string(ws, r, 1, row.name.c_str(), nullptr);
  worksheet_write_string(ws, r, 2, row.measure_title.zh.c_str(), nullptr);
  worksheet_write_string(ws, r, 3, row.clause.c_str(), nullptr);
  worksheet_write_string(ws, r, 5, row.basis.c_str(), nullptr);
  worksheet_write_string(ws, r, 6, eligible ? "符合条件" : "待补充信息", nullptr);
  worksheet_write_string(ws, r, 7, missing.c_str(), nullptr);
  worksheet_write_string(ws, r, 9, row.subject.c_str(), nullptr);
  if (!eligible) return Status::Ok();
  QGRANT_RETURN_IF_ERROR(WriteFen(ws, r, 4, row.amount_fen, f.wan));
  return WriteFen(ws, r, 8, row.amount_fen, f.fen);
}

void Header(lxw_worksheet* ws, lxw_format* bold) {
  for (lxw_col_t c = 0; c < 10; ++c) worksheet_write_string(ws, 0, c, kHeaders[c], bold);
  worksheet_set_column(ws, 0, 0, 22, nullptr);
  worksheet_set_column(ws, 1, 1, 30, nullptr);
  worksheet_set_column(ws, 2, 2, 24, nullptr);
  worksheet_set_column(ws, 3, 4, 16, nullptr);
  worksheet_set_column(ws, 5, 5, 60, nullptr);
  worksheet_set_column(ws, 6, 9, 16, nullptr);
  worksheet_freeze_panes(ws, 1, 0);
}

// The first `n` code points of a UTF-8 string.
std::string Utf8Prefix(const std::string& s, size_t n) {
  size_t i = 0;
  for (size_t count = 0; i < s.size() && count < n; ++count) {
    do ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80);
  }
  return s.substr(0, i);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A sheet name for `measure`, unique among `taken` (compared case-insensitively, as Excel does):
// characters Excel forbids become '_', the name is cut to 31 code points, and a clash gets "~2",
// "~3", … in place of its last characters.
std::string SheetName(const std::string& measure, std::set<std::string>* taken) {
  std::string base = measure.empty() ? "measure" : measure;
  std::replace_if(
      base.begin(), base.end(), [](char c) { return std::string_view("[]:*?/\\'").find(c) != std::string_view::npos; },
      '_');
  std::string name = Utf8Prefix(base, kMaxSheetName);
  for (int n = 2; taken->count(Lower(name)) > 0; ++n) {
    const std::string suffix = "~" + std::to_string(n);
    name = Utf8Prefix(base, kMaxSheetName - suffix.size()) + suffix;
  }
  taken->insert(Lower(name));
  return name;
}

// One measure's sheet: a header and its candidates.
Status MeasureSheet(lxw_workbook* wb, const std::string& name, const std::vector<const ScreenRow*>& rows,
                    const Formats& f) {
  if (rows.size() >= LXW_ROW_MAX) {
    return Status::InvalidArgument(
        "措施 " + rows[0]->measure +
        " 的候选单位超过一个工作表的行数 / too many candidates for one sheet: " + std::to_string(rows.size()));
  }
  lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
  if (ws == nullptr) return Status::Internal("cannot add the sheet " + name);
  Header(ws, f.bold);
  lxw_row_t r = 1;
  for (const ScreenRow* row : rows) QGRANT_RETURN_IF_ERROR(WriteRow(ws, r++, *row, f));
  return Status::Ok();
}

// The summary's line for one measure; its sheet's name is in the last column.
Status SummaryRow(lxw_worksheet* summary, lxw_row_t sr, const std::vector<const ScreenRow*>& rows,
                  const std::string& sheet, const Formats& f) {
  int64_t eligible = 0, undetermined = 0;
  money::Total fen;
  for (const ScreenRow* row : rows) {
    if (row->outcome != engine::Outcome::kEligible) {
      ++undetermined;
      continue;
    }
    ++eligible;
    if (!fen.Add(row->amount_fen)) return fen.status();
  }
  worksheet_write_string(summary, sr, 0, rows[0]->measure.c_str(), nullptr);
  worksheet_write_string(summary, sr, 1, rows[0]->measure_title.zh.c_str(), nullptr);
  worksheet_write_string(summary, sr, 2, rows[0]->clause.c_str(), nullptr);
  QGRANT_RETURN_IF_ERROR(WriteCount(summary, sr, 3, eligible));
  QGRANT_RETURN_IF_ERROR(WriteFen(summary, sr, 4, fen.fen(), f.wan));
  QGRANT_RETURN_IF_ERROR(WriteFen(summary, sr, 5, fen.fen(), f.fen));
  QGRANT_RETURN_IF_ERROR(WriteCount(summary, sr, 6, undetermined));
  worksheet_write_string(summary, sr, 7, sheet.c_str(), nullptr);
  return Status::Ok();
}

Formats AddFormats(lxw_workbook* wb) {
  Formats f{workbook_add_format(wb), workbook_add_format(wb), workbook_add_format(wb)};
  format_set_bold(f.bold);
  format_set_num_format(f.fen, kFenFormat);
  format_set_num_format(f.wan, kWanFormat);
  return f;
}

// Summary first, then one sheet per measure in the order candidates appear.
Status WriteSheets(lxw_workbook* wb, const ScreenResult& r) {
  const Formats f = AddFormats(wb);
  const std::string summary_name = "汇总";
  lxw_worksheet* summary = workbook_add_worksheet(wb, summary_name.c_str());
  std::set<std::string> taken = {summary_name};
  std::map<std::string, std::vector<const ScreenRow*>> by_measure;
  std::vector<std::string> order;
  for (const auto& row : r.candidates) {
    if (!by_measure.count(row.measure)) order.push_back(row.measure);
    by_measure[row.measure].push_back(&row);
  }
  const char* headers[] = {"措施编号",         "措施",  "条款", "符合条件（家）", "金额（万元）", "金额（分）",
                           "待补充信息（家）", "工作表"};
  for (lxw_col_t c = 0; c < 8; ++c) worksheet_write_string(summary, 0, c, headers[c], f.bold);
  worksheet_set_column(summary, 0, 0, 34, nullptr);
  worksheet_set_column(summary, 1, 1, 30, nullptr);
  worksheet_set_column(summary, 2, 7, 18, nullptr);
  lxw_row_t sr = 1;
  for (const auto& measure : order) {
    const std::string sheet = SheetName(measure, &taken);
    QGRANT_RETURN_IF_ERROR(SummaryRow(summary, sr++, by_measure[measure], sheet, f));
    QGRANT_RETURN_IF_ERROR(MeasureSheet(wb, sheet, by_measure[measure], f));
  }
  return Status::Ok();
}

}  // namespace

Status WriteCandidatesXlsx(const ScreenResult& r, const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) return Status::IoError("无法创建 cannot create " + path);
  const Status written = WriteSheets(wb, r);
  const lxw_error err = workbook_close(wb);  // frees the workbook whether or not the sheets were written
  if (!written.ok()) {
    std::remove(path.c_str());  // a half-written list must not pass for the real one
    return written;
  }
  if (err != LXW_NO_ERROR) return Status::IoError("无法写入 cannot write " + path + ": " + lxw_strerror(err));
  return Status::Ok();
}

}  // namespace qgrant::screen
