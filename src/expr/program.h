// Program: a compiled CEL expression, evaluated many times against different activations.
//
// As in cel-cpp (parse -> check -> plan -> evaluate), Compile() turns a parsed and optionally
// checked AST into a tree of evaluation nodes once: identifiers are resolved to comprehension
// slots or to the candidate names to look up, functions to their implementations, constant
// regular expressions to compiled RE2 programs. Evaluate() then runs without any parsing or
// name analysis. A Program is immutable after compilation and may be evaluated from many threads
// at once, each with its own Activation.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/diagnostic.h"
#include "common/string_hash.h"
#include "expr/ast.h"
#include "expr/value.h"

namespace qgrant::expr {

// Variable bindings for one evaluation.
class Activation {
 public:
  virtual ~Activation() = default;
  // The value bound to a (possibly qualified) name, or nullptr when the name is not bound.
  virtual const Value* Find(std::string_view name) const = 0;

  // Optional shortcut for `name.field` and has(name.field): an activation that keeps a
  // variable's fields apart (an application's applicant, say) can answer without building the
  // whole map. kFound: the field's value is in `out`; kAbsent: `name` is bound to a map without
  // that field; kNotOffered: the evaluator selects the field from Find(name) as usual. Must agree
  // with Find.
  enum class Field { kNotOffered, kFound, kAbsent };
  virtual Field FindField(std::string_view name, std::string_view field, Value* out) const {
    return Field::kNotOffered;
  }
};

// An Activation backed by a hash map.
class MapActivation : public Activation {
 public:
  void Bind(std::string name, Value value) {
    if (name.find('.') != std::string::npos) has_qualified_ = true;
    values_[std::move(name)] = std::move(value);
  }
  const Value* Find(std::string_view name) const override;

 private:
  // Whether any bound name is qualified ("a.b"). A reference a.b is looked up as "a.b" before
  // "a"; when nothing qualified is bound, that first lookup cannot succeed and is skipped.
  bool has_qualified_ = false;
  std::unordered_map<std::string, Value, StringHash, std::equal_to<>> values_;
};

struct CompileOptions {
  // Namespace for name resolution, as cel-spec's container: with container "a.b", the name
  // "x" is looked up as "a.b.x", then "a.x", then "x".
  std::string container;
};

// Limits of one evaluation.
//
// A policy author can write an expression whose work grows without bound: nested macros
// multiply (seven nested .map() calls over ten elements are ten million steps), and a string or
// list that doubles itself inside a comprehension grows exponentially. Every evaluation
// therefore has a budget, in cost units:
//   - one per comprehension iteration;
//   - one per list element or map entry built, plus the size of what it holds (a value's cost
//     is its logical size, so [L, L] costs twice L even though L is shared);
//   - one per 16 bytes of string or bytes built;
//   - the same sizes again for the arguments a function reads whole: ==, in on a list,
//     contains, matches, concatenation, conversions (indexing, size() of a list or map and
//     dyn() read only a part and cost nothing beyond their step).
// Spending more ends the evaluation with the error "超出计算量上限 / cost limit exceeded", a
// value like any other CEL error (a policy condition reports it as the policy's fault), and
// the budget bounds both the time and the memory an expression can take.
struct EvaluateOptions {
  // Ten million units: about a second of work at most, and a few hundred megabytes at worst;
  // the shipped policies and the conformance suite need a few thousand at most.
  static constexpr int64_t kDefaultMaxCost = 10'000'000;
  int64_t max_cost = kDefaultMaxCost;
};

// The text of the error an evaluation over budget ends with, for callers that tell it apart.
inline constexpr const char* kCostLimitMessage = "超出计算量上限 / cost limit exceeded";

namespace internal {
class Node;
}

class Program {
 public:
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  Value Evaluate(const Activation& activation, const EvaluateOptions& options = {}) const;

 private:
  friend bool Compile(const ParsedExpr&, const CompileOptions&, std::unique_ptr<Program>*, std::vector<Diagnostic>*);
  Program() = default;
  std::unique_ptr<internal::Node> root_;
  int local_slots_ = 0;
};

// Compiles a parsed expression. Fails (with diagnostics) only when the parse failed: unknown
// functions and variables, and constant regular expressions that do not compile, become errors
// at evaluation time of the call concerned, as CEL requires when no checker runs. Run the
// Checker first to catch them before evaluation.
[[nodiscard]] bool Compile(const ParsedExpr& parsed, const CompileOptions& options, std::unique_ptr<Program>* program,
                           std::vector<Diagnostic>* diagnostics);

}  // namespace qgrant::expr
