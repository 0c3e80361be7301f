// The parsed, untyped form of a CEL expression, as in cel-spec's syntax.proto: constants,
// identifiers, field selection, calls (operators are calls to "_+_", "_&&_", ...), list, map and
// message literals, and comprehensions (the expansion of macros such as all() and map()).
// Every node carries an id and the byte offset where it starts, for diagnostics.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "expr/value.h"

namespace qgrant::expr {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

// Which macro a comprehension came from. The macros are the only source of comprehensions in
// CEL text, so the evaluator runs each one directly (with the semantics of its expansion in
// cel-spec, including error absorption) rather than through a generic accumulator loop.
enum class MacroKind : uint8_t {
  kAll,
  kExists,
  kExistsOne,
  kMap,  // map(x, f) and map(x, p, f); transformList with two variables
  kFilter,
  kTransformMap,
  kTransformMapEntry,
};

struct Expr {
  enum class Type : uint8_t {
    kConst,
    kIdent,
    kSelect,
    kCall,
    kList,
    kMap,
    kStruct,
    kComprehension,
  };

  Type type = Type::kConst;
  int64_t id = 0;
  int32_t offset = 0;

  Value constant;    // kConst
  std::string name;  // kIdent name, kSelect field, kCall function, kStruct message type

  ExprPtr operand;         // kSelect operand, kCall receiver (null for global calls)
  bool test_only = false;  // kSelect produced by has()

  std::vector<ExprPtr> args;  // kCall arguments, kList elements
  // kMap keys and values (args holds keys, values holds values); kStruct: names holds field
  // names and values holds field values.
  std::vector<ExprPtr> values;
  std::vector<std::string> names;

  // kComprehension
  MacroKind macro = MacroKind::kAll;
  std::string iter_var;
  std::string iter_var2;  // two-variable forms: iter_var is the index or key, iter_var2 the value
  ExprPtr iter_range;
  ExprPtr predicate;  // all/exists/exists_one/filter condition; the optional filter of map()
  ExprPtr transform;  // map()/transformList/transformMap result expression
};

// A parsed expression with its source, for diagnostics.
struct ParsedExpr {
  ExprPtr root;
  std::string source;
  int64_t next_id = 1;
};

}  // namespace qgrant::expr
