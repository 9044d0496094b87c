// The decision region of a trained two-input network: the sign of output 0
// over the square [-extent, extent]^2, optionally with the training points
// on top. For two-spirals (radius <= 6.5) the default extent 7 shows all.
#pragma once

#include <string>

#include "cascor/dataset.h"
#include "cascor/network.h"

namespace cascor {

struct RegionOptions {
  double extent = 7.0;  // half-width of the square shown
  int columns = 60;     // terminal: characters per line; SVG: cells per side
  int rows = 30;        // terminal only (characters are about twice as tall as wide)
  int svg_size = 480;   // SVG: pixels per side
};

// Terminal rendering: ':' where output 0 > 0, ' ' elsewhere; training points
// of `points` (may be null) as 'X' (target > 0) and 'O' (target <= 0).
// Throws std::invalid_argument unless the network has exactly two inputs.
std::string render_region_ascii(const Network& network, const Dataset* points,
                                const RegionOptions& options = {});
// SVG rendering of the same, cells shaded by output value.
std::string render_region_svg(const Network& network, const Dataset* points,
                              const RegionOptions& options = {});

}  // namespace cascor
