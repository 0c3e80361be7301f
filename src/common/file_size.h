// The size of an open file, for sizing buffers and tables before reading it.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdio>

namespace qgrant {

// The size of `file` when it is a regular file, else 0 (a pipe, a terminal, or nothing to read).
inline size_t RegularFileSize(std::FILE* file) {
  struct stat info;
  if (file == nullptr || ::fstat(::fileno(file), &info) != 0 || !S_ISREG(info.st_mode) || info.st_size <= 0) return 0;
  return static_cast<size_t>(info.st_size);
}

}  // namespace qgrant
