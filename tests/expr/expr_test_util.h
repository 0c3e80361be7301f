// Helpers shared by the expr unit tests: run an expression through the whole pipeline (parse,
// optionally check, compile, evaluate) and report the first failing stage in a readable way, so
// that a failing assertion says which stage broke and why.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.h"
#include "expr/checker.h"
#include "expr/parser.h"
#include "expr/program.h"
#include "expr/value.h"

namespace qgrant::expr::testing {

inline std::string JoinDiagnostics(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) {
    out += std::to_string(d.pos.line) + ":" + std::to_string(d.pos.column) + ": " + d.message + "\n";
  }
  return out;
}

// Parses `source`, failing the current test with the diagnostics when it does not parse.
inline ParsedExpr MustParse(std::string_view source, const ParseOptions& options = {}) {
  ParsedExpr parsed;
  std::vector<Diagnostic> diags;
  bool ok = Parse(source, options, &parsed, &diags);
  EXPECT_TRUE(ok) << "parse of '" << source << "' failed:\n" << JoinDiagnostics(diags);
  return parsed;
}

// Parses and compiles `source` (without the checker), failing the test on any diagnostic.
inline std::unique_ptr<Program> MustCompile(std::string_view source, const CompileOptions& options = {}) {
  ParsedExpr parsed = MustParse(source);
  std::unique_ptr<Program> program;
  std::vector<Diagnostic> diags;
  if (parsed.root == nullptr) return nullptr;
  EXPECT_TRUE(Compile(parsed, options, &program, &diags)) << "compile of '" << source << "' failed:\n"
                                                          << JoinDiagnostics(diags);
  return program;
}

// Evaluates `source` dynamically (no checker), with the given bindings. A parse or compile
// failure fails the test and yields an error value, so callers can keep asserting on the result.
inline Value Eval(std::string_view source, const Activation& activation) {
  std::unique_ptr<Program> program = MustCompile(source);
  if (program == nullptr) return Value::Error("test helper: did not compile");
  return program->Evaluate(activation);
}

inline Value Eval(std::string_view source) { return Eval(source, MapActivation()); }

// Parses and type-checks against `env`; returns the diagnostics (empty on success).
inline std::vector<Diagnostic> CheckDiagnostics(std::string_view source, const TypeEnv& env,
                                                CheckResult* result = nullptr) {
  ParsedExpr parsed = MustParse(source);
  std::vector<Diagnostic> diags;
  CheckResult local;
  (void)Check(parsed, env, result ? result : &local, &diags);  // the diagnostics say whether and why it failed
  return diags;
}

// Parses, checks against an empty environment (plus `env` if given), compiles and evaluates.
// Checking here makes sure the checker accepts what the evaluator computes.
inline Value CheckedEval(std::string_view source, const TypeEnv& env = TypeEnv(),
                         const Activation& activation = MapActivation()) {
  ParsedExpr parsed = MustParse(source);
  if (parsed.root == nullptr) return Value::Error("test helper: did not parse");
  std::vector<Diagnostic> diags;
  CheckResult result;
  EXPECT_TRUE(Check(parsed, env, &result, &diags)) << "check of '" << source << "' failed:\n" << JoinDiagnostics(diags);
  std::unique_ptr<Program> program;
  EXPECT_TRUE(Compile(parsed, CompileOptions{}, &program, &diags)) << JoinDiagnostics(diags);
  if (program == nullptr) return Value::Error("test helper: did not compile");
  return program->Evaluate(activation);
}

// gtest predicate-style helpers: a readable message when the kind or the value is wrong.
inline ::testing::AssertionResult IsBool(const Value& v, bool expected) {
  if (v.kind() == Kind::kBool && v.bool_value() == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << (expected ? "true" : "false") << ", got " << v.DebugString();
}

inline ::testing::AssertionResult IsInt(const Value& v, int64_t expected) {
  if (v.kind() == Kind::kInt && v.int_value() == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected int " << expected << ", got " << v.DebugString();
}

inline ::testing::AssertionResult IsUint(const Value& v, uint64_t expected) {
  if (v.kind() == Kind::kUint && v.uint_value() == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected uint " << expected << "u, got " << v.DebugString();
}

inline ::testing::AssertionResult IsString(const Value& v, std::string_view expected) {
  if (v.kind() == Kind::kString && v.string_value() == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected string '" << expected << "', got " << v.DebugString();
}

// An error whose message contains `fragment`.
inline ::testing::AssertionResult IsError(const Value& v, std::string_view fragment) {
  if (v.is_error() && v.error_message().find(fragment) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "expected an error containing '" << fragment << "', got " << v.DebugString();
}

}  // namespace qgrant::expr::testing
