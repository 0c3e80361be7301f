// Value, MapValue, equality and ordering, and the JSON forms the command line and the engine
// exchange values in.
#include "expr/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "expr/value_json.h"

namespace qgrant::expr {
namespace {

using nlohmann::json;

std::shared_ptr<const MapValue> MakeMap(std::vector<std::pair<Value, Value>> entries, std::string* error) {
  return MapValue::Make(std::move(entries), error);
}

TEST(ValueTest, KindsAndAccessors) {
  EXPECT_EQ(Value().kind(), Kind::kNull);
  EXPECT_EQ(Value::Int(-3).int_value(), -3);
  EXPECT_EQ(Value::Uint(3).uint_value(), 3u);
  EXPECT_EQ(Value::String("深圳").string_value(), "深圳");
  EXPECT_EQ(Value::Bytes(std::string("\0\1", 2)).string_value().size(), 2u);
  EXPECT_EQ(Value::Timestamp(5, 7).time_value().seconds, 5);
  EXPECT_EQ(Value::Timestamp(5, 7).time_value().nanos, 7);
  EXPECT_EQ(Value::Duration(-9).duration_nanos(), -9);
  EXPECT_TRUE(Value::Error("x").is_exceptional());
  EXPECT_TRUE(Value::Unknown({"a"}).is_exceptional());
  EXPECT_FALSE(Value::Int(0).is_exceptional());
}

TEST(ValueTest, TypeNamesAreCelNames) {
  EXPECT_EQ(Value().TypeName(), "null_type");
  EXPECT_EQ(Value::Uint(1).TypeName(), "uint");
  EXPECT_EQ(Value::List({}).TypeName(), "list");
  EXPECT_EQ(Value::Timestamp(0, 0).TypeName(), "google.protobuf.Timestamp");
  EXPECT_EQ(Value::Duration(0).TypeName(), "google.protobuf.Duration");
}

TEST(ValueTest, DebugStringKeepsKindsApart) {
  EXPECT_EQ(Value::Int(1).DebugString(), "1");
  EXPECT_EQ(Value::Uint(1).DebugString(), "1u");
  EXPECT_EQ(Value::Double(1).DebugString(), "1.0");
  EXPECT_EQ(Value::Double(1.5).DebugString(), "1.5");
  EXPECT_EQ(Value::Double(-0.0).DebugString(), "-0.0");
  EXPECT_EQ(Value::Double(1e21).DebugString(), "1e+21");
  // Regression: NaN used to print as "NaN.0".
  EXPECT_EQ(Value::Double(NAN).DebugString(), "NaN");
  EXPECT_EQ(Value::Double(INFINITY).DebugString(), "+Inf");
  EXPECT_EQ(Value::Double(-INFINITY).DebugString(), "-Inf");
  EXPECT_EQ(Value::String("a\"b\n").DebugString(), "\"a\\\"b\\n\"");
  EXPECT_EQ(Value::Bytes("\xff"
                         "a")
                .DebugString(),
            "b\"\\xffa\"");
  EXPECT_EQ(Value::List({Value::Int(1), Value::String("x")}).DebugString(), "[1, \"x\"]");
  EXPECT_EQ(Value::Timestamp(0, 0).DebugString(), "timestamp(\"1970-01-01T00:00:00Z\")");
  EXPECT_EQ(Value::Duration(1500000000).DebugString(), "duration(\"1.5s\")");
  EXPECT_EQ(Value::Error("boom").DebugString(), "error(\"boom\")");
}

TEST(ValueTest, ErrorOffsets) {
  Value e = Value::Error("boom");
  EXPECT_EQ(e.error_offset(), -1);
  Value located = e.WithErrorOffset(7);
  EXPECT_EQ(located.error_offset(), 7);
  // The innermost location wins: an error is not moved once located.
  EXPECT_EQ(located.WithErrorOffset(2).error_offset(), 7);
  EXPECT_EQ(Value::Error("x", 3).error_offset(), 3);
}

TEST(ValueTest, HeterogeneousEquality) {
  EXPECT_TRUE(EqualValues(Value::Int(1), Value::Uint(1)));
  EXPECT_TRUE(EqualValues(Value::Int(1), Value::Double(1.0)));
  EXPECT_FALSE(EqualValues(Value::Int(-1), Value::Uint(UINT64_MAX)));
  EXPECT_FALSE(EqualValues(Value::Int(1), Value::String("1")));
  EXPECT_FALSE(EqualValues(Value::Double(NAN), Value::Double(NAN)));
  EXPECT_TRUE(EqualValues(Value::List({Value::Int(1)}), Value::List({Value::Double(1)})));
  EXPECT_FALSE(EqualValues(Value::String("a"), Value::Bytes("a")));

  Value err = Equals(Value::Error("e"), Value::Int(1));
  EXPECT_TRUE(err.is_error());
  EXPECT_EQ(err.error_message(), "e");
  EXPECT_TRUE(Equals(Value::Int(1), Value::Unknown({"u"})).is_unknown());
}

TEST(ValueTest, Ordering) {
  bool ok = false;
  EXPECT_EQ(Compare(Value::Int(-1), Value::Uint(0), &ok), -1);
  EXPECT_TRUE(ok);
  EXPECT_EQ(Compare(Value::Uint(UINT64_MAX), Value::Int(INT64_MAX), &ok), 1);
  EXPECT_EQ(Compare(Value::Double(2.5), Value::Int(2), &ok), 1);
  EXPECT_EQ(Compare(Value::Int(INT64_MAX), Value::Double(1e19), &ok), -1);
  EXPECT_EQ(Compare(Value::String("a"), Value::String("b"), &ok), -1);
  EXPECT_EQ(Compare(Value::Timestamp(1, 0), Value::Timestamp(1, 1), &ok), -1);
  EXPECT_EQ(Compare(Value::Duration(5), Value::Duration(5), &ok), 0);
  Compare(Value::String("a"), Value::Int(1), &ok);
  EXPECT_FALSE(ok);
  Compare(Value::List({}), Value::List({}), &ok);
  EXPECT_FALSE(ok);
}

TEST(MapValueTest, RepeatedAndInvalidKeys) {
  std::string error;
  EXPECT_EQ(MakeMap({{Value::Int(1), Value()}, {Value::Uint(1), Value()}}, &error), nullptr);
  EXPECT_NE(error.find("repeated key"), std::string::npos) << error;
  EXPECT_EQ(MakeMap({{Value::Double(1), Value()}}, &error), nullptr);
  EXPECT_NE(error.find("unsupported key type double"), std::string::npos) << error;
  EXPECT_NE(MakeMap({{Value::Bool(true), Value()}, {Value::Int(1), Value()}}, &error), nullptr)
      << "true and 1 are different keys";
}

// Small maps are scanned and large ones indexed; both must find keys the same way.
TEST(MapValueTest, LookupIsHeterogeneousForSmallAndLargeMaps) {
  for (int n : {3, 40}) {
    std::vector<std::pair<Value, Value>> entries;
    for (int i = 0; i < n; ++i) entries.emplace_back(Value::Int(i), Value::Int(i * 10));
    entries.emplace_back(Value::String("name"), Value::String("v"));
    entries.emplace_back(Value::Uint(UINT64_MAX), Value::Int(-1));
    std::string error;
    auto map = MakeMap(entries, &error);
    ASSERT_NE(map, nullptr) << error;
    const Value* v = map->Find(Value::Uint(2));
    ASSERT_NE(v, nullptr) << n;
    EXPECT_EQ(v->int_value(), 20);
    v = map->Find(Value::Double(2.0));
    ASSERT_NE(v, nullptr) << n;
    EXPECT_EQ(v->int_value(), 20);
    EXPECT_EQ(map->Find(Value::Double(2.5)), nullptr) << n;
    EXPECT_EQ(map->Find(Value::Int(n)), nullptr) << n;
    ASSERT_NE(map->Find(Value::Uint(UINT64_MAX)), nullptr) << n;
    ASSERT_NE(map->FindString("name"), nullptr) << n;
    EXPECT_EQ(map->FindString("nam"), nullptr) << n;
    EXPECT_EQ(map->Find(Value::List({})), nullptr) << n;
  }
}

TEST(MapValueTest, LargeMapDetectsRepeatedKeys) {
  std::vector<std::pair<Value, Value>> entries;
  for (int i = 0; i < 30; ++i) {
    std::string key = "k";  // appended, not "k" + ...: avoids a GCC 12 -Wrestrict false positive
    key += std::to_string(i);
    entries.emplace_back(Value::String(key), Value());
  }
  entries.emplace_back(Value::String("k7"), Value());
  std::string error;
  EXPECT_EQ(MakeMap(entries, &error), nullptr);
  EXPECT_NE(error.find("repeated key \"k7\""), std::string::npos) << error;
}

TEST(ValueJsonTest, TypedJsonKeepsKindsApart) {
  EXPECT_EQ(ToTypedJson(Value::Int(1)), json::parse(R"({"int64_value": 1})"));
  EXPECT_EQ(ToTypedJson(Value::Uint(1)), json::parse(R"({"uint64_value": 1})"));
  EXPECT_EQ(ToTypedJson(Value::Double(1)), json::parse(R"({"double_value": 1.0})"));
  EXPECT_TRUE(ToTypedJson(Value::Double(1))["double_value"].is_number_float());
  EXPECT_EQ(ToTypedJson(Value::Double(NAN)), json::parse(R"({"double_value": "NaN"})"));
  EXPECT_EQ(ToTypedJson(Value::Double(-INFINITY)), json::parse(R"({"double_value": "-Infinity"})"));
  EXPECT_EQ(ToTypedJson(Value::Bytes("\xff")), json::parse(R"({"bytes_value": "/w=="})"));
  EXPECT_EQ(ToTypedJson(Value()), json::parse(R"({"null_value": "NULL_VALUE"})"));
  EXPECT_EQ(ToTypedJson(Value::Timestamp(0, 500000000)),
            json::parse(R"({"timestamp_value": "1970-01-01T00:00:00.5Z"})"));
  EXPECT_EQ(ToTypedJson(Value::Duration(-1500000000)), json::parse(R"({"duration_value": "-1.5s"})"));
  EXPECT_EQ(ToTypedJson(Value::List({Value::Int(1)})),
            json::parse(R"({"list_value": {"values": [{"int64_value": 1}]}})"));
  EXPECT_EQ(ToTypedJson(Value::Type("int")), json::parse(R"({"type_value": "int"})"));
}

TEST(ValueJsonTest, LargeIntegersAreStringsSoJsonReadersKeepThemExact) {
  EXPECT_EQ(ToTypedJson(Value::Int(9007199254740992)), json::parse(R"({"int64_value": 9007199254740992})"));
  EXPECT_EQ(ToTypedJson(Value::Int(9007199254740993)), json::parse(R"({"int64_value": "9007199254740993"})"));
  EXPECT_EQ(ToTypedJson(Value::Int(INT64_MIN)), json::parse(R"({"int64_value": "-9223372036854775808"})"));
  EXPECT_EQ(ToTypedJson(Value::Uint(UINT64_MAX)), json::parse(R"({"uint64_value": "18446744073709551615"})"));
}

TEST(ValueJsonTest, Base64) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
}

TEST(ValueJsonTest, PlainJsonToValues) {
  Value v = FromPlainJson(json::parse(R"({"n": 1, "d": 1.5, "s": "x", "b": true, "z": null, "l": [1, "a"]})"));
  ASSERT_EQ(v.kind(), Kind::kMap);
  EXPECT_EQ(v.map_value().FindString("n")->kind(), Kind::kInt);
  EXPECT_EQ(v.map_value().FindString("d")->kind(), Kind::kDouble);
  EXPECT_EQ(v.map_value().FindString("s")->string_value(), "x");
  EXPECT_TRUE(v.map_value().FindString("b")->bool_value());
  EXPECT_EQ(v.map_value().FindString("z")->kind(), Kind::kNull);
  EXPECT_EQ(v.map_value().FindString("l")->list_value().size(), 2u);
  // Whole numbers beyond int64 become uint; 2.0 stays a double.
  EXPECT_EQ(FromPlainJson(json::parse("18446744073709551615")).kind(), Kind::kUint);
  EXPECT_EQ(FromPlainJson(json::parse("2.0")).kind(), Kind::kDouble);
  EXPECT_EQ(FromPlainJson(json::parse("-5")).int_value(), -5);
}

// Regression: deeply nested JSON (in bindings or facts) overflowed the stack while converting.
TEST(ValueJsonTest, DeeplyNestedJsonIsAnErrorNotACrash) {
  auto nested = [](int n) { return std::string(n, '[') + std::string(n, ']'); };
  Value ok = FromPlainJson(json::parse(nested(1000)));
  EXPECT_EQ(ok.kind(), Kind::kList);
  for (int n : {1025, 200000}) {
    Value v = FromPlainJson(json::parse("{\"x\": " + nested(n) + "}"));
    ASSERT_TRUE(v.is_error()) << n;
    EXPECT_NE(v.error_message().find("nested more than 1024 levels"), std::string::npos);
  }
}

}  // namespace
}  // namespace qgrant::expr
