// Pass 2 of qgrant allocate (decisions_file.h): the decisions again, with the allocation added.
#include <nlohmann/json.hpp>

#include "alloc/decisions_file.h"
#include "common/lines.h"
#include "common/money.h"

namespace qgrant::alloc {
namespace {

using nlohmann::ordered_json;

constexpr size_t kFlushBytes = 1 << 20;

// What every decision of one group shares: the start of its `allocation` object and its scale.
struct GroupText {
  std::string prefix;  // the object up to and including unit_fen, without its closing brace
  std::string scale;   // "0.6976 (300000000/430000000)"
  ordered_json step;   // the same as JSON, for decisions that are re-serialised
};

std::vector<GroupText> GroupTexts(const AllocationPlan& plan, const AllocationResult& result) {
  std::vector<GroupText> texts;
  for (const GroupStep& g : result.groups) {
    ordered_json step;
    step["strategy"] = StrategyName(plan.strategy);
    if (plan.strategy == Strategy::kTiers) step["tier"] = g.name;
    if (plan.strategy == Strategy::kPools) step["pool"] = g.name;
    step["scale"] = FormatScale(g.scale_numerator, g.scale_denominator);
    step["scale_numerator"] = g.scale_numerator;
    step["scale_denominator"] = g.scale_denominator;
    step["unit_fen"] = plan.unit_fen;
    std::string prefix = step.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    prefix.pop_back();
    texts.push_back({std::move(prefix),
                     FormatScale(g.scale_numerator, g.scale_denominator) + " (" + std::to_string(g.scale_numerator) +
                         "/" + std::to_string(g.scale_denominator) + ")",
                     std::move(step)});
  }
  return texts;
}

// The budget step of one decision in words (clause 十二), Chinese and English. Neither text holds
// a character JSON would escape, so they are written between quotes as they are.
std::string ZhText(const Allocation& a, const GroupText& g) {
  if (a.allocated_fen == a.amount_fen) {
    return "核定金额" + money::YuanBrief(a.amount_fen) + "，预算足额，全额拨付" + money::YuanBrief(a.allocated_fen) +
           "（第四（十二）条）";
  }
  return "核定金额" + money::YuanBrief(a.amount_fen) + "，年度预算不足，按比例" + g.scale + "折算，拨付" +
         money::YuanBrief(a.allocated_fen) + "（第四（十二）条：实际支持金额受年度资金预算总量控制）";
}

std::string EnText(const Allocation& a, const GroupText& g) {
  if (a.allocated_fen == a.amount_fen) {
    return "Approved " + money::YuanEnglish(a.amount_fen) + "; the budget covers it: " +
           money::YuanEnglish(a.allocated_fen) + " is paid in full (clause 4(12))";
  }
  return "Approved " + money::YuanEnglish(a.amount_fen) + "; the budget is short, scaled by " + g.scale + ": " +
         money::YuanEnglish(a.allocated_fen) + " is paid (clause 4(12): amounts are controlled by the annual budget)";
}

// An eligible line written as the JSON writer prints it: the allocation goes before its brace.
void AppendSpliced(std::string_view line, const Allocation& a, const GroupText& g, std::string* out) {
  out->append(line.substr(0, line.size() - 1));
  out->append(",\"allocated_fen\":");
  out->append(std::to_string(a.allocated_fen));
  out->append(",\"allocation\":");
  out->append(g.prefix);
  out->append(",\"approved_fen\":");
  out->append(std::to_string(a.amount_fen));
  out->append(",\"zh\":\"");
  out->append(ZhText(a, g));
  out->append("\",\"en\":\"");
  out->append(EnText(a, g));
  out->append("\"}}");
}

// Any other eligible line: parsed and written again, replacing an allocation it already had.
// Pass 1 checked that it parses.
void AppendReserialised(std::string_view line, const Allocation& a, const GroupText& g, std::string* out) {
  ordered_json doc = ordered_json::parse(line);
  ordered_json step = g.step;
  step["approved_fen"] = a.amount_fen;
  step["zh"] = ZhText(a, g);
  step["en"] = EnText(a, g);
  doc["allocated_fen"] = a.allocated_fen;
  doc["allocation"] = std::move(step);
  out->append(doc.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
}

}  // namespace

Status WriteAllocated(std::string_view text, const EligibleDecisions& eligible, const AllocationPlan& plan,
                      const AllocationResult& result, std::FILE* out) {
  const std::vector<GroupText> groups = GroupTexts(plan, result);
  std::string buffer;
  buffer.reserve(kFlushBytes + (1 << 16));
  const auto flush = [&] {
    const bool ok = std::fwrite(buffer.data(), 1, buffer.size(), out) == buffer.size();
    buffer.clear();
    return ok;
  };
  size_t next = 0;  // the next eligible decision
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, nl - pos);
    const uint64_t start = pos;
    pos = nl + 1;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (IsBlankLine(line)) continue;
    if (next < eligible.offsets.size() && eligible.offsets[next] == start) {
      const Allocation& a = result.allocations[next];
      if (eligible.spliced[next] != 0) {
        AppendSpliced(line, a, groups[a.group], &buffer);
      } else {
        AppendReserialised(line, a, groups[a.group], &buffer);
      }
      ++next;
    } else {
      buffer.append(line);
    }
    buffer.push_back('\n');
    if (buffer.size() >= kFlushBytes && !flush()) return Status::IoError("写入输出失败 / writing the output failed");
  }
  if (!flush() || std::fflush(out) != 0 || std::ferror(out)) {
    return Status::IoError("写入输出失败 / writing the output failed");
  }
  return Status::Ok();
}

}  // namespace qgrant::alloc
