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

}  // namespace canopy::conformance
