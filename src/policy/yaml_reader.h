// Reading YAML policy files with positions: typed accessors that report a missing key, a wrong
// type or an unknown key (a typo such as `ceilling_fen`) at its line and column, and the mapping
// from a CEL diagnostic inside a YAML scalar back to the file.
#pragma once

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostic.h"
#include "policy/diagnostics.h"
#include "policy/model.h"

namespace qgrant::policy {

// The value of `key` in `map`, or an undefined node. Unlike yaml-cpp's const operator[], the
// undefined node may be asked IsMap() or IsSequence() without throwing, so a missing key in a
// policy file is a diagnostic, never a crash.
YAML::Node Child(const YAML::Node& map, std::string_view key);

class YamlReader {
 public:
  YamlReader(std::string file, std::string text, DiagnosticSink* sink)
      : file_(std::move(file)), text_(std::move(text)), sink_(sink) {}

  // Parses the text; reports a syntax error and returns false on failure.
  [[nodiscard]] bool Parse(YAML::Node* root);

  const std::string& file() const { return file_; }
  DiagnosticSink* sink() const { return sink_; }
  SourceRef Where(const YAML::Node& node) const;

  void Error(const YAML::Node& at, const std::string& message) const;
  void Warning(const YAML::Node& at, const std::string& message) const;

  // Reports keys of `map` not in `allowed`.
  void CheckKeys(const YAML::Node& map, std::initializer_list<const char*> allowed, const std::string& what) const;

  // Typed fields. A missing required field, or one of the wrong type, is reported.
  [[nodiscard]] std::optional<std::string> String(const YAML::Node& map, const char* key, bool required) const;
  [[nodiscard]] std::optional<int64_t> Int(const YAML::Node& map, const char* key, bool required) const;
  [[nodiscard]] std::optional<bool> Bool(const YAML::Node& map, const char* key, bool required) const;
  [[nodiscard]] std::optional<Date> DateField(const YAML::Node& map, const char* key, bool required) const;
  // {zh: ..., en: ...}; both languages required.
  [[nodiscard]] std::optional<Text> TextField(const YAML::Node& map, const char* key, bool required) const;
  std::vector<std::string> StringList(const YAML::Node& map, const char* key, bool required) const;

  // Maps a diagnostic inside the CEL text of scalar `node` to the file and reports it.
  void ExprError(const YAML::Node& node, const std::string& source, const Diagnostic& d) const;

 private:
  // One document, no anchors or aliases; reports and returns false otherwise.
  [[nodiscard]] bool CheckStructure();

  std::string file_;
  std::string text_;
  DiagnosticSink* sink_;
};

}  // namespace qgrant::policy
