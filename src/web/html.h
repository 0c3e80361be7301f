// Writing HTML safely and in the programme's words: one escaping function for every piece of
// text that reaches a page (element text and attribute values alike), amounts from integer fen
// through common/money, dates inside <time datetime>, the public labels of application states,
// and server-rendered SVG bar charts (no script needed to see a chart).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qgrant::web {

// HTML-escaped text (common/markup.h's EscapeMarkup, under the short name the page code uses).
std::string Esc(std::string_view text);

// Percent-encodes a path segment or query value (everything but unreserved characters).
std::string UrlPart(std::string_view text);

// Chinese or English, as the visitor chose (qgrant_lang cookie; Chinese by default).
inline const char* Tr(bool en, const char* zh, const char* english) { return en ? english : zh; }

// The API's bilingual messages read "中文 / English": the side for the visitor's language, the
// whole text when it has no such split.
std::string Side(std::string_view bilingual, bool en);

// "300万元（3,000,000.00元）" in Chinese, "3,000,000.00 yuan" in English; escaped HTML.
std::string MoneyHtml(int64_t fen, bool en);

// <time datetime="2026-06-01">2026年6月1日</time> (English: 2026-06-01). Text that is not a
// date (an instant) shows its date part the same way; anything else is shown escaped as is.
std::string DateHtml(std::string_view iso, bool en);

// The public label of an application state (草稿 / Draft, 退回补正 / Returned, ...).
std::string StateLabel(std::string_view state, bool en);
// The label of a round's state (申报中 / Open, ...).
std::string RoundStateLabel(std::string_view state, bool en);
// A payment's status (待拨付 / Pending, ...), an objection's (待处理, 异议成立, 不成立) and an
// invitation's (待确认, 已确认, 已放弃).
std::string PaymentLabel(std::string_view status, bool en);
std::string ObjectionLabel(std::string_view state, bool en);
std::string InvitationLabel(std::string_view state, bool en);
// eligible / ineligible / referred / invalid as 符合条件 / Eligible, ...
std::string OutcomeLabel(std::string_view outcome, bool en);

// One bar of a chart: its label and value in fen.
struct Bar {
  std::string label;
  int64_t fen = 0;
};
// A horizontal bar chart as inline SVG: role="img", <title> and <desc>, each bar with its value
// printed beside it (in 万元). Bars scale to the largest value. Escaped throughout. `id`: unique
// on the page (the title and description are referred to by it).
std::string BarChartSvg(std::string_view id, std::string_view title, const std::vector<Bar>& bars, bool en);

}  // namespace qgrant::web
