#include "cli/line_reader.h"

#include <cerrno>
#include <algorithm>
#include <cstring>

namespace qgrant::cli {

namespace {
constexpr size_t kBlock = 4 << 20;
}

LineReader::~LineReader() {
  if (owned_ && file_) std::fclose(file_);
}

Status LineReader::Open(const std::string& path) {
  if (path.empty() || path == "-") {
    file_ = stdin;
    owned_ = false;
    return Status::Ok();
  }
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) return Status::IoError("cannot read " + path + ": " + std::strerror(errno));
  owned_ = true;
  return Status::Ok();
}

bool LineReader::Fill() {
  if (eof_) return false;
  // Unread data moves to the front; the block is read behind it (no zero-filling first).
  const size_t unread = size_ - begin_;
  if (capacity_ < unread + kBlock) {
    capacity_ = std::max(capacity_ * 2, unread + kBlock);
    std::unique_ptr<char[]> bigger(new char[capacity_]);
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
    if (std::ferror(file_)) status_ = Status::IoError(std::string("read error: ") + std::strerror(errno));
    return false;
  }
  return true;
}

bool LineReader::Next(std::string_view* line) {
  while (true) {
    const char* start = buffer_.get() + begin_;
    const void* nl = begin_ < size_ ? std::memchr(start, '\n', size_ - begin_) : nullptr;
    if (nl != nullptr) {
      const size_t len = static_cast<size_t>(static_cast<const char*>(nl) - start);
      *line = std::string_view(start, len);
      if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
      begin_ += len + 1;
      return true;
    }
    if (!Fill()) {
      if (begin_ < size_) {  // a last line without a newline
        *line = std::string_view(buffer_.get() + begin_, size_ - begin_);
        if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
        begin_ = size_;
        return true;
      }
      return false;
    }
  }
}

}  // namespace qgrant::cli
