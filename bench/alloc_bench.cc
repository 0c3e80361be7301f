// How long a pro-rata allocation takes for a very large round: 10,000,000 eligible decisions with
// ceilings from the measure catalogue, and a budget covering about 80% of the approved total.
#include <benchmark/benchmark.h>

#include <random>

#include "alloc/allocate.h"

namespace {

using qgrant::alloc::Allocate;
using qgrant::alloc::AllocationPlan;
using qgrant::alloc::Claim;

const std::vector<Claim>& Round() {
  static const std::vector<Claim> claims = [] {
    // Ceilings in fen from the catalogue, lowered at random as requested_fen would lower them.
    constexpr int64_t kCeilings[] = {300'000'000, 100'000'000, 30'000'000, 10'000'000, 5'000'000, 80'000'000};
    std::mt19937_64 rng(20260101);
    std::vector<Claim> out(10'000'000);
    for (Claim& c : out) {
      const int64_t ceiling = kCeilings[rng() % std::size(kCeilings)];
      c.measure = "quality_innovation";
      c.clause = "一（二）";
      c.amount_fen = rng() % 4 == 0 ? static_cast<int64_t>(rng() % ceiling) + 1 : ceiling;
    }
    return out;
  }();
  return claims;
}

void BM_AllocateProRata(benchmark::State& state) {
  const std::vector<Claim>& claims = Round();
  int64_t total = 0;
  for (const Claim& c : claims) total += c.amount_fen;
  AllocationPlan plan;
  plan.budget_fen = total / 5 * 4 + 12345;
  plan.unit_fen = state.range(0);
  for (auto _ : state) {
    auto result = Allocate(claims, plan);
    if (!result.ok() || result->allocated_fen != plan.budget_fen / plan.unit_fen * plan.unit_fen) {
      state.SkipWithError("allocation failed");
      break;
    }
    benchmark::DoNotOptimize(result->allocations.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(claims.size()));
}
BENCHMARK(BM_AllocateProRata)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace

BENCHMARK_MAIN();
