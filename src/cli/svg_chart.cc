#include "cli/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "json/text.h"

namespace canopy::cli {
namespace {

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

double x_of(const SeriesPoint& p) { return p.epoch ? *p.epoch : p.step; }

}  // namespace

std::string render_series_svg(const std::vector<Series>& series, const ChartOptions& o) {
  const int top = o.title.empty() ? 10 : 40;
  const int left = 70, right = 20, gap = 30;
  const int height = top + static_cast<int>(series.size()) * (o.panel_height + gap);
  std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(o.width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                    std::to_string(o.width) + " " + std::to_string(height) +
                    "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
                    "fill=\"white\"/>\n";
  if (!o.title.empty())
    svg += "<text x=\"" + std::to_string(left) + "\" y=\"24\" font-size=\"15\">" + json::xml_escape(o.title) + "</text>\n";
  const int plot_w = o.width - left - right;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    const int y0 = top + static_cast<int>(i) * (o.panel_height + gap);
    const int plot_h = o.panel_height - 20;
    svg += "<g class=\"panel\" data-field=\"" + json::xml_escape(s.field) + "\">\n";
    svg += "<text x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(y0 + 12) + "\" font-weight=\"bold\">" +
           json::xml_escape(s.field) + "</text>\n";
    svg += "<rect x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(y0 + 18) + "\" width=\"" +
           std::to_string(plot_w) + "\" height=\"" + std::to_string(plot_h) +
           "\" fill=\"none\" stroke=\"#999\"/>\n";
    if (s.points.empty()) {
      svg += "<text x=\"" + std::to_string(left + 10) + "\" y=\"" + std::to_string(y0 + 40) +
             "\" fill=\"#666\">no values recorded</text>\n</g>\n";
      continue;
    }
    double x_min = x_of(s.points.front()), x_max = x_min, y_min = s.points.front().value, y_max = y_min;
    for (const SeriesPoint& p : s.points) {
      x_min = std::min(x_min, x_of(p));
      x_max = std::max(x_max, x_of(p));
      if (std::isfinite(p.value)) {
        y_min = std::min(y_min, p.value);
        y_max = std::max(y_max, p.value);
      }
    }
    if (x_max == x_min) x_max = x_min + 1;
    if (y_max == y_min) y_max = y_min + 1;
    auto px = [&](double x) { return left + (x - x_min) / (x_max - x_min) * plot_w; };
    auto py = [&](double y) { return y0 + 18 + plot_h - (y - y_min) / (y_max - y_min) * plot_h; };
    svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.2\" points=\"";
    for (const SeriesPoint& p : s.points) {
      if (!std::isfinite(p.value)) continue;
      svg += num(px(x_of(p))) + "," + num(py(p.value)) + " ";
    }
    svg += "\"/>\n";
    // Axis labels: y range at the left, x range below.
    svg += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + num(py(y_max) + 4) + "\" text-anchor=\"end\">" +
           num(y_max) + "</text>\n";
    svg += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + num(py(y_min)) + "\" text-anchor=\"end\">" +
           num(y_min) + "</text>\n";
    const std::string x_label = s.points.front().epoch ? "epoch" : "step";
    svg += "<text x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(y0 + 18 + plot_h + 14) + "\">" +
           x_label + " " + num(x_min) + "</text>\n";
    svg += "<text x=\"" + std::to_string(left + plot_w) + "\" y=\"" + std::to_string(y0 + 18 + plot_h + 14) +
           "\" text-anchor=\"end\">" + num(x_max) + " (" + std::to_string(s.values) + " values" +
           (s.exact ? "" : ", downsampled to " + std::to_string(s.points.size()) + " points") + ")</text>\n";
    svg += "</g>\n";
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace canopy::cli
