// Whether everything a command wrote to standard output really got there. Writes to stdout are
// buffered, so a full disk (`eval … > file`), a closed pipe or /dev/full is only noticed when
// the buffer is flushed; a command that did not check would exit 0 with its output lost.
#pragma once

namespace qgrant::cli {

// Flushes std::cout and stdout and checks both for errors. On failure prints
// "qgrant: 写入标准输出失败 / writing standard output failed: <reason>" on stderr and returns
// false. Call once, after a command has written everything.
[[nodiscard]] bool FinishStandardOutput();

}  // namespace qgrant::cli
