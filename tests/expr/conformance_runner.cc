// Runs the cel-spec conformance tests (JSON form, read-only in ../shared/conformance/cel) against
// qgrant's CEL: parse, check (unless the test disables it), evaluate, compare. Every test of the
// core files is run; prints per-file counts and ends with "N passed, M failed, K skipped".
// Tests listed by full name in the skip file (each with a reason) are known gaps and counted as
// skipped; every other failure fails the run, as do a listed test that passes, a listed name
// that matches no test, and falling below --min-pass.
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "expr/checker.h"
#include "expr/parser.h"
#include "expr/program.h"

using nlohmann::json;
using qgrant::Diagnostic;
using namespace qgrant::expr;

namespace {

const char* const kCoreFiles[] = {"basic",    "comparisons", "conversions", "fp_math", "integer_math",
                                  "lists",    "logic",       "macros",      "macros2", "parse",
                                  "plumbing", "string",      "timestamps",  "fields",  "namespace"};

std::string Base64Decode(const std::string& in) {
  static const std::string kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int val = 0, bits = -8;
  for (char c : in) {
    size_t p = kChars.find(c);
    if (p == std::string::npos) continue;
    val = (val << 6) + static_cast<int>(p);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((val >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

int64_t JsonInt(const json& j) { return j.is_string() ? std::stoll(j.get<std::string>()) : j.get<int64_t>(); }
uint64_t JsonUint(const json& j) { return j.is_string() ? std::stoull(j.get<std::string>()) : j.get<uint64_t>(); }

bool ToValue(const json& j, Value* out, std::string* why) {
  if (j.contains("int64_value"))
    *out = Value::Int(JsonInt(j["int64_value"]));
  else if (j.contains("uint64_value"))
    *out = Value::Uint(JsonUint(j["uint64_value"]));
  else if (j.contains("double_value")) {
    const json& d = j["double_value"];
    if (d.is_string()) {
      std::string s = d.get<std::string>();
      *out = Value::Double(s == "NaN" ? NAN : s == "Infinity" ? INFINITY : s == "-Infinity" ? -INFINITY : std::stod(s));
    } else {
      *out = Value::Double(d.get<double>());
    }
  } else if (j.contains("string_value")) {
    const json& s = j["string_value"];
    *out = Value::String(s.is_object() ? Base64Decode(s["$bytes_b64"].get<std::string>()) : s.get<std::string>());
  } else if (j.contains("bytes_value"))
    *out = Value::Bytes(Base64Decode(j["bytes_value"].get<std::string>()));
  else if (j.contains("bool_value"))
    *out = Value::Bool(j["bool_value"].get<bool>());
  else if (j.contains("null_value"))
    *out = Value::Null();
  else if (j.contains("type_value"))
    *out = Value::Type(j["type_value"].get<std::string>());
  else if (j.contains("list_value")) {
    ValueList items;
    if (j["list_value"].contains("values")) {
      for (const auto& e : j["list_value"]["values"]) {
        Value v;
        if (!ToValue(e, &v, why)) return false;
        items.push_back(v);
      }
    }
    *out = Value::List(std::move(items));
  } else if (j.contains("map_value")) {
    std::vector<std::pair<Value, Value>> entries;
    if (j["map_value"].contains("entries")) {
      for (const auto& e : j["map_value"]["entries"]) {
        Value k, v;
        if (!ToValue(e["key"], &k, why) || !ToValue(e["value"], &v, why)) return false;
        entries.emplace_back(k, v);
      }
    }
    std::string err;
    auto map = MapValue::Make(std::move(entries), &err);
    if (!map) {
      *why = err;
      return false;
    }
    *out = Value::Map(map);
  } else {
    *why = "unsupported value " + j.dump();
    return false;
  }
  return true;
}

// Exact comparison, kinds included (1 is not 1u), NaN equal to NaN.
bool Same(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::kDouble: {
      double x = a.double_value(), y = b.double_value();
      return (std::isnan(x) && std::isnan(y)) || x == y;
    }
    case Kind::kList: {
      const auto& x = a.list_value();
      const auto& y = b.list_value();
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!Same(x[i], y[i])) return false;
      }
      return true;
    }
    case Kind::kMap: {
      if (a.map_value().size() != b.map_value().size()) return false;
      for (const auto& [k, v] : b.map_value().entries()) {
        bool found = false;
        for (const auto& [k2, v2] : a.map_value().entries()) {
          if (Same(k, k2)) {
            found = Same(v, v2);
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    }
    default:
      return EqualValues(a, b);
  }
}

// cel-spec's checked.proto Type, as JSON, to a CelType.
bool ToType(const json& j, CelType* out, std::string* why) {
  using K = CelType::Kind;
  if (j.contains("primitive")) {
    static const std::map<std::string, K> kPrim = {{"BOOL", K::kBool},     {"INT64", K::kInt},
                                                   {"UINT64", K::kUint},   {"DOUBLE", K::kDouble},
                                                   {"STRING", K::kString}, {"BYTES", K::kBytes}};
    auto it = kPrim.find(j["primitive"].get<std::string>());
    if (it == kPrim.end()) {
      *why = "primitive " + j.dump();
      return false;
    }
    *out = CelType::Of(it->second);
  } else if (j.contains("list_type")) {
    CelType e;
    if (!ToType(j["list_type"]["elem_type"], &e, why)) return false;
    *out = CelType::List(e);
  } else if (j.contains("map_type")) {
    CelType k, v;
    if (!ToType(j["map_type"]["key_type"], &k, why) || !ToType(j["map_type"]["value_type"], &v, why)) return false;
    *out = CelType::Map(k, v);
  } else if (j.contains("well_known")) {
    std::string w = j["well_known"].get<std::string>();
    *out = w == "TIMESTAMP" ? CelType::Of(K::kTimestamp) : w == "DURATION" ? CelType::Of(K::kDuration) : CelType::Dyn();
  } else if (j.contains("dyn")) {
    *out = CelType::Dyn();
  } else if (j.contains("null")) {
    *out = CelType::Of(K::kNull);
  } else if (j.contains("type")) {
    CelType t;
    if (!ToType(j["type"], &t, why)) return false;
    *out = CelType::TypeOf(t);
  } else {
    *why = "unsupported type " + j.dump();
    return false;
  }
  return true;
}

bool DeclarationsFromJson(const json& decls, TypeEnv* env, std::string* why) {
  for (const auto& d : decls) {
    if (d.contains("ident")) {
      CelType t;
      if (!ToType(d["ident"]["type"], &t, why)) return false;
      env->AddVariable(d["name"].get<std::string>(), t);
    } else if (d.contains("function")) {
      for (const auto& o : d["function"]["overloads"]) {
        Overload ov;
        ov.receiver = o.value("is_instance_function", false);
        if (o.contains("params")) {
          for (const auto& p : o["params"]) {
            CelType t;
            if (!ToType(p, &t, why)) return false;
            ov.params.push_back(t);
          }
        }
        if (!ToType(o["result_type"], &ov.result, why)) return false;
        env->AddFunction(d["name"].get<std::string>(), ov);
      }
    }
  }
  return true;
}

// Returns "" on pass, else what went wrong.
std::string RunTest(const json& t) {
  std::string expr = t["expr"].get<std::string>();
  ParsedExpr parsed;
  std::vector<Diagnostic> diags;
  ParseOptions popts;
  if (t.value("disable_macros", false)) popts.enable_macros = false;
  if (!Parse(expr, popts, &parsed, &diags)) return "parse error: " + diags[0].message;

  CompileOptions copts;
  copts.container = t.value("container", "");
  if (!t.value("disable_check", false)) {
    TypeEnv env;
    env.container = copts.container;
    std::string why;
    if (t.contains("type_env") && !DeclarationsFromJson(t["type_env"], &env, &why)) {
      return "bad type_env: " + why;
    }
    CheckResult checked;
    if (!Check(parsed, env, &checked, &diags)) {
      std::string msg = "check error:";
      for (const auto& d : diags) msg += " " + d.message + ";";
      return msg;
    }
  }
  std::unique_ptr<Program> program;
  if (!Compile(parsed, copts, &program, &diags)) return "compile error: " + diags[0].message;

  MapActivation act;
  if (t.contains("bindings")) {
    for (const auto& b : t["bindings"]) {
      Value v;
      std::string why;
      if (!ToValue(b["value"]["value"], &v, &why)) return "binding: " + why;
      act.Bind(b["key"].get<std::string>(), v);
    }
  }
  Value result = program->Evaluate(act);
  if (t.contains("eval_error")) {
    if (result.is_error()) return "";
    return "expected an error, got " + result.DebugString();
  }
  Value expected = Value::Bool(true);
  if (t.contains("value")) {
    std::string why;
    if (!ToValue(t["value"], &expected, &why)) return "expected value: " + why;
  }
  if (Same(result, expected)) return "";
  return "expected " + expected.DebugString() + ", got " + result.DebugString();
}

// The skip file: "file/section/test  reason" per line, each naming one test exactly; # starts a
// comment line. False (with a message) when it cannot be read.
bool ReadSkips(const std::string& path, std::map<std::string, std::string>* skips) {
  if (path.empty()) return true;
  std::ifstream in(path);
  if (!in) {
    std::cerr << "cannot read skip file " << path << "\n";
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t sp = line.find_first_of(" \t");
    size_t reason = sp == std::string::npos ? std::string::npos : line.find_first_not_of(" \t", sp);
    (*skips)[line.substr(0, sp)] = reason == std::string::npos ? "" : line.substr(reason);
  }
  return true;
}

struct Counts {
  int passed = 0, failed = 0, skipped = 0;
  int stale = 0;  // skip entries whose test passes or does not exist: the list must stay exact
};

// Runs every test of one file. A failing test is skipped only when the skip list names it in
// full; a listed test that passes is reported, so that the list only ever holds real gaps.
void RunFile(const std::string& file, const json& doc, const std::map<std::string, std::string>& skips, bool verbose,
             std::set<std::string>* seen, Counts* total) {
  Counts here;
  for (const auto& section : doc["section"]) {
    if (!section.contains("test")) continue;
    for (const auto& t : section["test"]) {
      std::string key = file + "/" + section["name"].get<std::string>() + "/" + t["name"].get<std::string>();
      seen->insert(key);
      std::string why = RunTest(t);
      auto skip = skips.find(key);
      if (why.empty()) {
        ++here.passed;
        if (skip != skips.end()) {
          ++here.stale;
          std::cout << "  PASSES BUT IS LISTED AS SKIPPED (remove it from the skip file): " << key << "\n";
        }
      } else if (skip != skips.end()) {
        ++here.skipped;
        if (verbose) std::cout << "  skipped " << key << " (" << skip->second << "): " << why << "\n";
      } else {
        ++here.failed;
        std::cout << "  FAIL " << key << "\n      expr: " << t["expr"].get<std::string>() << "\n      " << why << "\n";
      }
    }
  }
  std::cout << file << ": " << here.passed << "/" << (here.passed + here.failed + here.skipped) << " passed";
  if (here.skipped) std::cout << ", " << here.skipped << " skipped";
  std::cout << "\n";
  total->passed += here.passed;
  total->failed += here.failed;
  total->skipped += here.skipped;
  total->stale += here.stale;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "../shared/conformance/cel", skip_path;
  int min_pass = 0;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc)
      dir = argv[++i];
    else if (a == "--skip" && i + 1 < argc)
      skip_path = argv[++i];
    else if (a == "--min-pass" && i + 1 < argc)
      min_pass = std::stoi(argv[++i]);
    else if (a == "-v")
      verbose = true;
  }
  std::map<std::string, std::string> skips;
  if (!ReadSkips(skip_path, &skips)) return 2;
  Counts total;
  std::set<std::string> seen;
  for (const char* file : kCoreFiles) {
    std::ifstream in(dir + "/" + file + ".json");
    if (!in) {
      std::cerr << "cannot read " << dir << "/" << file << ".json\n";
      return 2;
    }
    RunFile(file, json::parse(in), skips, verbose, &seen, &total);
  }
  for (const auto& [k, reason] : skips) {
    if (seen.count(k)) continue;
    ++total.stale;
    std::cout << "  SKIP ENTRY NAMES NO TEST: " << k << "\n";
  }
  std::cout << "total: " << total.passed << " of " << (total.passed + total.failed + total.skipped) << " (minimum "
            << min_pass << ")\n";
  std::cout << total.passed << " passed, " << total.failed << " failed, " << total.skipped << " skipped\n";
  return (total.failed == 0 && total.stale == 0 && total.passed >= min_pass) ? 0 : 1;
}
