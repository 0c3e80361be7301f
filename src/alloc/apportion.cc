#include "alloc/apportion.h"

#include <algorithm>
#include <bit>
#include <vector>

namespace qgrant::alloc {
namespace {

// Remainders are bucketed by their top 16 bits to find the threshold in two linear passes.
constexpr int kBucketBits = 16;

// floor(numerator / divisor) and the remainder, for a quotient known to fit in 64 bits.
inline uint64_t DivideWithRemainder(unsigned __int128 numerator, uint64_t divisor, uint64_t* remainder) {
  const auto quotient = static_cast<uint64_t>(numerator / divisor);
  *remainder = static_cast<uint64_t>(numerator - static_cast<unsigned __int128>(quotient) * divisor);
  return quotient;
}

}  // namespace

void ApportionLargestRemainder(std::span<const int64_t> caps, std::span<const int64_t> tiebreak, int64_t demand,
                               int64_t pot, std::span<int64_t> parts) {
  const size_t n = caps.size();
  const auto divisor = static_cast<uint64_t>(demand);
  const auto share = [&](size_t i) {  // caps[i] × pot: the exact share is this over the divisor
    return static_cast<unsigned __int128>(static_cast<uint64_t>(caps[i])) * static_cast<uint64_t>(pot);
  };
  int64_t floors = 0;
  for (size_t i = 0; i < n; ++i) {
    // The quotient is below caps[i] because pot < demand, so it fits in 64 bits.
    uint64_t remainder;
    const uint64_t part = DivideWithRemainder(share(i), divisor, &remainder);
    parts[i] = static_cast<int64_t>(part);
    floors += static_cast<int64_t>(part);
  }
  // A share's remainder, from its floor (parts[i] before any extra unit): worked out again where
  // needed rather than kept, which would take another eight bytes a claim of fresh memory.
  const auto remainder_of = [&](size_t i) {
    return static_cast<uint64_t>(share(i) - static_cast<unsigned __int128>(static_cast<uint64_t>(parts[i])) * divisor);
  };

  // The remainders add up to (pot - floors) × demand and each is below demand, so more than
  // `left` of them are positive: whoever gets an extra unit had a fractional share, which keeps
  // every part within one unit of its exact value and below its cap.
  int64_t left = pot - floors;
  if (left == 0) return;

  // Find the `left` best shares by (remainder, tiebreak, -index) without sorting them all: count
  // remainders by their top bits, find the bucket holding the left-th best, give a unit to every
  // share in higher buckets, and rank only that bucket's shares by the full order.
  const int shift = std::max(0, static_cast<int>(std::bit_width(divisor - 1)) - kBucketBits);
  std::vector<int64_t> count(size_t{1} << kBucketBits, 0);
  for (size_t i = 0; i < n; ++i) ++count[remainder_of(i) >> shift];
  size_t threshold = count.size() - 1;
  for (int64_t above = 0; above + count[threshold] < left; --threshold) above += count[threshold];

  struct Candidate {
    uint64_t remainder;
    size_t index;
  };
  std::vector<Candidate> candidates;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t remainder = remainder_of(i);
    const size_t bucket = remainder >> shift;
    if (bucket > threshold) {
      ++parts[i];
      --left;
    } else if (bucket == threshold) {
      candidates.push_back({remainder, i});
    }
  }
  const auto better = [&](const Candidate& a, const Candidate& b) {
    if (a.remainder != b.remainder) return a.remainder > b.remainder;
    if (tiebreak[a.index] != tiebreak[b.index]) return tiebreak[a.index] > tiebreak[b.index];
    return a.index < b.index;
  };
  std::nth_element(candidates.begin(), candidates.begin() + (left - 1), candidates.end(), better);
  for (int64_t j = 0; j < left; ++j) ++parts[candidates[j].index];
}

}  // namespace qgrant::alloc
