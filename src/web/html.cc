#include "web/html.h"

#include <algorithm>

#include "common/markup.h"
#include "common/money.h"
#include "policy/model.h"
#include "policy/words.h"

namespace qgrant::web {

std::string Esc(std::string_view text) { return EscapeMarkup(text); }

std::string UrlPart(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string Side(std::string_view bilingual, bool en) {
  const size_t split = bilingual.find(" / ");
  if (split == std::string_view::npos) return std::string(bilingual);
  return std::string(en ? bilingual.substr(split + 3) : bilingual.substr(0, split));
}

std::string MoneyHtml(int64_t fen, bool en) { return Esc(en ? money::YuanEnglish(fen) : money::YuanPeople(fen)); }

std::string DateHtml(std::string_view iso, bool en) {
  policy::Date d;
  const std::string day(iso.substr(0, std::min<size_t>(iso.size(), 10)));
  if (iso.size() < 10 || !policy::ParseDate(day, &d)) return Esc(iso);
  std::string shown = en ? policy::DateEn(d) : policy::DateZh(d);
  if (iso.size() > 10) {
    // An instant: its date, then the time of day as written (hh:mm), Beijing time.
    if (iso.size() >= 16) shown += " " + std::string(iso.substr(11, 5));
  }
  return "<time datetime=\"" + Esc(iso) + "\">" + Esc(shown) + "</time>";
}

namespace {

struct Label {
  const char* key;
  const char* zh;
  const char* en;
};

std::string Find(const Label* labels, size_t n, std::string_view key, bool en) {
  for (size_t i = 0; i < n; ++i) {
    if (labels[i].key == key) return en ? labels[i].en : labels[i].zh;
  }
  return std::string(key);
}

}  // namespace

std::string StateLabel(std::string_view state, bool en) {
  // WEB.md §1 "办件进度": the labels applicants know from other portals.
  static const Label kLabels[] = {{"draft", "草稿", "Draft"},
                                  {"submitted", "已提交", "Submitted"},
                                  {"returned", "退回补正", "Returned for correction"},
                                  {"accepted", "已受理", "Accepted"},
                                  {"rejected", "未通过", "Rejected"},
                                  {"withdrawn", "已撤回", "Withdrawn"},
                                  {"proposed", "拟资助", "Proposed for funding"},
                                  {"not_funded", "未获资助", "Not funded"},
                                  {"in_notice", "公示中", "In public notice"},
                                  {"approved", "已批准", "Approved"},
                                  {"paid", "已拨付", "Paid"}};
  return Find(kLabels, std::size(kLabels), state, en);
}

std::string RoundStateLabel(std::string_view state, bool en) {
  static const Label kLabels[] = {{"scheduled", "未开始", "Scheduled"},
                                  {"open", "申报中", "Open"},
                                  {"closed", "已截止", "Closed"},
                                  {"allocated", "已分配", "Allocated"},
                                  {"in_notice", "公示中", "In public notice"},
                                  {"approved", "已批准", "Approved"}};
  return Find(kLabels, std::size(kLabels), state, en);
}

std::string PaymentLabel(std::string_view status, bool en) {
  static const Label kLabels[] = {
      {"pending", "待拨付", "Pending"}, {"paid", "已拨付", "Paid"}, {"failed", "拨付失败", "Failed"}};
  return Find(kLabels, std::size(kLabels), status, en);
}

std::string ObjectionLabel(std::string_view state, bool en) {
  static const Label kLabels[] = {
      {"open", "待处理", "Open"}, {"upheld", "异议成立", "Upheld"}, {"dismissed", "异议不成立", "Dismissed"}};
  return Find(kLabels, std::size(kLabels), state, en);
}

std::string InvitationLabel(std::string_view state, bool en) {
  static const Label kLabels[] = {
      {"open", "待确认", "Open"}, {"confirmed", "已确认", "Confirmed"}, {"declined", "已放弃", "Declined"}};
  return Find(kLabels, std::size(kLabels), state, en);
}

std::string OutcomeLabel(std::string_view outcome, bool en) {
  static const Label kLabels[] = {{"eligible", "符合条件", "Eligible"},
                                  {"ineligible", "不符合条件", "Not eligible"},
                                  {"referred", "不由本系统核算（转办）", "Referred elsewhere"},
                                  {"invalid", "申报信息有误", "Invalid application"}};
  return Find(kLabels, std::size(kLabels), outcome, en);
}

std::string BarChartSvg(std::string_view id, std::string_view title, const std::vector<Bar>& bars, bool en) {
  // Geometry in SVG user units; the viewBox lets CSS scale the chart to the column width.
  constexpr int kLabelWidth = 220, kBarWidth = 300, kValueWidth = 160, kRow = 32;
  const int width = kLabelWidth + kBarWidth + kValueWidth;
  const int height = static_cast<int>(bars.size()) * kRow + 8;
  int64_t largest = 1;
  for (const Bar& b : bars) largest = std::max(largest, b.fen);
  std::string desc;
  for (const Bar& b : bars) desc += b.label + ": " + (en ? money::YuanEnglish(b.fen) : money::Wan(b.fen)) + "; ";
  std::string svg = "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 " + std::to_string(width) + " " +
                    std::to_string(height) + "\" aria-labelledby=\"" + Esc(id) + "-t " + Esc(id) + "-d\"><title id=\"" +
                    Esc(id) + "-t\">" + Esc(title) + "</title><desc id=\"" + Esc(id) + "-d\">" + Esc(desc) + "</desc>";
  int y = 4;
  for (const Bar& b : bars) {
    const int64_t w = b.fen <= 0 ? 0 : std::max<int64_t>(2, b.fen * kBarWidth / largest);
    svg += "<text x=\"" + std::to_string(kLabelWidth - 8) + "\" y=\"" + std::to_string(y + 20) +
           "\" text-anchor=\"end\" font-size=\"14\" fill=\"#1a1a1a\">" + Esc(b.label) + "</text>";
    svg += "<rect x=\"" + std::to_string(kLabelWidth) + "\" y=\"" + std::to_string(y + 4) + "\" width=\"" +
           std::to_string(w) + "\" height=\"22\" fill=\"#1d4f91\"/>";
    svg += "<text x=\"" + std::to_string(kLabelWidth + w + 6) + "\" y=\"" + std::to_string(y + 20) +
           "\" font-size=\"14\" fill=\"#1a1a1a\">" +
           Esc(en ? money::WanNumber(b.fen) + " (10k yuan)" : money::Wan(b.fen)) + "</text>";
    y += kRow;
  }
  return svg + "</svg>";
}

}  // namespace qgrant::web
