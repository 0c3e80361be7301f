// libFuzzer target for the registry readers of `qgrant simulate` and `qgrant screen`: arbitrary
// bytes as a registry file, JSON Lines or CSV (the first line decides). Every record becomes a
// unit with its applications or a bad line with a message, never a crash.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "simulate/registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  auto next = [&rest](std::string_view* line) {
    if (rest.empty()) return false;
    size_t nl = rest.find('\n');
    *line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    return true;
  };
  auto start = qgrant::simulate::StartRegistry(next);
  if (!start.ok()) {
    if (start.status().message().empty()) __builtin_trap();
    return 0;
  }
  const qgrant::simulate::CsvLayout* layout = start->csv ? &*start->csv : nullptr;
  qgrant::simulate::RegistryReader reader(layout);
  qgrant::simulate::RegistryRecord record;
  if (start->have_first) reader.Read(start->first, &record);
  std::string_view line;
  while (next(&line)) {
    reader.Read(line, &record);
    if (!record.error.empty() && !record.applications.empty()) __builtin_trap();
  }
  return 0;
}
