// Text forms of CEL values: doubles as CEL's reference implementation prints them (Go's %g),
// quoted strings and bytes for messages, and UTF-8 helpers shared by the lexer and functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace qgrant::expr {

// Shortest round-trip digits in Go's %g layout (as cel-go prints string(double)):
// "123.456", "-0.0045", "1e+06", "+Inf", "NaN".
std::string FormatDouble(double d);

// A CEL double-quoted string literal with escapes.
std::string QuoteString(std::string_view s);
// A CEL quoted bytes body (without the b prefix): printable ASCII as is, the rest as \xHH.
std::string QuoteBytes(std::string_view s);

bool IsValidUtf8(std::string_view s);
// Number of code points in valid UTF-8.
int64_t CodePointCount(std::string_view s);
// Appends the UTF-8 encoding of a code point.
void AppendUtf8(std::string* out, uint32_t cp);

}  // namespace qgrant::expr
