// A stack of line charts as one self-contained SVG document: the output of
// `canopy-store plot`. One panel per series, x = epoch (or step where a
// point has no epoch), y scaled to the series' own range. Pure function.
#pragma once

#include <string>
#include <vector>

#include "canopy/series.h"

namespace canopy::cli {

struct ChartOptions {
  int width = 900;         // pixels
  int panel_height = 220;  // pixels per series
  std::string title;
};

// A complete SVG document (starts with "<?xml"). A series without points
// gets a panel saying so.
std::string render_series_svg(const std::vector<Series>& series, const ChartOptions& options);

}  // namespace canopy::cli
