// Canopy Store configuration: plain structs with defaults, mirroring the YAML
// keys one to one (the reference's `backend.cassandra` keys, docs/schema.md,
// plus our own). Loading and validation live in src/config/; see
// docs/config.md for every key, its environment variable and its limits.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
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

// TLS to the nodes (the Cassandra node's client_encryption_options). Setting
// the files does not turn TLS on: `enabled` does (as with auth_provider).
struct SslConfig {
  bool enabled = false;
  std::string ca_file;    // PEM CA the nodes' certificates chain to; empty: the system's CAs
  std::string cert_file;  // PEM client certificate for mutual TLS; empty: none
  std::string key_file;   // its PEM private key (unencrypted); set with cert_file
  bool verify_hostname = true;  // the node's certificate must name its address (IP SAN)
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
  SslConfig ssl;
  int pool_size = 10;  // connections per host
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{10'000};   // per attempt
  // Total time of one request across its attempts (retries on other nodes,
  // re-prepares); 0 = only the per-attempt timeout. At least request_timeout.
  std::chrono::milliseconds request_deadline{30'000};
  // How long DDL (the schema the store creates) waits for every live node to
  // report the same schema version; not reached: the schema is not ready.
  std::chrono::milliseconds schema_agreement_timeout{10'000};
  // Requests go to this datacenter's nodes (only to them at LOCAL_ONE,
  // LOCAL_QUORUM, LOCAL_SERIAL). Empty: the first contact point's.
  std::string local_datacenter;
  int batch_size = 100;                             // metrics per flush
  // Batches of one write in flight at once (single-row mode: 8x as many rows).
  int max_in_flight = 64;
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
  std::string spool_dir;  // empty → one per store, see default_spool_dir()
  std::chrono::milliseconds retry_initial{100};
  std::chrono::milliseconds retry_max{10'000};
  // Most bytes of spool segments the writer keeps (one 4 MiB segment at
  // least); a metric that would need more is refused with SpoolFullError.
  // 0 = unlimited. 1 GiB ≈ 8 million metrics: hours of a dead backend at
  // training rates, while a full disk stays out of reach.
  std::uint64_t spool_max_bytes = std::uint64_t{1} << 30;
  // Keep roll-ups (docs/rollups.md) next to the raw metrics. Off: series and
  // summaries are computed from the raw metrics, slower on long runs.
  bool rollups = true;
};

struct Config {
  CassandraConfig cassandra;  // YAML: backend.cassandra.*
  EmbeddedConfig embedded;    // YAML: backend.embedded.*
  TtlConfig ttl;              // YAML: ttl.metrics, ttl.runs
  WriterConfig writer;        // YAML: writer.*
};

// The one exception every invalid configuration input raises. what() names
// where the value came from (file:line:column and dotted key, environment
// variable, or command-line override), the bad value and what is allowed,
// e.g. `canopy.yaml:3:5: backend.cassandra.port: invalid value "70000";
// allowed: an integer 1..65535`. Secret values (the password) are never
// part of the message.
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, const std::string& message)
      : std::runtime_error(message), key_(std::move(key)) {}
  // The dotted key, environment variable or override the error is about;
  // empty for errors about the file as a whole (unreadable, bad syntax).
  const std::string& key() const noexcept { return key_; }

 private:
  std::string key_;
};

using Environment = std::map<std::string, std::string>;

// Where load_config reads from. Precedence, lowest first:
// defaults < file < environment < overrides.
struct ConfigSources {
  std::optional<std::string> file;         // YAML file; must exist when given
  std::optional<Environment> environment;  // none → the process environment (::environ)
  std::vector<std::string> overrides;      // "dotted.key=value", e.g. "backend.cassandra.port=9043"
};

// Builds the effective configuration: defaults, then the file, then the
// environment variables of docs/config.md, then the overrides, validating
// each value as it is applied and the combination at the end. Empty
// backend.embedded.path and writer.spool_dir are replaced by their defaults,
// so the result is complete. Throws ConfigError on the first invalid input.
Config load_config(const ConfigSources& sources);

// Checks a Config built in code with the rules load_config applies to each
// key and to their combination; open_store and CassandraManager call it, so
// nothing unchecked reaches a CQL statement or a file name. Throws
// ConfigError naming the key, e.g. `Config: backend.cassandra.keyspace:
// invalid value "My-Ks"; allowed: ...`.
void validate_config(const Config& config);

// The configuration as YAML in the shape load_config reads (every key, the
// password shown as "****"); what `canopy-store config show` prints.
std::string dump_config(const Config& config);

// A copy of the process environment (::environ) as a map.
Environment process_environment();

// $XDG_DATA_HOME/canopy-store/metrics.db when XDG_DATA_HOME is an absolute
// path, else $HOME/.local/share/canopy-store/metrics.db (HOME from `env`,
// else the password database). Throws ConfigError when neither is known.
std::string default_embedded_path(const Environment& env);

// The spool directory used when writer.spool_dir is empty. One per store, so
// that metrics spooled for one store are never replayed into another:
// `<embedded.path>-spool` for the embedded store, and
// `<folder of embedded.path>/spool-cassandra-<keyspace>` for Cassandra.
// `config.embedded.path` must be set.
std::string default_spool_dir(const Config& config);

// The YAML spelling of the enums: "spool", "block", "drop"; "buffered",
// "spool_each".
std::string_view to_string(OverflowPolicy policy);
std::string_view to_string(Durability durability);

}  // namespace canopy
