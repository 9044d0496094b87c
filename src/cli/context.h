// What every canopy-store subcommand shares: the global flags, the effective
// configuration they produce, opening the store, and the error type that
// carries an exit code.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "canopy/config.h"
#include "canopy/metrics_store.h"
#include "cli/output.h"

namespace canopy::cli {

// Exit codes (documented in --help and docs/cli.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;   // backend, I/O or flush failure
inline constexpr int kExitUsage = 2;     // bad flag, value or configuration
inline constexpr int kExitNotFound = 3;  // the run asked for does not exist

// An error the CLI reports on stderr and turns into an exit code.
class CliError : public std::runtime_error {
 public:
  CliError(const std::string& message, int exit_code)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

struct GlobalOptions {
  std::string config_file;             // --config
  std::string backend;                 // --backend embedded|cassandra (empty: config decides)
  std::vector<std::string> overrides;  // --set key=value, repeatable

  // "canopy-store" and the global options given, quoted for a POSIX shell:
  // the start of every command a hint prints, so that it runs as printed
  // (against the same store).
  std::string command() const;
};

void add_global_options(CLI::App& app, GlobalOptions& options);

// defaults < --config file < environment < --set < --backend.
Config effective_config(const GlobalOptions& options);
std::unique_ptr<MetricsStore> open_configured_store(const GlobalOptions& options);
// store.flush_metrics() / store.close(), with a progress line on a terminal
// while the writer drains (a spool left by an earlier process is replayed
// then, which can take a while).
void flush_store(MetricsStore& store);
void close_store(MetricsStore& store);

// Flag value helpers: each throws CliError(kExitUsage) naming the flag.
Uuid parse_run_id(const std::string& text, const char* what = "RUN");
std::optional<Timestamp> parse_time_flag(const std::string& text, const char* flag);
Format parse_format_flag(const std::string& text, const char* flag);

// The subcommands, each in its own file.
void add_runs_command(CLI::App& app, GlobalOptions& globals);
void add_metrics_commands(CLI::App& app, GlobalOptions& globals);  // metrics, export
void add_config_commands(CLI::App& app, GlobalOptions& globals);   // config show, schema
void add_demo_command(CLI::App& app, GlobalOptions& globals);
void add_bench_command(CLI::App& app, GlobalOptions& globals);
void add_serve_command(CLI::App& app, GlobalOptions& globals);  // the read API (src/http)
void add_plot_command(CLI::App& app, GlobalOptions& globals);
void add_verify_command(CLI::App& app, GlobalOptions& globals);  // completeness ledger check

}  // namespace canopy::cli
