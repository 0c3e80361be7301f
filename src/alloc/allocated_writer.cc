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

using namespace std::string_view_literals;  // appending a literal needs no strlen
namespace {

using nlohmann::ordered_json;

constexpr size_t kBlockBytes = 4 << 20;  // input bytes formatted at a time by one thread

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
  out->append(",\"allocated_fen\":"sv);
  AppendInteger(a.allocated_fen, out);
  out->append(",\"allocation\":"sv);
  out->append(g.prefix);
  out->append(",\"approved_fen\":"sv);
  AppendInteger(a.amount_fen, out);
  out->append(",\"zh\":\""sv);
  AppendStepZh(a, g.scale, out);
  out->append("\",\"en\":\""sv);
  AppendStepEn(a, g.scale, out);
  out->append("\"}}"sv);
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

// The non-blank lines of one block of whole lines (starting at `base` in the text), eligible ones
// with their allocation; `next` is the index of the first eligible decision at or after `base`.
void FormatBlock(std::string_view block, uint64_t base, size_t next, const EligibleDecisions& eligible,
                 const AllocationResult& result, const std::vector<GroupText>& groups, std::string* out) {
  out->clear();
  for (size_t pos = 0; pos < block.size();) {
    const size_t nl = std::min(block.find('\n', pos), block.size());
    std::string_view line = block.substr(pos, nl - pos);
    const uint64_t start = base + pos;
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

// A block of output in the regular case: runs of the input block as they stand, written from the
// block where they lie, and between them the allocations made for the eligible decisions. A pipe,
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

// The regular case (EligibleDecisions::regular): eligible decisions [first, last) of one block of
// whole lines starting at `base` in the text — every other line is written as it stands.
void FormatRegular(std::string_view block, uint64_t base, size_t first, size_t last, const EligibleDecisions& eligible,
                   const AllocationResult& result, const std::vector<GroupText>& groups, Pieces* out) {
  out->Clear();
  size_t from = 0;
  for (size_t k = first; k < last; ++k) {
    const size_t offset = static_cast<size_t>(eligible.offsets[k] - base);
    const std::string_view line = block.substr(offset, eligible.lengths[k]);
    const Allocation& a = result.allocations[k];
    const size_t made = out->made()->size();
    if (eligible.spliced[k] != 0) {
      // The line up to its closing brace stands; the allocation goes before the brace.
      out->Text(from, offset + line.size() - 1);
      AppendAllocation(a, groups[a.group], out->made());
    } else {
      out->Text(from, offset);
      AppendReserialised(line, a, groups[a.group], out->made());
    }
    out->made()->push_back('\n');
    out->Made(made);
    from = offset + line.size() + 1;
  }
  out->Text(from, block.size());
}

// One block of output: its text read, its lines formatted (FormatRegular or FormatBlock).
class Block {
 public:
  // Reads and formats text[begin, end), whole lines.
  void Format(const InputText& text, uint64_t begin, uint64_t end, const EligibleDecisions& eligible,
              const AllocationResult& result, const std::vector<GroupText>& groups);
  bool Write(int fd, bool gather, std::FILE* out);

 private:
  std::vector<char> input_;
  std::string_view block_;
  bool regular_ = false;
  Pieces pieces_;     // the regular case
  std::string text_;  // any other
};

void Block::Format(const InputText& text, uint64_t begin, uint64_t end, const EligibleDecisions& eligible,
                   const AllocationResult& result, const std::vector<GroupText>& groups) {
  input_.resize(static_cast<size_t>(end - begin));
  text.Read(begin, input_.size(), input_.data());
  block_ = std::string_view(input_.data(), input_.size());
  const auto first_at = [&](uint64_t offset) {
    return static_cast<size_t>(std::lower_bound(eligible.offsets.begin(), eligible.offsets.end(), offset) -
                               eligible.offsets.begin());
  };
  regular_ = eligible.regular;
  if (regular_) {
    FormatRegular(block_, begin, first_at(begin), first_at(end), eligible, result, groups, &pieces_);
  } else {
    FormatBlock(block_, begin, first_at(begin), eligible, result, groups, &text_);
  }
}

bool Block::Write(int fd, bool gather, std::FILE* out) {
  if (regular_) return pieces_.Write(block_, fd, gather);
  return std::fwrite(text_.data(), 1, text_.size(), out) == text_.size();
}

// Two blocks at a time: a second thread reads and formats the later one while this one reads,
// formats and writes the earlier; they are written in order.
Status WriteAll(const InputText& text, const EligibleDecisions& eligible, const AllocationPlan& plan,
                const AllocationResult& result, std::FILE* out) {
  const std::vector<GroupText> groups = GroupTexts(plan, result);
  if (std::fflush(out) != 0) return Status::IoError("写入输出失败 / writing the output failed");
  const int fd = fileno(out);
  struct stat st {};
  const bool gather = ::fstat(fd, &st) == 0 && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode);
  const auto block_end = [&](uint64_t begin) {
    return text.size() - begin <= kBlockBytes ? text.size() : text.LineEndAfter(begin + kBlockBytes);
  };
  Block a, b;
  bool ok = true;
  for (uint64_t pos = 0; pos < text.size() && ok;) {
    const uint64_t mid = block_end(pos), end = mid < text.size() ? block_end(mid) : mid;
    std::string failure;
    std::jthread second;  // joined however the work ends
    if (mid < end) {
      second = std::jthread([&] { failure = Guarded([&] { b.Format(text, mid, end, eligible, result, groups); }); });
    }
    a.Format(text, pos, mid, eligible, result, groups);
    ok = a.Write(fd, gather, out);
    if (second.joinable()) {
      second.join();
      if (!failure.empty()) throw std::runtime_error(failure);  // to WriteAllocated's guard
      ok = ok && b.Write(fd, gather, out);
    }
    pos = end;
  }
  if (!ok || std::fflush(out) != 0 || std::ferror(out))
    return Status::IoError("写入输出失败 / writing the output failed");
  return Status::Ok();
}

}  // namespace

Status WriteAllocated(const InputText& text, const EligibleDecisions& eligible, const AllocationPlan& plan,
                      const AllocationResult& result, std::FILE* out) {
  Status status;
  const std::string failure = Guarded([&] { status = WriteAll(text, eligible, plan, result, out); });
  return failure.empty() ? status : Status::Internal(failure);
}

}  // namespace qgrant::alloc
