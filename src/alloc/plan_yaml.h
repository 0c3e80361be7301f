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
//       budget_fen: 5_000_000_000  # '_' may group digits, as in policy files
//   redistribute: proportional # pools only: none (default) | proportional | in_order
//
// The total budget is not part of the file: it is given for each run (qgrant allocate
// --budget-fen), so plan.budget_fen is left at 0. The file is read as `qgrant check` reads policy
// files (policy/yaml_reader.h): unknown keys and a key given twice in one map are errors (CONTRACT
// §6: no reader silently keeps the first or the last), so a misspelt or repeated key never
// silently changes how money is paid; so are anchors and aliases. Numbers are whole numbers of fen
// as the policy loader reads them, written without quotes, unit_fen from 1 and pool budgets from 0
// to 10^15. The plan is not validated against a budget here; Allocate and ValidatePlan do that.
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
// (strategy, unit_fen, tiers, pools; pro rata when absent), read as a plan, and, in `budget`, its
// `budget_fen` (read as `qgrant check` reads it) when it gives one. Errors name the line and
// column in the guide file.
Result<AllocationPlan> LoadGuidePlan(const std::string& path, std::optional<int64_t>* budget);

}  // namespace qgrant::alloc
