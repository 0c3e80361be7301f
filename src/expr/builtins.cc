#include "expr/builtins.h"

namespace qgrant::expr::internal {
namespace {

enum Style : uint8_t { kGlobal = 1, kReceiver = 2, kBoth = 3 };

struct Entry {
  const char* name;
  uint8_t style;
  uint8_t min_args;  // receiver included
  uint8_t max_args;
  FunctionImpl impl;
};

constexpr Entry kFunctions[] = {
    {"_+_", kGlobal, 2, 2, Add},
    {"_-_", kGlobal, 2, 2, Subtract},
    {"_*_", kGlobal, 2, 2, Multiply},
    {"_/_", kGlobal, 2, 2, Divide},
    {"_%_", kGlobal, 2, 2, Modulo},
    {"-_", kGlobal, 1, 1, Negate},
    {"!_", kGlobal, 1, 1, LogicalNot},
    {"_<_", kGlobal, 2, 2, Less},
    {"_<=_", kGlobal, 2, 2, LessEquals},
    {"_>_", kGlobal, 2, 2, Greater},
    {"_>=_", kGlobal, 2, 2, GreaterEquals},
    {"@in", kGlobal, 2, 2, In},
    {"_[_]", kGlobal, 2, 2, Index},
    {"size", kBoth, 1, 1, Size},
    {"contains", kReceiver, 2, 2, Contains},
    {"startsWith", kReceiver, 2, 2, StartsWith},
    {"endsWith", kReceiver, 2, 2, EndsWith},
    {"matches", kBoth, 2, 2, Matches},
    {"int", kGlobal, 1, 1, ToInt},
    {"uint", kGlobal, 1, 1, ToUint},
    {"double", kGlobal, 1, 1, ToDouble},
    {"string", kGlobal, 1, 1, ToString},
    {"bytes", kGlobal, 1, 1, ToBytes},
    {"bool", kGlobal, 1, 1, ToBool},
    {"timestamp", kGlobal, 1, 1, ToTimestamp},
    {"duration", kGlobal, 1, 1, ToDuration},
    {"type", kGlobal, 1, 1, TypeOf},
    {"dyn", kGlobal, 1, 1, Dyn},
    {"getFullYear", kReceiver, 1, 2, GetFullYear},
    {"getMonth", kReceiver, 1, 2, GetMonth},
    {"getDayOfYear", kReceiver, 1, 2, GetDayOfYear},
    {"getDayOfMonth", kReceiver, 1, 2, GetDayOfMonth},
    {"getDate", kReceiver, 1, 2, GetDate},
    {"getDayOfWeek", kReceiver, 1, 2, GetDayOfWeek},
    {"getHours", kReceiver, 1, 2, GetHours},
    {"getMinutes", kReceiver, 1, 2, GetMinutes},
    {"getSeconds", kReceiver, 1, 2, GetSeconds},
    {"getMilliseconds", kReceiver, 1, 2, GetMilliseconds},
};

}  // namespace

CallCost CostOf(FunctionImpl impl) {
  if (impl == Index || impl == Dyn || impl == TypeOf) return CallCost::kNone;
  if (impl == Size) return CallCost::kStringArgument;
  if (impl == In) return CallCost::kMembership;
  return CallCost::kArgumentsAndResult;
}

FunctionImpl FindFunction(std::string_view name, bool receiver_style, size_t argc) {
  for (const Entry& e : kFunctions) {
    if (name != e.name) continue;
    if (!(e.style & (receiver_style ? kReceiver : kGlobal))) continue;
    if (argc < e.min_args || argc > e.max_args) continue;
    return e.impl;
  }
  return nullptr;
}

}  // namespace qgrant::expr::internal
