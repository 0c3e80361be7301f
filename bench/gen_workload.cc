// Writes the synthetic applications and ledger of the benchmarks of `qgrant eval` (bench/workload.h):
// every measure of the shipped policy, broken lines among them, repeat applicants whose earlier
// awards sit in the ledger.
//
//   gen_workload --applications N --out apps.jsonl [--ledger M --ledger-out ledger.jsonl]
//                [--invalid-rate 0.03] [--seed 1]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "workload.h"

int main(int argc, char** argv) {
  uint64_t apps = 0, ledger = 0, seed = 1;
  double invalid = 0.03;
  std::string out, ledger_out;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--applications")
      apps = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--ledger")
      ledger = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--seed")
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--invalid-rate")
      invalid = std::atof(argv[i + 1]);
    else if (a == "--out")
      out = argv[i + 1];
    else if (a == "--ledger-out")
      ledger_out = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  qgrant::bench::Workload gen(seed, invalid, qgrant::bench::Workload::UnitsFor(apps, ledger));
  auto write = [&](const std::string& path, uint64_t n, bool is_ledger) {
    std::FILE* f = path.empty() || path == "-" ? stdout : std::fopen(path.c_str(), "wb");
    if (!f) {
      std::perror(path.c_str());
      return false;
    }
    std::string buf;
    for (uint64_t i = 0; i < n; ++i) {
      buf += is_ledger ? gen.LedgerEntry(i) : gen.Application(i);
      buf += '\n';
      if (buf.size() > (1 << 20)) {
        std::fwrite(buf.data(), 1, buf.size(), f);
        buf.clear();
      }
    }
    std::fwrite(buf.data(), 1, buf.size(), f);
    if (f != stdout) std::fclose(f);
    return true;
  };
  if (ledger > 0 && !write(ledger_out, ledger, true)) return 1;
  if (apps > 0 && !write(out, apps, false)) return 1;
  return 0;
}
