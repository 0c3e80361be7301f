// Workload: the synthetic applications and ledger rows of the benchmarks of `qgrant eval`
// (bench/gen_workload, bench/eval_bench.sh) — every measure of the shipped policy in plausible
// proportions, valid unified social credit codes, a few percent of broken lines (bad codes,
// impossible dates, missing fields, a negative request, truncated JSON), and repeat applicants
// whose earlier awards sit in the ledger. The same seed gives the same lines, so that the tests
// can decide exactly the data the benchmarks time.
#pragma once

#include <cstdint>
#include <random>
#include <string>

namespace qgrant::bench {

class Workload {
 public:
  // `invalid_rate`: the share of lines broken on purpose (a fifth of it truncated JSON).
  Workload(uint64_t seed, double invalid_rate, uint64_t units)
      : rng_(seed), invalid_rate_(invalid_rate), units_(units) {}

  // The units drawn from, for `applications` applications and `ledger_rows` ledger rows: about
  // two lines a unit, so that units come round again.
  static uint64_t UnitsFor(uint64_t applications, uint64_t ledger_rows) {
    return applications / 2 + ledger_rows / 2 + 1000;
  }

  // The i-th application line (CONTRACT §1) and the i-th ledger line (§3), without the newline.
  // Each call draws from the one generator: write the ledger first, then the applications.
  std::string Application(uint64_t i);
  std::string LedgerEntry(uint64_t i);

 private:
  uint64_t Below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::string Date(int year_from, int year_to);

  std::mt19937_64 rng_;
  double invalid_rate_;
  uint64_t units_;
};

}  // namespace qgrant::bench
