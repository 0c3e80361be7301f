// The files of src/web/assets (layout template, stylesheet, script, icons), compiled into the
// binary at build time (embed_assets.cmake): pages never read the disk for them.
#pragma once

#include <optional>
#include <string_view>

namespace qgrant::web {

// The bytes of the asset named `name` ("style.css"), or nullopt when there is none.
std::optional<std::string_view> FindAsset(std::string_view name);

}  // namespace qgrant::web
