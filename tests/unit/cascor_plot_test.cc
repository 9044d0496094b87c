#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cascor/plot.h"
#include "cascor/region.h"

namespace cascor {
namespace {

// A small checker for the XML subset our SVG uses: prolog, elements with
// quoted attributes, self-closing tags, text without '<'. Returns "" when
// well-formed, else what is wrong. Also collects the element names.
std::string xml_problem(const std::string& doc, std::vector<std::string>* names = nullptr) {
  std::vector<std::string> open;
  std::size_t i = 0;
  if (doc.rfind("<?xml", 0) != 0) return "no XML prolog";
  i = doc.find("?>");
  if (i == std::string::npos) return "unterminated prolog";
  i += 2;
  bool seen_root = false;
  while (i < doc.size()) {
    if (doc[i] != '<') {
      if (doc[i] == '&') {
        const std::size_t semi = doc.find(';', i);
        if (semi == std::string::npos || semi - i > 6) return "bad entity";
      }
      ++i;
      continue;
    }
    const std::size_t end = doc.find('>', i);
    if (end == std::string::npos) return "unterminated tag";
    std::string tag = doc.substr(i + 1, end - i - 1);
    i = end + 1;
    if (!tag.empty() && tag[0] == '/') {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
      continue;
    }
    const bool self_closing = !tag.empty() && tag.back() == '/';
    if (self_closing) tag.pop_back();
    std::size_t n = 0;
    while (n < tag.size() && !std::isspace(static_cast<unsigned char>(tag[n]))) ++n;
    const std::string name = tag.substr(0, n);
    if (name.empty()) return "empty tag name";
    // attributes: name="value" pairs
    std::size_t k = n;
    while (k < tag.size()) {
      while (k < tag.size() && std::isspace(static_cast<unsigned char>(tag[k]))) ++k;
      if (k >= tag.size()) break;
      const std::size_t eq = tag.find('=', k);
      if (eq == std::string::npos || eq + 1 >= tag.size() || tag[eq + 1] != '"') {
        return "bad attribute in <" + name + ">";
      }
      const std::size_t close = tag.find('"', eq + 2);
      if (close == std::string::npos) return "unterminated attribute in <" + name + ">";
      if (tag.substr(eq + 2, close - eq - 2).find('<') != std::string::npos) return "'<' in value";
      k = close + 1;
    }
    if (open.empty() && seen_root) return "second root element";
    seen_root = true;
    if (names) names->push_back(name);
    if (!self_closing) open.push_back(name);
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  return seen_root ? "" : "no root element";
}

std::vector<EpochMetrics> series(int n, bool with_val) {
  std::vector<EpochMetrics> out;
  for (int e = 1; e <= n; ++e) {
    EpochMetrics m;
    m.epoch = e;
    m.step = e - 1;
    m.train_loss = 0.25 / e;
    m.train_accuracy = static_cast<double>(e) / n;
    if (with_val) {
      m.val_loss = 0.3 / e;
      m.val_accuracy = 0.9 * e / n;
    }
    m.hidden_units = e / 10;
    out.push_back(m);
  }
  return out;
}

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (std::size_t i = s.find(what); i != std::string::npos; i = s.find(what, i + 1)) ++n;
  return n;
}

// Points of the n-th polyline of a series, parsed from the SVG.
std::vector<std::pair<double, double>> polyline(const std::string& svg, const std::string& name,
                                                int nth) {
  std::size_t at = 0;
  for (int k = 0; k <= nth; ++k) {
    at = svg.find("data-series=\"" + name + "\"", at + 1);
    if (at == std::string::npos) return {};
  }
  const std::size_t begin = svg.find("points=\"", at) + 8;
  std::istringstream in(svg.substr(begin, svg.find('"', begin) - begin));
  std::vector<std::pair<double, double>> pts;
  double x, y;
  char comma;
  while (in >> x >> comma >> y) pts.emplace_back(x, y);
  return pts;
}

TEST(CascorPlot, SvgIsWellFormedAndHasFourCurves) {
  const auto s = series(50, true);
  const std::string svg = render_svg(s);
  std::vector<std::string> names;
  ASSERT_EQ(xml_problem(svg, &names), "");
  EXPECT_EQ(names.front(), "svg");
  EXPECT_EQ(count(svg, "data-series=\"train\""), 2);  // loss and accuracy panels
  EXPECT_EQ(count(svg, "data-series=\"validation\""), 2);
  EXPECT_EQ(count(svg, "class=\"unit\""), 2 * 5);  // hidden units rose 5 times, both panels
  // Every epoch is a vertex (no flat runs here), inside the 800 x 560 view.
  const auto loss = polyline(svg, "train", 0);
  ASSERT_EQ(loss.size(), 50u);
  for (const auto& [x, y] : loss) {
    EXPECT_GE(x, 0);
    EXPECT_LE(x, 800);
    EXPECT_GE(y, 0);
    EXPECT_LE(y, 560);
  }
  EXPECT_LT(loss.front().first, loss.back().first);    // epochs run left to right
  EXPECT_LT(loss.front().second, loss.back().second);  // falling loss: y grows downwards
  const auto acc = polyline(svg, "train", 1);
  EXPECT_GT(acc.front().second, acc.back().second);  // rising accuracy
}

TEST(CascorPlot, SvgSkipsValidationCurvesWithoutValidationData) {
  const std::string svg = render_svg(series(10, false));
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(count(svg, "data-series=\"validation\""), 0);
  EXPECT_EQ(count(svg, "data-series=\"train\""), 2);
}

TEST(CascorPlot, FlatRunsAreDrawnWithTheirEndpointsOnly) {
  auto s = series(5, false);
  for (auto& m : s) m.train_loss = 0.1;
  EXPECT_EQ(polyline(render_svg(s), "train", 0).size(), 2u);
}

TEST(CascorPlot, EmptySeriesGivesAValidDocument) {
  const std::string svg = render_svg({});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find("no epochs"), std::string::npos);
}

TEST(CascorPlot, TitleIsEscaped) {
  const std::string svg =
      render_svg(series(3, true), {.width = 400, .height = 300, .title = "a<b & \"c\""});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
}

TEST(CascorPlot, WriteSvgWritesTheRenderedDocument) {
  const auto path = std::filesystem::temp_directory_path() / "cascor_plot_test.svg";
  const auto s = series(20, true);
  write_svg(path, s);
  std::ifstream f(path);
  std::stringstream content;
  content << f.rdbuf();
  EXPECT_EQ(content.str(), render_svg(s));
  std::filesystem::remove(path);
}

TEST(CascorPlot, WriteSvgNamesTheUnwritablePath) {
  try {
    write_svg("/nonexistent-dir/x/curves.svg", series(3, true));
    FAIL() << "no error for an unwritable path";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x/curves.svg"), std::string::npos);
  }
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(CascorPlot, TerminalChartHasTheRequestedSize) {
  const std::string text = render_terminal(series(100, true), {.width = 60, .height = 12});
  const auto ls = lines(text);
  // Each chart: legend, 12 rows, axis, labels; a blank line between the charts.
  ASSERT_EQ(ls.size(), 2 * (1 + 12 + 2) + 1u);
  EXPECT_NE(ls[0].find("loss"), std::string::npos);
  EXPECT_NE(ls[16].find("accuracy"), std::string::npos);
  for (int r = 1; r <= 12; ++r) {
    const std::size_t bar = ls[r].find('|');
    ASSERT_NE(bar, std::string::npos);
    EXPECT_EQ(ls[r].size() - bar - 1, 60u) << "row " << r;
  }
}

TEST(CascorPlot, TerminalChartPlacesTheCurves) {
  const auto ls = lines(render_terminal(series(100, false), {.width = 40, .height = 10}));
  // Loss chart: ls[0] legend, ls[1..10] rows, axis, labels, blank line; the
  // accuracy chart's rows are ls[15..24]. Training accuracy rises from 0.01
  // to 1: bottom-left and top-right corners are marked.
  ASSERT_NE(ls[14].find("accuracy"), std::string::npos);
  const std::string& top = ls[15];
  const std::string& bottom = ls[24];
  EXPECT_EQ(top.back(), '*');
  EXPECT_EQ(bottom[bottom.find('|') + 1], '*');
  EXPECT_EQ(lines(render_terminal(series(100, false)))[0].find("validation"), std::string::npos);
}

TEST(CascorPlot, BrailleStyleUsesBrailleCells) {
  const std::string text = render_terminal(series(100, true), {.style = TerminalStyle::kBraille});
  EXPECT_NE(text.find("\xE2\xA0"), std::string::npos);  // U+28xx lead bytes
  EXPECT_EQ(text.find('*'), std::string::npos);
  const std::string colored =
      render_terminal(series(100, true), {.style = TerminalStyle::kBraille, .color = true});
  EXPECT_NE(colored.find("\x1b[34m"), std::string::npos);
}

TEST(CascorPlot, EmptyTerminalPlotSaysSo) {
  EXPECT_EQ(render_terminal({}), "(no epochs to plot)\n");
}

TEST(CascorRegion, AsciiRegionShowsTheSignOfTheOutput) {
  Network net(2, 1);
  auto w = net.mutable_output_weights(0);
  w[1] = 10.0;  // output > 0 exactly where x > 0
  const auto ls = lines(render_region_ascii(net, nullptr, {.columns = 20, .rows = 6}));
  ASSERT_EQ(ls.size(), 6u);
  for (const auto& l : ls) EXPECT_EQ(l, std::string(10, ' ') + std::string(10, ':'));
}

TEST(CascorRegion, SvgRegionIsWellFormedAndMarksThePoints) {
  Network net(2, 1);
  Dataset pts{.name = "p",
              .input_size = 2,
              .output_size = 1,
              .inputs = {1, 1, -1, -1},
              .targets = {0.5, -0.5}};
  const std::string svg = render_region_svg(net, &pts, {.columns = 30});
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(count(svg, "<circle"), 2);
}

TEST(CascorRegion, NeedsTwoInputs) {
  EXPECT_THROW(render_region_ascii(Network(3, 1), nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace cascor
