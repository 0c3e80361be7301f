// Guarding inputs from being overwritten by outputs: `qgrant screen REG --csv REG` once replaced
// the registry with the candidate list. Before an output file is opened, it is compared with the
// input by device and inode (so another name for the same file, a hard link or a symbolic link,
// is caught too); a file that does not exist yet cannot be the input.
#pragma once

#include <sys/stat.h>

#include <string>

#include "common/status.h"

namespace qgrant {

// Ok unless `output` names the same existing file as `input`. An empty name or "-" (stdin or
// stdout) is never a file here.
inline Status RefuseToOverwriteInput(const std::string& output, const std::string& input) {
  if (output.empty() || input.empty() || output == "-" || input == "-") return Status::Ok();
  struct stat out_stat {
  }, in_stat{};
  if (::stat(output.c_str(), &out_stat) != 0 || ::stat(input.c_str(), &in_stat) != 0) return Status::Ok();
  if (out_stat.st_dev != in_stat.st_dev || out_stat.st_ino != in_stat.st_ino) return Status::Ok();
  return Status::InvalidArgument("输出文件 " + output + " 就是输入文件 " + input + "，拒绝覆盖 / the output " + output +
                                 " is the input file " + input + " itself; refusing to overwrite it");
}

}  // namespace qgrant
