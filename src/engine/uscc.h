// The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters from a
// 31-character set (digits and upper-case letters without I, O, Z, S, V); the last one is a
// check character computed from the first 17 with weights 3^i mod 31. The code identifies a unit
// in the ledger, so a mistyped code must be caught, not silently matched to nobody.
#pragma once

#include <string>
#include <string_view>

namespace qgrant::engine {

enum class UsccProblem { kNone, kLength, kCharacter, kCheckCharacter };

UsccProblem CheckUscc(std::string_view code);

// The check character the first 17 characters call for ('\0' if one of them is invalid).
char UsccCheckCharacter(std::string_view first17);

}  // namespace qgrant::engine
