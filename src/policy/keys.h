// Comparing keys the way a person means them (CONTRACT §6, second reading, "Comparing keys"):
// certificate numbers, subjects and open-list values are compared after Unicode NFKC (full-width
// letters become ASCII), with white space and invisible characters (zero-width space, BOM) trimmed
// and letters upper-cased, so that "gp-2026-001 ", "ＧＰ-2026-001" and "GP-2026-001\u200b" are one
// certificate. A standard's number is compared without its edition year ("GB/T 29187-2012" is
// "GB/T 29187", "ISO 10668:2010" is "ISO 10668").
#pragma once

#include <string>
#include <string_view>

namespace qgrant::policy {

// The comparison form of a key. Plain ASCII already in that form comes back unchanged (the
// common case, and cheap); invalid UTF-8 is kept byte for byte, upper-cased and trimmed.
std::string MatchKey(std::string_view text);
// Whether MatchKey(text) == text, without building it.
bool IsMatchKey(std::string_view text);
// MatchKey, then without a trailing edition year ("-2012", ":2010").
std::string StandardKey(std::string_view text);

}  // namespace qgrant::policy
