#include "simulate/report.h"

#include <algorithm>
#include <set>
#include <utility>

#include "common/csv.h"
#include "common/markup.h"
#include "common/money.h"
#include "common/printable.h"

namespace qgrant::simulate {

namespace {

constexpr int kTableDecimals = 2;  // 0.01 万元 = 100 yuan: enough for a costing, exact in the CSV

std::string Grouped(uint64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    out += digits[i];
    if ((n - i - 1) % 3 == 0 && i + 1 != n) out += ',';
  }
  return out;
}

std::string Count(int64_t v) {
  uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  return (v < 0 ? "-" : "") + Grouped(mag);
}

// A change shows its sign: +1,234 / -1,234 / 0.
std::string SignedCount(int64_t v) { return (v > 0 ? "+" : "") + Count(v); }

std::string Wan(int64_t fen) { return money::WanFixed(fen, kTableDecimals, true); }

std::string SignedWan(int64_t fen) {
  std::string s = Wan(fen);
  return (fen > 0 && s.find_first_not_of("0.,") != std::string::npos ? "+" : "") + s;
}

// Decodes the code point at s[*i] and moves past it; malformed bytes count as one each.
uint32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto b = static_cast<unsigned char>(s[*i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
  if (*i + len > s.size()) len = 1;
  uint32_t cp = len == 1 ? b : b & (0x7F >> len);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  *i += len;
  return cp;
}

// East Asian Wide and Fullwidth ranges (Unicode UAX #11) that policy texts use.
bool Wide(uint32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF) ||
         (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
         (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

// A plain-text table aligned for a terminal, with headings that span several columns.
class TextTable {
 public:
  struct Span {
    size_t first, last;
    std::string text;
  };

  explicit TextTable(std::vector<bool> right_aligned) : right_(std::move(right_aligned)) {}

  void Cells(std::vector<std::string> cells) { rows_.push_back({Kind::kCells, std::move(cells), {}}); }
  void Rule() { rows_.push_back({Kind::kRule, {}, {}}); }
  void Spans(std::vector<Span> spans) { rows_.push_back({Kind::kSpans, {}, std::move(spans)}); }

  std::string Render() const {
    const size_t n = right_.size();
    std::vector<int> width(n, 0);
    for (const auto& r : rows_) {
      for (size_t c = 0; c < r.cells.size() && c < n; ++c) width[c] = std::max(width[c], DisplayWidth(r.cells[c]));
    }
    auto span_width = [&](const Span& s) {
      int w = 0;
      for (size_t c = s.first; c <= s.last; ++c) w += width[c];
      return w + kGap * static_cast<int>(s.last - s.first);
    };
    for (const auto& r : rows_) {
      for (const auto& s : r.spans) width[s.last] += std::max(0, DisplayWidth(s.text) - span_width(s));
    }
    int total = kGap * static_cast<int>(n - 1);
    for (int w : width) total += w;

    std::string out;
    for (const auto& r : rows_) {
      std::string line;
      if (r.kind == Kind::kRule) {
        line.assign(total, '-');
      } else if (r.kind == Kind::kSpans) {
        int at = 0;
        for (const auto& s : r.spans) {
          int start = 0;
          for (size_t c = 0; c < s.first; ++c) start += width[c] + kGap;
          start += (span_width(s) - DisplayWidth(s.text)) / 2;
          line.append(std::max(0, start - at), ' ');
          line += s.text;
          at = std::max(at, start) + DisplayWidth(s.text);
        }
      } else {
        for (size_t c = 0; c < n; ++c) {
          const std::string cell = c < r.cells.size() ? r.cells[c] : "";
          const int pad = width[c] - DisplayWidth(cell);
          if (c > 0) line.append(kGap, ' ');
          if (right_[c]) line.append(pad, ' ');
          line += cell;
          if (!right_[c]) line.append(pad, ' ');
        }
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += line + "\n";
    }
    return out;
  }

 private:
  static constexpr int kGap = 2;
  enum class Kind { kCells, kRule, kSpans };
  struct Row {
    Kind kind;
    std::vector<std::string> cells;
    std::vector<Span> spans;
  };
  std::vector<bool> right_;
  std::vector<Row> rows_;
};

// The six figure columns: units and 万元 under the baseline, the reform, and the change.
std::vector<std::string> FigureCells(const Cell& base, const Cell& reform) {
  return {Count(base.units),
          Wan(base.fen),
          Count(reform.units),
          Wan(reform.fen),
          SignedCount(reform.units - base.units),
          SignedWan(reform.fen - base.fen)};
}

std::vector<TextTable::Span> ScenarioSpans(size_t first) {
  return {{first, first + 1, "基线 baseline"},
          {first + 2, first + 3, "改革 reform"},
          {first + 4, first + 5, "变化 change"}};
}

void Append(std::vector<std::string>* to, const std::vector<std::string>& cells) {
  to->insert(to->end(), cells.begin(), cells.end());
}

const char* DimensionZh(Dimension dim) { return dim == kDistrict ? "按区 by district" : "按单位类型 by kind"; }
const char* DimensionId(Dimension dim) { return dim == kDistrict ? "district" : "kind"; }

// Groups of a breakdown: by units in the registry, most first; units that do not say last.
std::vector<std::string> GroupOrder(const SimulationResult& r, Dimension dim) {
  std::set<std::string> names;
  for (const auto& [name, n] : r.registry_units[dim]) names.insert(name);
  for (const auto& s : r.scenarios) {
    for (const auto& [name, f] : s.groups[dim]) names.insert(name);
  }
  std::vector<std::string> order(names.begin(), names.end());
  auto units = [&](const std::string& name) {
    auto it = r.registry_units[dim].find(name);
    return it == r.registry_units[dim].end() ? int64_t{0} : it->second;
  };
  std::stable_sort(order.begin(), order.end(), [&](const std::string& a, const std::string& b) {
    if (a.empty() != b.empty()) return b.empty();
    return units(a) > units(b);
  });
  return order;
}

const Figures* FindGroup(const ScenarioResult& s, Dimension dim, const std::string& name) {
  auto it = s.groups[dim].find(name);
  return it == s.groups[dim].end() ? nullptr : &it->second;
}

Cell MeasureCell(const Figures* f, size_t m) { return f ? f->measures[m] : Cell{}; }
Cell TotalCell(const Figures* f) { return f ? f->total : Cell{}; }

// Roughly how wide a text is drawn at `px` pixels: CJK glyphs are square, Latin ones about 0.6.
int TextPixels(std::string_view s, int px) {
  int w10 = 0;
  for (size_t i = 0; i < s.size();) w10 += Wide(NextCodePoint(s, &i)) ? 10 * px : 6 * px;
  return (w10 + 9) / 10;
}

// A group as shown: a kind with its Chinese name, and the units that do not say.
std::string GroupName(Dimension dim, const std::string& group) {
  if (group.empty()) return "（未注明）unspecified";
  if (dim == kKind) {
    static const std::pair<const char*, const char*> kKinds[] = {{"enterprise", "企业"},
                                                                 {"public_institution", "事业单位"},
                                                                 {"social_organization", "社会组织"},
                                                                 {"park_organizer", "园区运营机构"}};
    for (const auto& [id, zh] : kKinds) {
      if (group == id) return std::string(zh) + " " + id;
    }
  }
  return Printable(group);
}

}  // namespace

int DisplayWidth(std::string_view utf8) {
  int w = 0;
  for (size_t i = 0; i < utf8.size();) w += Wide(NextCodePoint(utf8, &i)) ? 2 : 1;
  return w;
}

std::string RenderTable(const SimulationResult& r, const ReportOptions& options) {
  const ScenarioResult& base = r.scenarios[kBaseline];
  const ScenarioResult& reform = r.scenarios[kReform];
  std::string out = "政策调整成本测算 cost of a rule change (qgrant simulate)\n";
  out += "registry  " + options.registry + ": " + Count(r.units) + " units, " + Count(r.lines) + " lines";
  if (r.bad_lines > 0) out += ", " + Count(r.bad_lines) + " bad (invalid in both scenarios)";
  out += "\nbaseline  " + base.label + "\nreform    " + reform.label + "\n\n";

  TextTable table({false, false, true, true, true, true, true, true});
  table.Spans(ScenarioSpans(2));
  table.Cells({"条款", "措施 measure", "单位 units", "万元", "单位 units", "万元", "单位 units", "万元"});
  table.Rule();
  for (size_t m = 0; m < r.measures.size(); ++m) {
    const MeasureRow& row = r.measures[m];
    if (!row.Paid()) continue;
    std::string title = row.title.zh;
    if (!row.support[kReform]) title += "〔改革取消 cancelled〕";
    if (!row.support[kBaseline]) title += "〔改革新增 new〕";
    std::vector<std::string> cells{row.clause, title};
    Append(&cells, FigureCells(base.all.measures[m], reform.all.measures[m]));
    table.Cells(std::move(cells));
    table.Cells({"", row.id});
  }
  table.Rule();
  std::vector<std::string> total{"", "合计 total"};
  Append(&total, FigureCells(base.all.total, reform.all.total));
  table.Cells(std::move(total));
  out += table.Render();

  out +=
      "\n单位 units: 符合条件的单位数（按统一社会信用代码计）；合计行为至少符合一项措施的单位。\n"
      "          eligible units (by USCC); the total counts units eligible for at least one "
      "measure.\n"
      "万元:      eligible amounts before budget allocation (every amount is a ceiling, clause "
      "四（十二）),\n"
      "          assuming every unit applies for all it holds; rounded half away from zero to 0.01 "
      "万元,\n"
      "          so rows may differ from the total in the last digit (the CSV has exact fen).\n";
  out += "applications  baseline " + Count(base.applications) + ": " + Count(base.eligible) + " eligible, " +
         Count(base.ineligible()) + " ineligible, " + Count(base.referred) + " referred, " + Count(base.invalid) +
         " invalid\n";
  out += "              reform   " + Count(reform.applications) + ": " + Count(reform.eligible) + " eligible, " +
         Count(reform.ineligible()) + " ineligible, " + Count(reform.referred) + " referred, " + Count(reform.invalid) +
         " invalid\n";
  std::string referrals;
  for (size_t m = 0; m < r.measures.size(); ++m) {
    if (!r.measures[m].Referred() || base.referred_units[m] + reform.referred_units[m] == 0) continue;
    referrals += "              " + r.measures[m].id + " " + r.measures[m].title.zh + ": " +
                 Count(base.referred_units[m]) + " → " + Count(reform.referred_units[m]) + " units\n";
  }
  if (!referrals.empty()) out += "referred (supported under other policies, nothing paid here):\n" + referrals;

  for (Dimension dim : options.by) {
    TextTable groups({false, true, true, true, true, true, true, true});
    groups.Spans(ScenarioSpans(2));
    groups.Cells(
        {DimensionZh(dim), "登记单位 registry", "单位 units", "万元", "单位 units", "万元", "单位 units", "万元"});
    groups.Rule();
    for (const auto& name : GroupOrder(r, dim)) {
      auto it = r.registry_units[dim].find(name);
      std::vector<std::string> cells{GroupName(dim, name), Count(it == r.registry_units[dim].end() ? 0 : it->second)};
      Append(&cells, FigureCells(TotalCell(FindGroup(base, dim, name)), TotalCell(FindGroup(reform, dim, name))));
      groups.Cells(std::move(cells));
    }
    groups.Rule();
    std::vector<std::string> sum{"合计 total", Count(r.units)};
    Append(&sum, FigureCells(base.all.total, reform.all.total));
    groups.Cells(std::move(sum));
    out += "\n" + groups.Render();
  }
  return out;
}

std::string RenderCsv(const SimulationResult& r, const std::vector<Dimension>& by) {
  // A byte-order mark first, as `qgrant screen` writes: spreadsheet programs then read UTF-8.
  std::string out =
      "\xEF\xBB\xBF"
      "dimension,group,row,measure,clause,title_zh,registry_units,baseline_units,baseline_fen,"
      "baseline_wan,"
      "reform_units,reform_fen,reform_wan,change_units,change_fen,change_wan\n";
  auto line = [&](std::string_view dim, std::string_view group, std::string_view row, const MeasureRow* m,
                  std::string registry_units, const Cell& b, const Cell& f) {
    out += std::string(dim) + "," + CsvField(group) + "," + std::string(row) + ",";
    out += m ? CsvField(m->id) + "," + CsvField(m->clause) + "," + CsvField(m->title.zh) : ",,合计";
    out += "," + registry_units;
    for (const Cell& c : {b, f, Cell{f.units - b.units, f.fen - b.fen}}) {
      out += "," + std::to_string(c.units) + "," + std::to_string(c.fen) + "," + money::WanFixed(c.fen, 6, false);
    }
    out += "\n";
  };
  auto block = [&](std::string_view dim, std::string_view group, const Figures* b, const Figures* f,
                   int64_t registry_units) {
    for (size_t m = 0; m < r.measures.size(); ++m) {
      if (r.measures[m].Paid()) line(dim, group, "measure", &r.measures[m], "", MeasureCell(b, m), MeasureCell(f, m));
    }
    line(dim, group, "total", nullptr, std::to_string(registry_units), TotalCell(b), TotalCell(f));
  };
  block("all", "", &r.scenarios[kBaseline].all, &r.scenarios[kReform].all, r.units);
  for (Dimension dim : by) {
    for (const auto& name : GroupOrder(r, dim)) {
      auto it = r.registry_units[dim].find(name);
      block(DimensionId(dim), name, FindGroup(r.scenarios[kBaseline], dim, name),
            FindGroup(r.scenarios[kReform], dim, name), it == r.registry_units[dim].end() ? 0 : it->second);
    }
  }
  return out;
}

namespace {

constexpr int kTitlePx = 18, kLabelPx = 13, kSmallPx = 11;
constexpr int kBar = 14, kBarGap = 2, kRowGap = 16, kMargin = 20, kPlotWidth = 560, kValueRoom = 110;
constexpr const char* kBaseColour = "#4e79a7";
constexpr const char* kReformColour = "#f28e2b";

// Where everything of the chart goes: the measures drawn, the axis and the sizes.
struct ChartLayout {
  std::vector<size_t> rows;  // the measures that pay, in order
  int64_t step = 1;          // the axis step, in fen
  int64_t axis_max = 1;
  int tick_decimals = 0;
  int plot_x = 0, header = 0, row_height = 0, plot_height = 0, width = 0, height = 0;

  int XOf(int64_t fen) const {
    return static_cast<int>((static_cast<__int128>(fen) * kPlotWidth + axis_max / 2) / axis_max);
  }
};

// The axis: the smallest step of 1, 2 or 5 × 10^k fen that covers the largest bar in five steps.
void ChooseAxis(int64_t max_fen, ChartLayout* l) {
  int exponent = 0;
  for (__int128 p = 1;; p *= 10, ++exponent) {
    if (p * 5 >= max_fen) {
      l->step = static_cast<int64_t>(p);
      break;
    }
    if (p * 10 >= max_fen) {
      l->step = static_cast<int64_t>(p * 2);
      break;
    }
    if (p * 25 >= max_fen) {
      l->step = static_cast<int64_t>(p * 5);
      break;
    }
  }
  l->axis_max = std::max<int64_t>(l->step, (max_fen + l->step - 1) / l->step * l->step);
  l->tick_decimals = std::max(0, 6 - exponent);
}

ChartLayout LayOut(const SimulationResult& r) {
  const ScenarioResult& base = r.scenarios[kBaseline];
  const ScenarioResult& reform = r.scenarios[kReform];
  ChartLayout l;
  int label_width = 0;
  int64_t max_fen = 0;
  for (size_t m = 0; m < r.measures.size(); ++m) {
    if (!r.measures[m].Paid()) continue;
    l.rows.push_back(m);
    label_width = std::max({label_width, TextPixels(r.measures[m].title.zh, kLabelPx),
                            TextPixels(r.measures[m].id + " · " + r.measures[m].clause, kSmallPx)});
    max_fen = std::max({max_fen, base.all.measures[m].fen, reform.all.measures[m].fen});
  }
  ChooseAxis(std::max<int64_t>(max_fen, 1000000), &l);  // at least 1 万元 wide, even when nothing is paid
  l.plot_x = kMargin + label_width + 16;
  l.header = kMargin + kTitlePx + 3 * (kSmallPx + 6) + 24;
  l.row_height = 2 * kBar + kBarGap + kRowGap;
  l.plot_height = static_cast<int>(l.rows.size()) * l.row_height;
  l.width = l.plot_x + kPlotWidth + kValueRoom + kMargin;
  for (const std::string* label : {&base.label, &reform.label}) {
    l.width = std::max(l.width, 2 * kMargin + TextPixels("基线 baseline: " + *label, kSmallPx));
  }
  l.height = l.header + l.plot_height + 40 + kMargin;
  return l;
}

// SVG text, escaped.
void SvgText(std::string* s, int x, int y, int px, const std::string& content, const char* extra = "") {
  *s += "<text x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" font-size=\"" + std::to_string(px) +
        "\"" + extra + ">" + EscapeMarkup(content) + "</text>\n";
}

// The title, the two scenarios, the totals and the legend.
void DrawHeading(const SimulationResult& r, const ChartLayout& l, std::string* s) {
  const ScenarioResult& base = r.scenarios[kBaseline];
  const ScenarioResult& reform = r.scenarios[kReform];
  int y = kMargin + kTitlePx;
  SvgText(s, kMargin, y, kTitlePx,
          "各措施资助成本（万元，预算分配前） Cost per measure, 万元, before budget allocation",
          " font-weight=\"bold\" fill=\"#222\"");
  y += kSmallPx + 8;
  SvgText(s, kMargin, y, kSmallPx, "基线 baseline: " + base.label, " fill=\"#444\"");
  y += kSmallPx + 6;
  SvgText(s, kMargin, y, kSmallPx, "改革 reform: " + reform.label, " fill=\"#444\"");
  y += kSmallPx + 6;
  SvgText(s, kMargin, y, kSmallPx,
          "合计 total: " + money::WanFixed(base.all.total.fen, 2, true) + " → " +
              money::WanFixed(reform.all.total.fen, 2, true) + " 万元 (" +
              SignedWan(reform.all.total.fen - base.all.total.fen) + "); " + Count(r.units) + " units",
          " fill=\"#444\"");
  // Legend, right-aligned above the plot.
  const int legend_x = l.plot_x + kPlotWidth - 190;
  const int legend_y = l.header - 14;
  *s += "<rect x=\"" + std::to_string(legend_x) + "\" y=\"" + std::to_string(legend_y - 10) +
        "\" width=\"12\" height=\"12\" fill=\"" + kBaseColour + "\"/>\n";
  SvgText(s, legend_x + 16, legend_y, kSmallPx, "基线 baseline", " fill=\"#222\"");
  *s += "<rect x=\"" + std::to_string(legend_x + 100) + "\" y=\"" + std::to_string(legend_y - 10) +
        "\" width=\"12\" height=\"12\" fill=\"" + kReformColour + "\"/>\n";
  SvgText(s, legend_x + 116, legend_y, kSmallPx, "改革 reform", " fill=\"#222\"");
}

// Grid lines and axis labels.
void DrawAxis(const ChartLayout& l, std::string* s) {
  for (int64_t t = 0; t <= l.axis_max; t += l.step) {
    const int x = l.plot_x + l.XOf(t);
    *s += "<line x1=\"" + std::to_string(x) + "\" y1=\"" + std::to_string(l.header) + "\" x2=\"" + std::to_string(x) +
          "\" y2=\"" + std::to_string(l.header + l.plot_height) + "\" stroke=\"" + (t == 0 ? "#888" : "#e3e3e3") +
          "\" stroke-width=\"1\"/>\n";
    SvgText(s, x, l.header + l.plot_height + 16, kSmallPx, money::WanFixed(t, l.tick_decimals, true),
            " text-anchor=\"middle\" fill=\"#444\"");
  }
  SvgText(s, l.plot_x + kPlotWidth / 2, l.header + l.plot_height + 34, kSmallPx, "万元 (10,000 yuan)",
          " text-anchor=\"middle\" fill=\"#444\"");
}

// One measure: its names, and a bar per scenario with its amount.
void DrawMeasure(const SimulationResult& r, const ChartLayout& l, size_t m, int row_y, std::string* s) {
  const MeasureRow& row = r.measures[m];
  SvgText(s, l.plot_x - 10, row_y + kBar, kLabelPx, row.title.zh, " text-anchor=\"end\" fill=\"#222\"");
  SvgText(s, l.plot_x - 10, row_y + 2 * kBar + kBarGap, kSmallPx, row.id + " · " + row.clause,
          " text-anchor=\"end\" fill=\"#777\"");
  const Cell cells[2] = {r.scenarios[kBaseline].all.measures[m], r.scenarios[kReform].all.measures[m]};
  for (int sc : {kBaseline, kReform}) {
    const int bar_y = row_y + sc * (kBar + kBarGap);
    int w = l.XOf(cells[sc].fen);
    if (cells[sc].fen > 0) w = std::max(w, 1);  // a cost, however small, stays visible
    const std::string label = money::WanFixed(cells[sc].fen, 2, true);
    *s += "<rect x=\"" + std::to_string(l.plot_x) + "\" y=\"" + std::to_string(bar_y) + "\" width=\"" +
          std::to_string(w) + "\" height=\"" + std::to_string(kBar) + "\" fill=\"" +
          (sc == kBaseline ? kBaseColour : kReformColour) + "\" class=\"" + (sc == kBaseline ? "baseline" : "reform") +
          "\"><title>" +
          EscapeMarkup(row.title.zh + " " + row.id + " " + (sc == kBaseline ? "基线" : "改革") + ": " + label +
                       " 万元, " + Count(cells[sc].units) + " units") +
          "</title></rect>\n";
    SvgText(s, l.plot_x + w + 4, bar_y + kBar - 3, kSmallPx, label, " fill=\"#333\"");
  }
}

}  // namespace

std::string RenderChart(const SimulationResult& r) {
  const ChartLayout l = LayOut(r);
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(l.width) + "\" height=\"" +
                  std::to_string(l.height) + "\" viewBox=\"0 0 " + std::to_string(l.width) + " " +
                  std::to_string(l.height) +
                  "\" font-family=\"'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft "
                  "YaHei',sans-serif\">\n";
  s += "<title>各措施资助成本：基线与改革（万元） Cost per measure, baseline and reform</title>\n";
  s += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  DrawHeading(r, l, &s);
  DrawAxis(l, &s);
  int row_y = l.header + kRowGap / 2;
  for (size_t m : l.rows) {
    DrawMeasure(r, l, m, row_y, &s);
    row_y += l.row_height;
  }
  s += "</svg>\n";
  return s;
}

}  // namespace qgrant::simulate
