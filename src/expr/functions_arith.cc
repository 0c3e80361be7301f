// Arithmetic, comparison, membership and indexing: the operators of CEL.
#include <cmath>

#include "expr/builtins.h"
#include "expr/time_util.h"

namespace qgrant::expr::internal {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

Value Overflow() { return Value::Error("int64 overflow"); }
Value UintOverflow() { return Value::Error("uint64 overflow"); }

Value Concat(const Value& a, const Value& b) {
  if (a.kind() == Kind::kString) return Value::String(a.string_value() + b.string_value());
  if (a.kind() == Kind::kBytes) return Value::Bytes(a.string_value() + b.string_value());
  ValueList out;
  out.reserve(a.list_value().size() + b.list_value().size());
  out.insert(out.end(), a.list_value().begin(), a.list_value().end());
  out.insert(out.end(), b.list_value().begin(), b.list_value().end());
  return Value::List(std::move(out));
}

Value MakeDuration(__int128 nanos) {
  if (nanos > INT64_MAX || nanos < INT64_MIN) return Value::Error("duration out of range");
  return Value::Duration(static_cast<int64_t>(nanos));
}

Value MakeTimestamp(__int128 total_nanos) {
  __int128 secs = total_nanos / kNanosPerSecond;
  __int128 nanos = total_nanos % kNanosPerSecond;
  if (nanos < 0) {
    nanos += kNanosPerSecond;
    secs -= 1;
  }
  if (secs < kMinTimestampSeconds || secs > kMaxTimestampSeconds) {
    return Value::Error("timestamp out of range");
  }
  return Value::Timestamp(static_cast<int64_t>(secs), static_cast<int32_t>(nanos));
}

__int128 TotalNanos(TimeParts t) { return static_cast<__int128>(t.seconds) * kNanosPerSecond + t.nanos; }

Value CompareOp(const Value* a, const char* name, bool (*test)(int)) {
  bool ok;
  int c = Compare(a[0], a[1], &ok);
  if (!ok) return NoSuchOverload(name, a, 2);
  if (c == 2) return Value::Bool(false);  // NaN is unordered
  return Value::Bool(test(c));
}

// An integral list index from int, uint or a double with no fraction.
bool IndexOf(const Value& v, int64_t* out) {
  switch (v.kind()) {
    case Kind::kInt:
      *out = v.int_value();
      return true;
    case Kind::kUint:
      if (v.uint_value() > static_cast<uint64_t>(INT64_MAX)) {
        *out = INT64_MAX;
      } else {
        *out = static_cast<int64_t>(v.uint_value());
      }
      return true;
    case Kind::kDouble: {
      double d = v.double_value();
      if (std::trunc(d) != d || std::isinf(d) || d > 9.2e18 || d < -9.2e18) return false;
      *out = static_cast<int64_t>(d);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

Value AddTimestampDuration(TimeParts t, int64_t d) { return MakeTimestamp(TotalNanos(t) + d); }

Value Add(const Value* a, size_t) {
  const Value &x = a[0], &y = a[1];
  Kind kx = x.kind(), ky = y.kind();
  if (kx == ky) {
    switch (kx) {
      case Kind::kInt: {
        int64_t r;
        if (__builtin_add_overflow(x.int_value(), y.int_value(), &r)) return Overflow();
        return Value::Int(r);
      }
      case Kind::kUint: {
        uint64_t r;
        if (__builtin_add_overflow(x.uint_value(), y.uint_value(), &r)) return UintOverflow();
        return Value::Uint(r);
      }
      case Kind::kDouble:
        return Value::Double(x.double_value() + y.double_value());
      case Kind::kString:
      case Kind::kBytes:
      case Kind::kList:
        return Concat(x, y);
      case Kind::kDuration:
        return MakeDuration(static_cast<__int128>(x.duration_nanos()) + y.duration_nanos());
      default:
        break;
    }
  }
  if (kx == Kind::kTimestamp && ky == Kind::kDuration) return AddTimestampDuration(x.time_value(), y.duration_nanos());
  if (kx == Kind::kDuration && ky == Kind::kTimestamp) return AddTimestampDuration(y.time_value(), x.duration_nanos());
  return NoSuchOverload("_+_", a, 2);
}

Value Subtract(const Value* a, size_t) {
  const Value &x = a[0], &y = a[1];
  Kind kx = x.kind(), ky = y.kind();
  if (kx == ky) {
    switch (kx) {
      case Kind::kInt: {
        int64_t r;
        if (__builtin_sub_overflow(x.int_value(), y.int_value(), &r)) return Overflow();
        return Value::Int(r);
      }
      case Kind::kUint: {
        uint64_t r;
        if (__builtin_sub_overflow(x.uint_value(), y.uint_value(), &r)) return UintOverflow();
        return Value::Uint(r);
      }
      case Kind::kDouble:
        return Value::Double(x.double_value() - y.double_value());
      case Kind::kDuration:
        return MakeDuration(static_cast<__int128>(x.duration_nanos()) - y.duration_nanos());
      case Kind::kTimestamp:
        return MakeDuration(TotalNanos(x.time_value()) - TotalNanos(y.time_value()));
      default:
        break;
    }
  }
  if (kx == Kind::kTimestamp && ky == Kind::kDuration) {
    return MakeTimestamp(TotalNanos(x.time_value()) - y.duration_nanos());
  }
  return NoSuchOverload("_-_", a, 2);
}

Value Multiply(const Value* a, size_t) {
  const Value &x = a[0], &y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case Kind::kInt: {
        int64_t r;
        if (__builtin_mul_overflow(x.int_value(), y.int_value(), &r)) return Overflow();
        return Value::Int(r);
      }
      case Kind::kUint: {
        uint64_t r;
        if (__builtin_mul_overflow(x.uint_value(), y.uint_value(), &r)) return UintOverflow();
        return Value::Uint(r);
      }
      case Kind::kDouble:
        return Value::Double(x.double_value() * y.double_value());
      default:
        break;
    }
  }
  return NoSuchOverload("_*_", a, 2);
}

Value Divide(const Value* a, size_t) {
  const Value &x = a[0], &y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case Kind::kInt:
        if (y.int_value() == 0) return Value::Error("division by zero");
        if (x.int_value() == INT64_MIN && y.int_value() == -1) return Overflow();
        return Value::Int(x.int_value() / y.int_value());
      case Kind::kUint:
        if (y.uint_value() == 0) return Value::Error("division by zero");
        return Value::Uint(x.uint_value() / y.uint_value());
      case Kind::kDouble:
        return Value::Double(x.double_value() / y.double_value());
      default:
        break;
    }
  }
  return NoSuchOverload("_/_", a, 2);
}

Value Modulo(const Value* a, size_t) {
  const Value &x = a[0], &y = a[1];
  if (x.kind() == y.kind()) {
    switch (x.kind()) {
      case Kind::kInt:
        if (y.int_value() == 0) return Value::Error("modulus by zero");
        if (x.int_value() == INT64_MIN && y.int_value() == -1) return Overflow();
        return Value::Int(x.int_value() % y.int_value());
      case Kind::kUint:
        if (y.uint_value() == 0) return Value::Error("modulus by zero");
        return Value::Uint(x.uint_value() % y.uint_value());
      default:
        break;
    }
  }
  return NoSuchOverload("_%_", a, 2);
}

Value Negate(const Value* a, size_t) {
  const Value& x = a[0];
  switch (x.kind()) {
    case Kind::kInt:
      if (x.int_value() == INT64_MIN) return Overflow();
      return Value::Int(-x.int_value());
    case Kind::kDouble:
      return Value::Double(-x.double_value());
    case Kind::kDuration:
      if (x.duration_nanos() == INT64_MIN) return Value::Error("duration out of range");
      return Value::Duration(-x.duration_nanos());
    default:
      return NoSuchOverload("-_", a, 1);
  }
}

Value LogicalNot(const Value* a, size_t) {
  if (a[0].kind() != Kind::kBool) return NoSuchOverload("!_", a, 1);
  return Value::Bool(!a[0].bool_value());
}

Value Less(const Value* a, size_t) {
  return CompareOp(a, "_<_", [](int c) { return c < 0; });
}
Value LessEquals(const Value* a, size_t) {
  return CompareOp(a, "_<=_", [](int c) { return c <= 0; });
}
Value Greater(const Value* a, size_t) {
  return CompareOp(a, "_>_", [](int c) { return c > 0; });
}
Value GreaterEquals(const Value* a, size_t) {
  return CompareOp(a, "_>=_", [](int c) { return c >= 0; });
}

Value In(const Value* a, size_t) {
  const Value &x = a[0], &c = a[1];
  if (c.kind() == Kind::kList) {
    for (const Value& e : c.list_value()) {
      if (EqualValues(x, e)) return Value::Bool(true);
    }
    return Value::Bool(false);
  }
  if (c.kind() == Kind::kMap) return Value::Bool(c.map_value().Find(x) != nullptr);
  return NoSuchOverload("@in", a, 2);
}

Value Index(const Value* a, size_t) {
  const Value &c = a[0], &k = a[1];
  if (c.kind() == Kind::kList) {
    int64_t i;
    if (!IndexOf(k, &i)) {
      if (k.kind() == Kind::kDouble) return Value::Error("invalid list index " + k.DebugString());
      return NoSuchOverload("_[_]", a, 2);
    }
    const ValueList& l = c.list_value();
    if (i < 0 || i >= static_cast<int64_t>(l.size())) {
      return Value::Error("index out of bounds: " + std::to_string(i) + " (size " + std::to_string(l.size()) + ")");
    }
    return l[static_cast<size_t>(i)];
  }
  if (c.kind() == Kind::kMap) {
    Kind kk = k.kind();
    if (kk != Kind::kBool && kk != Kind::kInt && kk != Kind::kUint && kk != Kind::kString && kk != Kind::kDouble) {
      return NoSuchOverload("_[_]", a, 2);
    }
    const Value* v = c.map_value().Find(k);
    if (v == nullptr) return Value::Error("no such key: " + k.DebugString());
    return *v;
  }
  return NoSuchOverload("_[_]", a, 2);
}

}  // namespace qgrant::expr::internal
