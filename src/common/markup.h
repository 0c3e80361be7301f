// EscapeMarkup: the one escaping of text put into HTML or XML (the web pages, the decision letter,
// the simulation's SVG chart). & < > " ' become entities, so the result is safe as element text
// and as a quoted attribute value: a unit named <script>alert(1)</script> stays text.
#pragma once

#include <string>
#include <string_view>

namespace qgrant {

inline std::string EscapeMarkup(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace qgrant
