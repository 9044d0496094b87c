// canopy-store plot: a stored run's curves as an SVG file, without a
// browser — the same downsampled series the read API serves.
#include <fstream>

#include "canopy/errors.h"
#include "cli/context.h"
#include "cli/svg_chart.h"

namespace canopy::cli {
namespace {

struct PlotOptions {
  std::string run;
  std::vector<std::string> fields{"train_loss", "val_loss", "train_accuracy", "val_accuracy", "hidden_units"};
  std::string output;
  int points = 900;
  std::string from, to;
};

void plot(const GlobalOptions& g, const PlotOptions& o) {
  const Uuid run_id = parse_run_id(o.run);
  for (const std::string& f : o.fields) {
    if (series_field_index(f) < 0) {
      std::string allowed;
      for (const char* name : kSeriesFields) allowed += std::string(allowed.empty() ? "" : ", ") + name;
      throw CliError("--field: '" + f + "' is not a metric field (use " + allowed + ")", kExitUsage);
    }
  }
  const auto from = parse_time_flag(o.from, "--from");
  const auto to = parse_time_flag(o.to, "--to");
  auto store = open_configured_store(g);
  if (!store->get_run(run_id)) throw CliError("run " + run_id.str() + " not found in " + store->describe(), kExitNotFound);
  std::vector<Series> series;
  for (const std::string& f : o.fields) series.push_back(store->series(run_id, f, o.points, from, to));
  ChartOptions chart;
  chart.width = std::max(300, o.points + 90);
  chart.title = "Run " + run_id.str();
  const std::string svg = render_series_svg(series, chart);
  std::ofstream out(o.output, std::ios::binary | std::ios::trunc);
  if (!out) throw CliError("--output: cannot open '" + o.output + "' to write", kExitFailure);
  out << svg;
  out.close();
  if (!out) throw CliError("--output: cannot write '" + o.output + "'", kExitFailure);
  std::size_t n = 0;
  for (const Series& s : series) n += s.points.size();
  std::cout << "plot: " << series.size() << " chart(s), " << n << " points, written to " << o.output << "\n";
  close_store(*store);
}

}  // namespace

void add_plot_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<PlotOptions>();
  CLI::App* cmd = app.add_subcommand("plot", "Draw a stored run's curves into an SVG file (downsampled like the "
                                             "read API's series: every spike kept)");
  cmd->add_option("RUN", o->run, "Run id (UUID)")->required();
  cmd->add_option("--field", o->fields, "Field to draw, repeatable (train_loss, train_accuracy, val_loss, "
                                        "val_accuracy, learning_rate, hidden_units)")
      ->capture_default_str();
  cmd->add_option("--output,-o", o->output, "SVG file to write")->required();
  cmd->add_option("--points", o->points, "Chart width in points (pixels)")
      ->check(CLI::Range(10, 100'000))
      ->capture_default_str();
  cmd->add_option("--from", o->from, "Only metrics at or after this time (ISO-8601, or -1h, -30m, now)");
  cmd->add_option("--to", o->to, "Only metrics before this time (exclusive)");
  cmd->callback([&g, o] { plot(g, *o); });
}

}  // namespace canopy::cli
