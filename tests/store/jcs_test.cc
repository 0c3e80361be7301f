#include "store/jcs.h"

#include <gtest/gtest.h>

namespace qgrant::store {
namespace {

std::string Canon(const nlohmann::json& v) {
  auto r = CanonicalJson(v);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : "";
}

TEST(JcsTest, SortsMembersByUtf16CodeUnits) {
  // RFC 8785 §3.2.3's example: U+1F600 (D83D DE00 in UTF-16) sorts before U+FB33, although its
  // code point (and UTF-8 bytes) are larger.
  const auto v = nlohmann::json::parse(
      R"({"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh",)"
      R"("1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"})");
  EXPECT_EQ(Canon(v),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With "
            "Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With "
            "Dagesh\"}");
}

TEST(JcsTest, EscapesOnlyWhatJcsRequires) {
  const nlohmann::json v = std::string("q\" b\\ \b\f\n\r\t \x01\x1f / € \x7f 深圳");
  EXPECT_EQ(Canon(v), "\"q\\\" b\\\\ \\b\\f\\n\\r\\t \\u0001\\u001f / € \x7f 深圳\"");
}

TEST(JcsTest, WritesNestedValuesWithoutWhiteSpace) {
  const auto v = nlohmann::json::parse(R"([1, -2, 0, true, false, null, {"b": [], "a": {}}, "x"])");
  EXPECT_EQ(Canon(v), R"([1,-2,0,true,false,null,{"a":{},"b":[]},"x"])");
}

TEST(JcsTest, WritesIntegersAsPlainDigits) {
  EXPECT_EQ(Canon(nlohmann::json(int64_t{1'000'000'000'000'000})), "1000000000000000");
  EXPECT_EQ(Canon(nlohmann::json(uint64_t{9007199254740992})), "9007199254740992");
  EXPECT_EQ(Canon(nlohmann::json(3.0)), "3");
  EXPECT_EQ(Canon(nlohmann::json(-0.0)), "0");
}

TEST(JcsTest, RefusesNumbersItCannotPrintExactly) {
  EXPECT_FALSE(CanonicalJson(nlohmann::json(1.5)).ok());
  EXPECT_FALSE(CanonicalJson(nlohmann::json(int64_t{9007199254740993})).ok());
  EXPECT_FALSE(CanonicalJson(nlohmann::json(uint64_t{18446744073709551615u})).ok());
  EXPECT_FALSE(CanonicalJson(nlohmann::json::parse("[1e400]", nullptr, false)).ok());
}

TEST(JcsTest, RefusesInvalidUtf8) {
  EXPECT_FALSE(CanonicalJson(nlohmann::json(std::string("\xff"))).ok());
  EXPECT_FALSE(CanonicalJson(nlohmann::json(std::string("\xc0\xaf"))).ok());      // overlong '/'
  EXPECT_FALSE(CanonicalJson(nlohmann::json(std::string("\xed\xa0\x80"))).ok());  // a surrogate
  EXPECT_FALSE(CanonicalJson(nlohmann::json(std::string("\xe6\xb7"))).ok());      // cut short
  nlohmann::json obj;
  obj[std::string("\xfe")] = 1;
  auto r = CanonicalJson(obj);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace qgrant::store
