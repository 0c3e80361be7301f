// Text from an input made safe for one line of a terminal, a log or a printed page: control
// characters are shown as \xNN (C0 and DEL) or \u00NN (C1, such as the 8-bit CSI), so that an
// escape sequence cannot rewrite the screen and a line break in a unit's name cannot forge a line
// ("结论：符合条件…"). Everything else, invalid UTF-8 included, is kept byte for byte.
#pragma once

#include <string>
#include <string_view>

namespace qgrant {

std::string Printable(std::string_view text);

}  // namespace qgrant
