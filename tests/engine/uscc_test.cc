#include "engine/uscc.h"

#include <gtest/gtest.h>

namespace qgrant::engine {
namespace {

TEST(UsccTest, AcceptsRealCodes) {
  // Published codes of Shenzhen enterprises and the contract's example.
  for (const char* code : {"914403001922038216", "91440300708461136T", "91440300MA5XXXXXXR", "91350100M000100Y43"}) {
    EXPECT_EQ(CheckUscc(code), UsccProblem::kNone) << code;
  }
}

TEST(UsccTest, ComputesTheCheckCharacter) {
  EXPECT_EQ(UsccCheckCharacter("91440300192203821"), '6');
  EXPECT_EQ(UsccCheckCharacter("91440300708461136"), 'T');
  EXPECT_EQ(UsccCheckCharacter("9144030070846113I"), '\0');  // I is not in the character set
}

TEST(UsccTest, RejectsWrongCheckCharacter) {
  EXPECT_EQ(CheckUscc("914403001922038217"), UsccProblem::kCheckCharacter);
  EXPECT_EQ(CheckUscc("91440300708461136U"), UsccProblem::kCheckCharacter);
}

TEST(UsccTest, RejectsLengthAndCharacters) {
  EXPECT_EQ(CheckUscc("91440300192203821"), UsccProblem::kLength);
  EXPECT_EQ(CheckUscc("9144030019220382160"), UsccProblem::kLength);
  EXPECT_EQ(CheckUscc(""), UsccProblem::kLength);
  EXPECT_EQ(CheckUscc("91440300ma5xxxxxxr"), UsccProblem::kCharacter);  // lower case
  EXPECT_EQ(CheckUscc("91440300MA5XXXXXOR"), UsccProblem::kCharacter);  // O is excluded
  EXPECT_EQ(CheckUscc("91440300MA5XXXXXSR"), UsccProblem::kCharacter);  // S is excluded
  EXPECT_EQ(CheckUscc("91440300192203821I"), UsccProblem::kCharacter);  // the check character too
  EXPECT_EQ(CheckUscc("\xE4\xB8\x80"
                      "440300192203821"),
            UsccProblem::kCharacter);  // a byte above 127
}

}  // namespace
}  // namespace qgrant::engine
