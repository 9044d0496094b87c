// StoreBackend: what MetricsStoreImpl needs from a database — the writer's
// MetricSink plus run, topology and read operations. Implemented by
// SqliteBackend and CassandraBackend; both follow the same logical schema
// (docs/schema.md) and the same semantics, checked by the conformance suite.
//
// Methods throw the canopy/errors.h exceptions with context. Thread safety:
// every method may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "canopy/types.h"
#include "store/metric_sink.h"
#include "store/rollup.h"

namespace canopy::store {

// A (timestamp, step) row key; metrics are ordered by it, newest first.
struct MetricKey {
  Timestamp timestamp;
  std::int32_t step = 0;
};

class StoreBackend : public MetricSink {
 public:
  // Stores metrics and roll-up rows (rollup.h) as one unit of work: SQLite
  // in one transaction; Cassandra as unlogged batches per run. Not ok →
  // nothing may be assumed stored (both are idempotent upserts).
  virtual SinkResult write_batch(std::span<const MetricRecord> metrics, std::span<const RollupRow> rollups) = 0;
  SinkResult write_metrics(std::span<const MetricRecord> batch) final { return write_batch(batch, {}); }
  // Roll-up rows of one level with first <= bucket <= last, ascending.
  virtual std::vector<RollupRow> read_rollups(const Uuid& run_id, std::int32_t level, std::int64_t first,
                                              std::int64_t last) = 0;
  // Request latency since the previous call; backends without requests: none.
  virtual std::optional<RequestLatency> request_latency() { return std::nullopt; }
  // Chunk rows (rollup.h) of one level and field with first <= chunk <=
  // last, ascending. Backends that do not store chunks return none and
  // drop the chunk rows given to write_batch.
  virtual bool stores_rollup_chunks() const { return false; }
  virtual std::vector<RollupRow> read_rollup_chunks(const Uuid& /*run_id*/, std::int32_t /*level*/,
                                                    std::int32_t /*field*/, std::int64_t /*first*/,
                                                    std::int64_t /*last*/) {
    return {};
  }
  // Runs newest first with every filter of `query` (after: must exist).
  virtual std::vector<Run> list_runs(const RunQuery& query) = 0;
  // Writes every column of the run (unset optionals are left as they are).
  virtual void put_run(const Run& run) = 0;
  virtual std::optional<Run> get_run(const Uuid& run_id) = 0;
  virtual std::vector<Run> list_runs(int limit, const std::optional<std::string>& status) = 0;
  virtual std::vector<Run> list_runs_by_dataset(std::string_view dataset_name, int limit) = 0;
  // Up to `limit` metrics with start <= timestamp < end and, when `before`
  // is given, (timestamp, step) < before; newest first.
  virtual std::vector<Metric> read_metrics(const Uuid& run_id, std::optional<Timestamp> start,
                                           std::optional<Timestamp> end, std::optional<MetricKey> before,
                                           int limit) = 0;
  // Every completeness-ledger entry of the run (ledger.h); none for an
  // unknown run.
  virtual std::vector<LedgerRow> read_ledger(const Uuid& run_id) = 0;
  // Deletes every row of the run in every table (metrics, run row and its
  // listing entry, topology, roll-ups and chunks, ledger) as one unit of
  // work. `start_time` is the run row's (nullopt: no run row), which keys
  // its listing entry. Deleting what is not there is no error.
  virtual void delete_run(const Uuid& run_id, std::optional<Timestamp> start_time) = 0;
  virtual void put_topology(const NetworkTopology& topology) = 0;
  virtual std::vector<NetworkTopology> query_topology(const Uuid& run_id, int limit) = 0;
  // Releases connections; later calls fail.
  virtual void close() = 0;
};

}  // namespace canopy::store
