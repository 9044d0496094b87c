// Canopy Store configuration: plain structs with defaults, mirroring the YAML
// keys one to one (the Cassandra Integration Reference's `backend.cassandra`
// keys plus our own). Loading and validation live in src/config/; see
// docs/config.md for every key, its environment variable and its limits.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace canopy {

// How the writer behaves when its in-memory buffer is full.
enum class OverflowPolicy {
  kSpool,  // spill to the local crash-safe spool (default; never drops)
  kBlock,  // store_metric waits for room
  kDrop,   // drop the metric and count it in `dropped` (opt-in only)
};

// When a metric reaches the local spool.
enum class Durability {
  kBuffered,   // only when the buffer overflows or the backend is down
  kSpoolEach,  // before store_metric returns: a SIGKILL loses nothing
};

struct AuthConfig {
  bool enabled = false;
  std::string username;
  std::string password;  // never logged or printed; `config show` masks it
};

struct ConsistencyConfig {
  std::string write = "ONE";  // any CQL level name: ONE, QUORUM, ALL, LOCAL_QUORUM, ...
  std::string read = "ONE";
};

struct CassandraConfig {
  bool enabled = false;  // true: Cassandra backend; false: embedded SQLite
  std::vector<std::string> contact_points{"localhost"};
  int port = 9042;
  std::string keyspace = "cascor";
  AuthConfig auth_provider;
  int pool_size = 10;  // connections per host
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{10'000};
  int batch_size = 100;                              // metrics per flush
  std::chrono::milliseconds flush_interval{5'000};  // longest a metric waits in the buffer
  ConsistencyConfig consistency;
  // keyspace replication: strategy class and, for NetworkTopologyStrategy,
  // datacenter → replication factor (SimpleStrategy uses "replication_factor").
  std::string replication_class = "NetworkTopologyStrategy";
  std::map<std::string, int> replication{{"datacenter1", 3}};
};

struct EmbeddedConfig {
  std::string path;  // empty → $XDG_DATA_HOME/canopy-store/metrics.db (or ~/.local/share/...)
};

struct TtlConfig {
  std::int64_t metrics_seconds = 2'592'000;  // 30 days; 0 = never expire
  std::int64_t runs_seconds = 0;             // 0 = never expire
};

struct WriterConfig {
  std::size_t buffer_capacity = 100'000;  // metrics held in memory before overflow
  OverflowPolicy overflow = OverflowPolicy::kSpool;
  Durability durability = Durability::kSpoolEach;
  std::string spool_dir;  // empty → next to the embedded db: <data dir>/spool
  std::chrono::milliseconds retry_initial{100};
  std::chrono::milliseconds retry_max{10'000};
};

struct Config {
  CassandraConfig cassandra;  // YAML: backend.cassandra.*
  EmbeddedConfig embedded;    // YAML: backend.embedded.*
  TtlConfig ttl;              // YAML: ttl.metrics, ttl.runs
  WriterConfig writer;        // YAML: writer.*
};

}  // namespace canopy
