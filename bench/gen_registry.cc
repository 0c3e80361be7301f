// Generates a synthetic registry of Shenzhen units for `qgrant simulate` (doc/simulation.md), at
// city scale: about 2.5 million units, almost all enterprises, spread over the districts roughly
// as the city's registered market entities are. Most units have no achievement; a few percent
// hold high-end certificates; awards, accreditations and metrology projects are rarer, and the
// quality awards number a handful a year, as in the real rolls. Every USCC is valid and unique;
// a small share of lines is broken on purpose (truncated JSON, a wrong check character, an
// impossible date). With --ledger-out, earlier grants of the same units go to a ledger:
// lower award levels, already funded certificate numbers, the same subject under another policy.
//
//   gen_registry --units N --out registry.jsonl [--seed S] [--csv] [--ledger-out ledger.jsonl]
//                [--bad-rate 0.00002]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "engine/uscc.h"

namespace {

struct Weighted {
  const char* value;
  double weight;
};

// Registered market entities by district, roughly (Shenzhen statistical yearbook proportions);
// the administrative region code each district's USCCs carry.
struct District {
  const char* name;
  const char* region;
  double weight;
};
const District kDistricts[] = {
    {"宝安区", "440306", 21.5},  {"龙岗区", "440307", 18.0},        {"龙华区", "440309", 13.5},
    {"南山区", "440305", 13.5},  {"福田区", "440304", 13.0},        {"罗湖区", "440303", 7.5},
    {"光明区", "440311", 5.0},   {"坪山区", "440310", 3.5},         {"盐田区", "440308", 1.5},
    {"大鹏新区", "440300", 0.9}, {"深汕特别合作区", "440300", 0.6},
};
// Units registered elsewhere (a branch of a Guangzhou or Dongguan company) carry another region.
const char* const kOtherRegions[] = {"440100", "440600", "441900", "310115", "110108"};

const Weighted kCertificateTypes[] = {{"green_product", 40},   {"carbon_footprint", 20}, {"other_high_end", 18},
                                      {"automotive_chip", 10}, {"green_finance", 6},     {"robot", 6}};
const char* const kAccreditationBodies[] = {"CNAS", "A2LA", "UKAS", "DAkkS", "NVLAP", "ANAB", "IAS", "HOKLAS"};
const char* const kBrandStandards[] = {"ISO 10668", "GB/T 29187", "ISO 20671", "GB/T 39654", "企业自定标准"};
const char* const kMetrologyActivities[] = {
    "international_recommendation", "national_regulation", "provincial_regulation",
    "technical_committee",          "demonstration",       "municipal_measurement_standard"};
const char* const kNameStems[] = {"华", "鹏", "创", "科", "信", "达", "联", "智", "芯", "海", "汇", "晟",
                                  "锐", "新", "博", "恒", "天", "泰", "中", "安", "明", "源", "宏", "盛"};
const char* const kTrades[] = {"科技",   "电子",     "信息技术", "精密制造", "新能源", "生物医药",
                               "供应链", "通信技术", "智能装备", "新材料",   "贸易",   "检测技术"};

class Generator {
 public:
  Generator(uint64_t seed, double bad_rate) : rng_(seed), bad_rate_(bad_rate) {}

  // One unit: its registry line(s) and its earlier grants.
  void Unit(uint64_t index, bool csv, std::string* registry, std::string* ledger) {
    kind_ = PickKind();
    const District& d = kDistricts[PickDistrict()];
    registered_ = !Chance(0.008);
    uscc_ = Uscc(index, registered_ ? d.region : kOtherRegions[Below(5)]);
    if (Chance(bad_rate_)) uscc_[17] = uscc_[17] == '0' ? '1' : '0';  // a mistyped code
    name_ = Name();
    district_ = Chance(0.003) ? "" : d.name;
    dishonest_ = Chance(0.002);
    established_ = Chance(0.03) ? "" : Established();
    achievements_.clear();
    Achievements(ledger);
    const bool truncated = Chance(bad_rate_);  // an export cut short
    if (csv) {
      CsvRows(truncated, registry);
    } else {
      JsonLine(truncated, registry);
    }
  }

 private:
  struct Achievement {
    std::string measure, subject, obtained_on, facts;
    int64_t requested_fen = 0;
  };

  uint64_t Below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <typename T, size_t N>
  const char* PickWeighted(const T (&items)[N]) {
    double total = 0;
    for (const auto& i : items) total += i.weight;
    double r = std::uniform_real_distribution<double>(0, total)(rng_);
    for (const auto& i : items) {
      if ((r -= i.weight) < 0) return i.value;
    }
    return items[N - 1].value;
  }
  size_t PickDistrict() {
    double total = 0;
    for (const auto& d : kDistricts) total += d.weight;
    double r = std::uniform_real_distribution<double>(0, total)(rng_);
    for (size_t i = 0; i < std::size(kDistricts); ++i) {
      if ((r -= kDistricts[i].weight) < 0) return i;
    }
    return 0;
  }
  const char* PickKind() {
    static const Weighted kKinds[] = {
        {"enterprise", 98.9}, {"social_organization", 0.6}, {"public_institution", 0.4}, {"park_organizer", 0.1}};
    return PickWeighted(kKinds);
  }

  // Unique for every index below 31^9: the index, scrambled by a multiplier prime to 31, as nine
  // characters of the GB 32100 set, after the registering authority, the kind and the region.
  std::string Uscc(uint64_t index, const char* region) {
    static const char kSet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    constexpr uint64_t kSpace = 26439622160671ULL;  // 31^9
    uint64_t n = (index * 2654435761ULL + 12345) % kSpace;
    std::string kind_code = kind_ == std::string("public_institution")    ? "12"
                            : kind_ == std::string("social_organization") ? (Chance(0.5) ? "51" : "52")
                                                                          : "91";
    std::string s = kind_code + region;
    std::string org(9, '0');
    for (int i = 8; i >= 0; --i) {
      org[i] = kSet[n % 31];
      n /= 31;
    }
    s += org;
    s += qgrant::engine::UsccCheckCharacter(s);
    return s;
  }

  std::string Name() {
    std::string stem = std::string(kNameStems[Below(24)]) + kNameStems[Below(24)];
    const std::string kind = kind_;
    if (kind == "social_organization") return "深圳市" + stem + (Chance(0.5) ? "行业协会" : "质量促进会");
    if (kind == "public_institution")
      return "深圳市" + stem + (Chance(0.5) ? "计量质量检测研究院" : "标准技术研究中心");
    if (kind == "park_organizer") return "深圳市" + stem + "产业园运营管理有限公司";
    return "深圳市" + stem + kTrades[Below(12)] + "有限公司";
  }

  std::string Date(int year, int month_from, int month_to) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year,
                  static_cast<int>(month_from + Below(month_to - month_from + 1)), static_cast<int>(1 + Below(28)));
    return buf;
  }
  // When achievements of the round were obtained: 2025 and the first half of 2026.
  std::string Obtained() {
    if (Chance(bad_rate_ * 20)) return "2025-02-30";
    return Chance(0.7) ? Date(2025, 1, 12) : Date(2026, 1, 6);
  }
  // Most units are young: years since founding roughly exponential, mean 7 years.
  std::string Established() {
    int years = std::min(35, static_cast<int>(std::exponential_distribution<double>(1.0 / 7)(rng_)));
    return Date(2026 - years, 1, 12);
  }

  void Add(const char* measure, std::string subject, std::string facts, int64_t ceiling_fen,
           std::string obtained_on = "") {
    if (obtained_on.empty()) obtained_on = Obtained();
    Achievement a{measure, std::move(subject), std::move(obtained_on), std::move(facts), 0};
    // Now and then a unit asks for less than the ceiling (its actual project cost).
    if (ceiling_fen > 0 && Chance(0.1))
      a.requested_fen = ceiling_fen / 2 + static_cast<int64_t>(Below(ceiling_fen / 2));
    achievements_.push_back(std::move(a));
  }

  std::string Seq() { return std::to_string(++sequence_); }

  // Earlier grants go to the ledger: lower award levels, funded certificates, double benefits.
  void LedgerEntry(std::string* ledger, const char* policy, const char* measure, const char* level,
                   const std::string& subject, int64_t fen, int year) {
    *ledger += "{\"uscc\":\"" + uscc_ + "\",\"policy\":\"" + policy + "\",\"measure\":\"" + measure + "\"";
    if (level[0]) *ledger += std::string(",\"level\":\"") + level + "\"";
    *ledger += ",\"subject\":\"" + subject + "\",\"amount_fen\":" + std::to_string(fen) + ",\"granted_on\":\"" +
               Date(year, 1, 12) + "\"}\n";
  }

  void Award(const char* measure, const char* prefix, const char* level_fact, const char* level, int64_t fen,
             const char* lower, int64_t lower_fen, std::string* ledger) {
    Add(measure, std::string(prefix) + "-2025-" + level, std::string("{\"") + level_fact + "\":\"" + level + "\"}", 0);
    if (lower[0] && Chance(0.3)) {
      LedgerEntry(ledger, "sz-quality-brand", measure, lower, std::string(prefix) + "-2022-" + lower, lower_fen, 2022);
    }
    // A few winners of the round were already paid for the same level (an appeal, a re-award).
    if (Chance(0.05))
      LedgerEntry(ledger, "sz-quality-brand", measure, level, std::string(prefix) + "-2021-" + level, fen, 2021);
  }

  void Certificates(std::string* ledger) {
    const int n = Chance(0.70) ? 1 : Chance(0.67) ? 2 : Chance(0.7) ? 3 : 4;
    std::string facts = "{\"certificates\":[";
    std::string latest;  // the achievement is obtained with its last certificate
    for (int k = 0; k < n; ++k) {
      std::string number = "CERT-" + Seq();
      // Group companies share a certificate, or one was funded last year: paid once only.
      if (Chance(0.04)) LedgerEntry(ledger, "sz-quality-brand", "high_end_certification", "", number, 5000000, 2025);
      std::string issued = Chance(0.9) ? (Chance(0.6) ? Date(2025, 1, 12) : Date(2026, 1, 6)) : Date(2024, 1, 12);
      latest = std::max(latest, issued);
      facts += std::string(k ? "," : "") + "{\"type\":\"" + PickWeighted(kCertificateTypes) + "\",\"number\":\"" +
               number + "\",\"issued_on\":\"" + issued + "\"}";
    }
    facts += "]}";
    Add("high_end_certification", "HEC-2025-" + Seq(), facts, 5000000LL * n, latest);
  }

  void Achievements(std::string* ledger) {
    const std::string kind = kind_;
    const bool enterprise = kind == "enterprise";
    const bool institution = kind == "public_institution";
    const bool association = kind == "social_organization";
    const bool park = kind == "park_organizer";
    if (enterprise && Chance(0.030)) Certificates(ledger);
    if (enterprise && Chance(0.004)) {
      Add("shenzhen_standard_certification", "ZP-2025-" + Seq(),
          std::string("{\"scheme\":\"") + (Chance(0.6) ? "zhenpin" : "shenzhen_standard") + "\"}", 0);
    }
    if (Chance(enterprise ? 0.006 : association ? 0.001 : 0)) {
      static const char* const kCategories[] = {"technology", "management", "work_method"};
      std::string subject = "QI-2025-" + Seq();
      Add("quality_innovation", subject, std::string("{\"category\":\"") + kCategories[Below(3)] + "\"}", 30000000);
      if (Chance(0.02)) LedgerEntry(ledger, "sz-technology-innovation", "project_grant", "", subject, 20000000, 2025);
    }
    if (Chance(enterprise ? 0.0002 : institution ? 0.005 : 0)) {
      Add("performance_excellence", "PE-2025-" + Seq(),
          std::string("{\"maturity\":\"") + (Chance(0.8) ? "higher" : "basic") + "\"}", 0);
    }
    if (Chance(enterprise ? 0.0003 : institution ? 0.04 : 0)) {
      Add("international_accreditation", "ACC-2025-" + Seq(),
          std::string("{\"body\":\"") + kAccreditationBodies[Below(8)] + "\"}", 30000000);
    }
    if (Chance(enterprise ? 0.0001 : association ? 0.001 : 0)) {
      Add("brand_value_evaluation", "BV-2025-" + Seq(),
          std::string("{\"standard\":\"") + kBrandStandards[Below(5)] + "\"}", 0);
    }
    if (Chance(enterprise ? 0.00005 : institution ? 0.03 : association ? 0.005 : 0)) {
      const char* activity = kMetrologyActivities[Below(6)];
      std::string facts = std::string("{\"activity\":\"") + activity + "\"";
      if (Below(6) < 3 && !Chance(0.1))
        facts += std::string(",\"role\":\"") + (Chance(0.4) ? "lead" : "participate") + "\"";
      Add("metrology", "MET-2025-" + Seq(), facts + "}", 80000000);
    }
    if (Chance(enterprise ? 0.00002 : institution ? 0.01 : association ? 0.003 : 0.02)) {
      Add("qi_demonstration", "QID-2025-" + Seq(), "{}", 20000000);
    }
    if (Chance(enterprise ? 0.00001 : institution ? 0.005 : association ? 0.005 : 0.01)) {
      Add("industry_chain_quality_service", "ICQ-2025-" + Seq(), "{}", 300000000);
    }
    if (Chance(enterprise ? 0.00004 : institution ? 0.01 : 0)) {
      static const char* const kLevels[] = {"national", "provincial", "municipal"};
      Add("public_technical_platform", "PTP-2025-" + Seq(),
          std::string("{\"level\":\"") + kLevels[Below(3)] + "\",\"kind\":\"" +
              (Chance(0.7) ? "platform" : "quality_standard_lab") + "\"}",
          0);
    }
    if (park && Chance(0.015)) {
      const bool national = Chance(0.2);
      Add("regional_brand_demo_zone", "RBZ-2025-" + Seq(),
          std::string("{\"level\":\"") + (national ? "national" : "provincial") + "\"}", 0);
      if (national && Chance(0.5)) {
        LedgerEntry(ledger, "sz-quality-brand", "regional_brand_demo_zone", "provincial", "RBZ-2022", 50000000, 2022);
      }
    }
    // Quality awards: a handful a year in the whole city.
    const double award_scale = enterprise ? 1.0 : institution || association ? 2.0 : 0;
    if (Chance(4e-7 * award_scale))
      Award("china_quality_award", "CQA", "level", "winner", 300000000, "nominee", 100000000, ledger);
    if (Chance(1.2e-6 * award_scale)) Award("china_quality_award", "CQA", "level", "nominee", 100000000, "", 0, ledger);
    if (Chance(1.6e-6 * award_scale))
      Award("guangdong_quality_award", "GDQA", "level", "winner", 100000000, "nominee", 10000000, ledger);
    if (Chance(6.4e-6 * award_scale))
      Award("guangdong_quality_award", "GDQA", "level", "nominee", 10000000, "", 0, ledger);
    if (Chance(1.6e-6 * award_scale))
      Award("mayor_quality_award", "MQA", "grade", "gold", 200000000, "silver", 100000000, ledger);
    if (Chance(3.2e-6 * award_scale))
      Award("mayor_quality_award", "MQA", "grade", "silver", 100000000, "bronze", 50000000, ledger);
    if (Chance(4.8e-6 * award_scale)) Award("mayor_quality_award", "MQA", "grade", "bronze", 50000000, "", 0, ledger);
  }

  static std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

  void JsonLine(bool truncated, std::string* out) {
    std::string line = "{\"uscc\":" + Quoted(uscc_) + ",\"name\":" + Quoted(name_) + ",\"kind\":" + Quoted(kind_);
    if (!district_.empty()) line += ",\"district\":" + Quoted(district_);
    line += std::string(",\"registered_in_shenzhen\":") + (registered_ ? "true" : "false") +
            ",\"serious_dishonesty\":" + (dishonest_ ? "true" : "false");
    if (!established_.empty()) line += ",\"established_on\":" + Quoted(established_);
    line += ",\"achievements\":[";
    for (size_t i = 0; i < achievements_.size(); ++i) {
      const Achievement& a = achievements_[i];
      line += std::string(i ? "," : "") + "{\"measure\":" + Quoted(a.measure) + ",\"subject\":" + Quoted(a.subject) +
              ",\"obtained_on\":" + Quoted(a.obtained_on) + ",\"facts\":" + a.facts;
      if (a.requested_fen > 0) line += ",\"requested_fen\":" + std::to_string(a.requested_fen);
      line += "}";
    }
    line += "]}";
    if (truncated) line.resize(line.size() / 2);
    *out += line + "\n";
  }

  static std::string CsvField(const std::string& s) {
    if (s.find_first_of(",\"") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
  }

  void CsvRows(bool truncated, std::string* out) {
    const std::string unit = uscc_ + "," + CsvField(name_) + "," + kind_ + "," + district_ + "," +
                             (registered_ ? "true" : "false") + "," + (dishonest_ ? "true" : "false") + "," +
                             established_;
    // A truncated export keeps only the unit's own columns: every row of it is a bad line.
    if (achievements_.empty()) *out += unit + (truncated ? "" : ",,,,,") + "\n";
    for (const Achievement& a : achievements_) {
      *out += unit;
      if (!truncated) {
        *out += "," + a.measure + "," + CsvField(a.subject) + "," + a.obtained_on + "," + CsvField(a.facts) + "," +
                (a.requested_fen > 0 ? std::to_string(a.requested_fen) : "");
      }
      *out += "\n";
    }
  }

  std::mt19937_64 rng_;
  double bad_rate_;
  uint64_t sequence_ = 0;
  const char* kind_ = "";
  std::string uscc_, name_, district_, established_;
  bool registered_ = true, dishonest_ = false;
  std::vector<Achievement> achievements_;
};

}  // namespace

int main(int argc, char** argv) {
  uint64_t units = 0, seed = 1;
  double bad_rate = 0.00002;
  bool csv = false;
  std::string out, ledger_out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--csv") {
      csv = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", a.c_str());
      return 2;
    }
    const char* v = argv[++i];
    if (a == "--units")
      units = std::strtoull(v, nullptr, 10);
    else if (a == "--seed")
      seed = std::strtoull(v, nullptr, 10);
    else if (a == "--bad-rate")
      bad_rate = std::atof(v);
    else if (a == "--out")
      out = v;
    else if (a == "--ledger-out")
      ledger_out = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (units == 0 || out.empty()) {
    std::fprintf(stderr,
                 "usage: gen_registry --units N --out FILE [--seed S] [--csv] [--ledger-out FILE] "
                 "[--bad-rate R]\n");
    return 2;
  }
  std::FILE* f = out == "-" ? stdout : std::fopen(out.c_str(), "wb");
  std::FILE* lf = ledger_out.empty() ? nullptr : std::fopen(ledger_out.c_str(), "wb");
  if (!f || (!ledger_out.empty() && !lf)) {
    std::perror(!f ? out.c_str() : ledger_out.c_str());
    return 1;
  }
  Generator gen(seed, bad_rate);
  std::string buf, ledger;
  if (csv)
    buf =
        "uscc,name,kind,district,registered_in_shenzhen,serious_dishonesty,established_on,measure,"
        "subject,obtained_on,facts_json,requested_fen\n";
  for (uint64_t i = 0; i < units; ++i) {
    // The ledger is made even when not written, so that the registry does not depend on it.
    gen.Unit(i, csv, &buf, &ledger);
    if (buf.size() > (1 << 20)) {
      std::fwrite(buf.data(), 1, buf.size(), f);
      buf.clear();
    }
    if (ledger.size() > (1 << 20)) {
      if (lf) std::fwrite(ledger.data(), 1, ledger.size(), lf);
      ledger.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), f);
  if (lf) {
    std::fwrite(ledger.data(), 1, ledger.size(), lf);
    std::fclose(lf);
  }
  if (f != stdout) std::fclose(f);
  return 0;
}
