// libFuzzer target for the ledger reader: arbitrary bytes as one ledger JSON line. The line is
// either taken or refused with an error naming it (a ledger read in part could pay a unit
// twice), never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/ledger.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  qgrant::engine::Ledger ledger;
  std::string line(reinterpret_cast<const char*>(data), size);
  qgrant::Status status = ledger.LoadLine(line, 7);
  if (!status.ok() && status.message().empty()) __builtin_trap();  // a refusal says why
  return 0;
}
