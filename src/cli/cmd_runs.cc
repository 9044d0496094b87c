// canopy-store runs list | runs show
#include <iostream>

#include "cli/context.h"

namespace canopy::cli {
namespace {

struct RunsListOptions {
  std::string status;
  std::string dataset;
  int limit = 100;
  std::string format = "table";
};

void runs_list(const GlobalOptions& g, const RunsListOptions& o) {
  Format format = parse_format_flag(o.format, "--format");
  if (!o.status.empty() && !o.dataset.empty())
    throw CliError("--status and --dataset cannot be combined yet: the store lists runs by one "
                   "of them (filter the output of one)",
                   kExitUsage);
  auto store = open_configured_store(g);
  std::vector<Run> runs;
  if (!o.dataset.empty()) {
    runs = store->list_runs_by_dataset(o.dataset, o.limit);
  } else {
    runs = store->list_runs(o.limit, o.status.empty() ? std::nullopt
                                                      : std::optional<std::string>(o.status));
  }
  print_runs(std::cout, runs, format);
  store->close();
}

struct RunsShowOptions {
  std::string run;
  std::string format = "table";
  bool topology = false;
};

void runs_show(const GlobalOptions& g, const RunsShowOptions& o) {
  Uuid run_id = parse_run_id(o.run);
  Format format = parse_format_flag(o.format, "--format");
  auto store = open_configured_store(g);
  auto run = store->get_run(run_id);
  if (!run) throw CliError("run " + run_id.str() + " not found in " + store->describe(), kExitNotFound);
  if (o.topology) {
    print_topology(std::cout, store->query_topology(run_id, 100'000), format);
  } else {
    print_run(std::cout, *run, format);
  }
  store->close();
}

}  // namespace

void add_runs_command(CLI::App& app, GlobalOptions& g) {
  CLI::App* runs = app.add_subcommand("runs", "List and show training runs");
  runs->require_subcommand(1);

  auto lo = std::make_shared<RunsListOptions>();
  CLI::App* list = runs->add_subcommand("list", "Recent runs, newest first");
  list->add_option("--status", lo->status, "Only runs with this status (running, completed, failed, ...)");
  list->add_option("--dataset", lo->dataset, "Only runs of this dataset");
  list->add_option("--limit", lo->limit, "At most this many runs")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  list->add_option("--format", lo->format, "table, csv or json")->capture_default_str();
  list->callback([&g, lo] { runs_list(g, *lo); });

  auto so = std::make_shared<RunsShowOptions>();
  CLI::App* show = runs->add_subcommand("show", "Every field of one run");
  show->add_option("RUN", so->run, "Run id (UUID)")->required();
  show->add_option("--format", so->format, "table, csv or json")->capture_default_str();
  show->add_flag("--topology", so->topology,
                 "Show the run's network topology snapshots (one per hidden unit added) instead");
  show->callback([&g, so] { runs_show(g, *so); });
}

}  // namespace canopy::cli
