#include "policy/words.h"

#include <date/date.h>

#include "common/concat.h"
#include "common/money.h"

namespace qgrant::policy {

namespace {

// The part of a clause number in brackets: "三（八）" -> "（八）".
std::string_view ItemPart(std::string_view clause) {
  const size_t open = clause.find("（");
  return open == std::string_view::npos ? clause : clause.substr(open);
}

}  // namespace

std::string CiteZh(std::string_view clause) { return "第" + std::string(ItemPart(clause)) + "条"; }

std::string CiteEn(std::string_view clause) {
  const std::string en = ClauseEn(ItemPart(clause));
  return "item " + en;
}

std::string DateZh(Date d) {
  const date::year_month_day ymd{date::sys_days{date::days{d.days}}};
  return Concat(std::to_string(static_cast<int>(ymd.year())), "年", std::to_string(static_cast<unsigned>(ymd.month())),
                "月", std::to_string(static_cast<unsigned>(ymd.day())), "日");
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

std::string WithArticleEn(const std::string& noun) {
  const bool vowel = !noun.empty() && std::string_view("aeiouAEIOU").find(noun[0]) != std::string_view::npos;
  return (vowel ? "an " : "a ") + noun;
}

std::string MoneyZh(int64_t fen) {
  // A whole number of 万元 reads as 万元; anything else as 元 with two decimals.
  char words[money::kWordsRoom];
  return std::string(words, money::WriteWordsZh(fen, words));
}

std::string MoneyEn(int64_t fen) {
  char words[money::kWordsRoom];
  return std::string(words, money::WriteWordsEn(fen, words));
}

}  // namespace qgrant::policy
