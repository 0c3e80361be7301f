// libFuzzer target for CEL evaluation under the cost limit: arbitrary bytes are parsed, checked
// against the declared types of a fixed set of bindings shaped like an application (so that
// mutations reach real values, not just "undeclared reference"), compiled and evaluated with a
// small budget, checked or not (as `qgrant expr --no-check`). Besides ASan/UBSan and libFuzzer's
// time and memory limits, asserted with __builtin_trap:
//   - evaluation is deterministic: the same program on the same bindings gives the same value;
//   - the checker is sound for primitive types: a result of a checked bool, int, uint, double,
//     string or bytes expression has that kind (unless it is an error or unknown);
//   - error locations point inside the source; the result renders as CEL and as JSON.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expr/checker.h"
#include "expr/parser.h"
#include "expr/program.h"
#include "expr/value_json.h"

namespace {

using namespace qgrant::expr;
using K = CelType::Kind;

constexpr const char* kBindings = R"json({
  "applicant": {"uscc": "91440300MA5FXXXX1Q", "name": "深圳市示例科技有限公司", "kind": "enterprise",
                "registered_in_shenzhen": true, "serious_dishonesty": false, "years_operating": 7},
  "facts": {"level": "winner", "category": "technology", "body": "CNAS",
            "certificates": [{"type": "green_product", "number": "GP-2025-001", "issued_on": "2025-03-01"},
                             {"type": "robot", "number": "RB-9", "issued_on": "2024-12-31"}]},
  "requested_fen": 300000000, "big": 9223372036854775807, "huge": 18446744073709551615,
  "half": 0.5, "text": "aé深🙂\u0000z", "empty": "", "nums": [1, -2, 3.5, 9007199254740993],
  "grid": [[1, 2], [3, 4]], "nothing": null, "flags": {"a": true, "b": false}
})json";

struct Fixture {
  TypeEnv env;
  MapActivation activation;

  Fixture() {
    Value all = FromPlainJson(nlohmann::json::parse(kBindings));
    for (const auto& [k, v] : all.map_value().entries()) Bind(k.string_value(), v);
    Bind("today", Value::Timestamp(1767225600, 0));  // 2026-01-01T00:00:00Z
    Bind("week", Value::Duration(7LL * 86400 * 1000000000));
    Bind("raw", Value::Bytes(std::string("\x00\xff\xfe", 3)));
  }

  void Bind(const std::string& name, const Value& v) {
    env.AddVariable(name, TypeOf(v));
    activation.Bind(name, v);
  }

  static CelType TypeOf(const Value& v) {
    switch (v.kind()) {
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
      case Kind::kBytes:
        return CelType::Of(K::kBytes);
      case Kind::kTimestamp:
        return CelType::Of(K::kTimestamp);
      case Kind::kDuration:
        return CelType::Of(K::kDuration);
      case Kind::kList:
        return CelType::List(CelType::Dyn());
      case Kind::kMap:
        return CelType::Map(CelType::Of(K::kString), CelType::Dyn());
      default:
        return CelType::Dyn();
    }
  }
};

// The runtime kind a checked primitive type promises, or false for types that promise less.
bool PromisedKind(const CelType& t, Kind* out) {
  switch (t.kind()) {
    case K::kBool:
      *out = Kind::kBool;
      return true;
    case K::kInt:
      *out = Kind::kInt;
      return true;
    case K::kUint:
      *out = Kind::kUint;
      return true;
    case K::kDouble:
      *out = Kind::kDouble;
      return true;
    case K::kString:
      *out = Kind::kString;
      return true;
    case K::kBytes:
      *out = Kind::kBytes;
      return true;
    default:
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture* fixture = new Fixture();  // built once, shared by every input
  std::string_view source(reinterpret_cast<const char*>(data), size);
  ParsedExpr parsed;
  std::vector<qgrant::Diagnostic> diags;
  if (!Parse(source, ParseOptions{}, &parsed, &diags)) return 0;
  CheckResult checked;
  const bool typed = Check(parsed, fixture->env, &checked, &diags);
  std::unique_ptr<Program> program;
  if (!Compile(parsed, CompileOptions{}, &program, &diags)) __builtin_trap();  // only a failed parse fails it

  EvaluateOptions options;
  options.max_cost = 200000;  // small, so that libFuzzer's per-input timeout never sees a bomb
  Value result = program->Evaluate(fixture->activation, options);
  if (program->Evaluate(fixture->activation, options).DebugString() != result.DebugString()) __builtin_trap();

  Kind promised;
  if (typed && !result.is_exceptional() && PromisedKind(checked.type, &promised) && result.kind() != promised) {
    __builtin_trap();
  }
  if (result.is_error()) {
    int32_t at = result.error_offset();
    if (at < -1 || (at >= 0 && static_cast<size_t>(at) > source.size())) __builtin_trap();
  }
  (void)ToTypedJson(result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
