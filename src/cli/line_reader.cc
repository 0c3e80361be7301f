#include "cli/line_reader.h"

#include <cerrno>
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
  buffer_.erase(0, begin_);
  begin_ = 0;
  size_t old = buffer_.size();
  buffer_.resize(old + kBlock);
  size_t got = std::fread(buffer_.data() + old, 1, kBlock, file_);
  buffer_.resize(old + got);
  if (got == 0) {
    eof_ = true;
    if (std::ferror(file_)) status_ = Status::IoError(std::string("read error: ") + std::strerror(errno));
    return false;
  }
  return true;
}

bool LineReader::Next(std::string_view* line) {
  while (true) {
    size_t nl = buffer_.find('\n', begin_);
    if (nl != std::string::npos) {
      *line = std::string_view(buffer_).substr(begin_, nl - begin_);
      if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
      begin_ = nl + 1;
      return true;
    }
    if (!Fill()) {
      if (begin_ < buffer_.size()) {  // a last line without a newline
        *line = std::string_view(buffer_).substr(begin_);
        if (!line->empty() && line->back() == '\r') line->remove_suffix(1);
        begin_ = buffer_.size();
        return true;
      }
      return false;
    }
  }
}

}  // namespace qgrant::cli
