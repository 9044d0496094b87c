// The Cassandra schema of the store and its idempotent application.
// Every deviation from the reference is explained in docs/schema.md.
//
//   training_metrics  ((run_id), timestamp DESC, step DESC), TTL ttl.metrics,
//                     TimeWindowCompactionStrategy
//   training_runs     (run_id) + tags, notes; indexes on dataset_name, status;
//                     TTL ttl.runs
//   runs_by_time      ((month), start_time DESC, run_id): the runs, newest
//                     first, one partition per UTC month ("2026-11")
//   run_months        ((shard), month DESC): which months have runs
//   network_topology  ((run_id), timestamp DESC, hidden_units DESC), TTL ttl.metrics
#pragma once

#include <string>
#include <vector>

#include "canopy/config.h"

namespace cql {
class Session;
}

namespace canopy::store {

// The CQL statements apply_schema() runs, in order (for docs and tests).
// A CQL identifier quoted ("name", inner quotes doubled).
std::string cql_name(const std::string& name);

std::vector<std::string> schema_statements(const Config& config);

// Creates the keyspace and tables if missing (IF NOT EXISTS), brings the
// tables' default TTLs in line with the config, waits for schema agreement,
// and returns warnings (also logged): replication factor above the live
// nodes of a datacenter. Throws SchemaError with the statement that failed
// and the server's message, or naming backend.cassandra.schema_agreement_timeout
// when the nodes did not agree on the schema in time (it is then not ready).
std::vector<std::string> apply_schema(cql::Session& session, const Config& config);

// "2026-11" for a time in November 2026 (UTC): runs_by_time's partition.
std::string month_bucket(std::int64_t epoch_ms);

}  // namespace canopy::store
