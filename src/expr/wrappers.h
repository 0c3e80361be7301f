// The protobuf wrapper messages (google.protobuf.Int64Value{value: 1}, BoolValue{}, ...) and the
// empty google.protobuf.Value{} (null). CEL treats a wrapper as the primitive it holds. qgrant's
// CEL has no other messages (facts are maps); these exist so that an expression written for
// another CEL implementation, and cel-spec's conformance tests, mean the same here. Internal to
// src/expr: the checker types them, the compiler builds them.
#pragma once

#include <string_view>

#include "expr/builtins.h"
#include "expr/types.h"
#include "expr/value.h"

namespace qgrant::expr::internal {

struct Wrapper {
  const char* name;         // full name, without a leading '.'
  CelType::Kind type;       // the checked type of the message and of its `value` field (kDyn: Value{})
  Value (*zero)();          // the message without fields
  FunctionImpl from_value;  // {value: v}: v checked and converted; nullptr: the message has no `value`
};

// The wrapper called `name` (a leading '.' is ignored), or nullptr.
const Wrapper* FindWrapper(std::string_view name);

}  // namespace qgrant::expr::internal
