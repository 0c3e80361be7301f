#include "cli/stdout_check.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace qgrant::cli {

bool FinishStandardOutput() {
  // std::cout shares stdout's buffer (sync_with_stdio is left on), but a failed write through
  // it is recorded only in its own state, so both are asked.
  errno = 0;
  std::cout.flush();  // flushes stdout too; a failure here leaves errno set
  int err = errno;
  const bool flush_failed = std::fflush(stdout) != 0;
  if (err == 0) err = errno;
  // errno names the cause (ENOSPC, EPIPE when SIGPIPE is ignored, EBADF); an earlier failed
  // write leaves only the error flag, for which EIO is the honest word.
  if (err == 0) err = EIO;
  if (!flush_failed && !std::ferror(stdout) && !std::cout.fail()) return true;
  std::fprintf(stderr, "qgrant: 写入标准输出失败 / writing standard output failed: %s\n", std::strerror(err));
  return false;
}

}  // namespace qgrant::cli
