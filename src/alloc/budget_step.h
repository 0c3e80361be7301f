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

// numerator/denominator as a percentage with at most two decimals, rounded half up: "58.82%".
// Integer arithmetic; the ratio itself stays exact as scale_numerator/scale_denominator.
std::string ScalePercent(int64_t numerator, int64_t denominator);

// The step of one allocation, `scale` being its group's ScalePercent; appended to `out`.
void AppendStepZh(const Allocation& a, std::string_view scale, std::string* out);
void AppendStepEn(const Allocation& a, std::string_view scale, std::string* out);

}  // namespace qgrant::alloc
