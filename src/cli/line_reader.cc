#include "cli/line_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/file_size.h"
#include "common/lines.h"

namespace qgrant::cli {

namespace {

constexpr size_t kBlock = 4 << 20;

// Opens `path` for reading. fopen() succeeds on a directory on Linux and only the first read
// fails (EISDIR), far from the name: refuse it here, where the message can say which path.
std::FILE* OpenForReading(const std::string& path, Status* status) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *status = Status::IoError("无法读取 / cannot read " + path + ": " + std::strerror(errno));
    return nullptr;
  }
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
    std::fclose(f);
    *status = Status::IoError("无法读取 / cannot read " + path + ": 是目录而不是文件 / is a directory");
    return nullptr;
  }
  return f;
}

}  // namespace

LineReader::~LineReader() {
  if (owned_ && file_) std::fclose(file_);
}

Status LineReader::Open(const std::string& path) {
  if (path.empty() || path == "-") {
    name_ = "standard input";
    file_ = stdin;
    owned_ = false;
    return Status::Ok();
  }
  name_ = path;
  Status status;
  file_ = OpenForReading(path, &status);
  owned_ = file_ != nullptr;
  return status;
}

size_t LineReader::FileBytes() const { return RegularFileSize(file_); }

size_t LineReader::EstimateLines() {
  const size_t bytes = FileBytes();
  if (bytes == 0 || (begin_ == size_ && !Fill())) return 0;
  const char* block = buffer_.get() + begin_;
  const size_t newlines = static_cast<size_t>(std::count(block, block + (size_ - begin_), '\n'));
  const auto lines = static_cast<unsigned __int128>(bytes) * std::max<size_t>(newlines, 1) / (size_ - begin_);
  return static_cast<size_t>(std::min<unsigned __int128>(lines, kMostLines));
}

std::vector<std::string> LineReader::SampleLines(size_t windows, size_t per_window) const {
  std::vector<std::string> sample;
  const size_t bytes = FileBytes();
  if (bytes == 0 || windows == 0) return sample;
  constexpr size_t kWindow = 16 << 10;  // a few dozen lines of applications
  std::string block(kWindow, '\0');
  for (size_t w = 0; w < windows; ++w) {
    const auto at = static_cast<off_t>(static_cast<unsigned __int128>(bytes) * w / windows);
    const ssize_t got = pread(fileno(file_), block.data(), kWindow, at);
    if (got <= 0) return {};
    std::string_view text(block.data(), static_cast<size_t>(got));
    if (w == 0 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a byte-order mark
    if (w != 0) {  // the line the window starts in may have begun before it
      const size_t nl = text.find('\n');
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    }
    for (size_t taken = 0; taken < per_window;) {
      const size_t nl = text.find('\n');
      if (nl == std::string_view::npos) break;  // a line the window cuts off
      std::string_view line = text.substr(0, nl);
      text.remove_prefix(nl + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (IsBlankLine(line)) continue;
      sample.emplace_back(line);
      ++taken;
    }
  }
  return sample;
}

size_t LineReader::LinesLike(const std::vector<std::string>& sample, size_t bytes) {
  size_t sampled = 0;
  for (const std::string& line : sample) sampled += line.size() + 1;
  const auto lines = static_cast<unsigned __int128>(bytes) * sample.size() / std::max<size_t>(sampled, 1);
  return static_cast<size_t>(std::min<unsigned __int128>(lines, kMostLines));
}

bool LineReader::Fill() {
  if (eof_) return false;
  // Unread data moves to the front; the block is read behind it (no zero-filling first).
  const size_t unread = size_ - begin_;
  if (buffer_.size() < unread + kBlock) {
    HugePageBuffer bigger(std::max(buffer_.size() * 2, unread + kBlock));
    if (unread != 0) std::memcpy(bigger.get(), buffer_.get() + begin_, unread);
    buffer_ = std::move(bigger);
  } else if (unread != 0 && begin_ != 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, unread);
  }
  begin_ = 0;
  size_ = unread;
  const size_t got = std::fread(buffer_.get() + size_, 1, kBlock, file_);
  size_ += got;
  if (got == 0) {
    eof_ = true;
    if (std::ferror(file_)) {
      status_ = Status::IoError("读取出错 / read error in " + name_ + ": " + std::strerror(errno));
    }
    return false;
  }
  return true;
}

bool LineReader::Next(std::string_view* line) {
  while (true) {
    const char* start = buffer_.get() + begin_;
    // Once the end of the input has no newline left, the rest is split at carriage returns.
    const void* nl = begin_ < size_ && !cr_tail_ ? std::memchr(start, '\n', size_ - begin_) : nullptr;
    if (nl != nullptr) {
      const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
      *line = std::string_view(start, len);
      if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
      begin_ += len + 1;
      return true;
    }
    if (!Fill()) {
      if (begin_ < size_) {  // a last line without a newline
        // Lines ended by a carriage return alone (old Mac files) reach here as one "line": they
        // are split at each CR, so that each application is a line of its own.
        cr_tail_ = true;
        const char* rest = buffer_.get() + begin_;
        const void* cr = std::memchr(rest, '\r', size_ - begin_);
        const size_t len = cr == nullptr ? size_ - begin_ : static_cast<size_t>(static_cast<const char*>(cr) - rest);
        *line = std::string_view(rest, len);
        begin_ += cr == nullptr ? len : len + 1;
        return true;
      }
      return false;
    }
  }
}

std::vector<std::string> InputSample(const LineReader& in, size_t* expected_lines) {
  if (in.FileBytes() < (size_t{4} << 20)) return {};
  std::vector<std::string> sample = in.SampleLines(32, 16);
  if (!sample.empty()) *expected_lines = LineReader::LinesLike(sample, in.FileBytes());
  return sample;
}

Status ReadWholeFile(const std::string& path, std::string* out) {
  Status status;
  std::FILE* f = OpenForReading(path, &status);
  if (f == nullptr) return status;
  out->clear();
  char block[1 << 16];
  size_t got;
  while ((got = std::fread(block, 1, sizeof block, f)) > 0) out->append(block, got);
  if (std::ferror(f)) {
    status = Status::IoError("读取出错 / read error in " + path + ": " + std::strerror(errno));
  }
  std::fclose(f);
  return status;
}

}  // namespace qgrant::cli
