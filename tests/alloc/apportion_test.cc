// ApportionLargestRemainder against a direct reading of its rule: floors, then one unit each to
// the shares ranked first by (remainder desc, tiebreak desc, index asc), found by a full sort.
#include "alloc/apportion.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace qgrant::alloc {
namespace {

std::vector<int64_t> Reference(const std::vector<int64_t>& caps, const std::vector<int64_t>& tiebreak, int64_t pot) {
  const size_t n = caps.size();
  __int128 demand = 0;
  for (int64_t c : caps) demand += c;
  std::vector<int64_t> parts(n);
  std::vector<__int128> remainder(n);
  int64_t floors = 0;
  for (size_t i = 0; i < n; ++i) {
    const __int128 product = static_cast<__int128>(caps[i]) * pot;
    parts[i] = static_cast<int64_t>(product / demand);
    remainder[i] = product % demand;
    floors += parts[i];
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (remainder[a] != remainder[b]) return remainder[a] > remainder[b];
    if (tiebreak[a] != tiebreak[b]) return tiebreak[a] > tiebreak[b];
    return a < b;
  });
  for (int64_t k = 0; k < pot - floors; ++k) ++parts[order[k]];
  return parts;
}

std::vector<int64_t> Apportion(const std::vector<int64_t>& caps, const std::vector<int64_t>& tiebreak, int64_t pot) {
  const int64_t demand = std::accumulate(caps.begin(), caps.end(), int64_t{0});
  std::vector<int64_t> parts(caps.size(), -1);
  ApportionLargestRemainder(caps, tiebreak, demand, pot, parts);
  return parts;
}

TEST(ApportionTest, SplitsTheWholePotByLargestRemainder) {
  // Shares 0.5, 1.5 and 4.0 of 6: the floors leave one unit; the remainders of the first two tie
  // and the larger amount takes it.
  EXPECT_EQ(Apportion({1, 3, 8}, {1, 3, 8}, 6), (std::vector<int64_t>{0, 2, 4}));
  // Equal amounts and remainders: input order decides.
  EXPECT_EQ(Apportion({100, 100, 100}, {100, 100, 100}, 200), (std::vector<int64_t>{67, 67, 66}));
}

TEST(ApportionTest, EmptyPotGivesNothing) { EXPECT_EQ(Apportion({5, 7}, {5, 7}, 0), (std::vector<int64_t>{0, 0})); }

TEST(ApportionTest, MatchesReferenceOnRandomInputs) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 3000; ++round) {
    const size_t n = 1 + rng() % 60;
    // Magnitudes from a few fen to near INT64_MAX / n, so that both the shift-free bucketing of
    // small demands and the wide one of huge demands are exercised.
    const int bits = 1 + static_cast<int>(rng() % 62);
    const uint64_t bound = std::max<uint64_t>(2, (uint64_t{1} << bits) / n);
    std::vector<int64_t> caps(n), tiebreak(n);
    for (size_t i = 0; i < n; ++i) {
      caps[i] = rng() % 5 == 0 ? static_cast<int64_t>(bound / 2) : static_cast<int64_t>(rng() % bound);
      tiebreak[i] = rng() % 3 == 0 ? caps[i] : static_cast<int64_t>(rng() % 4);
    }
    const int64_t demand = std::accumulate(caps.begin(), caps.end(), int64_t{0});
    if (demand == 0) continue;
    const int64_t pot = static_cast<int64_t>(rng() % static_cast<uint64_t>(demand));
    ASSERT_EQ(Apportion(caps, tiebreak, pot), Reference(caps, tiebreak, pot)) << "round " << round;
  }
}

TEST(ApportionTest, MatchesReferenceOnLargeSkewedInputs) {
  // Many shares whose remainders all land in one bucket (equal caps), or spread over many: the
  // threshold bucket then holds everything or almost nothing.
  std::mt19937_64 rng(2);
  for (int round = 0; round < 6; ++round) {
    const size_t n = 50'000;
    std::vector<int64_t> caps(n);
    for (size_t i = 0; i < n; ++i) {
      caps[i] = round % 2 == 0 ? 300'000'000 : static_cast<int64_t>(1 + rng() % 300'000'000);
    }
    const int64_t demand = std::accumulate(caps.begin(), caps.end(), int64_t{0});
    const int64_t pot = demand / 7 * (1 + round % 6) + 1;
    ASSERT_EQ(Apportion(caps, caps, pot), Reference(caps, caps, pot)) << "round " << round;
  }
}

TEST(ApportionTest, HugeValuesDoNotOverflow) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const std::vector<int64_t> caps = {kMax / 3, kMax / 3, kMax / 3 - 7, 5};
  EXPECT_EQ(Apportion(caps, caps, kMax / 2), Reference(caps, caps, kMax / 2));
}

}  // namespace
}  // namespace qgrant::alloc
