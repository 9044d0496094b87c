// canopy-store metrics RUN | export RUN
#include <fstream>
#include <iostream>

#include "cli/context.h"
#include "cli/progress.h"

namespace canopy::cli {
namespace {

struct MetricsOptions {
  std::string run;
  std::string from;
  std::string to;
  int limit = 1000;
  std::string format = "table";
  std::string output;  // export only: file instead of stdout
};

void require_run(MetricsStore& store, const Uuid& run_id) {
  if (!store.get_run(run_id))
    throw CliError("run " + run_id.str() + " not found in " + store.describe(), kExitNotFound);
}

void metrics(const GlobalOptions& g, const MetricsOptions& o) {
  Uuid run_id = parse_run_id(o.run);
  auto from = parse_time_flag(o.from, "--from");
  auto to = parse_time_flag(o.to, "--to");
  Format format = parse_format_flag(o.format, "--format");
  auto store = open_configured_store(g);
  require_run(*store, run_id);
  MetricWriter writer(std::cout, format);
  writer.begin();
  for (const Metric& m : store->query_metrics(run_id, from, to, o.limit)) writer.row(m);
  writer.end();
  close_store(*store);
}

// Every row of the run, streamed page by page: memory stays flat for any size.
void export_run(const GlobalOptions& g, const MetricsOptions& o) {
  Uuid run_id = parse_run_id(o.run);
  auto from = parse_time_flag(o.from, "--from");
  auto to = parse_time_flag(o.to, "--to");
  Format format = parse_format_flag(o.format, "--format");
  if (format == Format::kTable) throw CliError("--format: export writes csv or json", kExitUsage);
  auto store = open_configured_store(g);
  require_run(*store, run_id);
  std::ofstream file;
  if (!o.output.empty()) {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) throw CliError("--output: cannot write '" + o.output + "'", kExitFailure);
  }
  std::ostream& out = o.output.empty() ? std::cout : file;
  MetricWriter writer(out, format);
  Progress progress("exporting", "metrics");
  std::uint64_t done = 0;
  writer.begin();
  std::uint64_t rows = store->scan_metrics(run_id, from, to, [&](const Metric& m) {
    writer.row(m);
    progress.update(++done);
    return true;
  });
  writer.end();
  progress.finish();
  if (!out) throw CliError("writing the export failed (disk full?)", kExitFailure);
  if (!o.output.empty()) std::cerr << "exported " << rows << " metrics to " << o.output << '\n';
  close_store(*store);
}

void add_range_options(CLI::App* cmd, MetricsOptions& o) {
  cmd->add_option("RUN", o.run, "Run id (UUID)")->required();
  cmd->add_option("--from", o.from, "Only metrics at or after this time (ISO-8601, or -1h, -30m, now)");
  cmd->add_option("--to", o.to, "Only metrics before this time (exclusive)");
}

}  // namespace

void add_metrics_commands(CLI::App& app, GlobalOptions& g) {
  auto mo = std::make_shared<MetricsOptions>();
  CLI::App* m = app.add_subcommand("metrics", "A run's metrics, newest first");
  add_range_options(m, *mo);
  m->add_option("--limit", mo->limit, "At most this many metrics")
      ->check(CLI::Range(1, 100'000'000))
      ->capture_default_str();
  m->add_option("--format", mo->format, "table, csv or json")->capture_default_str();
  m->callback([&g, mo] { metrics(g, *mo); });

  auto eo = std::make_shared<MetricsOptions>();
  CLI::App* e = app.add_subcommand("export", "Every metric of a run as CSV or JSON, streamed");
  add_range_options(e, *eo);
  e->add_option("--format", eo->format, "csv or json")->required();
  e->add_option("--output,-o", eo->output, "Write to this file instead of stdout");
  e->callback([&g, eo] { export_run(g, *eo); });
}

}  // namespace canopy::cli
