#include "conformance/store_conformance.h"

#include <sqlite3.h>

#include <stdexcept>

namespace canopy::conformance {

const char* backend_name() { return "sqlite"; }

Config fresh_config(const std::string& scratch) {
  Config c;
  c.cassandra.enabled = false;
  c.embedded.path = scratch + "/metrics.db";
  c.writer.spool_dir = scratch + "/spool";
  c.cassandra.flush_interval = std::chrono::milliseconds(50);
  return c;
}

void cleanup(const Config&) {}

void delete_metrics_behind_the_store(const Config& config, const Uuid& run_id, std::int64_t first_ms,
                                     std::int64_t last_ms) {
  sqlite3* db = nullptr;
  if (sqlite3_open(config.embedded.path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open database");
  sqlite3_busy_timeout(db, 10'000);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "DELETE FROM training_metrics WHERE run_id = ?1 AND timestamp >= ?2 AND timestamp <= ?3", -1,
                     &s, nullptr);
  sqlite3_bind_blob(s, 1, run_id.bytes().data(), 16, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, first_ms);
  sqlite3_bind_int64(s, 3, last_ms);
  int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  sqlite3_close(db);
  if (rc != SQLITE_DONE) throw std::runtime_error("delete failed");
}

std::map<std::string, std::int64_t> rows_of_run(const Config& config, const Uuid& run_id) {
  sqlite3* db = nullptr;
  if (sqlite3_open(config.embedded.path.c_str(), &db) != SQLITE_OK) throw std::runtime_error("cannot open database");
  sqlite3_busy_timeout(db, 10'000);
  std::map<std::string, std::int64_t> out;
  for (const char* table :
       {"training_metrics", "training_runs", "network_topology", "metric_rollups", "rollup_chunks", "run_ledger"}) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, (std::string("SELECT count(*) FROM ") + table + " WHERE run_id = ?1").c_str(), -1, &s,
                       nullptr);
    sqlite3_bind_blob(s, 1, run_id.bytes().data(), 16, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_ROW) throw std::runtime_error(std::string("counting rows of ") + table);
    out[table] = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
  }
  // Every table of the schema must be in the list above.
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND sql LIKE '%run_id%'", -1, &s,
                     nullptr);
  sqlite3_step(s);
  const std::int64_t tables = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  if (tables != static_cast<std::int64_t>(out.size()))
    throw std::runtime_error("the schema has " + std::to_string(tables) + " tables with run_id; rows_of_run counts " +
                             std::to_string(out.size()));
  return out;
}

}  // namespace canopy::conformance
