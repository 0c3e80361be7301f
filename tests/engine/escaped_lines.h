// Lines rewritten with escapes, as other writers of JSON write them, for tests that hold the
// scanner's decoding (engine/json_tape.h) to the plain lines' reading.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace qgrant::engine {

// The line with every character above 127 written as a \u escape, as Python's json.dumps writes
// it by default (one beyond U+FFFF as a surrogate pair), and so is every character of `also`
// inside a string; a line that is not UTF-8 stays as it is.
inline std::string AsciiEscaped(const std::string& line, std::string_view also = {}) {
  if (!simdjson::validate_utf8(line.data(), line.size())) return line;
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < line.size();) {
    const auto b = static_cast<unsigned char>(line[i]);
    if (b == '"') in_string = !in_string;
    char hex[16];
    if (b < 0x80) {
      if (in_string && also.find(static_cast<char>(b)) != std::string_view::npos) {
        std::snprintf(hex, sizeof hex, "\\u%04x", b);
        out += hex;
      } else {
        out += line[i];
      }
      ++i;
      continue;
    }
    const size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    uint32_t cp = b & (0xFF >> (n + 1));
    for (size_t k = 1; k < n; ++k) cp = cp << 6 | (static_cast<unsigned char>(line[i + k]) & 0x3F);
    if (cp > 0xFFFF)
      std::snprintf(hex, sizeof hex, "\\u%04x\\u%04x", 0xD800 + ((cp - 0x10000) >> 10), 0xDC00 + (cp & 0x3FF));
    else
      std::snprintf(hex, sizeof hex, "\\u%04x", cp);
    out += hex;
    i += n;
  }
  return out;
}

}  // namespace qgrant::engine
