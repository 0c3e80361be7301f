#include "alloc/plan_yaml.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "common/money.h"

namespace qgrant::alloc {
namespace {

class PlanReader {
 public:
  explicit PlanReader(std::string_view source) : source_(source) {}

  Status Read(const YAML::Node& root, AllocationPlan* plan) {
    if (root.IsNull()) return Status::Ok();  // an empty file: pro rata, 1 fen
    if (!root.IsMap()) return Error(root, "a plan is a mapping of keys (strategy, unit_fen, tiers, pools, ...)");
    bool has_strategy = false;
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>();
      const YAML::Node& value = entry.second;
      if (key == "strategy") {
        std::string text;
        QGRANT_RETURN_IF_ERROR(ReadString(value, key, &text));
        Result<Strategy> strategy = ParseStrategy(text);
        if (!strategy.ok()) return Error(value, strategy.status().message());
        plan->strategy = *strategy;
        has_strategy = true;
      } else if (key == "unit_fen") {
        QGRANT_RETURN_IF_ERROR(ReadFen(value, key, &plan->unit_fen));
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
  template <typename Group>
  Status ReadGroups(const YAML::Node& node, std::string_view kind, std::vector<Group>* groups) {
    constexpr bool kIsPool = std::is_same_v<Group, Pool>;
    if (!node.IsSequence()) return Error(node, std::string(kind) + "s must be a list");
    for (const YAML::Node& item : node) {
      if (!item.IsMap()) return Error(item, "each " + std::string(kind) + " is a mapping with a name");
      Group group;
      for (const auto& entry : item) {
        const std::string key = entry.first.as<std::string>();
        if (key == "name") {
          QGRANT_RETURN_IF_ERROR(ReadString(entry.second, key, &group.name));
        } else if (key == "measures") {
          QGRANT_RETURN_IF_ERROR(ReadStrings(entry.second, key, &group.measures));
        } else if (key == "clauses") {
          QGRANT_RETURN_IF_ERROR(ReadStrings(entry.second, key, &group.clauses));
        } else if (kIsPool && key == "budget_fen") {
          if constexpr (kIsPool) {
            QGRANT_RETURN_IF_ERROR(ReadFen(entry.second, key, &group.budget_fen));
          }
        } else {
          return Error(entry.first, "unknown " + std::string(kind) + " key '" + key +
                                        "' (expected name, measures, clauses" + (kIsPool ? ", budget_fen)" : ")"));
        }
      }
      if (group.name.empty()) return Error(item, "a " + std::string(kind) + " needs a name");
      if constexpr (kIsPool) {
        if (!item["budget_fen"]) return Error(item, "pool '" + group.name + "' needs a budget_fen");
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

  // A whole number of fen, written plainly: no decimals, exponents or separators, so what the
  // officer reads is exactly what is paid.
  Status ReadFen(const YAML::Node& node, std::string_view key, int64_t* out) {
    if (!node.IsScalar()) return Error(node, std::string(key) + " must be a whole number of fen");
    const std::string& text = node.Scalar();
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, *out);
    if (ec == std::errc::result_out_of_range) return Error(node, std::string(key) + " " + text + " is too large");
    if (ec != std::errc() || ptr != end) {
      return Error(node, std::string(key) + " must be a whole number of fen (got '" + text + "')");
    }
    return Status::Ok();
  }

  Status Error(const YAML::Node& node, const std::string& message) {
    const YAML::Mark mark = node.Mark();
    return Status::InvalidArgument(std::string(source_) + ":" + std::to_string(mark.line + 1) + ":" +
                                   std::to_string(mark.column + 1) + ": " + message);
  }

  std::string_view source_;
};

}  // namespace

Result<AllocationPlan> ParsePlanYaml(std::string_view text, std::string_view source_name) {
  AllocationPlan plan;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    QGRANT_RETURN_IF_ERROR(PlanReader(source_name).Read(root, &plan));
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
  YAML::Node guide;
  try {
    guide = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  if (!guide.IsMap() || !guide["kind"] || guide["kind"].as<std::string>("") != "guide") {
    return Status::InvalidArgument(path + ": 不是申报指南（kind: guide） / not a guide (kind: guide)");
  }
  if (const YAML::Node b = guide["budget_fen"]; b && b.IsScalar()) {
    std::string text = b.Scalar();
    std::erase(text, '_');
    int64_t fen = -1;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), fen);
    if (ec != std::errc() || ptr != text.data() + text.size() || fen < 0 || fen > money::kMaxFen) {
      return Status::InvalidArgument(
          path + ": budget_fen 应为0至10^15的整数 / budget_fen must be a whole number of fen from 0 to 10^15");
    }
    *budget = fen;
  }
  const YAML::Node allocation = guide["allocation"];
  if (!allocation) return AllocationPlan();
  YAML::Emitter out;
  out << allocation;
  return ParsePlanYaml(out.c_str(), path);
}

}  // namespace qgrant::alloc
