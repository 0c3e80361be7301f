// The candidates as an XLSX workbook (libxlsxwriter): what a program officer opens to publish a
// 免申即享 list or to contact units. Amounts are exact: 万元 as text with six decimals beside
// whole fen as a number (integers are exact in a spreadsheet; fractions of 万元 would not be).
#include <xlsxwriter.h>

#include <map>

#include "screen/screening.h"
#include "simulate/report.h"

namespace qgrant::screen {
namespace {

const char* const kHeaders[] = {"统一社会信用代码", "单位名称", "措施", "条款", "金额（万元）", "依据",
                                "结论", "缺少的事实", "金额（分）", "事项"};

void WriteRow(lxw_worksheet* ws, lxw_row_t r, const ScreenRow& row) {
  bool eligible = row.outcome == engine::Outcome::kEligible;
  std::string missing;
  for (const auto& f : row.missing_facts) missing += (missing.empty() ? "" : "; ") + f;
  worksheet_write_string(ws, r, 0, row.uscc.c_str(), nullptr);
  worksheet_write_string(ws, r, 1, row.name.c_str(), nullptr);
  worksheet_write_string(ws, r, 2, row.measure_title.zh.c_str(), nullptr);
  worksheet_write_string(ws, r, 3, row.clause.c_str(), nullptr);
  if (eligible) worksheet_write_string(ws, r, 4, simulate::FormatWan(row.amount_fen, 6, false).c_str(), nullptr);
  worksheet_write_string(ws, r, 5, row.basis.c_str(), nullptr);
  worksheet_write_string(ws, r, 6, eligible ? "符合条件" : "待补充信息", nullptr);
  worksheet_write_string(ws, r, 7, missing.c_str(), nullptr);
  if (eligible) worksheet_write_number(ws, r, 8, static_cast<double>(row.amount_fen), nullptr);
  worksheet_write_string(ws, r, 9, row.subject.c_str(), nullptr);
}

void Header(lxw_worksheet* ws, lxw_format* bold) {
  for (lxw_col_t c = 0; c < 10; ++c) worksheet_write_string(ws, 0, c, kHeaders[c], bold);
  worksheet_set_column(ws, 0, 0, 22, nullptr);
  worksheet_set_column(ws, 1, 1, 30, nullptr);
  worksheet_set_column(ws, 2, 2, 24, nullptr);
  worksheet_set_column(ws, 3, 4, 14, nullptr);
  worksheet_set_column(ws, 5, 5, 60, nullptr);
  worksheet_set_column(ws, 6, 9, 16, nullptr);
  worksheet_freeze_panes(ws, 1, 0);
}

}  // namespace

Status WriteCandidatesXlsx(const ScreenResult& r, const std::string& path) {
  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) return Status::IoError("cannot create " + path);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  // Summary first, then one sheet per measure in the order candidates appear.
  lxw_worksheet* summary = workbook_add_worksheet(wb, "汇总");
  std::map<std::string, std::vector<const ScreenRow*>> by_measure;
  std::vector<std::string> order;
  for (const auto& row : r.candidates) {
    if (!by_measure.count(row.measure)) order.push_back(row.measure);
    by_measure[row.measure].push_back(&row);
  }
  const char* summary_headers[] = {"措施编号", "措施", "条款", "符合条件（家）", "金额（万元）", "金额（分）", "待补充信息（家）"};
  for (lxw_col_t c = 0; c < 7; ++c) worksheet_write_string(summary, 0, c, summary_headers[c], bold);
  worksheet_set_column(summary, 0, 0, 34, nullptr);
  worksheet_set_column(summary, 1, 1, 30, nullptr);
  worksheet_set_column(summary, 2, 6, 16, nullptr);
  lxw_row_t sr = 1;
  for (const auto& measure : order) {
    const auto& rows = by_measure[measure];
    int64_t eligible = 0, undetermined = 0, fen = 0;
    for (const ScreenRow* row : rows) {
      if (row->outcome == engine::Outcome::kEligible) {
        ++eligible;
        fen += row->amount_fen;
      } else {
        ++undetermined;
      }
    }
    worksheet_write_string(summary, sr, 0, measure.c_str(), nullptr);
    worksheet_write_string(summary, sr, 1, rows[0]->measure_title.zh.c_str(), nullptr);
    worksheet_write_string(summary, sr, 2, rows[0]->clause.c_str(), nullptr);
    worksheet_write_number(summary, sr, 3, static_cast<double>(eligible), nullptr);
    worksheet_write_string(summary, sr, 4, simulate::FormatWan(fen, 6, false).c_str(), nullptr);
    worksheet_write_number(summary, sr, 5, static_cast<double>(fen), nullptr);
    worksheet_write_number(summary, sr, 6, static_cast<double>(undetermined), nullptr);
    ++sr;

    // Sheet names are at most 31 characters; measure ids are shorter except a few.
    std::string sheet = measure.substr(0, 31);
    lxw_worksheet* ws = workbook_add_worksheet(wb, sheet.c_str());
    if (ws == nullptr) continue;
    Header(ws, bold);
    lxw_row_t row_index = 1;
    for (const ScreenRow* row : rows) {
      if (row_index >= LXW_ROW_MAX) break;
      WriteRow(ws, row_index++, *row);
    }
  }
  lxw_error err = workbook_close(wb);
  if (err != LXW_NO_ERROR) return Status::IoError("cannot write " + path + ": " + lxw_strerror(err));
  return Status::Ok();
}

}  // namespace qgrant::screen
