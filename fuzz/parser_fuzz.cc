// libFuzzer target for the whole CEL pipeline: arbitrary bytes go through the lexer and the
// parser, and whatever parses is checked (against an empty environment), compiled and
// evaluated (against an empty activation). Policy files and `qgrant expr` feed untrusted text
// to exactly this path, so no input may crash it, hang it or trip ASan/UBSan.
//
// Besides the sanitizers, a few invariants are asserted (with __builtin_trap, so the fuzzer
// records a crash): every diagnostic and every error location points inside the source, since
// the command line draws a caret from them.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.h"
#include "expr/checker.h"
#include "expr/lexer.h"
#include "expr/parser.h"
#include "expr/program.h"
#include "expr/value_json.h"

namespace {

using qgrant::Diagnostic;
using namespace qgrant::expr;

void CheckDiagnostics(std::string_view source, const std::vector<Diagnostic>& diags) {
  for (const Diagnostic& d : diags) {
    if (d.pos.offset < 0 || static_cast<size_t>(d.pos.offset) > source.size()) __builtin_trap();
    if (d.pos.line < 1 || d.pos.column < 1) __builtin_trap();
    if (d.message.empty()) __builtin_trap();
    // Rendering with a caret must cope with any location and any bytes.
    (void)qgrant::FormatDiagnostic("fuzz", source, d);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);

  // The lexer on its own: it must reach the end whatever the bytes.
  {
    std::vector<Diagnostic> diags;
    std::vector<Token> tokens = Lexer(source).Tokenize(&diags);
    if (tokens.empty() || tokens.back().kind != TokenKind::kEnd) __builtin_trap();
    for (const Diagnostic& d : diags) {
      if (d.pos.offset < 0 || static_cast<size_t>(d.pos.offset) > source.size()) __builtin_trap();
    }
  }

  ParsedExpr parsed;
  std::vector<Diagnostic> diags;
  if (!Parse(source, ParseOptions{}, &parsed, &diags)) {
    if (diags.empty()) __builtin_trap();  // a failed parse always says why
    CheckDiagnostics(source, diags);
    return 0;
  }
  if (parsed.root == nullptr || !diags.empty()) __builtin_trap();

  // Check against an empty environment: most identifiers are undeclared, which exercises the
  // error paths; the result is not needed to go on, as `qgrant expr --no-check` shows.
  TypeEnv env;
  CheckResult checked;
  Check(parsed, env, &checked, &diags);
  CheckDiagnostics(source, diags);
  (void)checked.type.ToString();

  diags.clear();
  std::unique_ptr<Program> program;
  if (!Compile(parsed, CompileOptions{}, &program, &diags)) {
    CheckDiagnostics(source, diags);
    return 0;
  }
  MapActivation activation;
  Value result = program->Evaluate(activation);
  if (result.is_error()) {
    int32_t at = result.error_offset();
    if (at < -1 || (at >= 0 && static_cast<size_t>(at) > source.size())) __builtin_trap();
  }
  // Rendering the result is what the command line does next.
  (void)result.DebugString();
  (void)ToTypedJson(result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
