// A decision letter's content (CONTRACT §7 GET /api/v1/applications/{id}/letter), composed once
// from the application, its round and its decision, and rendered as printable HTML (letter.cc) or
// as an A4 PDF (letter_pdf.cc). Internal to src/server.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace qgrant::server {

struct Letter {
  std::string title;      // 资助决定书 / 不予资助告知书
  std::string number;     // 办件编号 APP-000001
  std::string addressee;  // the unit, "某公司："
  std::string intro;
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;  // label, its lines
  std::vector<std::string> closing;                                    // paragraphs after the table
  std::string authority, date, basis;
};

// The letter as a PDF (Cairo and Pango, with the system's CJK fonts: fonts-noto-cjk). Every text
// is laid out as plain text, never as markup, so nothing in an application can change the page.
Result<std::string> LetterPdf(const Letter& letter);

}  // namespace qgrant::server
