#include "engine/uscc.h"

#include <cstdint>

namespace qgrant::engine {
namespace {

constexpr std::string_view kCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr int kWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

// Character -> its value in the GB 32100 set, or -1; a table, since every application is checked.
struct CharTable {
  int8_t value[256];
  constexpr CharTable() : value{} {
    for (int i = 0; i < 256; ++i) value[i] = -1;
    for (size_t i = 0; i < kCharset.size(); ++i)
      value[static_cast<unsigned char>(kCharset[i])] = static_cast<int8_t>(i);
  }
};
constexpr CharTable kTable;

int ValueOf(char c) { return kTable.value[static_cast<unsigned char>(c)]; }

// The check character of the first 17 characters of `code` (at least 17), in one pass without a
// branch per character: a character outside the set has the value -1, which leaves `*outside`
// negative (the caller may start it with the value of a character it also checks).
char CheckCharacterOf(std::string_view code, int* outside) {
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    const int v = ValueOf(code[i]);
    *outside |= v;
    sum += v * kWeights[i];
  }
  return kCharset[(31 - sum % 31) % 31];
}

}  // namespace

char UsccCheckCharacter(std::string_view first17) {
  if (first17.size() < 17) return '\0';
  int outside = 0;
  const char check = CheckCharacterOf(first17, &outside);
  return outside < 0 ? '\0' : check;
}

UsccProblem CheckUscc(std::string_view code) {
  if (code.size() != 18) return UsccProblem::kLength;
  int outside = ValueOf(code[17]);
  const char check = CheckCharacterOf(code, &outside);
  if (outside < 0) return UsccProblem::kCharacter;
  return check == code[17] ? UsccProblem::kNone : UsccProblem::kCheckCharacter;
}

}  // namespace qgrant::engine
