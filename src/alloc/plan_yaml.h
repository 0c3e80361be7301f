// Allocation plans as YAML files, so a program officer can keep the year's tiers or pools next to
// the year's guide instead of on a command line.
//
//   strategy: tiers            # pro_rata | tiers | pools; when absent, inferred from tiers:/pools:
//   unit_fen: 100              # optional rounding unit, default 1 fen
//   tiers:                     # paid in this order; claims no tier selects form the tier "rest"
//     - name: quality_awards
//       measures: [china_quality_award, guangdong_quality_award, mayor_quality_award]
//   pools:                     # separate envelopes; "rest" gets what they leave of the budget
//     - name: awards
//       clauses: ["三（八）"]
//       budget_fen: 5000000000
//   redistribute: proportional # pools only: none (default) | proportional | in_order
//
// The total budget is not part of the file: it is given for each run (qgrant allocate
// --budget-fen), so plan.budget_fen is left at 0. Unknown keys are errors, so a misspelt key never
// silently changes how money is paid. The plan is not validated against a budget here; Allocate
// and ValidatePlan do that.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "alloc/allocate.h"
#include "common/status.h"

namespace qgrant::alloc {

// Errors read "SOURCE:LINE:COLUMN: message".
Result<AllocationPlan> ParsePlanYaml(std::string_view text, std::string_view source_name);

Result<AllocationPlan> LoadPlanFile(const std::string& path);

// A year's guide (a YAML file of kind: guide) as its allocation plan: the `allocation` block
// (strategy, unit_fen, tiers, pools; pro rata when absent) and, in `budget`, its `budget_fen`
// when it gives one. Errors name the file.
Result<AllocationPlan> LoadGuidePlan(const std::string& path, std::optional<int64_t>* budget);

}  // namespace qgrant::alloc
