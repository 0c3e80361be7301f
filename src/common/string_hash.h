// StringHash: hashes std::string keys and looks them up by std::string_view without making a
// string, for maps declared as std::unordered_map<std::string, V, StringHash, std::equal_to<>>.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace qgrant {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace qgrant
