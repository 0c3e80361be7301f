// Value: one CEL value at run time.
//
// CEL keeps its types apart (1, 1u and 1.0 are different values that compare equal), so a Value
// carries its kind. Scalars live inline; strings, bytes, lists and maps are immutable and shared,
// so copying a Value is cheap and thread-safe. Errors and unknowns are values too: CEL evaluation
// never throws, an error travels through the expression until a logical operator absorbs it or
// it becomes the result. Unknown carries the names of missing facts, for three-valued screening.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qgrant::expr {

enum class Kind : uint8_t {
  kNull,
  kBool,
  kInt,
  kUint,
  kDouble,
  kString,
  kBytes,
  kList,
  kMap,
  kTimestamp,
  kDuration,
  kType,
  kError,
  kUnknown,
};

const char* KindName(Kind k);

class Value;
using ValueList = std::vector<Value>;
class MapValue;

// Seconds and nanoseconds, normalised so that 0 <= nanos < 1e9 (floor form).
struct TimeParts {
  int64_t seconds = 0;
  int32_t nanos = 0;
};

class Value {
 public:
  Value() : kind_(Kind::kNull) { scalar_.i = 0; }

  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Int(int64_t i);
  static Value Uint(uint64_t u);
  static Value Double(double d);
  static Value String(std::string s);
  static Value Bytes(std::string s);
  static Value List(ValueList items);
  static Value Map(std::shared_ptr<const MapValue> map);
  static Value Timestamp(int64_t seconds, int32_t nanos);
  // Durations are whole nanoseconds in int64 (about ±292 years), as in cel-go.
  static Value Duration(int64_t nanos);
  // A type value, by its CEL name: "int", "list", "google.protobuf.Timestamp", ...
  static Value Type(std::string name);
  // `offset` is the byte offset in the expression where the error arose, or -1.
  static Value Error(std::string message, int32_t offset = -1);
  static Value Unknown(std::vector<std::string> attributes);

  Kind kind() const { return kind_; }
  bool is_error() const { return kind_ == Kind::kError; }
  bool is_unknown() const { return kind_ == Kind::kUnknown; }
  // Error or unknown: a value that is not a real result.
  bool is_exceptional() const { return kind_ >= Kind::kError; }

  bool bool_value() const { return scalar_.b; }
  int64_t int_value() const { return scalar_.i; }
  uint64_t uint_value() const { return scalar_.u; }
  double double_value() const { return scalar_.d; }
  // String, bytes, type name and error message share the string payload.
  // The accessors cast the raw pointer: std::static_pointer_cast would make a temporary
  // shared_ptr, an atomic increment and decrement on every access in the evaluator's hot paths.
  const std::string& string_value() const { return *static_cast<const std::string*>(heap_.get()); }
  const std::string& error_message() const { return string_value(); }
  int32_t error_offset() const { return nanos_; }
  // The same error, located at `offset` unless it already has a location.
  Value WithErrorOffset(int32_t offset) const {
    Value v = *this;
    if (v.nanos_ < 0) v.nanos_ = offset;
    return v;
  }
  const std::string& type_name() const { return string_value(); }
  const ValueList& list_value() const { return *static_cast<const ValueList*>(heap_.get()); }
  const MapValue& map_value() const { return *static_cast<const MapValue*>(heap_.get()); }
  TimeParts time_value() const { return {scalar_.i, nanos_}; }
  int64_t duration_nanos() const { return scalar_.i; }
  const std::vector<std::string>& unknown_attributes() const {
    return *static_cast<const std::vector<std::string>*>(heap_.get());
  }

  // The CEL type name of this value, as type(x) reports it.
  std::string TypeName() const;

  // A readable rendering in CEL syntax (1, 1u, 1.0, "s", b"..", [..], {..}), for messages and
  // the command line.
  std::string DebugString() const;

 private:
  Kind kind_;
  int32_t nanos_ = 0;
  union {
    bool b;
    int64_t i;
    uint64_t u;
    double d;
  } scalar_;
  std::shared_ptr<const void> heap_;
};

// CEL equality: heterogeneous numbers compare by value, lists and maps element-wise, values of
// different kinds are unequal. Returns an error value when an operand is an error or unknown.
Value Equals(const Value& a, const Value& b);
// The same for values known to be neither errors nor unknowns.
bool EqualValues(const Value& a, const Value& b);

// CEL ordering: -1, 0, 1; `ok` is false when the kinds cannot be ordered (no such overload).
int Compare(const Value& a, const Value& b, bool* ok);

// An immutable map. Keys are bool, int, uint or string; int and uint keys that are numerically
// equal are the same key, as CEL's heterogeneous equality requires.
class MapValue {
 public:
  // Builds a map; fails (returns the message) on an invalid key type or a repeated key.
  static std::shared_ptr<const MapValue> Make(std::vector<std::pair<Value, Value>> entries, std::string* error);

  size_t size() const { return entries_.size(); }
  const std::vector<std::pair<Value, Value>>& entries() const { return entries_; }
  // Looks a key up with heterogeneous numeric equality (1, 1u and 1.0 find the same entry).
  const Value* Find(const Value& key) const;
  const Value* FindString(std::string_view key) const;

 private:
  std::vector<std::pair<Value, Value>> entries_;
  // Hash of the key -> entry index; built only for larger maps, small ones are scanned.
  std::vector<std::pair<size_t, uint32_t>> index_;
};

bool IsValidMapKey(const Value& key);

}  // namespace qgrant::expr
