// SqliteBackend: the embedded default backend. One SQLite database file in
// WAL mode holding the same logical schema as Cassandra (docs/schema.md):
// training_metrics keyed (run_id, timestamp, step) newest first,
// training_runs with indexes by start time, dataset and status, and
// network_topology, and the roll-ups (metric_rollups, rollup_chunks). TTLs are kept as an expires_at column: expired rows are
// invisible to every read at once and deleted when the database is opened.
// Partial metrics merge with an existing row of the same key (a column left
// out keeps its value), as UNSET does in Cassandra.
//
// Two connections: one for writes (the writer's flush thread, run and
// topology writes), one for reads, each behind its own mutex, so readers
// do not wait for a batch to commit (WAL).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "store/backend.h"

struct sqlite3;
struct sqlite3_stmt;

namespace canopy::store {

struct SqliteOptions {
  std::string path;                 // database file (created with its directory); required
  std::int64_t ttl_metrics_seconds = 0;  // 0 = never expire (metrics and topology)
  std::int64_t ttl_runs_seconds = 0;
  bool synchronous_full = false;    // PRAGMA synchronous=FULL instead of NORMAL
};

class SqliteBackend final : public StoreBackend {
 public:
  // Opens (creating if needed) and applies the schema. Throws Unavailable
  // (cannot open the file) or SchemaError, naming the path.
  explicit SqliteBackend(SqliteOptions options);
  ~SqliteBackend() override;

  SinkResult write_batch(std::span<const MetricRecord> batch, std::span<const RollupRow> rollups) override;
  SinkResult write_ledger(std::span<const LedgerRow> rows) override;
  std::vector<LedgerRow> read_ledger(const Uuid& run_id) override;
  std::vector<RollupRow> read_rollups(const Uuid& run_id, std::int32_t level, std::int64_t first,
                                      std::int64_t last) override;
  bool stores_rollup_chunks() const override { return true; }
  std::vector<RollupRow> read_rollup_chunks(const Uuid& run_id, std::int32_t level, std::int32_t field,
                                            std::int64_t first, std::int64_t last) override;
  using StoreBackend::list_runs;
  std::vector<Run> list_runs(const RunQuery& query) override;
  std::string describe() const override { return "sqlite:" + opt_.path; }
  void put_run(const Run& run) override;
  std::optional<Run> get_run(const Uuid& run_id) override;
  std::vector<Run> list_runs(int limit, const std::optional<std::string>& status) override;
  std::vector<Run> list_runs_by_dataset(std::string_view dataset_name, int limit) override;
  std::vector<Metric> read_metrics(const Uuid& run_id, std::optional<Timestamp> start, std::optional<Timestamp> end,
                                   std::optional<MetricKey> before, int limit) override;
  void delete_run(const Uuid& run_id, std::optional<Timestamp> start_time) override;
  void put_topology(const NetworkTopology& topology) override;
  std::vector<NetworkTopology> query_topology(const Uuid& run_id, int limit) override;
  void close() override;

  // Deletes expired rows now; returns how many.
  std::int64_t purge_expired();

 private:
  // Bucket rows (field = kAllFields) or one field's chunk rows.
  std::vector<RollupRow> read_rollup_rows(const Uuid& run_id, std::int32_t level, std::int32_t field,
                                          std::int64_t first, std::int64_t last);
  struct Db;

  SqliteOptions opt_;
  std::mutex write_mu_;
  std::unique_ptr<Db> write_;
  std::mutex read_mu_;
  std::unique_ptr<Db> read_;
};

}  // namespace canopy::store
