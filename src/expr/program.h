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
#include "expr/ast.h"
#include "expr/value.h"

namespace qgrant::expr {

// Variable bindings for one evaluation.
class Activation {
 public:
  virtual ~Activation() = default;
  // The value bound to a (possibly qualified) name, or nullptr when the name is not bound.
  virtual const Value* Find(std::string_view name) const = 0;

  // Optional shortcut for `name.field`: an activation that keeps a variable's fields apart (an
  // application's applicant, say) can answer without building the whole map. False: not
  // offered, the evaluator selects the field from Find(name) as usual. Must agree with it.
  virtual bool FindField(std::string_view name, std::string_view field, Value* out) const { return false; }
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
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, Value, Hash, std::equal_to<>> values_;
};

struct CompileOptions {
  // Namespace for name resolution, as cel-spec's container: with container "a.b", the name
  // "x" is looked up as "a.b.x", then "a.x", then "x".
  std::string container;
};

namespace internal {
class Node;
}

class Program {
 public:
  ~Program();
  Program(const Program&) = delete;
  Program& operator=(const Program&) = delete;

  Value Evaluate(const Activation& activation) const;

 private:
  friend bool Compile(const ParsedExpr&, const CompileOptions&, std::unique_ptr<Program>*,
                      std::vector<Diagnostic>*);
  Program() = default;
  std::unique_ptr<internal::Node> root_;
  int local_slots_ = 0;
};

// Compiles a parsed expression. Fails (with diagnostics) only for problems that can be seen
// without types, such as an invalid regular expression literal; unknown functions and variables
// become errors at evaluation time, as CEL requires when no checker runs. Run the Checker
// first to catch them before evaluation.
bool Compile(const ParsedExpr& parsed, const CompileOptions& options,
             std::unique_ptr<Program>* program, std::vector<Diagnostic>* diagnostics);

}  // namespace qgrant::expr
