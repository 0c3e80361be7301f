// qgrant expr: parse, check and evaluate one CEL expression (or a JSON Lines stream of them),
// for policy authors trying out conditions and amounts.
#include <cstdio>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/line_reader.h"
#include "common/lines.h"
#include "expr/checker.h"
#include "expr/parser.h"
#include "expr/program.h"
#include "expr/value_json.h"

namespace qgrant::cli {
namespace {

using nlohmann::json;
using namespace qgrant::expr;

// nlohmann keeps the last of repeated member names silently; like every reader of qgrant
// (CONTRACT.md §6, repeated keys) this one refuses them.
struct RepeatedKey {
  std::string key;
};

json ParseRefusingRepeatedKeys(std::string_view text) {
  std::vector<std::set<std::string>> open;  // the names seen in each object being read
  json::parser_callback_t refuse = [&open](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) open.emplace_back();
    if (event == json::parse_event_t::object_end) open.pop_back();
    if (event == json::parse_event_t::key && !open.back().insert(parsed.get<std::string>()).second) {
      throw RepeatedKey{parsed.get<std::string>()};
    }
    return true;
  };
  return json::parse(text, refuse);
}

std::string RepeatedKeyMessage(const RepeatedKey& r) { return "重复的键 / repeated key \"" + r.key + "\""; }

CelType TypeOfValue(const Value& v) {
  using K = CelType::Kind;
  switch (v.kind()) {
    case Kind::kNull:
      return CelType::Of(K::kNull);
    case Kind::kBool:
      return CelType::Of(K::kBool);
    case Kind::kInt:
      return CelType::Of(K::kInt);
    case Kind::kUint:
      return CelType::Of(K::kUint);
    case Kind::kDouble:
      return CelType::Of(K::kDouble);
    case Kind::kString:
      return CelType::Of(K::kString);
    case Kind::kList:
      return CelType::List(CelType::Dyn());
    case Kind::kMap:
      return CelType::Map(CelType::Of(K::kString), CelType::Dyn());
    default:
      return CelType::Dyn();
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

// How every expression of one run is treated.
struct Settings {
  std::string container;
  bool check = true;
  EvaluateOptions evaluate;
};

// Parses, checks (against the bindings' names and kinds) and evaluates one expression.
json EvaluateOne(const std::string& source, const json& bindings, const Settings& settings) {
  const std::string& container = settings.container;
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
      if (v.is_error()) {
        return {{"error",
                 {{"stage", "bindings"},
                  {"message", it.key() + ": " + v.error_message()},
                  {"line", 0},
                  {"column", 0},
                  {"detail", "binding " + it.key() + ": " + v.error_message() + "\n"}}}};
      }
      env.AddVariable(it.key(), TypeOfValue(v));
      activation.Bind(it.key(), std::move(v));
    }
  }
  if (settings.check) {
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
  Value result = program->Evaluate(activation, settings.evaluate);
  if (result.is_error()) {
    Diagnostic d;
    d.pos = LocateOffset(source, result.error_offset() < 0 ? 0 : result.error_offset());
    d.message = result.error_message();
    return ErrorJson("eval", source, d);
  }
  return {{"value", ToTypedJson(result)}, {"type", result.TypeName()}, {"cel", result.DebugString()}};
}

// One line of --lines: its answer, an error object when it is not {"expr": ..., "bindings": ...}.
json AnswerLine(std::string_view line, int64_t line_no, const Settings& settings) {
  try {
    json in = ParseRefusingRepeatedKeys(line);
    if (!in.is_object() || !in.contains("expr") || !in["expr"].is_string()) {
      return {
          {"error",
           {{"stage", "input"}, {"line", line_no}, {"message", "expected {\"expr\": \"...\", \"bindings\": {...}}"}}}};
    }
    json bindings = in.contains("bindings") ? in["bindings"] : json::object();
    if (!bindings.is_object()) {
      return {{"error", {{"stage", "input"}, {"line", line_no}, {"message", "\"bindings\" must be an object"}}}};
    }
    return EvaluateOne(in["expr"].get<std::string>(), bindings, settings);
  } catch (const json::exception& e) {
    return {{"error", {{"stage", "input"}, {"line", line_no}, {"message", std::string("not JSON: ") + e.what()}}}};
  } catch (const RepeatedKey& r) {
    return {{"error", {{"stage", "input"}, {"line", line_no}, {"message", RepeatedKeyMessage(r)}}}};
  }
}

int RunLines(const Settings& settings) {
  std::string line;
  int64_t line_no = 0;
  while (std::getline(std::cin, line)) {
    // A carriage return ends a line too (CRLF, and the lone CR of old Mac files, which would
    // otherwise make one bad line of the whole input), as in eval.
    std::string_view rest = line;
    do {
      const size_t cr = rest.find('\r');
      const std::string_view text = rest.substr(0, cr);
      rest = cr == std::string_view::npos ? std::string_view() : rest.substr(cr + 1);
      ++line_no;
      if (IsBlankLine(text)) continue;
      std::cout << AnswerLine(text, line_no, settings).dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    } while (!rest.empty());
  }
  // With stdio sync on (the default), a read error (stdin a directory, say) shows in stdin's
  // error flag rather than in std::cin's state.
  if (std::cin.bad() || std::ferror(stdin)) {
    std::cerr << "qgrant expr: 读取标准输入出错 / error reading standard input\n";
    return 2;
  }
  return 0;
}

// Reads the --bindings file: a JSON object of variable name -> value. False (after saying why,
// naming the file) when it cannot be used.
bool ReadBindings(const std::string& path, json* bindings) {
  std::string text;
  Status status = ReadWholeFile(path, &text);
  if (!status.ok()) {
    std::cerr << "qgrant expr: " << status.message() << "\n";
    return false;
  }
  try {
    *bindings = ParseRefusingRepeatedKeys(text);
  } catch (const json::exception& e) {
    std::cerr << "qgrant expr: " << path << " 不是有效的 JSON / is not valid JSON: " << e.what() << "\n";
    return false;
  } catch (const RepeatedKey& r) {
    std::cerr << "qgrant expr: " << path << ": " << RepeatedKeyMessage(r) << "\n";
    return false;
  }
  if (!bindings->is_object()) {
    std::cerr << "qgrant expr: " << path << " 须为变量的 JSON 对象 / must hold a JSON object of variables\n";
    return false;
  }
  return true;
}

struct ExprOptions {
  std::string expr;
  std::string bindings_file;
  std::string container;
  bool lines = false;
  bool no_check = false;
  int64_t max_cost = EvaluateOptions{}.max_cost;
};

Settings SettingsOf(const ExprOptions& o) {
  Settings s;
  s.container = o.container;
  s.check = !o.no_check;
  s.evaluate.max_cost = o.max_cost;
  return s;
}

// Text for a terminal: control characters of the expression (an ESC starting an escape
// sequence, a carriage return that rewrites the line, C1 controls) become U+FFFD, one column
// wide like what they replace, so the caret under the source line stays in place; the message
// names them by code (the lexer's "control character 0x1B"), and the JSON escapes them.
std::string ForTerminal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const bool c1 = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(s[i + 1]) <= 0x9F;
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F || c1) {
      out += "\xEF\xBF\xBD";
      if (c1) ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// One expression from the command line: its result as JSON on stdout, an error also on stderr.
int RunOne(const ExprOptions& o) {
  if (o.expr.empty()) {
    std::cerr << "qgrant expr: 请给出表达式，或用 --lines 从标准输入读取 / give an expression, or --lines to read them "
                 "from stdin\n";
    return 2;
  }
  json bindings = json::object();
  if (!o.bindings_file.empty() && !ReadBindings(o.bindings_file, &bindings)) return 2;
  json out = EvaluateOne(o.expr, bindings, SettingsOf(o));
  std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  if (!out.contains("error")) return 0;
  std::cerr << out["error"]["stage"].get<std::string>() << " error:\n";
  if (out.contains("errors")) {
    for (const auto& e : out["errors"]) std::cerr << ForTerminal(e["detail"].get<std::string>());
  } else {
    std::cerr << ForTerminal(out["error"]["detail"].get<std::string>());
  }
  return 1;
}

}  // namespace

void AddExprCommand(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("expr", "Parse, check and evaluate a CEL expression; prints its value as JSON");
  auto opts = std::make_shared<ExprOptions>();
  cmd->add_option("EXPR", opts->expr, "the expression, e.g. 'size(facts.certificates) <= 3'");
  cmd->add_option("--bindings", opts->bindings_file, "JSON object file: variable name -> value");
  cmd->add_option("--container", opts->container, "namespace for name resolution");
  cmd->add_flag("--lines", opts->lines,
                "read JSON Lines {\"expr\":..., \"bindings\":{...}} on stdin, answer one line each");
  cmd->add_flag("--no-check", opts->no_check, "skip the type check (evaluate dynamically)");
  cmd->add_option("--max-cost", opts->max_cost, "evaluation budget (comprehension steps, elements and bytes built)")
      ->check(CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max()));
  cmd->callback([opts, exit_code]() { *exit_code = opts->lines ? RunLines(SettingsOf(*opts)) : RunOne(*opts); });
}

}  // namespace qgrant::cli
