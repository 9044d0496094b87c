#include "store/sqlite_backend.h"

#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>
#include <nlohmann/json.hpp>

#include "canopy/errors.h"
#include "store/sqlite_columns.h"

namespace canopy::store {
namespace {

using namespace sqlitecol;
using columns::kMetricColumns, columns::kRunColumns, columns::kTopologyColumns;

// The tables; their columns come from canopy/columns.h.
const std::string kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO schema_info VALUES ('version', '1');
CREATE TABLE IF NOT EXISTS training_metrics (
  run_id BLOB NOT NULL, )sql" + definitions(kMetricColumns) + R"sql(,
  expires_at INTEGER,
  PRIMARY KEY (run_id, timestamp, step)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS training_runs (
  run_id BLOB PRIMARY KEY, )sql" + definitions(kRunColumns, /*skip run_id*/ 1) + R"sql(,
  expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS runs_by_time ON training_runs (start_time DESC, run_id);
CREATE INDEX IF NOT EXISTS runs_by_dataset ON training_runs (dataset_name, start_time DESC);
CREATE INDEX IF NOT EXISTS runs_by_status ON training_runs (status, start_time DESC);
CREATE TABLE IF NOT EXISTS network_topology (
  )sql" + definitions(kTopologyColumns) + R"sql(,
  expires_at INTEGER,
  PRIMARY KEY (run_id, timestamp, hidden_units)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metric_rollups (
  run_id BLOB NOT NULL, level INTEGER NOT NULL, bucket INTEGER NOT NULL, data BLOB NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (run_id, level, bucket)
) WITHOUT ROWID;
-- A rowid table: its ~2 kB rows fit in a table page, where a WITHOUT ROWID
-- row over ~1 kB spills to overflow pages (2x the writer's cost).
CREATE TABLE IF NOT EXISTS rollup_chunks (
  run_id BLOB NOT NULL, level INTEGER NOT NULL, field INTEGER NOT NULL, chunk INTEGER NOT NULL,
  data BLOB NOT NULL, expires_at INTEGER,
  PRIMARY KEY (run_id, level, field, chunk)
);
CREATE TABLE IF NOT EXISTS run_ledger (
  run_id BLOB NOT NULL, ledger_id BLOB NOT NULL, acknowledged INTEGER NOT NULL, steps BLOB NOT NULL,
  updated_at INTEGER NOT NULL, expires_at INTEGER,
  PRIMARY KEY (run_id, ledger_id)
) WITHOUT ROWID;
)sql";

const char* kUpsertLedger =
    "INSERT OR REPLACE INTO run_ledger (run_id, ledger_id, acknowledged, steps, updated_at, expires_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
const char* kSelectLedgerEntry = "SELECT acknowledged, steps FROM run_ledger WHERE run_id = ?1 AND ledger_id = ?2";

const char* kInsertRollup =
    "INSERT OR REPLACE INTO metric_rollups (run_id, level, bucket, data, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)";
const char* kInsertChunk =
    "INSERT OR REPLACE INTO rollup_chunks (run_id, level, field, chunk, data, expires_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

// Every table with a run_id column (delete_run) and an expires_at (purge).
constexpr const char* kTables[] = {"training_metrics", "training_runs", "network_topology",
                                   "metric_rollups",   "rollup_chunks", "run_ledger"};

const std::string kInsertMetric = "INSERT INTO training_metrics (run_id, " + columns::column_list(kMetricColumns) +
                                  ", expires_at) VALUES (?1, " + markers(kMetricColumns, 2) + ", ?" +
                                  std::to_string(2 + columns::column_count(kMetricColumns)) +
                                  ") ON CONFLICT (run_id, timestamp, step) DO UPDATE SET " +
                                  merge_clause(kMetricColumns) + ", expires_at = excluded.expires_at";
const int kMetricExpiresAt = 2 + static_cast<int>(columns::column_count(kMetricColumns));

const std::string kUpsertRun = "INSERT INTO training_runs (" + columns::column_list(kRunColumns) +
                               ", expires_at) VALUES (" + markers(kRunColumns, 1) + ", ?" +
                               std::to_string(1 + columns::column_count(kRunColumns)) +
                               ") ON CONFLICT (run_id) DO UPDATE SET " + merge_clause(kRunColumns) +
                               ", expires_at = excluded.expires_at";
const int kRunExpiresAt = 1 + static_cast<int>(columns::column_count(kRunColumns));

const std::string kRunColumnList = columns::column_list(kRunColumns);

const std::string kInsertTopology = "INSERT OR REPLACE INTO network_topology (" +
                                    columns::column_list(kTopologyColumns) + ", expires_at) VALUES (" +
                                    markers(kTopologyColumns, 1) + ", ?" +
                                    std::to_string(1 + columns::column_count(kTopologyColumns)) + ")";
const int kTopologyExpiresAt = 1 + static_cast<int>(columns::column_count(kTopologyColumns));

const char* kLive = "(expires_at IS NULL OR expires_at > ?99)";

std::int64_t now_millis() { return now_ms().time_since_epoch().count(); }

void bind_expiry(sqlite3_stmt* s, int i, std::int64_t ttl_seconds) {
  if (ttl_seconds > 0) {
    sqlite3_bind_int64(s, i, now_millis() + ttl_seconds * 1000);
  } else {
    sqlite3_bind_null(s, i);
  }
}


Run read_run(sqlite3_stmt* s) {
  Run r;
  read_row(kRunColumns, s, r);
  return r;
}

}  // namespace

// One connection and its prepared statements.
struct SqliteBackend::Db {
  sqlite3* db = nullptr;
  std::string path;
  std::map<std::string, sqlite3_stmt*> stmts;

  ~Db() {
    for (auto& [sql, s] : stmts) sqlite3_finalize(s);
    if (db) sqlite3_close_v2(db);
  }
  [[noreturn]] void fail(const std::string& what, int rc) const {
    std::string msg = what + " on " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    if (rc == SQLITE_CANTOPEN || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) throw Unavailable(msg, rc);
    throw BackendError(msg, rc);
  }
  void exec(const char* sql, const char* what) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string m = err ? err : sqlite3_errstr(rc);
      sqlite3_free(err);
      throw SchemaError(std::string(what) + " on " + path + ": " + m, rc);
    }
  }
  // A cached statement, reset and with bindings cleared.
  sqlite3_stmt* stmt(const std::string& sql) {
    auto it = stmts.find(sql);
    if (it != stmts.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr);
    if (rc != SQLITE_OK) fail("preparing \"" + sql.substr(0, 60) + "...\"", rc);
    stmts.emplace(sql, s);
    return s;
  }
  void step_done(sqlite3_stmt* s, const char* what) {
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) fail(what, rc);
    sqlite3_reset(s);
  }
};

SqliteBackend::SqliteBackend(SqliteOptions options) : opt_(std::move(options)) {
  // The default path is the config's (default_embedded_path), filled in by open_store.
  if (opt_.path.empty()) throw InvalidArgument("SqliteBackend: no database path");
  std::filesystem::path p(opt_.path);
  if (p.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) throw Unavailable("cannot create directory " + p.parent_path().string() + ": " + ec.message());
  }
  auto open = [&](bool writer) {
    auto d = std::make_unique<Db>();
    d->path = opt_.path;
    int rc = sqlite3_open_v2(opt_.path.c_str(), &d->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) d->fail("cannot open database", rc);
    sqlite3_busy_timeout(d->db, 10'000);
    // Switching to WAL takes an exclusive lock without calling the busy
    // handler: when another process opens the same new database at the
    // same moment (serve and demo started together), wait for it here.
    for (int attempt = 0;; ++attempt) {
      int rc2 = sqlite3_exec(d->db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
      if (rc2 == SQLITE_OK) break;
      if ((rc2 & 0xff) != SQLITE_BUSY && (rc2 & 0xff) != SQLITE_LOCKED) d->fail("enabling WAL", rc2);
      if (attempt == 200) d->fail("enabling WAL (database locked by another process for 10 s)", rc2);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    d->exec(opt_.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", "setting synchronous");
    if (writer) d->exec(kSchema.c_str(), "applying schema");
    return d;
  };
  write_ = open(true);
  read_ = open(false);
  purge_expired();
}

SqliteBackend::~SqliteBackend() { close(); }

void SqliteBackend::close() {
  std::scoped_lock lk(write_mu_, read_mu_);
  write_.reset();
  read_.reset();
}

std::int64_t SqliteBackend::purge_expired() {
  std::lock_guard lk(write_mu_);
  if (!write_) throw ClosedError("sqlite backend is closed: " + opt_.path);
  std::int64_t n = 0;
  for (const char* table : kTables) {
    sqlite3_stmt* s = write_->stmt(std::string("DELETE FROM ") + table + " WHERE expires_at <= ?1");
    sqlite3_bind_int64(s, 1, now_millis());
    write_->step_done(s, "purging expired rows");
    n += sqlite3_changes(write_->db);
  }
  return n;
}

SinkResult SqliteBackend::write_batch(std::span<const MetricRecord> batch, std::span<const RollupRow> rollups) {
  std::lock_guard lk(write_mu_);
  if (!write_) return SinkResult::failure("sqlite backend is closed: " + opt_.path);
  Db& d = *write_;
  auto failed = [&](const char* what) {
    int rc = sqlite3_errcode(d.db);
    std::string msg = std::string(what) + " on " + opt_.path + ": " + sqlite3_errmsg(d.db);
    sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    int primary = rc & 0xff;
    bool transient = primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_IOERR ||
                     primary == SQLITE_FULL || primary == SQLITE_CANTOPEN;
    return transient ? SinkResult::retryable(msg) : SinkResult::failure(msg);
  };
  if (sqlite3_exec(d.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return failed("BEGIN");
  sqlite3_stmt* s;
  try {
    s = d.stmt(kInsertMetric);
  } catch (const Error&) {
    return failed("preparing insert");
  }
  for (const MetricRecord& r : batch) {
    const Metric& m = r.metric;
    bind_uuid(s, 1, r.run_id);
    bind_row(kMetricColumns, s, 2, m);
    bind_expiry(s, kMetricExpiresAt, opt_.ttl_metrics_seconds);
    if (sqlite3_step(s) != SQLITE_DONE) {
      sqlite3_reset(s);
      return failed("inserting metrics");
    }
    sqlite3_reset(s);
  }
  if (!rollups.empty()) {
    sqlite3_stmt* bucket;
    sqlite3_stmt* chunk;
    try {
      bucket = d.stmt(kInsertRollup);
      chunk = d.stmt(kInsertChunk);
    } catch (const Error&) {
      return failed("preparing roll-up insert");
    }
    for (const RollupRow& r : rollups) {
      const bool is_chunk = r.field != kAllFields;
      s = is_chunk ? chunk : bucket;
      int i = 1;
      bind_uuid(s, i++, r.run_id);
      sqlite3_bind_int64(s, i++, r.level);
      if (is_chunk) sqlite3_bind_int64(s, i++, r.field);
      sqlite3_bind_int64(s, i++, r.bucket);
      sqlite3_bind_blob(s, i++, r.data.data(), static_cast<int>(r.data.size()), SQLITE_STATIC);
      bind_expiry(s, i, opt_.ttl_runs_seconds);  // roll-ups live as long as their run
      if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return failed("inserting roll-ups");
      }
      sqlite3_reset(s);
    }
  }
  if (sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return failed("COMMIT");
  return SinkResult::success();
}

SinkResult SqliteBackend::write_ledger(std::span<const LedgerRow> rows) {
  std::lock_guard lk(write_mu_);
  if (!write_) return SinkResult::failure("sqlite backend is closed: " + opt_.path);
  Db& d = *write_;
  auto failed = [&](const char* what) {
    std::string msg = std::string(what) + " on " + opt_.path + ": " + sqlite3_errmsg(d.db);
    sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    return SinkResult::retryable(msg);
  };
  if (sqlite3_exec(d.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) return failed("BEGIN (ledger)");
  try {
    for (const LedgerRow& given : rows) {
      LedgerRow row = given;
      if (row.merge) {
        sqlite3_stmt* q = d.stmt(kSelectLedgerEntry);
        bind_uuid(q, 1, row.run_id);
        bind_uuid(q, 2, row.ledger_id);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
          LedgerRow stored;
          stored.acknowledged = static_cast<std::uint64_t>(sqlite3_column_int64(q, 0));
          const char* p = static_cast<const char*>(sqlite3_column_blob(q, 1));
          StepRanges::decode({p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(q, 1))}, stored.steps);
          merge_ledger(row, stored);
        }
        sqlite3_reset(q);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) return failed("reading the ledger");
      }
      sqlite3_stmt* s = d.stmt(kUpsertLedger);
      bind_uuid(s, 1, row.run_id);
      bind_uuid(s, 2, row.ledger_id);
      sqlite3_bind_int64(s, 3, static_cast<std::int64_t>(row.acknowledged));
      const std::string blob = row.steps.encode();
      sqlite3_bind_blob(s, 4, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int64(s, 5, now_millis());
      bind_expiry(s, 6, opt_.ttl_runs_seconds);  // the ledger lives as long as its run
      if (sqlite3_step(s) != SQLITE_DONE) {
        sqlite3_reset(s);
        return failed("writing the ledger");
      }
      sqlite3_reset(s);
    }
  } catch (const Error&) {
    return failed("preparing ledger statements");
  }
  if (sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return failed("COMMIT (ledger)");
  return SinkResult::success();
}

std::vector<LedgerRow> SqliteBackend::read_ledger(const Uuid& run_id) {
  std::lock_guard lk(read_mu_);
  if (!read_) throw ClosedError("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = read_->stmt(std::string("SELECT ledger_id, acknowledged, steps FROM run_ledger WHERE run_id = ?1 AND ") +
                                kLive);
  bind_uuid(s, 1, run_id);
  sqlite3_bind_int64(s, 99, now_millis());
  std::vector<LedgerRow> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    LedgerRow row;
    row.run_id = run_id;
    row.ledger_id = col_uuid(s, 0);
    row.acknowledged = static_cast<std::uint64_t>(sqlite3_column_int64(s, 1));
    const char* p = static_cast<const char*>(sqlite3_column_blob(s, 2));
    if (!StepRanges::decode({p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(s, 2))}, row.steps)) {
      sqlite3_reset(s);
      throw BackendError("reading the ledger of run " + run_id.str() + " on " + opt_.path +
                         ": malformed steps of entry " + row.ledger_id.str());
    }
    out.push_back(std::move(row));
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) read_->fail("reading the ledger of run " + run_id.str(), rc);
  return out;
}

void SqliteBackend::put_run(const Run& r) {
  std::lock_guard lk(write_mu_);
  if (!write_) throw ClosedError("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = write_->stmt(kUpsertRun);
  bind_row(kRunColumns, s, 1, r);
  bind_expiry(s, kRunExpiresAt, opt_.ttl_runs_seconds);
  write_->step_done(s, ("writing run " + r.run_id.str()).c_str());
}

std::optional<Run> SqliteBackend::get_run(const Uuid& run_id) {
  std::lock_guard lk(read_mu_);
  if (!read_) throw ClosedError("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = read_->stmt("SELECT " + kRunColumnList + " FROM training_runs WHERE run_id = ?1 AND " + kLive);
  bind_uuid(s, 1, run_id);
  sqlite3_bind_int64(s, 99, now_millis());
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    Run r = read_run(s);
    sqlite3_reset(s);
    return r;
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) read_->fail("reading run " + run_id.str(), rc);
  return std::nullopt;
}

std::vector<Run> SqliteBackend::list_runs(int limit, const std::optional<std::string>& status) {
  RunQuery q;
  q.limit = limit;
  q.status = status;
  return list_runs(q);
}

std::vector<Run> SqliteBackend::list_runs_by_dataset(std::string_view dataset_name, int limit) {
  RunQuery q;
  q.limit = limit;
  q.dataset = std::string(dataset_name);
  return list_runs(q);
}

std::vector<Run> SqliteBackend::list_runs(const RunQuery& q) {
  std::optional<Run> after;
  if (q.after) {
    after = get_run(*q.after);
    if (!after) throw NotFound("list_runs: the run to continue after, " + q.after->str() + ", does not exist");
  }
  if (q.started_from && q.started_before && *q.started_before <= *q.started_from) return {};
  // Only the filters that are set go into the WHERE clause, so SQLite can
  // use the status, dataset or time index (one cached statement per
  // combination and number of tags). Tags are a JSON object: each wanted
  // pair must be one of its entries.
  std::string where;
  if (q.status) where += "status = ?1 AND ";
  if (q.dataset) where += "dataset_name = ?2 AND ";
  if (after) where += "(start_time < ?3 OR (start_time = ?3 AND run_id > ?4)) AND ";
  if (q.started_from) where += "start_time >= ?5 AND ";
  if (q.started_before) where += "start_time < ?6 AND ";
  for (std::size_t i = 0; i < q.tags.size(); ++i) {
    const std::string k = std::to_string(10 + 2 * i), v = std::to_string(11 + 2 * i);
    where += "EXISTS (SELECT 1 FROM json_each(tags) WHERE json_each.key = ?" + k + " AND json_each.type = 'text' "
             "AND json_each.value = ?" + v + ") AND ";
  }
  if (q.tags.size() > 40) throw InvalidArgument("list_runs: at most 40 tag filters, got " + std::to_string(q.tags.size()));
  std::lock_guard lk(read_mu_);
  if (!read_) throw ClosedError("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = read_->stmt("SELECT " + kRunColumnList + " FROM training_runs WHERE " + where +
                                kLive + " ORDER BY start_time DESC, run_id LIMIT ?98");
  if (q.status) bind_text(s, 1, *q.status);
  if (q.dataset) bind_text(s, 2, *q.dataset);
  if (after) {
    bind_ts(s, 3, after->start_time);
    bind_uuid(s, 4, after->run_id);
  }
  if (q.started_from) bind_ts(s, 5, q.started_from);
  if (q.started_before) bind_ts(s, 6, q.started_before);
  int i = 0;
  for (const auto& [key, value] : q.tags) {
    bind_text(s, 10 + 2 * i, key);
    bind_text(s, 11 + 2 * i, value);
    ++i;
  }
  sqlite3_bind_int64(s, 98, q.limit);
  sqlite3_bind_int64(s, 99, now_millis());
  std::vector<Run> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(read_run(s));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) read_->fail("listing runs", rc);
  return out;
}

std::vector<RollupRow> SqliteBackend::read_rollups(const Uuid& run_id, std::int32_t level, std::int64_t first,
                                                   std::int64_t last) {
  return read_rollup_rows(run_id, level, kAllFields, first, last);
}

std::vector<RollupRow> SqliteBackend::read_rollup_chunks(const Uuid& run_id, std::int32_t level, std::int32_t field,
                                                         std::int64_t first, std::int64_t last) {
  return read_rollup_rows(run_id, level, field, first, last);
}

std::vector<RollupRow> SqliteBackend::read_rollup_rows(const Uuid& run_id, std::int32_t level, std::int32_t field,
                                                       std::int64_t first, std::int64_t last) {
  std::lock_guard lk(read_mu_);
  if (!read_) throw ClosedError("sqlite backend is closed: " + opt_.path);
  const bool chunks = field != kAllFields;
  sqlite3_stmt* s = read_->stmt(
      chunks ? std::string("SELECT chunk, data FROM rollup_chunks WHERE run_id = ?1 AND level = ?2 AND field = ?5 "
                           "AND chunk >= ?3 AND chunk <= ?4 AND ") +
                   kLive + " ORDER BY chunk"
             : std::string("SELECT bucket, data FROM metric_rollups WHERE run_id = ?1 AND level = ?2 AND "
                           "bucket >= ?3 AND bucket <= ?4 AND ") +
                   kLive + " ORDER BY bucket");
  bind_uuid(s, 1, run_id);
  sqlite3_bind_int64(s, 2, level);
  sqlite3_bind_int64(s, 3, first);
  sqlite3_bind_int64(s, 4, last);
  if (chunks) sqlite3_bind_int64(s, 5, field);
  sqlite3_bind_int64(s, 99, now_millis());
  std::vector<RollupRow> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    RollupRow r;
    r.run_id = run_id;
    r.level = level;
    r.field = field;
    r.bucket = sqlite3_column_int64(s, 0);
    const void* p = sqlite3_column_blob(s, 1);
    r.data.assign(static_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, 1)));
    out.push_back(std::move(r));
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) read_->fail("reading roll-ups of run " + run_id.str(), rc);
  return out;
}

// The keyset bound `before` also narrows `timestamp < ?3`: SQLite uses that
// for the primary-key range, not the row value alone (without it every page
// scanned from the run's newest metric, and paging a run was quadratic).
std::vector<Metric> SqliteBackend::read_metrics(const Uuid& run_id, std::optional<Timestamp> start,
                                                std::optional<Timestamp> end, std::optional<MetricKey> before,
                                                int limit) {
  std::lock_guard lk(read_mu_);
  if (!read_) throw ClosedError("sqlite backend is closed: " + opt_.path);
  static const std::string kSelect = "SELECT " + columns::column_list(kMetricColumns) +
                                     " FROM training_metrics WHERE run_id = ?1 AND timestamp >= ?2 AND timestamp < ?3 "
                                     "AND (timestamp, step) < (?4, ?5) AND " + kLive +
                                     " ORDER BY timestamp DESC, step DESC LIMIT ?6";
  sqlite3_stmt* s = read_->stmt(kSelect);
  bind_uuid(s, 1, run_id);
  sqlite3_bind_int64(s, 2, start ? start->time_since_epoch().count() : INT64_MIN);
  std::int64_t hi = end ? end->time_since_epoch().count() : INT64_MAX;
  if (before) hi = std::min(hi, before->timestamp.time_since_epoch().count() + 1);
  sqlite3_bind_int64(s, 3, hi);
  sqlite3_bind_int64(s, 4, before ? before->timestamp.time_since_epoch().count() : INT64_MAX);
  sqlite3_bind_int64(s, 5, before ? before->step : INT64_MAX);
  sqlite3_bind_int64(s, 6, limit);
  sqlite3_bind_int64(s, 99, now_millis());
  std::vector<Metric> out;
  out.reserve(static_cast<std::size_t>(std::clamp(limit, 0, 5000)));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    Metric m;
    read_row(kMetricColumns, s, m);
    out.push_back(m);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) read_->fail("reading metrics of run " + run_id.str(), rc);
  return out;
}

void SqliteBackend::delete_run(const Uuid& run_id, std::optional<Timestamp> /*start_time*/) {
  std::lock_guard lk(write_mu_);
  if (!write_) throw ClosedError("sqlite backend is closed: " + opt_.path);
  Db& d = *write_;
  const std::string what = "deleting run " + run_id.str();
  if (sqlite3_exec(d.db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) d.fail(what + " (BEGIN)", sqlite3_errcode(d.db));
  try {
    for (const char* table : kTables) {
      sqlite3_stmt* s = d.stmt(std::string("DELETE FROM ") + table + " WHERE run_id = ?1");
      bind_uuid(s, 1, run_id);
      d.step_done(s, (what + " from " + table).c_str());
    }
  } catch (...) {
    sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  if (sqlite3_exec(d.db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    const int rc = sqlite3_errcode(d.db);
    sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    d.fail(what + " (COMMIT)", rc);
  }
}

void SqliteBackend::put_topology(const NetworkTopology& t) {
  std::lock_guard lk(write_mu_);
  if (!write_) throw ClosedError("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = write_->stmt(kInsertTopology);
  bind_row(kTopologyColumns, s, 1, t);
  bind_expiry(s, kTopologyExpiresAt, opt_.ttl_metrics_seconds);
  write_->step_done(s, ("writing topology of run " + t.run_id.str()).c_str());
}

std::vector<NetworkTopology> SqliteBackend::query_topology(const Uuid& run_id, int limit) {
  std::lock_guard lk(read_mu_);
  if (!read_) throw ClosedError("sqlite backend is closed: " + opt_.path);
  // run_id, the first column, is known: not selected (read_row skips it).
  static const std::string kTopologySelect =
      "SELECT " + columns::column_list(kTopologyColumns).substr(std::string_view("run_id, ").size()) +
      " FROM network_topology WHERE run_id = ?1 AND ";
  sqlite3_stmt* s = read_->stmt(kTopologySelect +
                                kLive + " ORDER BY timestamp DESC, hidden_units DESC LIMIT ?2");
  bind_uuid(s, 1, run_id);
  sqlite3_bind_int64(s, 2, limit);
  sqlite3_bind_int64(s, 99, now_millis());
  std::vector<NetworkTopology> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    NetworkTopology t;
    t.run_id = run_id;
    read_row(kTopologyColumns, s, t, 0, /*skip run_id*/ 1);
    out.push_back(std::move(t));
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) read_->fail("reading topology of run " + run_id.str(), rc);
  return out;
}

}  // namespace canopy::store
