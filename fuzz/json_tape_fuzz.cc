// libFuzzer target for the application line scanner (engine/json_tape.h) against simdjson's DOM:
// arbitrary bytes as a line, followed by padding taken from the input too. Whatever the scanner
// takes, simdjson must take and read as the same nodes; the padding must change nothing. And
// json::NumbersInRange changes no line the DOM reads.
#include <simdjson.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/json_tape.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using qgrant::engine::json::Tape;
  const std::string line(reinterpret_cast<const char*>(data), size);
  // The padding: the line's first bytes again, then quotes (a string the line leaves open must
  // not be closed by what follows it).
  std::string buffer = line + line.substr(0, std::min(size, Tape::kPadding)) + std::string(Tape::kPadding, '"');
  static simdjson::dom::parser* parser = new simdjson::dom::parser();
  simdjson::dom::element doc;
  const bool dom_reads = parser->parse(line.data(), line.size(), true).get(doc) == simdjson::SUCCESS;
  // Stand-ins replace only numbers the DOM cannot read, so never in a line it reads.
  std::string in_range;
  if (dom_reads && qgrant::engine::json::NumbersInRange(line, &in_range)) __builtin_trap();
  Tape scanned;
  if (!scanned.Scan(std::string_view(buffer.data(), size))) return 0;
  if (!dom_reads) __builtin_trap();
  Tape dom;
  dom.FromDom(doc);
  const auto a = scanned.nodes(), b = dom.nodes();
  if (!std::equal(a.begin(), a.end(), b.begin(), b.end())) __builtin_trap();
  return 0;
}
