// The conformance suite against the real Cassandra node (label integration):
// host from CANOPY_TEST_HOSTS (default 127.0.0.1), one fresh keyspace per
// test (SimpleStrategy, RF 1), dropped at the end.
#include <stdexcept>

#include "canopy/uuid.h"
#include "conformance/store_conformance.h"
#include "cql/session.h"
#include "integration/test_hosts.h"

namespace canopy::conformance {

const char* backend_name() { return "cassandra"; }

Config fresh_config(const std::string& scratch) {
  Config c;
  c.cassandra.enabled = true;
  c.cassandra.contact_points = canopy_test::test_hosts();
  c.cassandra.pool_size = 2;
  c.cassandra.keyspace = "store_conf_" + Uuid::random().str().substr(0, 8);
  c.cassandra.replication_class = "SimpleStrategy";
  c.cassandra.replication = {{"replication_factor", 1}};
  c.cassandra.flush_interval = std::chrono::milliseconds(50);
  c.embedded.path = scratch + "/unused.db";
  c.writer.spool_dir = scratch + "/spool";
  return c;
}

void cleanup(const Config& config) {
  try {
    cql::SessionOptions o;
    o.contact_points = config.cassandra.contact_points;
    o.pool_size = 1;
    auto s = cql::Session::Connect(o);
    s->Query("DROP KEYSPACE IF EXISTS " + config.cassandra.keyspace);
  } catch (const std::exception&) {
    // Best effort: a leftover keyspace does not affect other tests.
  }
}

void delete_metrics_behind_the_store(const Config& config, const Uuid& run_id, std::int64_t first_ms,
                                     std::int64_t last_ms) {
  cql::SessionOptions o;
  o.contact_points = config.cassandra.contact_points;
  o.pool_size = 1;
  auto s = cql::Session::Connect(o);
  s->Query("DELETE FROM " + config.cassandra.keyspace +
               ".training_metrics WHERE run_id = ? AND timestamp >= ? AND timestamp <= ?",
           {cql::Value::UuidOf(cql::Uuid{run_id.bytes()}), cql::Value::Timestamp(first_ms),
            cql::Value::Timestamp(last_ms)});
}

std::map<std::string, std::int64_t> rows_of_run(const Config& config, const Uuid& run_id) {
  cql::SessionOptions o;
  o.contact_points = config.cassandra.contact_points;
  o.pool_size = 1;
  auto s = cql::Session::Connect(o);
  const std::string& ks = config.cassandra.keyspace;
  std::map<std::string, std::int64_t> out;
  const cql::Value id = cql::Value::UuidOf(cql::Uuid{run_id.bytes()});
  // Every table of the keyspace with a run_id column; runs_by_time is keyed
  // by month, so it is searched with ALLOW FILTERING (small test data).
  auto tables = s->Query("SELECT table_name FROM system_schema.columns WHERE keyspace_name = ? AND "
                         "column_name = 'run_id' ALLOW FILTERING",
                         {cql::Value::Text(ks)});
  for (const cql::Row& r : tables) {
    const std::string table = r.get_text(0).value_or("");
    auto rs = s->Query("SELECT count(*) FROM " + ks + "." + table + " WHERE run_id = ? ALLOW FILTERING", {id});
    out[table] = rs.empty() ? 0 : rs[0].get_int64(0).value_or(0);
  }
  if (out.size() < 7) throw std::runtime_error("expected 7 tables with run_id in " + ks);
  return out;
}

}  // namespace canopy::conformance
