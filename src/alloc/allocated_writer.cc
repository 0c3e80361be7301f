// Pass 2 of qgrant allocate (decisions_file.h): the decisions again, with the allocation added.
#include <sys/stat.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "alloc/budget_step.h"
#include "alloc/decisions_file.h"
#include "alloc/guarded.h"
#include "common/lines.h"
#include "common/money.h"

namespace qgrant::alloc {
namespace {

using nlohmann::ordered_json;

constexpr size_t kBlockBytes = 4 << 20;    // input bytes formatted at a time by one thread
constexpr size_t kBlockDecisions = 16384;  // the same in eligible decisions, in the regular case

// What every decision of one group shares: the start of its `allocation` object and its scale.
struct GroupText {
  std::string prefix;  // the object up to and including unit_fen, without its closing brace
  std::string scale;   // "69.77%": the ratio as a person reads it (the exact fraction is in the JSON)
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
    texts.push_back({std::move(prefix), ScalePercent(g.scale_numerator, g.scale_denominator), std::move(step)});
  }
  return texts;
}

void AppendInteger(int64_t v, std::string* out) {
  char digits[24];
  out->append(digits, static_cast<size_t>(std::to_chars(digits, digits + sizeof digits, v).ptr - digits));
}

// What goes before the closing brace of an eligible line written as the JSON writer prints it.
void AppendAllocation(const Allocation& a, const GroupText& g, std::string* out) {
  out->append(",\"allocated_fen\":");
  AppendInteger(a.allocated_fen, out);
  out->append(",\"allocation\":");
  out->append(g.prefix);
  out->append(",\"approved_fen\":");
  AppendInteger(a.amount_fen, out);
  out->append(",\"zh\":\"");
  AppendStepZh(a, g.scale, out);
  out->append("\",\"en\":\"");
  AppendStepEn(a, g.scale, out);
  out->append("\"}}");
}

// Any other eligible line: parsed and written again, replacing an allocation it already had.
// Pass 1 checked that it parses.
void AppendReserialised(std::string_view line, const Allocation& a, const GroupText& g, std::string* out) {
  ordered_json doc = ordered_json::parse(line);
  ordered_json step = g.step;
  step["approved_fen"] = a.amount_fen;
  std::string zh, en;
  AppendStepZh(a, g.scale, &zh);
  AppendStepEn(a, g.scale, &en);
  step["zh"] = std::move(zh);
  step["en"] = std::move(en);
  doc["allocated_fen"] = a.allocated_fen;
  doc["allocation"] = std::move(step);
  out->append(doc.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
}

// The non-blank lines of text[begin, end) (whole lines), eligible ones with their allocation;
// `next` is the index of the first eligible decision at or after `begin`.
void FormatBlock(std::string_view text, size_t begin, size_t end, size_t next, const EligibleDecisions& eligible,
                 const AllocationResult& result, const std::vector<GroupText>& groups, std::string* out) {
  out->clear();
  for (size_t pos = begin; pos < end;) {
    const size_t nl = std::min(text.find('\n', pos), end);
    std::string_view line = text.substr(pos, nl - pos);
    const uint64_t start = pos;
    pos = nl + 1;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (IsBlankLine(line)) continue;
    if (next < eligible.offsets.size() && eligible.offsets[next] == start) {
      const Allocation& a = result.allocations[next];
      if (eligible.spliced[next] != 0) {
        out->append(line.substr(0, line.size() - 1));
        AppendAllocation(a, groups[a.group], out);
      } else {
        AppendReserialised(line, a, groups[a.group], out);
      }
      ++next;
    } else {
      out->append(line);
    }
    out->push_back('\n');
  }
}

// A block of output in the regular case: runs of the input text as they stand, written from the
// mapped file where they lie (copying the unchanged text into a buffer first was a fifth of
// allocate's time), and between them the allocations made for the eligible decisions. A pipe,
// which takes 64 KB at a time, is written from one buffer instead: gathering thousands of pieces
// a call cost the kernel more than the copy saved.
class Pieces {
 public:
  void Clear() {
    made_.clear();
    list_.clear();
  }
  void Text(size_t from, size_t to) {
    if (to > from) list_.push_back({false, from, to - from});
  }
  // Appends to the text made for this block; Made() after it is done.
  std::string* made() { return &made_; }
  void Made(size_t from) {
    if (made_.size() > from) list_.push_back({true, from, made_.size() - from});
  }

  // Writes the block to `fd` (whole, however the system splits it), gathering the pieces where
  // they lie or, unless `gather`, copying them into one buffer first. False when writing fails.
  bool Write(std::string_view text, int fd, bool gather);

 private:
  struct Piece {
    bool made;  // in made_, else in the text
    size_t offset, length;
  };
  std::string made_;
  std::vector<Piece> list_;
  std::string flat_;  // the block in one buffer, when not gathering
};

bool Pieces::Write(std::string_view text, int fd, bool gather) {
  const auto where = [&](const Piece& p) { return (p.made ? made_.data() : text.data()) + p.offset; };
  if (!gather) flat_.clear();
  std::vector<iovec> io;
  for (size_t k = 0; k < list_.size();) {
    io.clear();
    for (; k < list_.size() && (!gather || io.size() < IOV_MAX); ++k) {
      if (gather)
        io.push_back({const_cast<char*>(where(list_[k])), list_[k].length});
      else
        flat_.append(where(list_[k]), list_[k].length);
    }
    if (!gather) io.push_back({flat_.data(), flat_.size()});
    for (size_t at = 0; at < io.size();) {
      const ssize_t n = ::writev(fd, io.data() + at, static_cast<int>(std::min<size_t>(io.size() - at, IOV_MAX)));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return false;
      for (size_t left = static_cast<size_t>(n); left > 0 && at < io.size();) {  // past what was written
        const size_t take = std::min(left, io[at].iov_len);
        io[at].iov_base = static_cast<char*>(io[at].iov_base) + take;
        io[at].iov_len -= take;
        left -= take;
        if (io[at].iov_len == 0) ++at;
      }
      while (at < io.size() && io[at].iov_len == 0) ++at;
    }
  }
  return true;
}

// The regular case (EligibleDecisions::regular): eligible decisions [first, last) and the text
// from `from` up to the end of the last one's line (to the end of the text when `tail`) — every
// other line is written as it stands.
void FormatRegular(std::string_view text, size_t from, size_t first, size_t last, bool tail,
                   const EligibleDecisions& eligible, const AllocationResult& result,
                   const std::vector<GroupText>& groups, Pieces* out) {
  out->Clear();
  for (size_t k = first; k < last; ++k) {
    const std::string_view line = text.substr(eligible.offsets[k], eligible.lengths[k]);
    const Allocation& a = result.allocations[k];
    const size_t made = out->made()->size();
    if (eligible.spliced[k] != 0) {
      // The line up to its closing brace stands; the allocation goes before the brace.
      out->Text(from, eligible.offsets[k] + eligible.lengths[k] - 1);
      AppendAllocation(a, groups[a.group], out->made());
    } else {
      out->Text(from, eligible.offsets[k]);
      AppendReserialised(line, a, groups[a.group], out->made());
    }
    out->made()->push_back('\n');
    out->Made(made);
    from = eligible.offsets[k] + eligible.lengths[k] + 1;
  }
  if (tail) out->Text(from, text.size());
}

// The end of the block starting at `begin`: about kBlockBytes on, after a line end.
size_t BlockEnd(std::string_view text, size_t begin) {
  if (text.size() - begin <= kBlockBytes) return text.size();
  return std::min(text.find('\n', begin + kBlockBytes), text.size() - 1) + 1;
}

}  // namespace

// Writes the regular case in blocks of kBlockDecisions eligible decisions, two at a time as below.
bool WriteRegular(std::string_view text, const EligibleDecisions& eligible, const AllocationResult& result,
                  const std::vector<GroupText>& groups, std::FILE* out) {
  const size_t n = eligible.offsets.size();
  // Where block starting at eligible decision k begins copying: after the line before it.
  const auto from = [&](size_t k) {
    return k == 0 ? size_t{0} : eligible.offsets[k - 1] + eligible.lengths[k - 1] + 1;
  };
  if (std::fflush(out) != 0) return false;  // what stdio holds goes first
  const int fd = fileno(out);
  struct stat st {};
  const bool gather = ::fstat(fd, &st) == 0 && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode);
  Pieces a, b;
  bool ok = true;
  size_t k = 0;
  do {
    const size_t mid = std::min(n, k + kBlockDecisions), end = std::min(n, mid + kBlockDecisions);
    std::string failure;
    std::jthread second;  // joined however the work ends
    if (mid < end) {
      second = std::jthread([&] {
        failure = Guarded([&] { FormatRegular(text, from(mid), mid, end, end == n, eligible, result, groups, &b); });
      });
    }
    FormatRegular(text, from(k), k, mid, mid == n, eligible, result, groups, &a);
    ok = ok && a.Write(text, fd, gather);
    if (second.joinable()) {
      second.join();
      if (!failure.empty()) throw std::runtime_error(failure);  // to WriteAllocated's guard
      ok = ok && b.Write(text, fd, gather);
    }
    k = end;
  } while (k < n && ok);
  return ok;
}

namespace {

Status WriteAll(std::string_view text, const EligibleDecisions& eligible, const AllocationPlan& plan,
                const AllocationResult& result, std::FILE* out) {
  const std::vector<GroupText> groups = GroupTexts(plan, result);
  if (eligible.regular) {
    if (!WriteRegular(text, eligible, result, groups, out) || std::fflush(out) != 0 || std::ferror(out)) {
      return Status::IoError("写入输出失败 / writing the output failed");
    }
    return Status::Ok();
  }
  const auto first_eligible = [&](size_t offset) {
    return static_cast<size_t>(std::lower_bound(eligible.offsets.begin(), eligible.offsets.end(), offset) -
                               eligible.offsets.begin());
  };
  const auto write = [&](const std::string& block) {
    return std::fwrite(block.data(), 1, block.size(), out) == block.size();
  };
  // Two blocks at a time: a second thread formats the later one while this one formats and
  // writes the earlier; they are written in order.
  std::string a, b;
  bool ok = true;
  for (size_t pos = 0; pos < text.size() && ok;) {
    const size_t mid = BlockEnd(text, pos), end = mid < text.size() ? BlockEnd(text, mid) : mid;
    std::string failure;
    std::jthread second;  // joined however the work ends
    if (mid < end) {
      second = std::jthread([&] {
        failure = Guarded([&] { FormatBlock(text, mid, end, first_eligible(mid), eligible, result, groups, &b); });
      });
    }
    FormatBlock(text, pos, mid, first_eligible(pos), eligible, result, groups, &a);
    ok = write(a);
    if (second.joinable()) {
      second.join();
      if (!failure.empty()) throw std::runtime_error(failure);  // to WriteAllocated's guard
      ok = ok && write(b);
    }
    pos = end;
  }
  if (!ok || std::fflush(out) != 0 || std::ferror(out))
    return Status::IoError("写入输出失败 / writing the output failed");
  return Status::Ok();
}

}  // namespace

Status WriteAllocated(std::string_view text, const EligibleDecisions& eligible, const AllocationPlan& plan,
                      const AllocationResult& result, std::FILE* out) {
  Status status;
  const std::string failure = Guarded([&] { status = WriteAll(text, eligible, plan, result, out); });
  return failure.empty() ? status : Status::Internal(failure);
}

}  // namespace qgrant::alloc
