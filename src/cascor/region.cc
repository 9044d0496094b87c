#include "cascor/region.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace cascor {

namespace {

void require_two_inputs(const Network& network) {
  if (network.input_size() != 2) {
    throw std::invalid_argument("decision region needs a two-input network, this one has " +
                                std::to_string(network.input_size()) + " inputs");
  }
}

double output_at(const Network& network, double x, double y) {
  const double in[] = {x, y};
  return network.predict(in)[0];
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

std::string render_region_ascii(const Network& network, const Dataset* points,
                                const RegionOptions& options) {
  require_two_inputs(network);
  const int cols = std::max(options.columns, 4), rows = std::max(options.rows, 4);
  const double e = options.extent;
  std::vector<std::string> grid(static_cast<std::size_t>(rows), std::string(cols, ' '));
  for (int r = 0; r < rows; ++r) {
    const double y = e - (r + 0.5) * 2 * e / rows;
    for (int c = 0; c < cols; ++c) {
      const double x = -e + (c + 0.5) * 2 * e / cols;
      grid[r][c] = output_at(network, x, y) > 0.0 ? ':' : ' ';
    }
  }
  if (points != nullptr) {
    for (std::size_t p = 0; p < points->size(); ++p) {
      const auto in = points->input(p);
      const int c = static_cast<int>(std::floor((in[0] + e) / (2 * e) * cols));
      const int r = static_cast<int>(std::floor((e - in[1]) / (2 * e) * rows));
      if (c >= 0 && c < cols && r >= 0 && r < rows) {
        grid[r][c] = points->target(p)[0] > 0.0 ? 'X' : 'O';
      }
    }
  }
  std::string out;
  for (const auto& line : grid) out += line + "\n";
  return out;
}

std::string render_region_svg(const Network& network, const Dataset* points,
                              const RegionOptions& options) {
  require_two_inputs(network);
  const int n = std::max(options.columns, 4);
  const double size = std::max(options.svg_size, 64);
  const double cell = size / n, e = options.extent;
  auto px = [&](double x) { return (x + e) / (2 * e) * size; };
  auto py = [&](double y) { return (e - y) / (2 * e) * size; };
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(size) + "\" height=\"" +
         num(size) + "\" viewBox=\"0 0 " + num(size) + " " + num(size) + "\">\n";
  out += "<title>decision region</title>\n<g shape-rendering=\"crispEdges\">\n";
  // Shades are quantised to 16 levels so runs of equal cells merge into one
  // rect per row; that keeps a 120 x 120 region small.
  auto shade = [&](double x, double y) {
    const double v = std::clamp(output_at(network, x, y) + 0.5, 0.0, 1.0);  // 0..1
    return static_cast<int>(std::lround(v * 15));
  };
  for (int r = 0; r < n; ++r) {
    const double y = e - (r + 0.5) * 2 * e / n;
    std::vector<int> row(static_cast<std::size_t>(n));
    for (int c = 0; c < n; ++c) row[c] = shade(-e + (c + 0.5) * 2 * e / n, y);
    for (int c = 0; c < n;) {
      int end = c + 1;
      while (end < n && row[end] == row[c]) ++end;
      const int red = 255 - row[c] * 8, blue = 135 + row[c] * 8;
      char fill[16];
      std::snprintf(fill, sizeof fill, "#%02x%02x%02x", red, 200, blue);
      out += "<rect x=\"" + num(c * cell) + "\" y=\"" + num(r * cell) + "\" width=\"" +
             num((end - c) * cell + 0.5) + "\" height=\"" + num(cell + 0.5) + "\" fill=\"" + fill +
             "\"/>\n";
      c = end;
    }
  }
  out += "</g>\n";
  if (points != nullptr) {
    for (std::size_t p = 0; p < points->size(); ++p) {
      const auto in = points->input(p);
      const bool plus = points->target(p)[0] > 0.0;
      out += "<circle cx=\"" + num(px(in[0])) + "\" cy=\"" + num(py(in[1])) + "\" r=\"3\" fill=\"" +
             (plus ? "#08306b" : "white") + "\" stroke=\"black\" stroke-width=\"0.8\"/>\n";
    }
  }
  out += "</svg>\n";
  return out;
}

}  // namespace cascor
