#include "policy/diagnostics.h"

#include <algorithm>

#include "common/diagnostic.h"

namespace qgrant::policy {

void DiagnosticSink::Error(const std::string& file, int line, int column, std::string message) {
  diagnostics_.push_back({PolicyDiagnostic::Severity::kError, file, line, column, std::move(message)});
}

void DiagnosticSink::Warning(const std::string& file, int line, int column, std::string message) {
  diagnostics_.push_back({PolicyDiagnostic::Severity::kWarning, file, line, column, std::move(message)});
}

bool DiagnosticSink::has_errors() const {
  return std::any_of(diagnostics_.begin(), diagnostics_.end(),
                     [](const PolicyDiagnostic& d) { return d.severity == PolicyDiagnostic::Severity::kError; });
}

std::string DiagnosticSink::Format() const {
  std::vector<PolicyDiagnostic> sorted = diagnostics_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const PolicyDiagnostic& a, const PolicyDiagnostic& b) {
    if (a.file != b.file) return a.file < b.file;
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
  std::string out;
  for (const auto& d : sorted) {
    std::string msg = (d.severity == PolicyDiagnostic::Severity::kWarning ? "warning: " : "error: ") + d.message;
    if (d.line <= 0) {
      out += d.file + ": " + msg + "\n";
      continue;
    }
    Diagnostic diag;
    diag.pos.line = d.line;
    diag.pos.column = d.column > 0 ? d.column : 1;
    diag.message = msg;
    auto it = texts_.find(d.file);
    out += FormatDiagnostic(d.file, it == texts_.end() ? "" : it->second, diag);
  }
  return out;
}

}  // namespace qgrant::policy
