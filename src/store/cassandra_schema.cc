#include "store/cassandra_schema.h"

#include <chrono>
#include <map>

#include "canopy/errors.h"
#include "canopy/schema.h"
#include "cql/session.h"
#include "store/cql_columns.h"
#include "store/log.h"

namespace canopy::store {
namespace {

std::string replication_map(const CassandraConfig& c) {
  std::string out = "{'class': '" + c.replication_class + "'";
  for (const auto& [dc, rf] : c.replication) out += ", '" + dc + "': " + std::to_string(rf);
  return out + "}";
}

// TWCS windows: about 30 per TTL (Cassandra's guidance), at least one hour.
std::string twcs(std::int64_t ttl_seconds) {
  std::int64_t hours = ttl_seconds > 0 ? std::max<std::int64_t>(1, ttl_seconds / 30 / 3600) : 24;
  if (hours % 24 == 0) {
    return "{'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'DAYS', "
           "'compaction_window_size': " + std::to_string(hours / 24) + "}";
  }
  return "{'class': 'TimeWindowCompactionStrategy', 'compaction_window_unit': 'HOURS', "
         "'compaction_window_size': " + std::to_string(hours) + "}";
}

// The schema was applied but the nodes do not all have it yet: not ready.
SchemaError no_agreement(const Config& config, const std::string& detail) {
  return SchemaError("keyspace " + config.cassandra.keyspace +
                     ": the schema is not ready: the Cassandra nodes did not agree on it within " +
                     std::to_string(config.cassandra.schema_agreement_timeout.count()) +
                     " ms (backend.cassandra.schema_agreement_timeout; raise it for a slow or large "
                     "cluster, or check that every node is up): " + detail);
}

}  // namespace

std::string month_bucket(std::int64_t epoch_ms) {
  using namespace std::chrono;
  auto days = floor<std::chrono::days>(sys_time<milliseconds>(milliseconds(epoch_ms)));
  year_month_day ymd(days);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()));
  return buf;
}

std::string cql_name(const std::string& name) {
  std::string out = "\"";
  for (char ch : name) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::vector<std::string> schema_statements(const Config& config) {
  // Quoted: validate_config allows only lower-case names (what Cassandra
  // folds unquoted names to), so quoting changes nothing for them and keeps
  // a name that is a CQL keyword ("order", "table") working.
  const std::string ks = cql_name(config.cassandra.keyspace);
  const std::string mt = std::to_string(config.ttl.metrics_seconds);
  const std::string rt = std::to_string(config.ttl.runs_seconds);
  return {
      "CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = " + replication_map(config.cassandra) +
          " AND durable_writes = true",
      "CREATE TABLE IF NOT EXISTS " + ks +
          ".training_metrics (run_id uuid, " + cqlcol::definitions(columns::kMetricColumns, true) +
          ", PRIMARY KEY ((run_id), timestamp, step)) WITH CLUSTERING ORDER BY (timestamp DESC, step DESC) "
          "AND default_time_to_live = " + mt + " AND compaction = " + twcs(config.ttl.metrics_seconds),
      "CREATE TABLE IF NOT EXISTS " + ks + ".training_runs (run_id uuid PRIMARY KEY, " + cqlcol::definitions(columns::kRunColumns, false) +
          ") WITH default_time_to_live = " + rt,
      "CREATE INDEX IF NOT EXISTS training_runs_dataset_name_idx ON " + ks + ".training_runs (dataset_name)",
      "CREATE INDEX IF NOT EXISTS training_runs_status_idx ON " + ks + ".training_runs (status)",
      "CREATE TABLE IF NOT EXISTS " + ks +
          ".runs_by_time (month text, " + cqlcol::definitions(columns::kRunColumns, true) +
          ", PRIMARY KEY ((month), start_time, run_id)) "
          "WITH CLUSTERING ORDER BY (start_time DESC, run_id ASC) AND default_time_to_live = " + rt,
      "CREATE TABLE IF NOT EXISTS " + ks +
          ".run_months (shard int, month text, PRIMARY KEY ((shard), month)) "
          "WITH CLUSTERING ORDER BY (month DESC)",
      "CREATE TABLE IF NOT EXISTS " + ks +
          ".network_topology (" + cqlcol::definitions(columns::kTopologyColumns, true) +
          ", PRIMARY KEY ((run_id), timestamp, hidden_units)) "
          "WITH CLUSTERING ORDER BY (timestamp DESC, hidden_units DESC) AND default_time_to_live = " + mt,
      // Roll-ups (docs/rollups.md) live as long as their run, not its raw metrics.
      "CREATE TABLE IF NOT EXISTS " + ks +
          ".metric_rollups (run_id uuid, level int, bucket bigint, data blob, "
          "PRIMARY KEY ((run_id), level, bucket)) WITH default_time_to_live = " + rt,
      // 16 complete buckets of one level and one field per row: a series
      // reads 1/16 of the rows and 1/6 of the bytes (docs/rollups.md).
      "CREATE TABLE IF NOT EXISTS " + ks +
          ".rollup_chunks (run_id uuid, level int, field int, chunk bigint, data blob, "
          "PRIMARY KEY ((run_id), level, field, chunk)) WITH default_time_to_live = " + rt,
      // The completeness ledger (docs/store.md): one row per writer session
      // and run; steps = ascending (first, last) int64 pairs.
      "CREATE TABLE IF NOT EXISTS " + ks +
          ".run_ledger (run_id uuid, ledger_id uuid, acknowledged bigint, steps blob, updated_at timestamp, "
          "PRIMARY KEY ((run_id), ledger_id)) WITH default_time_to_live = " + rt,
  };
}

std::vector<std::string> apply_schema(cql::Session& session, const Config& config) {
  const std::string& ks = config.cassandra.keyspace;  // as system_schema spells it
  const std::string qks = cql_name(ks);            // in statements
  std::vector<std::string> warnings;
  for (const std::string& stmt : schema_statements(config)) {
    try {
      session.Query(stmt, {}, {.consistency = cql::Consistency::kOne});
    } catch (const cql::CqlError& e) {
      if (e.error().kind == cql::ErrorKind::kSchemaAgreement) throw no_agreement(config, e.error().message);
      throw SchemaError("applying schema of keyspace " + ks + ": \"" + stmt + "\" failed: " + e.what(),
                        e.error().server_code);
    }
  }
  // Tables that already existed keep their old TTL: bring it in line.
  const std::map<std::string, std::int64_t> ttls = {{"training_metrics", config.ttl.metrics_seconds},
                                                    {"network_topology", config.ttl.metrics_seconds},
                                                    {"training_runs", config.ttl.runs_seconds},
                                                    {"runs_by_time", config.ttl.runs_seconds},
                                                    {"metric_rollups", config.ttl.runs_seconds},
                                                    {"rollup_chunks", config.ttl.runs_seconds},
                                                    {"run_ledger", config.ttl.runs_seconds}};
  for (const auto& [table, ttl] : ttls) {
    try {
      auto rs = session.Query(
          "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
          {cql::Value::Text(ks), cql::Value::Text(table)});
      if (!rs.empty() && rs[0].get_int32(0).value_or(0) != ttl) {
        session.Query("ALTER TABLE " + qks + "." + table + " WITH default_time_to_live = " + std::to_string(ttl));
      }
    } catch (const cql::CqlError& e) {
      if (e.error().kind == cql::ErrorKind::kSchemaAgreement) throw no_agreement(config, e.error().message);
      throw SchemaError("setting the TTL of " + ks + "." + table + ": " + e.what(), e.error().server_code);
    }
  }
  if (!session.WaitForSchemaAgreement(config.cassandra.schema_agreement_timeout)) {
    throw no_agreement(config, "the live nodes report different schema versions");
  }
  // Replication above the live nodes makes QUORUM/ALL fail (docs/schema.md).
  try {
    auto rs = session.Query("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?",
                            {cql::Value::Text(ks)});
    std::map<std::string, int> live;
    int live_total = 0;
    for (const auto& h : session.host_counters()) {
      if (h.up) {
        ++live[h.datacenter];
        ++live_total;
      }
    }
    if (!rs.empty()) {
      cql::Value rep = rs[0].get_value(0);
      for (const auto& [k, v] : rep.entries()) {
        std::string key = k.as_bytes(), val = v.as_bytes();
        if (key == "class") continue;
        int rf = std::atoi(val.c_str());
        const bool per_dc = key != "replication_factor";
        const int up = per_dc ? live[key] : live_total;
        if (rf > up) {
          // ALL needs every replica; QUORUM (or LOCAL_QUORUM) a majority of them.
          const char* fails = up < rf / 2 + 1 ? "QUORUM and ALL requests" : "ALL requests";
          warnings.push_back("keyspace " + ks + ": replication factor " + std::to_string(rf) +
                             (per_dc ? " in datacenter " + key + " exceeds its " : " exceeds the ") +
                             std::to_string(up) + " live node(s); " + fails + " will fail");
        }
      }
    }
  } catch (const cql::CqlError& e) {
    warnings.push_back("keyspace " + ks + ": could not check replication: " + e.what());
  }
  for (const auto& w : warnings) logger().warn("{}", w);
  return warnings;
}

}  // namespace canopy::store

namespace canopy {

std::vector<std::string> cassandra_schema_statements(const Config& config) {
  validate_config(config);
  return store::schema_statements(config);
}

}  // namespace canopy
