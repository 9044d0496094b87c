// open_store(): picks the backend the config names and starts the writer.
#include <sqlite3.h>

#include <filesystem>

#include "canopy/config.h"
#include "canopy/errors.h"
#include "canopy/metrics_store.h"
#include "store/cassandra_backend.h"
#include "store/sqlite_backend.h"
#include "store/store_impl.h"

namespace canopy {
namespace store {

namespace {

// A Config built by hand (not by load_config) may leave the path empty; the
// default is computed where load_config computes it, never a second way.
std::string embedded_path(const Config& config) {
  return config.embedded.path.empty() ? default_embedded_path(process_environment()) : config.embedded.path;
}

}  // namespace

std::unique_ptr<StoreBackend> open_backend(const Config& config) {
  if (config.cassandra.enabled) return make_cassandra_backend(config);
  SqliteOptions o;
  o.path = embedded_path(config);
  o.ttl_metrics_seconds = config.ttl.metrics_seconds;
  o.ttl_runs_seconds = config.ttl.runs_seconds;
  return std::make_unique<SqliteBackend>(o);
}

WriterOptions writer_options(const Config& config) {
  WriterOptions w;
  w.buffer_capacity = config.writer.buffer_capacity;
  w.overflow = config.writer.overflow;
  w.durability = config.writer.durability;
  w.batch_size = static_cast<std::size_t>(std::max(1, config.cassandra.batch_size));
  w.flush_interval = config.cassandra.flush_interval;
  w.retry_initial = config.writer.retry_initial;
  w.retry_max = config.writer.retry_max;
  w.rollups = config.writer.rollups;
  w.spool_max_bytes = config.writer.spool_max_bytes;
  w.spool_dir = config.writer.spool_dir;
  if (w.spool_dir.empty()) {  // a Config built by hand, not by load_config
    Config with_path = config;
    with_path.embedded.path = embedded_path(config);
    w.spool_dir = default_spool_dir(with_path);
  }
  return w;
}

}  // namespace store

std::unique_ptr<MetricsStore> open_store(const Config& config) {
  validate_config(config);  // a Config built by hand gets the loader's checks
  auto backend = store::open_backend(config);
  store::WriterOptions w = store::writer_options(config);
  return std::make_unique<store::MetricsStoreImpl>(std::move(backend), w);
}

std::vector<std::string> built_backends() {
  std::vector<std::string> names{std::string("embedded (SQLite ") + sqlite3_libversion() + ")"};
  if (store::cassandra_backend_built()) names.emplace_back("cassandra (CQL native protocol v4, our own client)");
  return names;
}

}  // namespace canopy
