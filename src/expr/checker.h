// Checker: static types for a parsed expression against declared variables and functions, so
// that a policy author learns of an undeclared fact, a misspelled function or a comparison of a
// string with a number before any application is evaluated.
//
// The error contract (as cel-cpp's type_checker.h): Check() never stops at the first problem;
// every diagnostic it finds is appended, with line and column, and it returns false if there was
// any. `dyn` is the escape hatch: a value of type dyn is accepted wherever a type is expected and
// decided at run time, so checking never rejects an expression that could evaluate correctly
// unless the types involved are known to be wrong.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.h"
#include "expr/ast.h"
#include "expr/types.h"

namespace qgrant::expr {

// One signature of a function. For receiver-style overloads the receiver is params[0].
struct Overload {
  bool receiver = false;
  std::vector<CelType> params;
  CelType result;
};

// The declarations an expression is checked against, plus CEL's standard library.
class TypeEnv {
 public:
  TypeEnv();

  std::string container;  // as CompileOptions::container

  void AddVariable(std::string name, CelType type) { variables_[std::move(name)] = std::move(type); }
  void AddFunction(const std::string& name, Overload overload) { functions_[name].push_back(std::move(overload)); }

  const CelType* FindVariable(std::string_view name) const;
  const std::vector<Overload>* FindFunction(std::string_view name) const;

 private:
  std::map<std::string, CelType, std::less<>> variables_;
  std::map<std::string, std::vector<Overload>, std::less<>> functions_;
};

struct CheckResult {
  CelType type;  // the type of the whole expression
};

[[nodiscard]] bool Check(const ParsedExpr& parsed, const TypeEnv& env, CheckResult* result,
                         std::vector<Diagnostic>* diagnostics);

}  // namespace qgrant::expr
