#include "policy/keys.h"

#include <gtest/gtest.h>

#include <string>

namespace qgrant::policy {
namespace {

// What IsMatchKey answers, one byte at a time: no white space at either end, every byte ASCII
// and none a lower-case letter.
bool IsMatchKeyByByte(std::string_view text) {
  if (text.empty()) return true;
  auto space = [](unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  if (space(text.front()) || space(text.back())) return false;
  for (unsigned char c : text) {
    if (c >= 0x80 || (c >= 'a' && c <= 'z')) return false;
  }
  return true;
}

// Every byte value, at every place of strings that fill zero to three words and a tail.
TEST(KeysTest, IsMatchKeyJudgesEveryByteAtEveryPlace) {
  for (size_t size = 1; size <= 27; ++size) {
    for (size_t at = 0; at < size; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string text(size, 'A');
        text[at] = static_cast<char>(b);
        ASSERT_EQ(IsMatchKey(text), IsMatchKeyByByte(text)) << "size " << size << ", byte " << b << " at " << at;
      }
    }
  }
}

TEST(KeysTest, IsMatchKeyIsMatchKeyOfItself) {
  for (const char* text : {"", "GP-2026-001", "gp-2026-001", "GP-2026-001 ", "ＧＰ-2026-001", "GB/T 29187", "UKAS",
                           "ukas", "A B", "`@[{~", "Z", "z"}) {
    EXPECT_EQ(IsMatchKey(text), MatchKey(text) == text) << text;
  }
}

}  // namespace
}  // namespace qgrant::policy
