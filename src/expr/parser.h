// Parser: tokens -> AST for the full CEL grammar of cel-spec doc/langdef.md, with macro
// expansion (has, all, exists, exists_one, map, filter, and the two-variable comprehensions).
// All syntax errors are collected as diagnostics with their byte offsets.
#pragma once

#include <string_view>
#include <vector>

#include "common/diagnostic.h"
#include "expr/ast.h"

namespace qgrant::expr {

struct ParseOptions {
  bool enable_macros = true;
  // Deeper nesting is reported as an error rather than risking the stack.
  int max_recursion_depth = 200;
  // Stop collecting after this many errors; the rest are usually consequences.
  size_t max_errors = 20;
  // Longer source text is refused outright (cel-go stops at 100,000 code points): a condition
  // is a few lines, tokens and tree grow with the text, and offsets are 32-bit.
  size_t max_source_bytes = 1 << 20;
};

// Parses `source`. On success `out->root` is set and `diagnostics` is untouched; otherwise the
// diagnostics say what is wrong (with line and column filled in) and `out->root` may be null.
[[nodiscard]] bool Parse(std::string_view source, const ParseOptions& options, ParsedExpr* out,
                         std::vector<Diagnostic>* diagnostics);

}  // namespace qgrant::expr
