// The budget step of a decision in words (clause （十二）); see budget_step.h.
#include "alloc/budget_step.h"

#include "common/money.h"

namespace qgrant::alloc {

using namespace std::string_view_literals;  // appending a literal needs no strlen

std::string ScalePercent(int64_t numerator, int64_t denominator) {
  if (denominator <= 0) return "100%";
  const __int128 hundredths = (static_cast<__int128>(numerator) * 20000 / denominator + 1) / 2;
  const int64_t h = static_cast<int64_t>(hundredths);
  std::string out = std::to_string(h / 100);
  if (h % 100 != 0)
    out += "." + std::string(h % 100 < 10 ? "0" : "") + std::to_string(h % 100 % 10 == 0 ? h % 100 / 10 : h % 100);
  return out + "%";
}

void AppendStepZh(const Allocation& a, std::string_view scale, std::string* out) {
  out->append("核定金额"sv);
  money::AppendYuanBrief(out, a.amount_fen);
  if (a.allocated_fen == a.amount_fen) {
    out->append("，年度预算足额，全额拨付"sv);
    money::AppendYuanBrief(out, a.allocated_fen);
    out->append("（第（十二）条）"sv);
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
  if (a.allocated_fen == a.amount_fen) {
    out->append("; the budget covers it: "sv);
    money::AppendYuanEnglish(out, a.allocated_fen);
    out->append(" is paid in full (item (12))"sv);
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
