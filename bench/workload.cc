#include "workload.h"

#include <cstdio>
#include <cstring>
#include <string>

#include "engine/uscc.h"

namespace qgrant::bench {

namespace {

std::string Uscc(uint64_t n) {
  static const char kSet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  std::string s = "914403";  // enterprise, Shenzhen
  std::string tail;
  for (int i = 0; i < 11; ++i) {
    tail += kSet[n % 31];
    n /= 31;
  }
  s += tail;
  s += qgrant::engine::UsccCheckCharacter(s);
  return s;
}

}  // namespace

std::string Workload::Date(int year_from, int year_to) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(year_from + Below(year_to - year_from + 1)),
                static_cast<int>(1 + Below(12)), static_cast<int>(1 + Below(28)));
  return buf;
}

std::string Workload::Application(uint64_t i) {
  if (Chance(invalid_rate_ * 0.2)) return "{\"id\": \"broken-" + std::to_string(i) + "\", \"applicant\": ";
  uint64_t unit = Below(units_);
  std::string uscc = Uscc(unit * 2654435761ULL);
  bool broken = Chance(invalid_rate_);
  int broken_kind = broken ? static_cast<int>(Below(4)) : -1;
  if (broken_kind == 0) uscc[17] = uscc[17] == '0' ? '1' : '0';  // wrong check character
  std::string obtained = broken_kind == 1 ? "2025-02-30" : Date(2024, 2026);
  static const char* const kKinds[] = {"enterprise",         "enterprise",          "enterprise",    "enterprise",
                                       "public_institution", "social_organization", "park_organizer"};
  const char* kind = kKinds[Below(7)];
  bool registered = !Chance(0.02);
  bool dishonest = Chance(0.005);
  std::string measure, facts, subject;
  uint64_t r = Below(1000);
  if (r < 300) {
    measure = "high_end_certification";
    static const char* const kTypes[] = {"green_product",   "green_finance", "carbon_footprint",
                                         "automotive_chip", "robot",         "other_high_end"};
    int n = 1 + static_cast<int>(Below(3));
    facts = "{\"certificates\": [";
    for (int k = 0; k < n; ++k) {
      if (k) facts += ", ";
      facts += "{\"type\": \"" + std::string(kTypes[Below(6)]) + "\", \"number\": \"CERT-" +
               std::to_string(Below(5000000)) + "\", \"issued_on\": \"" + Date(2025, 2026) + "\"}";
    }
    facts += "]}";
    subject = "CERTS-" + std::to_string(i);
  } else if (r < 450) {
    measure = "quality_innovation";
    static const char* const kCat[] = {"technology", "management", "work_method"};
    facts = std::string("{\"category\": \"") + kCat[Below(3)] + "\"}";
    subject = "QI-" + std::to_string(i);
  } else if (r < 560) {
    measure = "metrology";
    static const char* const kAct[] = {
        "international_recommendation", "national_regulation", "provincial_regulation",
        "technical_committee",          "demonstration",       "municipal_measurement_standard"};
    facts = std::string("{\"activity\": \"") + kAct[Below(6)] + "\", \"role\": \"" +
            (Chance(0.5) ? "lead" : "participate") + "\"}";
    subject = "MET-" + std::to_string(i);
  } else if (r < 660) {
    measure = "international_accreditation";
    static const char* const kBodies[] = {"A2LA", "NVLAP", "UKAS", "DAkkS", "CNAS-X"};
    facts = std::string("{\"body\": \"") + kBodies[Below(5)] + "\"}";
    subject = "ACC-" + std::to_string(i);
  } else if (r < 720) {
    measure = "mayor_quality_award";
    static const char* const kGrades[] = {"gold", "silver", "bronze"};
    facts = std::string("{\"grade\": \"") + kGrades[Below(3)] + "\"}";
    subject = "MQA-" + std::to_string(i);
  } else if (r < 750) {
    measure = "china_quality_award";
    facts = std::string("{\"level\": \"") + (Chance(0.3) ? "winner" : "nominee") + "\"}";
    subject = "CQA-" + std::to_string(i);
  } else if (r < 790) {
    measure = "guangdong_quality_award";
    facts = std::string("{\"level\": \"") + (Chance(0.3) ? "winner" : "nominee") + "\"}";
    subject = "GDQA-" + std::to_string(i);
  } else if (r < 840) {
    measure = "performance_excellence";
    facts = std::string("{\"maturity\": \"") + (Chance(0.7) ? "higher" : "basic") + "\"}";
    subject = "PE-" + std::to_string(i);
  } else if (r < 870) {
    measure = "regional_brand_demo_zone";
    facts = std::string("{\"level\": \"") + (Chance(0.3) ? "national" : "provincial") + "\"}";
    subject = "RBZ-" + std::to_string(i);
  } else if (r < 910) {
    measure = "brand_value_evaluation";
    static const char* const kStd[] = {"ISO 10668", "GB/T 29187", "ISO 20671", "in-house"};
    facts = std::string("{\"standard\": \"") + kStd[Below(4)] + "\"}";
    subject = "BV-" + std::to_string(i);
  } else if (r < 940) {
    measure = "qi_demonstration";
    facts = "{}";
    subject = "QID-" + std::to_string(i);
  } else if (r < 960) {
    measure = "industry_chain_quality_service";
    facts = "{}";
    subject = "ICQ-" + std::to_string(i);
  } else if (r < 980) {
    measure = "shenzhen_standard_certification";
    facts = std::string("{\"scheme\": \"") + (Chance(0.5) ? "zhenpin" : "shenzhen_standard") + "\"}";
    subject = "ZP-" + std::to_string(i);
  } else {
    measure = "public_technical_platform";
    facts = "{\"level\": \"municipal\", \"kind\": \"platform\"}";
    subject = "PTP-" + std::to_string(i);
  }
  if (broken_kind == 2) facts = "{}";  // missing required facts
  std::string line = "{\"id\": \"APP-" + std::to_string(i) + "\", \"applicant\": {\"uscc\": \"" + uscc +
                     "\", \"name\": \"深圳市第" + std::to_string(unit) + "号示例有限公司\", \"kind\": \"" + kind +
                     "\", \"registered_in_shenzhen\": " + (registered ? "true" : "false") +
                     ", \"serious_dishonesty\": " + (dishonest ? "true" : "false") + "}, \"measure\": \"" + measure +
                     "\", \"subject\": \"" + subject + "\", \"obtained_on\": \"" + obtained + "\", \"facts\": " + facts;
  if (broken_kind == 3)
    line += ", \"requested_fen\": -100";
  else if (Chance(0.3))
    line += ", \"requested_fen\": " + std::to_string(1000000 + Below(100000000));
  return line + "}";
}

std::string Workload::LedgerEntry(uint64_t i) {
  uint64_t unit = Below(units_);
  std::string uscc = Uscc(unit * 2654435761ULL);
  static const char* const kMeasures[] = {
      "china_quality_award", "guangdong_quality_award",  "mayor_quality_award",    "high_end_certification",
      "quality_innovation",  "regional_brand_demo_zone", "brand_value_evaluation", "metrology"};
  const char* m = kMeasures[Below(8)];
  std::string level, subject;
  if (std::strcmp(m, "mayor_quality_award") == 0)
    level = Chance(0.5) ? "silver" : "bronze";
  else if (std::strcmp(m, "regional_brand_demo_zone") == 0)
    level = "provincial";
  else if (std::strstr(m, "quality_award"))
    level = "nominee";
  subject = std::strcmp(m, "high_end_certification") == 0 ? "CERT-" + std::to_string(Below(5000000))
                                                          : "OLD-" + std::to_string(i);
  const char* policy = Chance(0.8) ? "sz-quality-brand" : "sz-manufacturing";
  std::string line = "{\"uscc\": \"" + uscc + "\", \"policy\": \"" + policy + "\", \"measure\": \"" + m + "\"";
  if (!level.empty()) line += ", \"level\": \"" + level + "\"";
  line += ", \"subject\": \"" + subject + "\", \"amount_fen\": " + std::to_string(5000000 + Below(100000000)) +
          ", \"granted_on\": \"" + Date(2021, 2025) + "\"}";
  return line;
}

}  // namespace qgrant::bench
