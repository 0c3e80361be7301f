// Synthetic decisions (qgrant eval's JSON Lines, CONTRACT §4) for benchmarking qgrant allocate:
//   gen_decisions N [SEED] > decisions.jsonl
// About 70% eligible (amounts from the catalogue's ceilings, a quarter lowered as requested_fen
// would), the rest ineligible, referred or invalid; a few per-certificate decisions with items,
// and Chinese reasons as eval writes them. Ids are unique, so allocate accepts the file.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace {

struct Measure {
  const char* id;
  const char* clause;
  int64_t cap_fen;
};

constexpr Measure kMeasures[] = {
    {"china_quality_award", "三（八）", 300'000'000},
    {"mayor_quality_award", "三（八）", 100'000'000},
    {"quality_innovation", "一（二）", 30'000'000},
    {"high_end_certification", "一（三）", 10'000'000},
    {"metrology", "二（六）", 80'000'000},
    {"international_accreditation", "二（六）", 30'000'000},
    {"brand_value_evaluation", "三（十一）", 50'000'000},
    {"qi_demonstration", "二（七）", 20'000'000},
};

void Line(uint64_t i, std::mt19937_64& rng, std::string* out) {
  const Measure& m = kMeasures[rng() % std::size(kMeasures)];
  const unsigned kind = rng() % 100;
  char head[256];
  if (kind >= 97) {  // invalid: no id, as eval writes a line that is not JSON
    out->append(
        R"({"id":null,"outcome":"invalid","reasons":[{"code":"not_json","path":"","zh":"不是 JSON 对象","en":"not a JSON object"}],"items":[]})");
    return;
  }
  const char* outcome = kind < 70 ? "eligible" : kind < 93 ? "ineligible" : "referred";
  const int64_t amount = kind < 70 ? (rng() % 4 == 0 ? static_cast<int64_t>(rng() % m.cap_fen) + 1 : m.cap_fen) : 0;
  std::snprintf(head, sizeof head,
                R"({"id":"2026-%010llu","measure":"%s","clause":"%s","outcome":"%s","cap_fen":%lld,"amount_fen":%lld,)",
                static_cast<unsigned long long>(i), m.id, m.clause, outcome, static_cast<long long>(m.cap_fen),
                static_cast<long long>(amount));
  out->append(head);
  if (kind < 70) {
    out->append(R"("reasons":[{"code":"first_time","zh":"首次获得该项支持","en":"obtained for the first time"}],)");
  } else {
    out->append(R"("reasons":[{"code":"not_registered","zh":"未在深圳注册","en":"not registered in Shenzhen"}],)");
  }
  if (m.cap_fen == 10'000'000 && kind < 70) {
    out->append(R"("items":[{"number":"GP-)" + std::to_string(i) + R"(","amount_fen":5000000}]})");
  } else {
    out->append(R"("items":[]})");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: gen_decisions N [SEED] > decisions.jsonl\n");
    return 2;
  }
  const uint64_t n = std::strtoull(argv[1], nullptr, 10);
  std::mt19937_64 rng(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20260101);
  std::string out;
  for (uint64_t i = 1; i <= n; ++i) {
    Line(i, rng, &out);
    out += '\n';
    if (out.size() > (1 << 20)) {
      std::fwrite(out.data(), 1, out.size(), stdout);
      out.clear();
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
