#include "policy/keys.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// A code point as UTF-8.
std::string Utf8(char32_t c) {
  std::string out;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | c >> 6);
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | c >> 12);
    out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | c >> 18);
    out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
  return out;
}

// Every character the short way for Chinese text takes (ChineseKey in keys.cc: ASCII, CJK Unified
// Ideographs, full-width ASCII and some punctuation) gets the key the general Unicode way gives
// it: a soft hyphen at the end (invisible, trimmed) sends the same text that way. The characters
// just outside those ranges, a compatibility ideograph and the ideographic space still change as
// NFKC says.
TEST(KeysTest, ChineseTextKeysAsTheUnicodeWayKeysIt) {
  const std::string soft_hyphen = Utf8(0xAD);
  std::vector<char32_t> points;
  for (char32_t c = 0x21; c < 0x7F; ++c) points.push_back(c);
  for (char32_t c = 0x4DF0; c <= 0xA00F; ++c) points.push_back(c);
  for (char32_t c = 0xFEF0; c <= 0xFF6F; ++c) points.push_back(c);
  for (char32_t c = 0x2000; c <= 0x2030; ++c) points.push_back(c);
  for (char32_t c = 0x3000; c <= 0x3020; ++c) points.push_back(c);
  for (char32_t c : points) {
    const std::string text = " gp-" + Utf8(c) + "x" + Utf8(c) + "\t";
    ASSERT_EQ(MatchKey(text), MatchKey(text + soft_hyphen)) << std::hex << static_cast<uint32_t>(c);
  }
  for (char32_t c = 0x4E00; c <= 0x9FFF; ++c) ASSERT_EQ(MatchKey(Utf8(c) + "a"), Utf8(c) + "A");
  EXPECT_EQ(MatchKey("2025年度深圳市市长质量奖（组织类）"), "2025年度深圳市市长质量奖(组织类)");
  EXPECT_EQ(MatchKey(" 《ｇｂ／ｔ　１》"), "《GB/T 1》");       // an ideographic space inside becomes a space
  EXPECT_EQ(MatchKey("a" + Utf8(0xF900)), "A" + Utf8(0x8C48));  // 豈 → 豈
  EXPECT_EQ(MatchKey("深圳" + Utf8(0x3000)), "深圳");           // an ideographic space, trimmed
  EXPECT_EQ(MatchKey("\xE4\xB8"), "\xE4\xB8");                  // cut short: byte for byte
}

}  // namespace
}  // namespace qgrant::policy
