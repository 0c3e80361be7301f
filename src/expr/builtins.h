// The standard function library of CEL, as implementations the compiler binds calls to.
//
// Every implementation receives arguments that are neither errors nor unknowns (the call node
// has already propagated those) and dispatches on their kinds itself, returning a "no such
// overload" error for kinds it does not accept. A receiver-style call x.f(y) passes x first.
#pragma once

#include <cstddef>
#include <string_view>

#include "expr/value.h"

namespace qgrant::expr::internal {

using FunctionImpl = Value (*)(const Value* args, size_t argc);

// The implementation of `name` called globally or with a receiver, with `argc` arguments in
// all (the receiver included), or nullptr when CEL has no such function.
FunctionImpl FindFunction(std::string_view name, bool receiver_style, size_t argc);

Value NoSuchOverload(std::string_view function, const Value* args, size_t argc);

// What a call costs against the evaluation budget (EvaluateOptions) beyond its own step.
enum class CallCost : uint8_t {
  kArgumentsAndResult,  // reads its arguments whole and builds its result (most functions)
  kMembership,          // `in`: the element, and the list it scans (a map is a lookup)
  kStringArgument,      // size(): counts a string's code points; a list's or map's size is known
  kNone,                // indexing, dyn(), type(): look at a part, build nothing new
};
CallCost CostOf(FunctionImpl impl);

// Shared by the library files.
Value Add(const Value* a, size_t n);
Value Subtract(const Value* a, size_t n);
Value Multiply(const Value* a, size_t n);
Value Divide(const Value* a, size_t n);
Value Modulo(const Value* a, size_t n);
Value Negate(const Value* a, size_t n);
Value LogicalNot(const Value* a, size_t n);
Value Less(const Value* a, size_t n);
Value LessEquals(const Value* a, size_t n);
Value Greater(const Value* a, size_t n);
Value GreaterEquals(const Value* a, size_t n);
Value In(const Value* a, size_t n);
Value Index(const Value* a, size_t n);

Value Size(const Value* a, size_t n);
Value Contains(const Value* a, size_t n);
Value StartsWith(const Value* a, size_t n);
Value EndsWith(const Value* a, size_t n);
Value Matches(const Value* a, size_t n);

Value ToInt(const Value* a, size_t n);
Value ToUint(const Value* a, size_t n);
Value ToDouble(const Value* a, size_t n);
Value ToString(const Value* a, size_t n);
Value ToBytes(const Value* a, size_t n);
Value ToBool(const Value* a, size_t n);
Value ToTimestamp(const Value* a, size_t n);
Value ToDuration(const Value* a, size_t n);
Value TypeOf(const Value* a, size_t n);
Value Dyn(const Value* a, size_t n);

Value GetFullYear(const Value* a, size_t n);
Value GetMonth(const Value* a, size_t n);
Value GetDayOfYear(const Value* a, size_t n);
Value GetDayOfMonth(const Value* a, size_t n);
Value GetDate(const Value* a, size_t n);
Value GetDayOfWeek(const Value* a, size_t n);
Value GetHours(const Value* a, size_t n);
Value GetMinutes(const Value* a, size_t n);
Value GetSeconds(const Value* a, size_t n);
Value GetMilliseconds(const Value* a, size_t n);

// Checked int64/uint64 arithmetic on timestamps and durations.
Value AddTimestampDuration(TimeParts t, int64_t d);

}  // namespace qgrant::expr::internal
