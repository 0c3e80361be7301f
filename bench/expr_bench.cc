// CEL micro-benchmarks: how many typical policy conditions a prepared Program evaluates per
// second, and what preparing one costs (parse, check, compile), which happens once per policy
// version rather than once per application.
//
//   build-a/bench/expr_bench --benchmark_min_time=1
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "expr/checker.h"
#include "expr/parser.h"
#include "expr/program.h"
#include "expr/types.h"
#include "expr/value_json.h"

namespace {

using namespace qgrant::expr;

// A measure's eligibility condition: nine tests, one `in` over a list literal, one macro.
constexpr const char* kCondition =
    "applicant.registered_in_shenzhen && !applicant.serious_dishonesty && "
    "applicant.kind in ['enterprise', 'public_institution'] && facts.level == 'winner' && "
    "years_operating >= 2 && size(facts.certificates) <= 3 && "
    "facts.certificates.all(c, c.type in ['green_product', 'carbon_footprint']) && "
    "requested_fen > 0 && requested_fen <= 5000000";

[[noreturn]] void Die(const char* stage, const std::vector<qgrant::Diagnostic>& diags) {
  std::fprintf(stderr, "expr_bench: %s failed: %s\n", stage, diags.empty() ? "?" : diags[0].message.c_str());
  std::abort();
}

TypeEnv PolicyEnv() {
  TypeEnv env;
  CelType object;
  std::string error;
  if (!ParseCelType("map(string, dyn)", &object, &error)) std::abort();  // a constant type: cannot fail
  env.AddVariable("applicant", object);
  env.AddVariable("facts", object);
  env.AddVariable("years_operating", CelType::Of(CelType::Kind::kInt));
  env.AddVariable("requested_fen", CelType::Of(CelType::Kind::kInt));
  return env;
}

Value FromJson(const char* text) { return FromPlainJson(nlohmann::json::parse(text)); }

// An application that passes every test, so that evaluation runs the whole condition.
MapActivation EligibleApplication() {
  MapActivation act;
  act.Bind("applicant", FromJson(R"({"registered_in_shenzhen": true, "serious_dishonesty": false,
                                     "kind": "enterprise", "name": "深圳市某某科技有限公司"})"));
  act.Bind("facts", FromJson(R"({"level": "winner", "certificates": [
                                   {"type": "green_product", "no": "GP-2024-001"},
                                   {"type": "carbon_footprint", "no": "CF-2024-017"}]})"));
  act.Bind("years_operating", Value::Int(3));
  act.Bind("requested_fen", Value::Int(3000000));
  return act;
}

std::unique_ptr<Program> Prepare(const char* source) {
  ParsedExpr parsed;
  std::vector<qgrant::Diagnostic> diags;
  if (!Parse(source, ParseOptions{}, &parsed, &diags)) Die("parse", diags);
  CheckResult checked;
  if (!Check(parsed, PolicyEnv(), &checked, &diags)) Die("check", diags);
  std::unique_ptr<Program> program;
  if (!Compile(parsed, CompileOptions{}, &program, &diags)) Die("compile", diags);
  return program;
}

void BM_EvaluatePolicyCondition(benchmark::State& state) {
  std::unique_ptr<Program> program = Prepare(kCondition);
  MapActivation act = EligibleApplication();
  Value first = program->Evaluate(act);
  if (first.kind() != Kind::kBool || !first.bool_value()) {
    std::fprintf(stderr, "expr_bench: expected true, got %s\n", first.DebugString().c_str());
    std::abort();
  }
  for (auto _ : state) {
    Value v = program->Evaluate(act);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluatePolicyCondition);

// The same condition for an applicant that fails the first test: && stops at once.
void BM_EvaluatePolicyConditionShortCircuit(benchmark::State& state) {
  std::unique_ptr<Program> program = Prepare(kCondition);
  MapActivation act = EligibleApplication();
  act.Bind("applicant", FromJson(R"({"registered_in_shenzhen": false, "serious_dishonesty": false,
                                     "kind": "enterprise"})"));
  for (auto _ : state) {
    Value v = program->Evaluate(act);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluatePolicyConditionShortCircuit);

// An amount formula: integer fen arithmetic with a conditional and a map lookup.
void BM_EvaluateAmountFormula(benchmark::State& state) {
  std::unique_ptr<Program> program =
      Prepare("{'winner': 5000000, 'nominee': 1000000}[facts.level] * (years_operating >= 3 ? 2 : 1) / 2");
  MapActivation act = EligibleApplication();
  for (auto _ : state) {
    Value v = program->Evaluate(act);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EvaluateAmountFormula);

// Preparation, stage by stage and in all.
void BM_Parse(benchmark::State& state) {
  for (auto _ : state) {
    ParsedExpr parsed;
    std::vector<qgrant::Diagnostic> diags;
    bool ok = Parse(kCondition, ParseOptions{}, &parsed, &diags);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Parse);

void BM_Check(benchmark::State& state) {
  ParsedExpr parsed;
  std::vector<qgrant::Diagnostic> diags;
  if (!Parse(kCondition, ParseOptions{}, &parsed, &diags)) Die("parse", diags);
  TypeEnv env = PolicyEnv();
  for (auto _ : state) {
    CheckResult checked;
    bool ok = Check(parsed, env, &checked, &diags);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Check);

void BM_Compile(benchmark::State& state) {
  ParsedExpr parsed;
  std::vector<qgrant::Diagnostic> diags;
  if (!Parse(kCondition, ParseOptions{}, &parsed, &diags)) Die("parse", diags);
  for (auto _ : state) {
    std::unique_ptr<Program> program;
    bool ok = Compile(parsed, CompileOptions{}, &program, &diags);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Compile);

void BM_ParseCheckCompile(benchmark::State& state) {
  for (auto _ : state) {
    std::unique_ptr<Program> program = Prepare(kCondition);
    benchmark::DoNotOptimize(program);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseCheckCompile);

}  // namespace

BENCHMARK_MAIN();
