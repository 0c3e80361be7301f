// Words for people: how decisions, explanations and notices write clause citations, dates,
// applicant kinds and money in Chinese and English (CONTRACT §6, second reading, "Words"): items
// cited as 第（八）条 / item (8), dates as 2026年1月1日 / 2026-01-01, kinds by their Chinese names,
// amounts exact from integer fen. No machine id appears in these texts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "policy/model.h"

namespace qgrant::policy {

// "三（八）" -> "第（八）条"; "四（十二）" -> "第（十二）条". Text that is not a clause number comes back
// as "第X条".
std::string CiteZh(std::string_view clause);
// "三（八）" -> "item (8)".
std::string CiteEn(std::string_view clause);

// 2026-01-01 -> "2026年1月1日" (no leading zeros).
std::string DateZh(Date d);
// 2026-01-01 -> "2026-01-01".
inline std::string DateEn(Date d) { return FormatDate(d); }

// enterprise -> 企业 / enterprise; the contract's four kinds.
std::string KindZh(std::string_view kind);
std::string KindEn(std::string_view kind);
// "an enterprise", "a public institution": the article a noun takes by its first letter.
std::string WithArticleEn(const std::string& noun);

// Money from integer fen: "300万元" when a whole number of 万元, else "12,345.60元";
// English "3,000,000.00 yuan".
std::string MoneyZh(int64_t fen);
std::string MoneyEn(int64_t fen);

}  // namespace qgrant::policy
