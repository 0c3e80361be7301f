#include "policy/words.h"

#include <date/date.h>

namespace qgrant::policy {

namespace {

// The part of a clause number in brackets: "三（八）" -> "（八）".
std::string_view ItemPart(std::string_view clause) {
  const size_t open = clause.find("（");
  return open == std::string_view::npos ? clause : clause.substr(open);
}

void AppendGrouped(std::string* out, uint64_t v) {
  const std::string digits = std::to_string(v);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out->push_back(',');
    out->push_back(digits[i]);
  }
}

uint64_t Magnitude(int64_t fen) { return fen < 0 ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen); }

// "3,000,000.00"
std::string YuanDigits(int64_t fen) {
  const uint64_t f = Magnitude(fen);
  std::string out = fen < 0 ? "-" : "";
  AppendGrouped(&out, f / 100);
  out += '.';
  out += static_cast<char>('0' + f % 100 / 10);
  out += static_cast<char>('0' + f % 10);
  return out;
}

}  // namespace

std::string CiteZh(std::string_view clause) { return "第" + std::string(ItemPart(clause)) + "条"; }

std::string CiteEn(std::string_view clause) {
  const std::string en = ClauseEn(ItemPart(clause));
  return "item " + en;
}

std::string DateZh(Date d) {
  const date::year_month_day ymd{date::sys_days{date::days{d.days}}};
  return std::to_string(static_cast<int>(ymd.year())) + "年" + std::to_string(static_cast<unsigned>(ymd.month())) + "月" +
         std::to_string(static_cast<unsigned>(ymd.day())) + "日";
}

std::string KindZh(std::string_view kind) {
  if (kind == "enterprise") return "企业";
  if (kind == "public_institution") return "事业单位";
  if (kind == "social_organization") return "社会组织";
  if (kind == "park_organizer") return "园区（项目）组织单位";
  return std::string(kind);
}

std::string KindEn(std::string_view kind) {
  if (kind == "enterprise") return "enterprise";
  if (kind == "public_institution") return "public institution";
  if (kind == "social_organization") return "social organisation";
  if (kind == "park_organizer") return "park or project organiser";
  return std::string(kind);
}

std::string MoneyZh(int64_t fen) {
  const uint64_t f = Magnitude(fen);
  if (f != 0 && f % 1000000 == 0) return (fen < 0 ? "-" : "") + std::to_string(f / 1000000) + "万元";
  return YuanDigits(fen) + "元";
}

std::string MoneyEn(int64_t fen) { return YuanDigits(fen) + " yuan"; }

}  // namespace qgrant::policy
