#include "cli/context.h"

#include <cctype>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

#include "cli/progress.h"
#include "json/time.h"

namespace canopy::cli {
namespace {

// Single quotes unless every character is safe bare.
std::string shell_quote(const std::string& s) {
  bool bare = !s.empty();
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("@%+=:,./_-").find(c) != std::string_view::npos))
      bare = false;
  if (bare) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs `drain` (a flush or close) while a second thread shows how many
// metrics the writer has written, from counters() five times a second.
void drain_with_progress(MetricsStore& store, const std::function<void()>& drain) {
  Progress progress("writing to " + store.describe(), "metrics");
  if (!progress.enabled()) {
    drain();
    return;
  }
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  const std::uint64_t written_before = store.counters().written;
  std::thread watcher([&] {
    std::unique_lock lk(mu);
    while (!cv.wait_for(lk, std::chrono::milliseconds(200), [&] { return done; }))
      progress.update(store.counters().written - written_before);
  });
  auto stop = [&] {
    {
      std::lock_guard lk(mu);
      done = true;
    }
    cv.notify_all();
    watcher.join();
    progress.finish();
  };
  try {
    drain();
  } catch (...) {
    stop();
    throw;
  }
  stop();
}

}  // namespace

std::string GlobalOptions::command() const {
  std::string c = "canopy-store";
  if (!config_file.empty()) c += " --config " + shell_quote(config_file);
  if (!backend.empty()) c += " --backend " + shell_quote(backend);
  for (const std::string& kv : overrides) c += " --set " + shell_quote(kv);
  return c;
}

void flush_store(MetricsStore& store) {
  drain_with_progress(store, [&] { store.flush_metrics(); });
}

void close_store(MetricsStore& store) {
  drain_with_progress(store, [&] { store.close(); });
}

void add_global_options(CLI::App& app, GlobalOptions& options) {
  app.add_option("--config", options.config_file, "YAML configuration file (docs/config.md)")
      ->type_name("FILE");
  app.add_option("--backend", options.backend,
                 "Store to use: embedded (SQLite, the default) or cassandra")
      ->check(CLI::IsMember({"embedded", "cassandra"}))
      ->type_name("NAME");
  app.add_option("--set", options.overrides,
                 "Override one configuration key, e.g. --set backend.cassandra.port=9043 "
                 "(repeatable; wins over file and environment)")
      ->type_name("KEY=VALUE");
}

Config effective_config(const GlobalOptions& options) {
  ConfigSources sources;
  if (!options.config_file.empty()) sources.file = options.config_file;
  sources.overrides = options.overrides;
  if (!options.backend.empty())
    sources.overrides.push_back(std::string("backend.cassandra.enabled=") +
                                (options.backend == "cassandra" ? "true" : "false"));
  return load_config(sources);
}

std::unique_ptr<MetricsStore> open_configured_store(const GlobalOptions& options) {
  return open_store(effective_config(options));
}

Uuid parse_run_id(const std::string& text, const char* what) {
  if (auto id = Uuid::try_parse(text)) return *id;
  throw CliError(std::string(what) + ": '" + text +
                     "' is not a run id (expected a UUID such as "
                     "123e4567-e89b-12d3-a456-426614174000)",
                 kExitUsage);
}

std::optional<Timestamp> parse_time_flag(const std::string& text, const char* flag) {
  if (text.empty()) return std::nullopt;
  std::string error;
  auto t = json::parse_time_arg(text, now_ms(), &error);
  if (!t)
    throw CliError(std::string(flag) + ": '" + text + "' is not a time: " + error +
                       " (examples: 2026-11-25T10:00:00Z, -1h, -30m, now)",
                   kExitUsage);
  return t;
}

Format parse_format_flag(const std::string& text, const char* flag) {
  if (auto f = parse_format(text)) return *f;
  throw CliError(std::string(flag) + ": '" + text + "' is not a format (use table, csv or json)",
                 kExitUsage);
}

}  // namespace canopy::cli
