// CassandraBackend: the store on Apache Cassandra through our CQL client
// (src/cql). Schema and its deviations from the reference: docs/schema.md
// and cassandra_schema.h.
//
// Metrics are written as single-partition UNLOGGED batches (one run per
// batch, at most cassandra.batch_size rows and kMaxBatchBytes bytes), all in
// flight at once, at the write consistency, with a client timestamp fixed per
// metric (its stored timestamp in µs) so retries and spool replays are
// idempotent; fields left out are bound as UNSET. Runs are written with a
// LOGGED batch to training_runs and runs_by_time (kept in step).
#pragma once

#include <memory>

#include "canopy/config.h"
#include "store/backend.h"

namespace canopy::store {

// Cassandra rejects batches over 50 KiB by default (batch_size_fail_threshold)
// and warns above 5 KiB; we stay well under the failure limit.
inline constexpr std::size_t kMaxBatchBytes = 40 * 1024;

// How metrics reach the server (docs/performance.md compares them).
enum class CassandraWriteMode {
  kUnloggedBatch,  // single-partition UNLOGGED batches of up to batch_size rows
  kSingleRow,      // one prepared INSERT per metric, pipelined
};

// Connects, applies the schema (idempotent), waits for schema agreement and
// warns when replication exceeds a datacenter's live nodes. Throws
// Unavailable (no host answered; lists each), SchemaError or BackendError.
// False in a build without the CQL client (cassandra_missing.cc).
bool cassandra_backend_built();

std::unique_ptr<StoreBackend> make_cassandra_backend(const Config& config,
                                                     CassandraWriteMode mode = CassandraWriteMode::kUnloggedBatch);

}  // namespace canopy::store
