// A decision's budget step in words (clause （十二）: "实际支持比例和金额受年度资金预算总量控制"):
// how an approved amount became the amount paid, for the allocated decisions of `qgrant allocate`,
// the service's allocation answer and the decision letter.
//
//   AppendStepZh(a, ScalePercent(7, 10), &zh);  // "核定金额300万元 × 折算比例70% = 拨付210万元（…）"
//   AppendStepEn(a, ScalePercent(7, 10), &en);
//
// Neither text holds a character JSON would escape. Money comes from integer fen (common/money.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "alloc/allocate.h"

namespace qgrant::alloc {

// numerator/denominator as a percentage with at most two decimals, truncated like FormatScale's
// four digits (0.4689 reads "46.89%", 2/3 "66.66%"), so that a scaled group never reads "100%".
// Integer arithmetic; the ratio itself stays exact as scale_numerator/scale_denominator.
std::string ScalePercent(int64_t numerator, int64_t denominator);

// The step of one allocation, `scale` being its group's ScalePercent; appended to `out`. Since
// only a group paid in full reads "100%", a claim is worded as paid in full because the budget
// covers it only then: in an over-subscribed group a claim that a leftover fen brought up to its
// whole amount is still shown scaled. In a group paid in full, a claim paid less than its amount
// lost only the part of a rounding unit (--unit-fen) and is worded so.
void AppendStepZh(const Allocation& a, std::string_view scale, std::string* out);
void AppendStepEn(const Allocation& a, std::string_view scale, std::string* out);

}  // namespace qgrant::alloc
