// Concat: one string made from its pieces with a single allocation. The reasons of a decision
// are sentences of several pieces (a date, an amount, a clause), made for most applications; a
// chain of operator+ made a temporary string, and often an allocation, per piece.
#pragma once

#include <string>
#include <string_view>

namespace qgrant {

template <typename... Pieces>
std::string Concat(const Pieces&... pieces) {
  const std::string_view views[] = {std::string_view(pieces)...};
  size_t size = 0;
  for (const std::string_view v : views) size += v.size();
  std::string out;
  out.reserve(size);
  for (const std::string_view v : views) out.append(v);
  return out;
}

}  // namespace qgrant
