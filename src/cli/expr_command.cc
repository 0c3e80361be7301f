// qgrant expr: parse, check and evaluate one CEL expression (or a JSON Lines stream of them),
// for policy authors trying out conditions and amounts.
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/lines.h"
#include "expr/checker.h"
#include "expr/parser.h"
#include "expr/program.h"
#include "expr/value_json.h"

namespace qgrant::cli {
namespace {

using nlohmann::json;
using namespace qgrant::expr;

CelType TypeOfValue(const Value& v) {
  using K = CelType::Kind;
  switch (v.kind()) {
    case Kind::kNull: return CelType::Of(K::kNull);
    case Kind::kBool: return CelType::Of(K::kBool);
    case Kind::kInt: return CelType::Of(K::kInt);
    case Kind::kUint: return CelType::Of(K::kUint);
    case Kind::kDouble: return CelType::Of(K::kDouble);
    case Kind::kString: return CelType::Of(K::kString);
    case Kind::kList: return CelType::List(CelType::Dyn());
    case Kind::kMap: return CelType::Map(CelType::Of(K::kString), CelType::Dyn());
    default: return CelType::Dyn();
  }
}

json ErrorJson(const char* stage, const std::string& source, const Diagnostic& d) {
  return {{"error",
           {{"stage", stage},
            {"message", d.message},
            {"line", d.pos.line},
            {"column", d.pos.column},
            {"detail", FormatDiagnostic("", source, d)}}}};
}

// Parses, checks (against the bindings' names and kinds) and evaluates one expression.
json EvaluateOne(const std::string& source, const json& bindings, const std::string& container, bool check) {
  ParsedExpr parsed;
  std::vector<Diagnostic> diags;
  if (!Parse(source, ParseOptions{}, &parsed, &diags)) {
    json out = ErrorJson("parse", source, diags[0]);
    if (diags.size() > 1) {
      json all = json::array();
      for (const auto& d : diags) all.push_back(ErrorJson("parse", source, d)["error"]);
      out["errors"] = all;
    }
    return out;
  }
  MapActivation activation;
  TypeEnv env;
  env.container = container;
  if (bindings.is_object()) {
    for (auto it = bindings.begin(); it != bindings.end(); ++it) {
      Value v = FromPlainJson(it.value());
      env.AddVariable(it.key(), TypeOfValue(v));
      activation.Bind(it.key(), std::move(v));
    }
  }
  if (check) {
    CheckResult checked;
    if (!Check(parsed, env, &checked, &diags)) {
      json out = ErrorJson("check", source, diags[0]);
      if (diags.size() > 1) {
        json all = json::array();
        for (const auto& d : diags) all.push_back(ErrorJson("check", source, d)["error"]);
        out["errors"] = all;
      }
      return out;
    }
  }
  std::unique_ptr<Program> program;
  CompileOptions copts;
  copts.container = container;
  if (!Compile(parsed, copts, &program, &diags)) return ErrorJson("compile", source, diags[0]);
  Value result = program->Evaluate(activation);
  if (result.is_error()) {
    Diagnostic d;
    d.pos = LocateOffset(source, result.error_offset() < 0 ? 0 : result.error_offset());
    d.message = result.error_message();
    return ErrorJson("eval", source, d);
  }
  return {{"value", ToTypedJson(result)}, {"type", result.TypeName()}, {"cel", result.DebugString()}};
}

int RunLines(const std::string& container, bool check) {
  std::string line;
  int64_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    if (IsBlankLine(line)) continue;
    json out;
    try {
      json in = json::parse(line);
      if (!in.is_object() || !in.contains("expr") || !in["expr"].is_string()) {
        out = {{"error", {{"stage", "input"}, {"line", line_no}, {"message", "expected {\"expr\": \"...\", \"bindings\": {...}}"}}}};
      } else {
        json bindings = in.contains("bindings") ? in["bindings"] : json::object();
        if (!bindings.is_object()) {
          out = {{"error", {{"stage", "input"}, {"line", line_no}, {"message", "\"bindings\" must be an object"}}}};
        } else {
          out = EvaluateOne(in["expr"].get<std::string>(), bindings, container, check);
        }
      }
    } catch (const json::exception& e) {
      out = {{"error", {{"stage", "input"}, {"line", line_no}, {"message", std::string("not JSON: ") + e.what()}}}};
    }
    std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  return 0;
}

}  // namespace

void AddExprCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("expr", "Parse, check and evaluate a CEL expression; prints its value as JSON");
  struct Options {
    std::string expr;
    std::string bindings_file;
    std::string container;
    bool lines = false;
    bool no_check = false;
  };
  auto opts = std::make_shared<Options>();
  cmd->add_option("EXPR", opts->expr, "the expression, e.g. 'size(facts.certificates) <= 3'");
  cmd->add_option("--bindings", opts->bindings_file, "JSON object file: variable name -> value");
  cmd->add_option("--container", opts->container, "namespace for name resolution");
  cmd->add_flag("--lines", opts->lines, "read JSON Lines {\"expr\":..., \"bindings\":{...}} on stdin, answer one line each");
  cmd->add_flag("--no-check", opts->no_check, "skip the type check (evaluate dynamically)");
  cmd->callback([opts, exit_code]() {
    if (opts->lines) {
      *exit_code = RunLines(opts->container, !opts->no_check);
      return;
    }
    if (opts->expr.empty()) {
      std::cerr << "qgrant expr: give an expression, or --lines to read them from stdin\n";
      *exit_code = 2;
      return;
    }
    json bindings = json::object();
    if (!opts->bindings_file.empty()) {
      std::ifstream in(opts->bindings_file);
      if (!in) {
        std::cerr << "qgrant expr: cannot read bindings file " << opts->bindings_file << "\n";
        *exit_code = 2;
        return;
      }
      try {
        bindings = json::parse(in);
      } catch (const json::exception& e) {
        std::cerr << "qgrant expr: " << opts->bindings_file << " is not valid JSON: " << e.what() << "\n";
        *exit_code = 2;
        return;
      }
      if (!bindings.is_object()) {
        std::cerr << "qgrant expr: " << opts->bindings_file << " must hold a JSON object of variables\n";
        *exit_code = 2;
        return;
      }
    }
    json out = EvaluateOne(opts->expr, bindings, opts->container, !opts->no_check);
    std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    if (out.contains("error")) {
      std::cerr << out["error"]["stage"].get<std::string>() << " error:\n";
      if (out.contains("errors")) {
        for (const auto& e : out["errors"]) std::cerr << e["detail"].get<std::string>();
      } else {
        std::cerr << out["error"]["detail"].get<std::string>();
      }
      *exit_code = 1;
    }
  });
}

}  // namespace qgrant::cli
