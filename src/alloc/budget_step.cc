// The budget step of a decision in words (clause （十二）); see budget_step.h.
#include "alloc/budget_step.h"

#include "common/money.h"

namespace qgrant::alloc {

using namespace std::string_view_literals;  // appending a literal needs no strlen

namespace {

constexpr std::string_view kFull = "100%";  // ScalePercent of a group paid in full, and only of one

}  // namespace

std::string ScalePercent(int64_t numerator, int64_t denominator) {
  if (denominator <= 0) return std::string(kFull);
  // Truncated as FormatScale truncates: 0.4689 of the JSON is 46.89% in words, never 46.9%.
  const __int128 hundredths = static_cast<__int128>(numerator) * 10000 / denominator;
  const int64_t h = static_cast<int64_t>(hundredths);
  std::string out = std::to_string(h / 100);
  if (h % 100 != 0)
    out += "." + std::string(h % 100 < 10 ? "0" : "") + std::to_string(h % 100 % 10 == 0 ? h % 100 / 10 : h % 100);
  return out + "%";
}

void AppendStepZh(const Allocation& a, std::string_view scale, std::string* out) {
  out->append("核定金额"sv);
  money::AppendYuanBrief(out, a.amount_fen);
  if (scale == kFull && a.allocated_fen == a.amount_fen) {
    out->append("，年度预算足额，全额拨付"sv);
    money::AppendYuanBrief(out, a.allocated_fen);
    out->append("（第（十二）条）"sv);
    return;
  }
  if (scale == kFull) {  // the budget covers the group: only the part of a rounding unit is not paid
    out->append("，年度预算足额，按拨付单位取整拨付"sv);
    money::AppendYuanBrief(out, a.allocated_fen);
    out->append("（不足一个拨付单位的部分不予拨付；第（十二）条）"sv);
    return;
  }
  out->append(" × 折算比例"sv);
  out->append(scale);
  out->append(" = 拨付"sv);
  money::AppendYuanBrief(out, a.allocated_fen);
  out->append("（年度资金预算不足，按同一比例折算；第（十二）条：实际支持比例和金额受年度资金预算总量控制）"sv);
}

void AppendStepEn(const Allocation& a, std::string_view scale, std::string* out) {
  out->append("Approved "sv);
  money::AppendYuanEnglish(out, a.amount_fen);
  if (scale == kFull && a.allocated_fen == a.amount_fen) {
    out->append("; the budget covers it: "sv);
    money::AppendYuanEnglish(out, a.allocated_fen);
    out->append(" is paid in full (item (12))"sv);
    return;
  }
  if (scale == kFull) {
    out->append("; the budget covers it: "sv);
    money::AppendYuanEnglish(out, a.allocated_fen);
    out->append(" is paid, rounded down to the payment unit (no part of a unit is paid; item (12))"sv);
    return;
  }
  out->append(" × "sv);
  out->append(scale);
  out->append(" = "sv);
  money::AppendYuanEnglish(out, a.allocated_fen);
  out->append(
      " paid (the annual budget is short: every approved amount is scaled by one ratio; item (12): amounts are "
      "controlled by the annual budget)"sv);
}

}  // namespace qgrant::alloc
