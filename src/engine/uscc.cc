#include "engine/uscc.h"

namespace qgrant::engine {
namespace {

constexpr std::string_view kCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr int kWeights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

int ValueOf(char c) {
  size_t p = kCharset.find(c);
  return p == std::string_view::npos ? -1 : static_cast<int>(p);
}

}  // namespace

char UsccCheckCharacter(std::string_view first17) {
  if (first17.size() < 17) return '\0';
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    int v = ValueOf(first17[i]);
    if (v < 0) return '\0';
    sum += v * kWeights[i];
  }
  int check = (31 - sum % 31) % 31;
  return kCharset[check];
}

UsccProblem CheckUscc(std::string_view code) {
  if (code.size() != 18) return UsccProblem::kLength;
  for (char c : code) {
    if (ValueOf(c) < 0) return UsccProblem::kCharacter;
  }
  return UsccCheckCharacter(code) == code[17] ? UsccProblem::kNone : UsccProblem::kCheckCharacter;
}

}  // namespace qgrant::engine
