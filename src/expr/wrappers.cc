#include "expr/wrappers.h"

#include <cstdint>
#include <limits>

namespace qgrant::expr::internal {
namespace {

using K = CelType::Kind;

Value Same(Kind kind, const char* name, const Value& v) {
  if (v.kind() != kind) return NoSuchOverload(name, &v, 1);
  return v;
}

Value Int32(const Value* a, size_t) {
  if (a[0].kind() != Kind::kInt) return NoSuchOverload("google.protobuf.Int32Value", a, 1);
  int64_t i = a[0].int_value();
  if (i < INT32_MIN || i > INT32_MAX) return Value::Error("range error: int32 value out of range");
  return a[0];
}

Value Uint32(const Value* a, size_t) {
  if (a[0].kind() != Kind::kUint) return NoSuchOverload("google.protobuf.UInt32Value", a, 1);
  if (a[0].uint_value() > UINT32_MAX) return Value::Error("range error: uint32 value out of range");
  return a[0];
}

// A float field keeps float precision; beyond float's range the value is an infinity, as in C.
Value Float(const Value* a, size_t) {
  if (a[0].kind() != Kind::kDouble) return NoSuchOverload("google.protobuf.FloatValue", a, 1);
  double d = a[0].double_value();
  if (d > std::numeric_limits<float>::max()) return Value::Double(std::numeric_limits<double>::infinity());
  if (d < -std::numeric_limits<float>::max()) return Value::Double(-std::numeric_limits<double>::infinity());
  return Value::Double(static_cast<float>(d));
}

Value Int64(const Value* a, size_t) { return Same(Kind::kInt, "google.protobuf.Int64Value", a[0]); }
Value Uint64(const Value* a, size_t) { return Same(Kind::kUint, "google.protobuf.UInt64Value", a[0]); }
Value Double(const Value* a, size_t) { return Same(Kind::kDouble, "google.protobuf.DoubleValue", a[0]); }
Value Bool(const Value* a, size_t) { return Same(Kind::kBool, "google.protobuf.BoolValue", a[0]); }
Value String(const Value* a, size_t) { return Same(Kind::kString, "google.protobuf.StringValue", a[0]); }
Value Bytes(const Value* a, size_t) { return Same(Kind::kBytes, "google.protobuf.BytesValue", a[0]); }

const Wrapper kWrappers[] = {
    {"google.protobuf.BoolValue", K::kBool, [] { return Value::Bool(false); }, Bool},
    {"google.protobuf.BytesValue", K::kBytes, [] { return Value::Bytes(""); }, Bytes},
    {"google.protobuf.DoubleValue", K::kDouble, [] { return Value::Double(0); }, Double},
    {"google.protobuf.FloatValue", K::kDouble, [] { return Value::Double(0); }, Float},
    {"google.protobuf.Int32Value", K::kInt, [] { return Value::Int(0); }, Int32},
    {"google.protobuf.Int64Value", K::kInt, [] { return Value::Int(0); }, Int64},
    {"google.protobuf.StringValue", K::kString, [] { return Value::String(""); }, String},
    {"google.protobuf.UInt32Value", K::kUint, [] { return Value::Uint(0); }, Uint32},
    {"google.protobuf.UInt64Value", K::kUint, [] { return Value::Uint(0); }, Uint64},
    // A JSON value; without fields it is null. Its other fields (number_value, ...) are not
    // supported: no such field.
    {"google.protobuf.Value", K::kDyn, [] { return Value::Null(); }, nullptr},
};

}  // namespace

const Wrapper* FindWrapper(std::string_view name) {
  if (name.starts_with('.')) name.remove_prefix(1);
  for (const Wrapper& w : kWrappers) {
    if (name == w.name) return &w;
  }
  return nullptr;
}

}  // namespace qgrant::expr::internal
