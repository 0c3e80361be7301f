#include "alloc/plan_yaml.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "common/money.h"
#include "policy/diagnostics.h"
#include "policy/yaml_reader.h"

namespace qgrant::alloc {
namespace {

using policy::Child;

// "SOURCE:LINE:COLUMN: message" (or "SOURCE: message" for the file as a whole).
std::string Located(const policy::PolicyDiagnostic& d) {
  if (d.line <= 0) return d.file + ": " + d.message;
  return d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message;
}

// The first error reported to `sink`, as a status; Ok when there is none.
Status FirstError(const policy::DiagnosticSink& sink, Status::Code code = Status::Code::kInvalidArgument) {
  for (const policy::PolicyDiagnostic& d : sink.diagnostics()) {
    if (d.severity != policy::PolicyDiagnostic::Severity::kError) continue;
    return code == Status::Code::kParseError ? Status::ParseError(Located(d)) : Status::InvalidArgument(Located(d));
  }
  return Status::Ok();
}

// `message` at `node`'s place in the file read by `reader`.
Status ErrorAt(const policy::YamlReader& reader, const YAML::Node& node, const std::string& message) {
  const policy::SourceRef at = reader.Where(node);
  return Status::InvalidArgument(
      Located({policy::PolicyDiagnostic::Severity::kError, at.file, at.line, at.column, message}));
}

// Parses a plan or guide file the way `qgrant check` parses policy files (policy/yaml_reader.h):
// UTF-8, one document, no anchors or aliases, and no key given twice in one map (CONTRACT §6: no
// reader may silently keep the first or the last). Errors are located in the file.
Status ParseFile(policy::YamlReader* reader, const policy::DiagnosticSink& sink, YAML::Node* root) {
  if (!reader->Parse(root)) return FirstError(sink, Status::Code::kParseError);
  return FirstError(sink);
}

// An optional '-', then digits that '_' may group: a whole number the policy loader reads, though
// perhaps too large for it (YamlReader::Int refuses those too).
bool LooksWhole(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  bool digit = false;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '_') {
      return false;
    }
  }
  return digit;
}

// Reads a plan's keys, positions and numbers through the policy loader's reader, so a plan file,
// a guide's `allocation:` block and a policy file agree on what a whole number is (`_` may group
// digits: 5_000_000_000) and every error names its line and column in the file. The first error
// ends the reading.
class PlanReader {
 public:
  PlanReader(const policy::YamlReader& reader, const policy::DiagnosticSink& sink) : reader_(reader), sink_(sink) {}

  Status Read(const YAML::Node& root, AllocationPlan* plan) {
    if (!root.IsDefined() || root.IsNull()) return Status::Ok();  // an empty file: pro rata, 1 fen
    if (!root.IsMap()) return Error(root, "a plan is a mapping of keys (strategy, unit_fen, tiers, pools, ...)");
    bool has_strategy = false;
    for (const auto& entry : root) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
      const YAML::Node& value = entry.second;
      if (key == "strategy") {
        std::string text;
        QGRANT_RETURN_IF_ERROR(ReadString(value, key, &text));
        Result<Strategy> strategy = ParseStrategy(text);
        if (!strategy.ok()) return Error(value, strategy.status().message());
        plan->strategy = *strategy;
        has_strategy = true;
      } else if (key == "unit_fen") {
        QGRANT_RETURN_IF_ERROR(ReadFen(root, "unit_fen", 1, &plan->unit_fen));
      } else if (key == "redistribute") {
        std::string text;
        QGRANT_RETURN_IF_ERROR(ReadString(value, key, &text));
        Result<Redistribution> rule = ParseRedistribution(text);
        if (!rule.ok()) return Error(value, rule.status().message());
        plan->redistribution = *rule;
      } else if (key == "tiers") {
        QGRANT_RETURN_IF_ERROR(ReadGroups(value, "tier", &plan->tiers));
      } else if (key == "pools") {
        QGRANT_RETURN_IF_ERROR(ReadGroups(value, "pool", &plan->pools));
      } else if (key == "budget_fen") {
        return Error(entry.first, "the total budget is given with each run (--budget-fen), not in the plan");
      } else {
        return Error(entry.first,
                     "unknown key '" + key + "' (expected strategy, unit_fen, tiers, pools, redistribute)");
      }
    }
    if (!has_strategy) {
      if (!plan->tiers.empty()) plan->strategy = Strategy::kTiers;
      if (!plan->pools.empty()) plan->strategy = Strategy::kPools;
    }
    return Status::Ok();
  }

 private:
  // A whole number of fen from `min` to 10^15, written as the policy loader reads one (digits that
  // '_' may group: 5_000_000_000), at `map`'s `key`. Decimals, exponents and quoted text are
  // refused, so what the officer reads is exactly what is paid.
  Status ReadFen(const YAML::Node& map, const char* key, int64_t min, int64_t* out) {
    const YAML::Node node = Child(map, key);
    const std::string range = std::string(key) + " 须为 " + std::to_string(min) + " 至 10^15 的整数分 / " + key +
                              " must be a whole number of fen from " + std::to_string(min) + " to 10^15";
    if (!node.IsScalar()) return Error(node.IsNull() ? KeyOf(map, key) : node, range);
    const std::string& text = node.Scalar();
    // yaml-cpp tags a plain scalar "?", a quoted one "!": "100" is text, not a number.
    if (node.Tag() == "!") return Error(node, range + ", not text (got \"" + text + "\"; write it without quotes)");
    if (node.Tag() != "?") return Error(node, range + ", written plainly (got " + text + " tagged " + node.Tag() + ")");
    const std::optional<int64_t> fen = reader_.Int(map, key, true);
    if (!fen) return LooksWhole(text) ? Error(node, range + " (got " + text + ")") : FirstError(sink_);
    if (*fen < min || *fen > money::kMaxFen) return Error(node, range + " (got " + text + ")");
    *out = *fen;
    return Status::Ok();
  }

  template <typename Group>
  Status ReadGroups(const YAML::Node& node, std::string_view kind, std::vector<Group>* groups) {
    constexpr bool kIsPool = std::is_same_v<Group, Pool>;
    if (!node.IsSequence()) return Error(node, std::string(kind) + "s must be a list");
    for (const YAML::Node& item : node) {
      if (!item.IsMap()) return Error(item, "each " + std::string(kind) + " is a mapping with a name");
      Group group;
      for (const auto& entry : item) {
        const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
        if (key == "name") {
          QGRANT_RETURN_IF_ERROR(ReadString(entry.second, key, &group.name));
        } else if (key == "measures") {
          QGRANT_RETURN_IF_ERROR(ReadStrings(entry.second, key, &group.measures));
        } else if (key == "clauses") {
          QGRANT_RETURN_IF_ERROR(ReadStrings(entry.second, key, &group.clauses));
        } else if (kIsPool && key == "budget_fen") {
          if constexpr (kIsPool) {
            QGRANT_RETURN_IF_ERROR(ReadFen(item, "budget_fen", 0, &group.budget_fen));
          }
        } else {
          return Error(entry.first, "unknown " + std::string(kind) + " key '" + key +
                                        "' (expected name, measures, clauses" + (kIsPool ? ", budget_fen)" : ")"));
        }
      }
      if (group.name.empty()) return Error(item, "a " + std::string(kind) + " needs a name");
      if constexpr (kIsPool) {
        if (!Child(item, "budget_fen").IsDefined()) return Error(item, "pool '" + group.name + "' needs a budget_fen");
      }
      groups->push_back(std::move(group));
    }
    return Status::Ok();
  }

  Status ReadString(const YAML::Node& node, std::string_view key, std::string* out) {
    if (!node.IsScalar()) return Error(node, std::string(key) + " must be a single value");
    *out = node.Scalar();
    return Status::Ok();
  }

  Status ReadStrings(const YAML::Node& node, std::string_view key, std::vector<std::string>* out) {
    if (!node.IsSequence()) return Error(node, std::string(key) + " must be a list, e.g. [a, b]");
    for (const YAML::Node& item : node) {
      if (!item.IsScalar() || item.Scalar().empty())
        return Error(item, std::string(key) + " must list non-empty names");
      out->push_back(item.Scalar());
    }
    return Status::Ok();
  }

  Status Error(const YAML::Node& node, const std::string& message) { return ErrorAt(reader_, node, message); }

  // The key `key` itself in `map` (where an empty value is reported).
  static YAML::Node KeyOf(const YAML::Node& map, std::string_view key) {
    for (const auto& entry : map) {
      if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.first;
    }
    return map;
  }

  const policy::YamlReader& reader_;
  const policy::DiagnosticSink& sink_;
};

}  // namespace

Result<AllocationPlan> ParsePlanYaml(std::string_view text, std::string_view source_name) {
  AllocationPlan plan;
  policy::DiagnosticSink sink;
  policy::YamlReader reader(std::string(source_name), std::string(text), &sink);
  try {
    YAML::Node root;
    QGRANT_RETURN_IF_ERROR(ParseFile(&reader, sink, &root));
    QGRANT_RETURN_IF_ERROR(PlanReader(reader, sink).Read(root, &plan));
  } catch (const YAML::Exception& e) {
    return Status::ParseError(std::string(source_name) + ":" + std::to_string(e.mark.line + 1) + ":" +
                              std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return plan;
}

Result<AllocationPlan> LoadPlanFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Status::InvalidArgument("计划文件是一个目录 / plan file is a directory: " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot read plan file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParsePlanYaml(text.str(), path);
}

Result<AllocationPlan> LoadGuidePlan(const std::string& path, std::optional<int64_t>* budget) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Status::InvalidArgument("申报指南是一个目录 / the guide is a directory: " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("无法读取申报指南 / cannot read the guide " + path);
  std::ostringstream text;
  text << in.rdbuf();
  policy::DiagnosticSink sink;
  policy::YamlReader reader(path, text.str(), &sink);
  AllocationPlan plan;
  try {
    YAML::Node guide;
    QGRANT_RETURN_IF_ERROR(ParseFile(&reader, sink, &guide));
    const YAML::Node kind = Child(guide, "kind");
    if (!guide.IsMap() || !kind.IsScalar() || kind.Scalar() != "guide") {
      return Status::InvalidArgument(path + ": 不是申报指南（kind: guide） / not a guide (kind: guide)");
    }
    // The guide's budget is the guide's own field: read exactly as `qgrant check` reads it.
    if (const YAML::Node b = Child(guide, "budget_fen"); b.IsDefined()) {
      const std::optional<int64_t> fen = reader.Int(guide, "budget_fen", true);
      if (!fen) return FirstError(sink);
      if (*fen < 0 || *fen > money::kMaxFen) {
        return ErrorAt(reader, b,
                       "budget_fen 须为 0 至 10^15 的整数分 / budget_fen must be a whole number of fen from 0 to "
                       "10^15 (got " +
                           b.Scalar() + ")");
      }
      *budget = *fen;
    }
    // The block is read where it stands, so its errors name the guide's own lines.
    QGRANT_RETURN_IF_ERROR(PlanReader(reader, sink).Read(Child(guide, "allocation"), &plan));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  return plan;
}

}  // namespace qgrant::alloc
