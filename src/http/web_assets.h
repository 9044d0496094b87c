// The web page served at / by `canopy-store serve` (docs/web.md), built into
// the binary: web/build.mjs bundles web/ and generates the table's
// definition (web_assets.cc in the build tree, target canopy_web_assets).
#pragma once

#include <span>
#include <string_view>

namespace canopy::http {

// One file of the page. `path` starts with '/': "/" and "/index.html" are
// the page (serve with Cache-Control: no-cache); "/assets/app-<hash>.js"
// and ".css" have content-hashed names (serve with Cache-Control:
// public, max-age=31536000, immutable). `body` is static.
struct WebAsset {
  std::string_view path, content_type, body;
};

// Every file of the page, "/" first.
std::span<const WebAsset> web_assets();

// The asset at `path` (exact match), or nullptr.
const WebAsset* find_web_asset(std::string_view path);

}  // namespace canopy::http
