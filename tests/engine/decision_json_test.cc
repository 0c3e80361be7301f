// AppendJsonString scans many bytes at a time; these tests compare it with the plain definition
// (RFC 8259: escape '"', '\\' and control bytes) at every position and length.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

#include "engine/decision.h"

namespace qgrant::engine {
namespace {

std::string Reference(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string Escaped(const std::string& s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

TEST(DecisionJsonTest, EscapesEverySpecialByteAtEveryPosition) {
  const std::string specials = std::string("\"\\\n\r\t\x01\x1f", 7) + std::string(1, '\0');
  for (size_t len = 0; len < 40; ++len) {
    for (size_t at = 0; at < len; ++at) {
      for (char c : specials) {
        std::string s(len, 'a');
        s[at] = c;
        ASSERT_EQ(Escaped(s), Reference(s)) << "length " << len << ", position " << at;
      }
    }
  }
}

TEST(DecisionJsonTest, LeavesUtf8AndHighBytesAlone) {
  const std::string s = "申报单位类型为 enterprise；第三（八）条 \xff\x80 \x7f";
  EXPECT_EQ(Escaped(s), "\"" + s + "\"");
}

TEST(DecisionJsonTest, MatchesTheDefinitionOnRandomText) {
  std::mt19937 rng(20261127);
  std::uniform_int_distribution<int> byte(0, 255), length(0, 100);
  for (int round = 0; round < 5000; ++round) {
    std::string s(static_cast<size_t>(length(rng)), ' ');
    for (char& c : s) c = static_cast<char>(byte(rng) < 40 ? byte(rng) % 0x24 + 0x0a : byte(rng));
    ASSERT_EQ(Escaped(s), Reference(s));
  }
}

}  // namespace
}  // namespace qgrant::engine
