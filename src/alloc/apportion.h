// Apportionment by the largest-remainder method: the exact integer step behind every scaled group.
//
// Given shares with capacities caps[i] (summing to `demand`) and a smaller `pot`, each share's
// exact proportional part is caps[i] × pot / demand, usually not a whole number. Each share gets
// the floor of it; the few units the floors leave over (fewer than the number of shares) go one
// each to the shares with the largest remainders. So the parts add up to `pot` exactly, and each
// part is the floor of its exact value or one more (never above caps[i]: the exact value is below
// it).
//
// Ties between equal remainders are broken by the larger tiebreak[i] (the caller passes the
// approved amount, so a larger claim wins), then by the smaller index (input order). The result is
// thus fully determined by the inputs.
//
// All arithmetic is exact: caps[i] × pot is formed in 128 bits, so any int64 values are safe.
#pragma once

#include <cstdint>
#include <span>

namespace qgrant::alloc {

// Preconditions: caps.size() == tiebreak.size() == parts.size(); every caps[i] >= 0 and they add up
// to `demand`; 0 <= pot < demand. Writes each share's part to parts[i].
void ApportionLargestRemainder(std::span<const int64_t> caps, std::span<const int64_t> tiebreak, int64_t demand,
                               int64_t pot, std::span<int64_t> parts);

}  // namespace qgrant::alloc
