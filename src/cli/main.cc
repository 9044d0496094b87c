// canopy-store: the command line of Canopy Store. Each subcommand lives in
// its own cmd_*.cc; context.h holds what they share.
#include <CLI/CLI.hpp>

#include <iostream>

#include "canopy/errors.h"
#include "cli/context.h"

int main(int argc, char** argv) {
  using namespace canopy::cli;
  CLI::App app{"Canopy Store: a training-metrics store for neural-network runs.\n"
               "Records runs and per-epoch metrics in an embedded SQLite store (default)\n"
               "or Apache Cassandra, and answers queries over them.",
               "canopy-store"};
  app.set_version_flag("--version", [] {
    std::string text = std::string("canopy-store ") + CANOPY_VERSION + "\nbackends:";
    for (const std::string& b : canopy::built_backends()) text += "\n  " + b;
    return text;
  });
  app.footer(
      "Exit codes: 0 success, 1 failure (backend, I/O, flush), 2 bad usage or configuration,\n"
      "3 run not found. Documentation: docs/cli.md, docs/config.md.");
  app.require_subcommand(0, 1);

  GlobalOptions globals;
  add_global_options(app, globals);
  add_demo_command(app, globals);
  add_runs_command(app, globals);
  add_metrics_commands(app, globals);
  add_config_commands(app, globals);
  add_bench_command(app, globals);
  add_serve_command(app, globals);
  add_plot_command(app, globals);
  add_verify_command(app, globals);

  try {
    app.parse(argc, argv);
    if (app.get_subcommands().empty()) std::cout << app.help();
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  } catch (const CliError& e) {
    std::cerr << "canopy-store: " << e.what() << '\n';
    return e.exit_code();
  } catch (const canopy::ConfigError& e) {
    std::cerr << "canopy-store: configuration: " << e.what() << '\n';
    return kExitUsage;
  } catch (const canopy::InvalidArgument& e) {
    std::cerr << "canopy-store: " << e.what() << '\n';
    return kExitUsage;
  } catch (const canopy::NotFound& e) {
    std::cerr << "canopy-store: " << e.what() << '\n';
    return kExitNotFound;
  } catch (const std::exception& e) {
    std::cerr << "canopy-store: " << e.what() << '\n';
    return kExitFailure;
  }
}
