#include "cascor/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <vector>

namespace cascor {

namespace {

struct Point {
  double x;
  double y;
};

struct Series {
  std::string name;
  std::string color;  // SVG colour
  std::vector<Point> points;
};

struct Chart {
  std::string title;
  double y_min;
  double y_max;
  std::vector<Series> series;  // train first, then validation if present
};

// The smallest of 1, 2, 2.5, 4, 5 times a power of ten that is >= x > 0, so
// that axis labels are round numbers.
double nice_ceiling(double x) {
  const double base = std::pow(10.0, std::floor(std::log10(x)));
  for (double m : {1.0, 2.0, 2.5, 4.0, 5.0, 10.0}) {
    if (m * base >= x * (1 - 1e-12)) return m * base;
  }
  return 10.0 * base;
}

// Loss and accuracy charts from the metrics. Loss is scaled to [0, max].
std::vector<Chart> make_charts(std::span<const EpochMetrics> epochs) {
  Series train_loss{"train", "#1f77b4", {}}, val_loss{"validation", "#ff7f0e", {}};
  Series train_acc{"train", "#1f77b4", {}}, val_acc{"validation", "#ff7f0e", {}};
  double max_loss = 0.0;
  for (const EpochMetrics& m : epochs) {
    const double x = m.epoch;
    train_loss.points.push_back({x, m.train_loss});
    train_acc.points.push_back({x, m.train_accuracy});
    max_loss = std::max(max_loss, m.train_loss);
    if (m.val_loss) {
      val_loss.points.push_back({x, *m.val_loss});
      max_loss = std::max(max_loss, *m.val_loss);
    }
    if (m.val_accuracy) val_acc.points.push_back({x, *m.val_accuracy});
  }
  if (!(max_loss > 0.0) || !std::isfinite(max_loss)) max_loss = 1.0;
  max_loss = nice_ceiling(max_loss);
  Chart loss{"loss (MSE)", 0.0, max_loss, {std::move(train_loss)}};
  Chart acc{"accuracy", 0.0, 1.0, {std::move(train_acc)}};
  if (!val_loss.points.empty()) loss.series.push_back(std::move(val_loss));
  if (!val_acc.points.empty()) acc.series.push_back(std::move(val_acc));
  return {std::move(loss), std::move(acc)};
}

std::string fmt(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// ---- SVG ----

void svg_panel(std::string& out, const Chart& chart, double x_min, double x_max,
               const std::vector<int>& installs, double left, double top, double w, double h) {
  auto px = [&](double x) { return left + (x - x_min) / (x_max - x_min) * w; };
  auto py = [&](double y) {
    const double t =
        (std::clamp(y, chart.y_min, chart.y_max) - chart.y_min) / (chart.y_max - chart.y_min);
    return top + h - t * h;
  };
  out += "<g class=\"panel\">\n";
  out += "<rect x=\"" + fmt("%.1f", left) + "\" y=\"" + fmt("%.1f", top) + "\" width=\"" +
         fmt("%.1f", w) + "\" height=\"" + fmt("%.1f", h) + "\" fill=\"none\" stroke=\"#888\"/>\n";
  out += "<text x=\"" + fmt("%.1f", left) + "\" y=\"" + fmt("%.1f", top - 8) +
         "\" font-size=\"14\">" + xml_escape(chart.title) + "</text>\n";
  for (int i = 0; i <= 4; ++i) {  // y grid and labels
    const double y = chart.y_min + (chart.y_max - chart.y_min) * i / 4.0;
    out += "<line x1=\"" + fmt("%.1f", left) + "\" x2=\"" + fmt("%.1f", left + w) + "\" y1=\"" +
           fmt("%.1f", py(y)) + "\" y2=\"" + fmt("%.1f", py(y)) +
           "\" stroke=\"#eee\"/>\n<text x=\"" + fmt("%.1f", left - 6) + "\" y=\"" +
           fmt("%.1f", py(y) + 4) + "\" font-size=\"11\" text-anchor=\"end\">" + fmt("%.3g", y) +
           "</text>\n";
  }
  for (int e : installs) {  // hidden units installed
    out += "<line class=\"unit\" x1=\"" + fmt("%.1f", px(e)) + "\" x2=\"" + fmt("%.1f", px(e)) +
           "\" y1=\"" + fmt("%.1f", top) + "\" y2=\"" + fmt("%.1f", top + h) +
           "\" stroke=\"#bbb\" stroke-dasharray=\"3,3\"/>\n";
  }
  for (const Series& s : chart.series) {
    out += "<polyline class=\"series\" data-series=\"" + xml_escape(s.name) +
           "\" fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"1.5\" points=\"";
    // Skip the middle of flat runs (candidate phases) to keep the file small.
    for (std::size_t i = 0; i < s.points.size(); ++i) {
      const bool flat_middle = i > 0 && i + 1 < s.points.size() &&
                               s.points[i - 1].y == s.points[i].y &&
                               s.points[i + 1].y == s.points[i].y;
      if (flat_middle) continue;
      out += fmt("%.1f", px(s.points[i].x)) + "," + fmt("%.1f", py(s.points[i].y)) + " ";
    }
    out += "\"/>\n";
  }
  double legend_x = left + w - 180;
  for (const Series& s : chart.series) {
    out += "<line x1=\"" + fmt("%.1f", legend_x) + "\" x2=\"" + fmt("%.1f", legend_x + 18) +
           "\" y1=\"" + fmt("%.1f", top - 12) + "\" y2=\"" + fmt("%.1f", top - 12) +
           "\" stroke=\"" + s.color + "\" stroke-width=\"2\"/><text x=\"" +
           fmt("%.1f", legend_x + 22) + "\" y=\"" + fmt("%.1f", top - 8) + "\" font-size=\"12\">" +
           xml_escape(s.name) + "</text>\n";
    legend_x += 90;
  }
  out += "</g>\n";
}

// ---- terminal ----

// A grid of cells, each holding one bit per sub-position (ASCII: 1 sub-cell,
// braille: 2x4) per series.
class Canvas {
 public:
  Canvas(int cols, int rows, int sub_x, int sub_y, int series)
      : cols_(cols),
        rows_(rows),
        sub_x_(sub_x),
        sub_y_(sub_y),
        bits_(static_cast<std::size_t>(cols * rows * series), 0) {}

  int dots_x() const { return cols_ * sub_x_; }
  int dots_y() const { return rows_ * sub_y_; }

  void set(int series, int x, int y) {  // y = 0 at the top
    if (x < 0 || y < 0 || x >= dots_x() || y >= dots_y()) return;
    const int cell = (y / sub_y_) * cols_ + x / sub_x_;
    bits_[static_cast<std::size_t>(series * cols_ * rows_ + cell)] |=
        static_cast<std::uint8_t>(1u << ((x % sub_x_) * sub_y_ + y % sub_y_));
  }
  void line(int series, int x0, int y0, int x1, int y1) {
    const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) {
      set(series, x0, y0);
      if (x0 == x1 && y0 == y1) break;
      const int e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }
  std::uint8_t bits(int series, int col, int row) const {
    return bits_[static_cast<std::size_t>(series * cols_ * rows_ + row * cols_ + col)];
  }

 private:
  int cols_, rows_, sub_x_, sub_y_;
  std::vector<std::uint8_t> bits_;
};

// Braille dot bit for sub-position index (column * 4 + row) as set() packs it.
std::string braille(std::uint8_t packed) {
  static const int kDot[8] = {0x01, 0x02, 0x04, 0x40, 0x08, 0x10, 0x20, 0x80};
  int code = 0x2800;
  for (int i = 0; i < 8; ++i) {
    if (packed & (1u << i)) code |= kDot[i];
  }
  std::string s;  // UTF-8, always 3 bytes in this block
  s += static_cast<char>(0xE0 | (code >> 12));
  s += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
  s += static_cast<char>(0x80 | (code & 0x3F));
  return s;
}

void terminal_chart(std::string& out, const Chart& chart, double x_min, double x_max,
                    const TerminalPlotOptions& opt) {
  const bool dots = opt.style == TerminalStyle::kBraille;
  const int cols = std::max(opt.width, 8), rows = std::max(opt.height, 3);
  const int n_series = static_cast<int>(chart.series.size());
  Canvas canvas(cols, rows, dots ? 2 : 1, dots ? 4 : 1, n_series);
  auto cx = [&](double x) {
    return static_cast<int>(std::lround((x - x_min) / (x_max - x_min) * (canvas.dots_x() - 1)));
  };
  auto cy = [&](double y) {
    const double t =
        (std::clamp(y, chart.y_min, chart.y_max) - chart.y_min) / (chart.y_max - chart.y_min);
    return static_cast<int>(std::lround((1.0 - t) * (canvas.dots_y() - 1)));
  };
  for (int s = 0; s < n_series; ++s) {
    const auto& pts = chart.series[static_cast<std::size_t>(s)].points;
    for (std::size_t i = 0; i < pts.size(); ++i) {
      if (i == 0) {
        canvas.set(s, cx(pts[i].x), cy(pts[i].y));
      } else {
        canvas.line(s, cx(pts[i - 1].x), cy(pts[i - 1].y), cx(pts[i].x), cy(pts[i].y));
      }
    }
  }
  static const char* kColor[2] = {"\x1b[34m", "\x1b[33m"};
  static const char kMarker[2] = {'*', 'o'};
  out += chart.title + "   ";
  for (int s = 0; s < n_series; ++s) {
    const std::string marker = dots ? std::string("\u28ff") : std::string(1, kMarker[s]);
    if (opt.color) out += kColor[s % 2];
    out += marker + " " + chart.series[static_cast<std::size_t>(s)].name;
    if (opt.color) out += "\x1b[0m";
    out += "  ";
  }
  if (!dots && n_series > 1) out += "# both";
  out += "\n";
  for (int r = 0; r < rows; ++r) {
    std::string label(8, ' ');
    if (r == 0) label = fmt("%7.3f ", chart.y_max);
    if (r == rows - 1) label = fmt("%7.3f ", chart.y_min);
    if (r == rows / 2) label = fmt("%7.3f ", (chart.y_min + chart.y_max) / 2.0);
    out += label + "|";
    int active = -1;  // colour currently switched on, so runs share one escape
    for (int c = 0; c < cols; ++c) {
      std::uint8_t all = 0;
      int first = -1, count = 0;
      for (int s = 0; s < n_series; ++s) {
        const std::uint8_t b = canvas.bits(s, c, r);
        if (b != 0) {
          all |= b;
          if (first < 0) first = s;
          ++count;
        }
      }
      if (opt.color && all != 0 && first % 2 != active) {
        out += kColor[first % 2];
        active = first % 2;
      }
      if (all == 0) {
        out += ' ';
      } else if (dots) {
        out += braille(all);
      } else {
        out += count > 1 ? '#' : kMarker[first % 2];
      }
    }
    if (active >= 0) out += "\x1b[0m";
    out += "\n";
  }
  out += std::string(8, ' ') + "+" + std::string(static_cast<std::size_t>(cols), '-') + "\n";
  std::string axis = std::string(9, ' ') + fmt("%.0f", x_min);
  const std::string right = fmt("%.0f", x_max) + " epoch";
  const std::size_t end = 9 + static_cast<std::size_t>(cols);
  if (axis.size() + 1 + right.size() < end)
    axis += std::string(end - axis.size() - right.size(), ' ');
  else
    axis += ' ';
  out += axis + right + "\n";
}

std::pair<double, double> x_range(std::span<const EpochMetrics> epochs) {
  double lo = epochs.front().epoch, hi = epochs.back().epoch;
  if (hi <= lo) hi = lo + 1;
  return {lo, hi};
}

}  // namespace

std::string render_svg(std::span<const EpochMetrics> epochs, const SvgPlotOptions& options) {
  const double w = std::max(options.width, 200), h = std::max(options.height, 200);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + fmt("%.0f", w) + "\" height=\"" +
         fmt("%.0f", h) + "\" viewBox=\"0 0 " + fmt("%.0f", w) + " " + fmt("%.0f", h) +
         "\" font-family=\"sans-serif\">\n";
  out += "<title>" + xml_escape(options.title) + "</title>\n";
  out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out += "<text x=\"" + fmt("%.1f", w / 2) +
         "\" y=\"22\" font-size=\"16\" text-anchor=\"middle\">" + xml_escape(options.title) +
         "</text>\n";
  if (epochs.empty()) {
    out += "<text x=\"" + fmt("%.1f", w / 2) + "\" y=\"" + fmt("%.1f", h / 2) +
           "\" text-anchor=\"middle\">no epochs</text>\n</svg>\n";
    return out;
  }
  const auto [x_min, x_max] = x_range(epochs);
  std::vector<int> installs;
  for (std::size_t i = 1; i < epochs.size(); ++i) {
    if (epochs[i].hidden_units > epochs[i - 1].hidden_units) installs.push_back(epochs[i].epoch);
  }
  const auto charts = make_charts(epochs);
  const double left = 60, right = 20, top = 60, bottom = 50, gap = 50;
  const double pw = w - left - right;
  const double ph = (h - top - bottom - gap) / 2.0;
  svg_panel(out, charts[0], x_min, x_max, installs, left, top, pw, ph);
  svg_panel(out, charts[1], x_min, x_max, installs, left, top + ph + gap, pw, ph);
  const double axis_y = top + 2 * ph + gap;
  out += "<text x=\"" + fmt("%.1f", left) + "\" y=\"" + fmt("%.1f", axis_y + 18) +
         "\" font-size=\"11\">" + fmt("%.0f", x_min) + "</text>\n";
  out += "<text x=\"" + fmt("%.1f", left + pw) + "\" y=\"" + fmt("%.1f", axis_y + 18) +
         "\" font-size=\"11\" text-anchor=\"end\">" + fmt("%.0f", x_max) + "</text>\n";
  out += "<text x=\"" + fmt("%.1f", left + pw / 2) + "\" y=\"" + fmt("%.1f", axis_y + 36) +
         "\" font-size=\"12\" text-anchor=\"middle\">epoch (dashed: hidden unit installed, " +
         std::to_string(installs.size()) + " in all)</text>\n";
  out += "</svg>\n";
  return out;
}

void write_svg(const std::filesystem::path& path, std::span<const EpochMetrics> epochs,
               const SvgPlotOptions& options) {
  const std::string svg = render_svg(epochs, options);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error("cannot open '" + path.string() + "' to write the SVG plot");
  f << svg;
  f.close();
  if (!f) throw std::runtime_error("cannot write the SVG plot to '" + path.string() + "'");
}

std::string render_terminal(std::span<const EpochMetrics> epochs,
                            const TerminalPlotOptions& options) {
  if (epochs.empty()) return "(no epochs to plot)\n";
  const auto [x_min, x_max] = x_range(epochs);
  std::string out;
  const auto charts = make_charts(epochs);
  terminal_chart(out, charts[0], x_min, x_max, options);
  out += "\n";
  terminal_chart(out, charts[1], x_min, x_max, options);
  return out;
}

}  // namespace cascor
