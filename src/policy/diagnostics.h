// Diagnostics for policy files: every mistake found while loading and checking, with its file,
// line and column, printed as "file:line:col: message" followed by the line and a caret.
// Loading never stops at the first mistake.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace qgrant::policy {

struct PolicyDiagnostic {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  std::string file;
  int line = 0;    // 1-based; 0 when the problem is about the file as a whole
  int column = 0;  // 1-based
  std::string message;
};

class DiagnosticSink {
 public:
  void RememberText(const std::string& file, std::string text) { texts_[file] = std::move(text); }
  void Error(const std::string& file, int line, int column, std::string message);
  void Warning(const std::string& file, int line, int column, std::string message);

  bool has_errors() const;
  const std::vector<PolicyDiagnostic>& diagnostics() const { return diagnostics_; }
  // All diagnostics, formatted with source lines and carets, in file order.
  std::string Format() const;

 private:
  std::vector<PolicyDiagnostic> diagnostics_;
  std::map<std::string, std::string> texts_;
};

}  // namespace qgrant::policy
