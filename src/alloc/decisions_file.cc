#include "alloc/decisions_file.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <span>
#include <stdexcept>
#include <thread>

#include "alloc/decision_scan.h"
#include "alloc/guarded.h"
#include "common/huge_pages.h"
#include "common/lines.h"

namespace qgrant::alloc {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr size_t kMinChunk = 1 << 20;  // below this a second thread costs more than it saves

Status Errno(const std::string& what) { return Status::IoError(what + ": " + std::strerror(errno)); }

// Copies what `in` still has to read into an unlinked temporary file, so that a pipe can be read
// twice. Returns the temporary file's descriptor.
Result<int> Spool(int in, const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/qgrant-allocate-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return Errno("无法创建临时文件 cannot create a temporary file in " + path);
  ::unlink(path.c_str());  // gone when closed, whatever happens
  std::vector<char> buffer(1 << 20);
  for (;;) {
    const ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const Status st = Errno("无法读取 cannot read " + name);
      ::close(fd);
      return st;
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(fd, buffer.data() + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        const Status st = Errno("无法写入临时文件 cannot spool " + name + " to " + path);
        ::close(fd);
        return st;
      }
      done += w;
    }
  }
  return fd;
}

}  // namespace

InputText::~InputText() {
  if (map_ != nullptr) ::munmap(map_, map_size_);
  if (fd_ >= 0) ::close(fd_);
}

Status InputText::Open(const std::string& path) {
  const std::string name = path == "-" ? "<stdin>" : path;
  int fd = path == "-" ? ::dup(STDIN_FILENO) : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("无法读取 cannot read " + name);
  struct stat st {};
  // A regular file read from its start is read as it is; a pipe, a device or a partly read file
  // is copied first (a directory fails there, with the system's reason).
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || ::lseek(fd, 0, SEEK_CUR) != 0) {
    Result<int> spooled = Spool(fd, name);
    ::close(fd);
    if (!spooled.ok()) return spooled.status();
    fd = *spooled;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return Errno("无法读取 cannot read " + name);
    }
  }
  fd_ = fd;
  map_size_ = static_cast<size_t>(st.st_size);
  if (map_size_ > 0) {
    map_ = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map_ == MAP_FAILED) {
      map_ = nullptr;
      return Errno("无法映射 cannot map " + name);
    }
    ::madvise(map_, map_size_, MADV_RANDOM);  // only a few lines are looked up through it
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    text_ = std::string_view(static_cast<const char*>(map_), map_size_);
  }
  char head[3] = {};
  if (map_size_ >= kByteOrderMark.size() && ::pread(fd_, head, sizeof head, 0) == sizeof head &&
      std::string_view(head, sizeof head) == kByteOrderMark) {
    skip_ = kByteOrderMark.size();
    text_.remove_prefix(skip_);
  }
  return Status::Ok();
}

void InputText::Hold(std::string text) {
  held_ = std::move(text);
  text_ = held_;
  if (text_.starts_with(kByteOrderMark)) text_.remove_prefix(kByteOrderMark.size());
}

void InputText::Read(uint64_t offset, size_t n, char* into) const {
  if (fd_ < 0) {
    std::memcpy(into, text_.data() + offset, n);
    return;
  }
  for (size_t done = 0; done < n;) {
    const ssize_t got = ::pread(fd_, into + done, n - done, static_cast<off_t>(skip_ + offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      throw std::runtime_error(std::string("读取输入失败 / reading the input failed: ") +
                               (got < 0 ? std::strerror(errno) : "the file became shorter"));
    }
    done += static_cast<size_t>(got);
  }
}

uint64_t InputText::LineEndAfter(uint64_t offset) const {
  char window[16384];
  while (offset < size()) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof window, size() - offset));
    Read(offset, n, window);
    if (const void* nl = std::memchr(window, '\n', n)) return offset + (static_cast<const char*>(nl) - window) + 1;
    offset += n;
  }
  return size();
}

namespace {

// text[begin, end) in blocks of whole lines (only the very last may lack its line end), read into
// one buffer that grows only for a line longer than itself.
class LineBlocks {
 public:
  LineBlocks(const InputText& in, uint64_t begin, uint64_t end) : in_(in), next_(begin), end_(end), base_(begin) {}

  // The next block and the offset of its first byte; false when there is none.
  bool Next(std::string_view* block, uint64_t* base);

 private:
  static constexpr size_t kBlock = 1 << 20;
  const InputText& in_;
  uint64_t next_, end_;  // what is still to be read
  uint64_t base_;        // the offset of buffer_[0]
  std::vector<char> buffer_ = std::vector<char>(kBlock);
  size_t filled_ = 0, used_ = 0;  // buffer_[used_, filled_) is the start of a line not yet given
};

bool LineBlocks::Next(std::string_view* block, uint64_t* base) {
  std::memmove(buffer_.data(), buffer_.data() + used_, filled_ - used_);
  filled_ -= used_;
  base_ += used_;
  used_ = 0;
  for (;;) {
    if (next_ == end_) {
      used_ = filled_;
      *block = std::string_view(buffer_.data(), filled_);
      *base = base_;
      return filled_ > 0;
    }
    if (filled_ == buffer_.size()) buffer_.resize(buffer_.size() * 2);
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buffer_.size() - filled_, end_ - next_));
    in_.Read(next_, n, buffer_.data() + filled_);
    next_ += n;
    // The bytes before this read hold no line end: look only in the new ones.
    if (const void* nl = ::memrchr(buffer_.data() + filled_, '\n', n)) {
      filled_ += n;
      used_ = static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data()) + 1;
      *block = std::string_view(buffer_.data(), used_);
      *base = base_;
      return true;
    }
    filled_ += n;
  }
}

struct LineError {
  uint64_t line;  // within the chunk while scanning, then in the file
  std::string message;
};

struct IdEntry {
  uint64_t hash;
  uint64_t offset;  // where its line starts
};

// Ids are checked for repeats in kBuckets buckets by their hash's top bits.
constexpr int kBuckets = 256;
int BucketOf(const IdEntry& e) { return static_cast<int>(e.hash >> 56); }

// One thread's share of pass 1.
struct Chunk {
  uint64_t begin = 0, end = 0;  // text[begin, end): whole lines
  EligibleDecisions eligible;
  HugePageVector<IdEntry> ids;                      // in text order while scanning, then by bucket (BucketIds)
  std::array<size_t, kBuckets + 1> bucket_start{};  // bucket b is ids[bucket_start[b], bucket_start[b + 1])
  std::vector<LineError> errors;                    // the first kMaxReportedErrors
  int64_t error_count = 0;
  uint64_t lines = 0;   // every line, blank ones included
  std::string failure;  // why the scan stopped early (out of memory), "" when it did not
};

// The hash of a decision id as ScannedDecision::id_key and id_is_string give it: escapes decoded,
// so the same id written two ways is one id.
uint64_t HashId(std::string_view key, bool is_string) {
  uint64_t x = std::hash<std::string_view>()(key) ^ (is_string ? 0 : 0x9e3779b97f4a7c15ULL);
  x ^= x >> 31;  // splitmix64's finaliser: the bucket and slot bits below come from all of them
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 29);
}

// A line's text without its line end.
std::string_view LineAt(std::string_view text, uint64_t offset) {
  std::string_view line = text.substr(offset);
  line = line.substr(0, line.find('\n'));
  if (line.ends_with('\r')) line.remove_suffix(1);
  return line;
}

// A decision the writer must re-serialise is parsed once here as well, so that a number it cannot
// hold (1e400) is an error before anything is written, not a failure halfway through the output.
std::string CheckReserialisable(std::string_view line) {
  try {
    const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(line);
    (void)doc;
  } catch (const nlohmann::ordered_json::exception& e) {
    return std::string(kNotJson) + ": " + e.what();
  }
  return "";
}

// The lines of one block (whole lines, starting at `base`): their errors, ids and eligible decisions.
void ScanBlock(std::string_view block, uint64_t base, bool at_end, const GroupIndex& groups, bool grouped,
               DecisionScanner* scanner, Chunk* c) {
  ScannedDecision d;
  // Invalid UTF-8 anywhere in the block: each line is checked on its own, to name the line.
  const bool valid_utf8 = simdjson::validate_utf8(block.data(), block.size());
  size_t pos = 0;
  while (pos < block.size()) {
    const size_t nl = std::min(block.find('\n', pos), block.size());
    std::string_view line = block.substr(pos, nl - pos);
    const uint64_t start = base + pos;
    pos = nl + 1;
    ++c->lines;
    if (line.ends_with('\r') || (nl == block.size() && at_end) || line.size() > UINT32_MAX) c->eligible.regular = false;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (IsBlankLine(line)) {
      c->eligible.regular = false;
      continue;
    }
    ++c->eligible.decisions;
    std::string error = scanner->Scan(line, &d, valid_utf8);
    if (error.empty() && d.eligible && !d.canonical) error = CheckReserialisable(line);
    if (!error.empty()) {
      if (line.find('\r') != std::string_view::npos)
        error =
            "行以单独的回车符（CR）结束，请改用 LF 或 CRLF 换行 / lines end with a lone carriage return (CR); "
            "use LF or CRLF line ends: " +
            error;
      if (++c->error_count <= static_cast<int64_t>(kMaxReportedErrors))
        c->errors.push_back({c->lines, std::move(error)});
      continue;
    }
    if (!d.id.empty()) c->ids.push_back({HashId(d.id_key, d.id_is_string), start});
    if (!d.eligible) continue;
    c->eligible.offsets.push_back(start);
    c->eligible.amounts.push_back(d.amount_fen);
    if (grouped) c->eligible.groups.push_back(groups.Of(d.measure, d.clause));
    c->eligible.spliced.push_back(d.canonical ? 1 : 0);
    c->eligible.lengths.push_back(static_cast<uint32_t>(line.size()));
  }
}

// Sorts the chunk's ids by bucket, a stable counting sort: each bucket stays in text order. Done
// by each scanning thread for its own chunk, so that no one thread copies them all.
void BucketIds(Chunk* c) {
  c->bucket_start.fill(0);
  for (const IdEntry& e : c->ids) ++c->bucket_start[BucketOf(e) + 1];
  for (int b = 0; b < kBuckets; ++b) c->bucket_start[b + 1] += c->bucket_start[b];
  HugePageVector<IdEntry> sorted(c->ids.size());
  std::array<size_t, kBuckets> next;
  std::copy(c->bucket_start.begin(), c->bucket_start.end() - 1, next.begin());
  for (const IdEntry& e : c->ids) sorted[next[BucketOf(e)]++] = e;
  c->ids = std::move(sorted);
}

void ScanChunk(const InputText& text, const GroupIndex& groups, bool grouped, Chunk* c) {
  if (grouped) c->eligible.groups.reserve(c->eligible.offsets.capacity());
  DecisionScanner scanner;
  LineBlocks blocks(text, c->begin, c->end);
  std::string_view block;
  uint64_t base = 0;
  while (blocks.Next(&block, &base)) {
    ScanBlock(block, base, base + block.size() == text.size(), groups, grouped, &scanner, c);
  }
  BucketIds(c);
}

// Reserves room for the lines of `bytes` of text, so that the vectors never grow by copying (which
// also touches fresh memory twice). A decision line takes well over 64 bytes, so bytes / 64 is
// ample; more lines than that are still taken, at the price of a reallocation.
void Reserve(size_t bytes, Chunk* c) {
  // Capped, so that a file of hundreds of gigabytes does not ask for it all up front.
  const size_t lines = std::min<size_t>(bytes / 64 + 16, size_t{1} << 26);
  c->ids.reserve(lines);
  c->eligible.offsets.reserve(lines);
  c->eligible.amounts.reserve(lines);
  c->eligible.spliced.reserve(lines);
  c->eligible.lengths.reserve(lines);
}

// Splits the text at line ends into about `n` pieces of at least kMinChunk bytes.
std::vector<Chunk> SplitChunks(const InputText& text, unsigned n) {
  n = std::max(1u, std::min<unsigned>(n, static_cast<unsigned>(text.size() / kMinChunk) + 1));
  std::vector<Chunk> chunks;
  uint64_t begin = 0;
  for (unsigned k = 1; k <= n && begin < text.size(); ++k) {
    uint64_t end = k == n ? text.size() : std::max(begin, text.size() / n * k);
    if (end < text.size()) end = text.LineEndAfter(end);
    Chunk& c = chunks.emplace_back();
    c.begin = begin;
    c.end = end;
    // The first chunk's vectors become the whole file's: the others are appended to them.
    Reserve(k == 1 ? text.size() : end - begin, &c);
    begin = end;
  }
  return chunks;
}

template <typename Vector>
void Append(Vector* to, Vector&& from) {
  if (to->empty()) {
    *to = std::move(from);
  } else {
    to->insert(to->end(), from.begin(), from.end());
  }
  from = {};
}

}  // namespace

namespace {

struct Repeat {
  uint64_t later, earlier;  // line offsets
};

// Whether the lines at offsets a and b hold the same decision id, escapes decoded.
bool SameId(std::string_view text, uint64_t a, uint64_t b, DecisionScanner* scanner) {
  ScannedDecision da, db;
  (void)scanner->Scan(LineAt(text, a), &da);
  const std::string key(da.id_key);  // the views of a scan end with the next one
  const bool is_string = da.id_is_string;
  (void)scanner->Scan(LineAt(text, b), &db);
  return is_string == db.id_is_string && key == db.id_key;
}

// The repeats among sorted[begin, end): one bucket, in text order. The first line with an id keeps
// it; every later line with the same id is a repeat of that first one.
void BucketRepeats(std::string_view text, std::span<const IdEntry> bucket, std::vector<uint32_t>* table,
                   DecisionScanner* scanner, std::vector<Repeat>* repeats) {
  const size_t size = std::bit_ceil(std::max<size_t>(16, bucket.size() * 2));
  table->assign(size, 0);  // slot: 1 + index into the bucket, 0 when free
  const size_t mask = size - 1;
  for (uint32_t i = 0; i < bucket.size(); ++i) {
    for (size_t slot = bucket[i].hash & mask;; slot = (slot + 1) & mask) {
      uint32_t& cell = (*table)[slot];
      if (cell == 0) {
        cell = i + 1;
        break;
      }
      const IdEntry& first = bucket[cell - 1];
      if (first.hash == bucket[i].hash && SameId(text, first.offset, bucket[i].offset, scanner)) {
        repeats->push_back({bucket[i].offset, first.offset});
        break;
      }
    }
  }
}

// Every decision id that a line repeats from an earlier one. Each chunk's ids are sorted into 256
// buckets by their hash's top bits (BucketIds); a bucket, its chunks' parts in text order, is
// checked with a hash table small enough for the processor's cache.
std::vector<Repeat> RepeatedIds(std::string_view text, std::vector<Chunk>* chunks, unsigned threads) {
  threads = std::clamp(threads, 1u, 8u);
  std::vector<std::vector<Repeat>> found(threads);
  std::vector<std::string> failures(threads);
  std::vector<std::jthread> workers;  // joined however the work ends
  const auto work = [&](unsigned t) {
    failures[t] = Guarded([&] {
      std::vector<uint32_t> table;
      std::vector<IdEntry> bucket;
      DecisionScanner scanner;
      for (int b = static_cast<int>(t); b < kBuckets; b += static_cast<int>(threads)) {
        bucket.clear();
        for (const Chunk& c : *chunks) {
          bucket.insert(bucket.end(), c.ids.begin() + static_cast<ptrdiff_t>(c.bucket_start[b]),
                        c.ids.begin() + static_cast<ptrdiff_t>(c.bucket_start[b + 1]));
        }
        BucketRepeats(text, bucket, &table, &scanner, &found[t]);
      }
    });
  };
  for (unsigned t = 1; t < threads; ++t) workers.emplace_back(work, t);
  work(0);
  for (std::jthread& w : workers) w.join();
  for (const std::string& f : failures) {
    if (!f.empty()) throw std::runtime_error(f);  // to ScanDecisions' guard, with the reason
  }
  std::vector<Repeat> repeats;
  for (auto& f : found) Append(&repeats, std::move(f));
  return repeats;
}

// 1-based line numbers of the given line offsets (found by counting line ends up to them).
std::vector<uint64_t> LineNumbers(std::string_view text, const std::vector<uint64_t>& offsets) {
  std::vector<uint64_t> sorted = offsets;
  std::sort(sorted.begin(), sorted.end());
  std::vector<uint64_t> lines(sorted.size());
  uint64_t line = 1;
  size_t pos = 0;
  for (size_t k = 0; k < sorted.size(); ++k) {
    for (;;) {
      const void* nl = std::memchr(text.data() + pos, '\n', sorted[k] - pos);
      if (nl == nullptr) break;
      pos = static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1;
      ++line;
    }
    pos = sorted[k];
    lines[k] = line;
  }
  std::vector<uint64_t> out(offsets.size());
  for (size_t i = 0; i < offsets.size(); ++i) {
    out[i] = lines[std::lower_bound(sorted.begin(), sorted.end(), offsets[i]) - sorted.begin()];
  }
  return out;
}

// The first few repeats, in line order, as errors naming both lines.
void ReportRepeats(std::string_view text, std::vector<Repeat> repeats, std::vector<LineError>* errors) {
  const size_t shown = std::min(repeats.size(), kMaxReportedErrors);
  std::partial_sort(repeats.begin(), repeats.begin() + static_cast<ptrdiff_t>(shown), repeats.end(),
                    [](const Repeat& a, const Repeat& b) { return a.later < b.later; });
  std::vector<uint64_t> offsets;
  for (size_t k = 0; k < shown; ++k) offsets.insert(offsets.end(), {repeats[k].later, repeats[k].earlier});
  const std::vector<uint64_t> lines = LineNumbers(text, offsets);
  DecisionScanner scanner;
  ScannedDecision d;
  for (size_t k = 0; k < shown; ++k) {
    (void)scanner.Scan(LineAt(text, repeats[k].later), &d);
    const std::string id(d.id), earlier = std::to_string(lines[2 * k + 1]);
    errors->push_back({lines[2 * k], "决定 id " + id + " 与第 " + earlier + " 行重复 / decision id " + id +
                                         " repeats line " + earlier + " (a decision given twice would be paid twice)"});
  }
}

}  // namespace

namespace {

ScanReport ScanAll(const InputText& text, std::string_view source, const GroupIndex& groups, unsigned threads,
                   EligibleDecisions* out) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const bool grouped = groups.grouped();
  std::vector<Chunk> chunks = SplitChunks(text, threads);
  std::vector<std::jthread> workers;  // joined however the work ends
  const auto scan = [&](Chunk* c) { c->failure = Guarded([&] { ScanChunk(text, groups, grouped, c); }); };
  for (size_t k = 1; k < chunks.size(); ++k) workers.emplace_back(scan, &chunks[k]);
  if (!chunks.empty()) scan(&chunks[0]);
  for (std::jthread& w : workers) w.join();
  for (const Chunk& c : chunks) {
    if (!c.failure.empty()) throw std::runtime_error(c.failure);
  }

  ScanReport report;
  std::vector<LineError> errors;
  uint64_t line_base = 0;
  *out = EligibleDecisions{};
  for (Chunk& c : chunks) {
    for (LineError& e : c.errors) errors.push_back({e.line + line_base, std::move(e.message)});
    report.error_count += c.error_count;
    line_base += c.lines;
    out->decisions += c.eligible.decisions;
    Append(&out->offsets, std::move(c.eligible.offsets));
    Append(&out->amounts, std::move(c.eligible.amounts));
    Append(&out->groups, std::move(c.eligible.groups));
    Append(&out->spliced, std::move(c.eligible.spliced));
    Append(&out->lengths, std::move(c.eligible.lengths));
    out->regular = out->regular && c.eligible.regular;
  }
  std::vector<Repeat> repeats = RepeatedIds(text.mapped(), &chunks, threads);
  report.error_count += static_cast<int64_t>(repeats.size());
  ReportRepeats(text.mapped(), std::move(repeats), &errors);
  std::sort(errors.begin(), errors.end(), [](const LineError& a, const LineError& b) { return a.line < b.line; });
  for (size_t k = 0; k < errors.size() && k < kMaxReportedErrors; ++k) {
    report.errors.push_back(std::string(source) + ":" + std::to_string(errors[k].line) + ": " + errors[k].message);
  }
  return report;
}

}  // namespace

ScanReport ScanDecisions(const InputText& text, std::string_view source, const GroupIndex& groups, unsigned threads,
                         EligibleDecisions* out) {
  ScanReport report;
  const std::string failure = Guarded([&] { report = ScanAll(text, source, groups, threads, out); });
  if (!failure.empty()) {
    report = ScanReport{};
    report.failure = std::string(source) + ": " + failure;
    *out = EligibleDecisions{};
  }
  return report;
}

}  // namespace qgrant::alloc
