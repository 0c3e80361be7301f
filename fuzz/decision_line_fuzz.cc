// libFuzzer target for qgrant allocate's decision reader (alloc/decision_scan.h), a hand-written
// single-pass JSON scanner, against nlohmann::json, the parser and writer allocate always used:
// arbitrary bytes as one line. Besides never crashing or hanging, the scanner must agree:
// what it calls not JSON, nlohmann refuses; what it accepts as a usable decision, nlohmann reads
// as an object with the same outcome (and, when eligible, measure, clause and amount); and a line it calls canonical
// (the allocation is spliced into the text) is exactly nlohmann's compact dump of it.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "alloc/decision_scan.h"

namespace {

using nlohmann::ordered_json;

// The member `key` when it is a string, else "" (as the scanner reports absent or null members).
std::string StringMember(const ordered_json& doc, const char* key) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  static qgrant::alloc::DecisionScanner scanner;
  qgrant::alloc::ScannedDecision d;
  const std::string error = scanner.Scan(line, &d);
  if (simdjson::validate_utf8(line.data(), line.size())) {
    // The fast path (UTF-8 checked a block at a time by the caller) decides exactly the same.
    static qgrant::alloc::DecisionScanner fast_scanner;
    qgrant::alloc::ScannedDecision fast;
    if (fast_scanner.Scan(line, &fast, true) != error) __builtin_trap();
    if (fast.eligible != d.eligible || fast.amount_fen != d.amount_fen || fast.canonical != d.canonical ||
        fast.id != d.id || fast.measure != d.measure || fast.clause != d.clause)
      __builtin_trap();
  }

  ordered_json doc;
  // nlohmann takes a NUL byte for the end of its input ("{...}\0junk" parses): such a line is
  // not JSON, whatever it says.
  bool parsed = line.find('\0') == std::string_view::npos;
  try {
    if (parsed) doc = ordered_json::parse(line);
  } catch (const ordered_json::exception&) {
    parsed = false;
  }
  if (error.starts_with(qgrant::alloc::kNotJson)) {
    if (parsed) __builtin_trap();  // the scanner refused what nlohmann reads
    return 0;
  }
  // Valid JSON for the scanner. nlohmann may still fail on a number it cannot hold (1e400),
  // which allocate checks separately.
  if (!parsed || !error.empty()) return 0;
  if (!doc.is_object()) __builtin_trap();  // a usable decision is an object
  if (d.eligible != (StringMember(doc, "outcome") == "eligible")) __builtin_trap();
  if (d.eligible) {  // the scanner picks out measure, clause and amount for these alone
    if (d.measure != StringMember(doc, "measure")) __builtin_trap();
    if (d.clause != StringMember(doc, "clause")) __builtin_trap();
    auto amount = doc.find("amount_fen");
    if (amount == doc.end() || !amount->is_number_integer() || amount->get<int64_t>() != d.amount_fen) __builtin_trap();
  }
  if (d.canonical && doc.dump(-1, ' ', false, ordered_json::error_handler_t::replace) != line) __builtin_trap();
  return 0;
}
