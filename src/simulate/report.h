// What `qgrant simulate` shows (doc/simulation.md): a table for the terminal, CSV for
// spreadsheets and an SVG bar chart, all from one SimulationResult. Money is int64 fen
// throughout and is turned into 万元 text by common/money.h, with integer arithmetic only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "simulate/simulation.h"

namespace qgrant::simulate {

// Columns a terminal gives the text: 2 for CJK and full-width characters, 1 for the rest.
int DisplayWidth(std::string_view utf8);

struct ReportOptions {
  std::string registry;       // the registry's name, for the heading
  std::vector<Dimension> by;  // breakdowns to show, in order
};

// The table for the terminal: every paid measure (Chinese title, id, clause) with eligible units
// and 万元 under each scenario and the change, the total, then one table per breakdown.
std::string RenderTable(const SimulationResult& r, const ReportOptions& options);

// The same figures as CSV (header first; UTF-8), with exact fen beside exact 万元.
std::string RenderCsv(const SimulationResult& r, const std::vector<Dimension>& by);

// A standalone SVG bar chart: cost per paid measure, baseline beside reform, in 万元.
std::string RenderChart(const SimulationResult& r);

}  // namespace qgrant::simulate
