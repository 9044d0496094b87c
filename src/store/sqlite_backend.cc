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

namespace canopy::store {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO schema_info VALUES ('version', '1');
CREATE TABLE IF NOT EXISTS training_metrics (
  run_id BLOB NOT NULL,
  timestamp INTEGER NOT NULL,
  step INTEGER NOT NULL,
  epoch INTEGER, train_loss REAL, train_accuracy REAL, val_loss REAL, val_accuracy REAL,
  learning_rate REAL, hidden_units INTEGER,
  expires_at INTEGER,
  PRIMARY KEY (run_id, timestamp DESC, step DESC)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS training_runs (
  run_id BLOB PRIMARY KEY,
  start_time INTEGER, end_time INTEGER, duration_seconds REAL,
  status TEXT NOT NULL DEFAULT '', dataset_name TEXT NOT NULL DEFAULT '', config_json TEXT NOT NULL DEFAULT '',
  final_epoch INTEGER, final_train_loss REAL, final_train_accuracy REAL, final_val_loss REAL,
  final_val_accuracy REAL, best_val_accuracy REAL, best_epoch INTEGER,
  total_hidden_units INTEGER, total_parameters INTEGER,
  tags TEXT NOT NULL DEFAULT '{}', notes TEXT NOT NULL DEFAULT '',
  expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS runs_by_time ON training_runs (start_time DESC, run_id);
CREATE INDEX IF NOT EXISTS runs_by_dataset ON training_runs (dataset_name, start_time DESC);
CREATE INDEX IF NOT EXISTS runs_by_status ON training_runs (status, start_time DESC);
CREATE TABLE IF NOT EXISTS network_topology (
  run_id BLOB NOT NULL, timestamp INTEGER NOT NULL, hidden_units INTEGER NOT NULL,
  epoch INTEGER, input_size INTEGER, output_size INTEGER, total_parameters INTEGER,
  topology_json TEXT,
  expires_at INTEGER,
  PRIMARY KEY (run_id, timestamp DESC, hidden_units DESC)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS metric_rollups (
  run_id BLOB NOT NULL, level INTEGER NOT NULL, bucket INTEGER NOT NULL, data BLOB NOT NULL,
  expires_at INTEGER,
  PRIMARY KEY (run_id, level, bucket)
) WITHOUT ROWID;
)sql";

const char* kInsertRollup =
    "INSERT OR REPLACE INTO metric_rollups (run_id, level, bucket, data, expires_at) VALUES (?1, ?2, ?3, ?4, ?5)";

const char* kInsertMetric = R"sql(
INSERT INTO training_metrics (run_id, timestamp, step, epoch, train_loss, train_accuracy, val_loss,
  val_accuracy, learning_rate, hidden_units, expires_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
ON CONFLICT (run_id, timestamp, step) DO UPDATE SET
  epoch = COALESCE(excluded.epoch, epoch), train_loss = COALESCE(excluded.train_loss, train_loss),
  train_accuracy = COALESCE(excluded.train_accuracy, train_accuracy),
  val_loss = COALESCE(excluded.val_loss, val_loss), val_accuracy = COALESCE(excluded.val_accuracy, val_accuracy),
  learning_rate = COALESCE(excluded.learning_rate, learning_rate),
  hidden_units = COALESCE(excluded.hidden_units, hidden_units), expires_at = excluded.expires_at
)sql";

const char* kUpsertRun = R"sql(
INSERT INTO training_runs (run_id, start_time, end_time, duration_seconds, status, dataset_name, config_json,
  final_epoch, final_train_loss, final_train_accuracy, final_val_loss, final_val_accuracy, best_val_accuracy,
  best_epoch, total_hidden_units, total_parameters, tags, notes, expires_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
ON CONFLICT (run_id) DO UPDATE SET
  start_time = COALESCE(excluded.start_time, start_time), end_time = COALESCE(excluded.end_time, end_time),
  duration_seconds = COALESCE(excluded.duration_seconds, duration_seconds), status = excluded.status,
  dataset_name = excluded.dataset_name, config_json = excluded.config_json,
  final_epoch = COALESCE(excluded.final_epoch, final_epoch),
  final_train_loss = COALESCE(excluded.final_train_loss, final_train_loss),
  final_train_accuracy = COALESCE(excluded.final_train_accuracy, final_train_accuracy),
  final_val_loss = COALESCE(excluded.final_val_loss, final_val_loss),
  final_val_accuracy = COALESCE(excluded.final_val_accuracy, final_val_accuracy),
  best_val_accuracy = COALESCE(excluded.best_val_accuracy, best_val_accuracy),
  best_epoch = COALESCE(excluded.best_epoch, best_epoch),
  total_hidden_units = COALESCE(excluded.total_hidden_units, total_hidden_units),
  total_parameters = COALESCE(excluded.total_parameters, total_parameters),
  tags = excluded.tags, notes = excluded.notes, expires_at = excluded.expires_at
)sql";

const char* kRunColumns =
    "run_id, start_time, end_time, duration_seconds, status, dataset_name, config_json, final_epoch, "
    "final_train_loss, final_train_accuracy, final_val_loss, final_val_accuracy, best_val_accuracy, best_epoch, "
    "total_hidden_units, total_parameters, tags, notes";

const char* kLive = "(expires_at IS NULL OR expires_at > ?99)";

std::int64_t now_millis() { return now_ms().time_since_epoch().count(); }

// SQLite turns NaN into NULL on bind; NaN is stored as the text 'NaN'
// instead (±Inf are stored as REAL and come back intact).
void bind_double(sqlite3_stmt* s, int i, const std::optional<double>& v) {
  if (!v) {
    sqlite3_bind_null(s, i);
  } else if (std::isnan(*v)) {
    sqlite3_bind_text(s, i, "NaN", 3, SQLITE_STATIC);
  } else {
    sqlite3_bind_double(s, i, *v);
  }
}
template <typename T>
void bind_int(sqlite3_stmt* s, int i, const std::optional<T>& v) {
  if (v) {
    sqlite3_bind_int64(s, i, static_cast<std::int64_t>(*v));
  } else {
    sqlite3_bind_null(s, i);
  }
}
void bind_ts(sqlite3_stmt* s, int i, const std::optional<Timestamp>& v) {
  if (v) {
    sqlite3_bind_int64(s, i, v->time_since_epoch().count());
  } else {
    sqlite3_bind_null(s, i);
  }
}
void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
void bind_uuid(sqlite3_stmt* s, int i, const Uuid& u) { sqlite3_bind_blob(s, i, u.bytes().data(), 16, SQLITE_TRANSIENT); }
void bind_expiry(sqlite3_stmt* s, int i, std::int64_t ttl_seconds) {
  if (ttl_seconds > 0) {
    sqlite3_bind_int64(s, i, now_millis() + ttl_seconds * 1000);
  } else {
    sqlite3_bind_null(s, i);
  }
}

std::optional<double> col_double(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL:
      return std::nullopt;
    case SQLITE_TEXT:
      return std::nan("");
    default:
      return sqlite3_column_double(s, i);
  }
}
std::optional<std::int32_t> col_int32(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return static_cast<std::int32_t>(sqlite3_column_int64(s, i));
}
std::optional<std::int64_t> col_int64(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(s, i);
}
std::optional<Timestamp> col_ts(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return Timestamp(std::chrono::milliseconds(sqlite3_column_int64(s, i)));
}
std::string col_text(sqlite3_stmt* s, int i) {
  auto p = sqlite3_column_text(s, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}
Uuid col_uuid(sqlite3_stmt* s, int i) {
  std::array<std::uint8_t, 16> b{};
  if (sqlite3_column_bytes(s, i) == 16) std::memcpy(b.data(), sqlite3_column_blob(s, i), 16);
  return Uuid(b);
}

Run read_run(sqlite3_stmt* s) {
  Run r;
  r.run_id = col_uuid(s, 0);
  r.start_time = col_ts(s, 1);
  r.end_time = col_ts(s, 2);
  r.duration_seconds = col_double(s, 3);
  r.status = col_text(s, 4);
  r.dataset_name = col_text(s, 5);
  r.config_json = col_text(s, 6);
  r.final_epoch = col_int32(s, 7);
  r.final_train_loss = col_double(s, 8);
  r.final_train_accuracy = col_double(s, 9);
  r.final_val_loss = col_double(s, 10);
  r.final_val_accuracy = col_double(s, 11);
  r.best_val_accuracy = col_double(s, 12);
  r.best_epoch = col_int32(s, 13);
  r.total_hidden_units = col_int32(s, 14);
  r.total_parameters = col_int64(s, 15);
  auto tags = nlohmann::json::parse(col_text(s, 16), nullptr, false);
  if (tags.is_object()) {
    for (auto& [k, v] : tags.items()) r.tags[k] = v.is_string() ? v.get<std::string>() : v.dump();
  }
  r.notes = col_text(s, 17);
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
    if (writer) d->exec(kSchema, "applying schema");
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
  if (!write_) throw Error("sqlite backend is closed: " + opt_.path);
  std::int64_t n = 0;
  for (const char* table : {"training_metrics", "training_runs", "network_topology", "metric_rollups"}) {
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
    bind_ts(s, 2, m.timestamp);
    bind_int(s, 3, m.step);
    bind_int(s, 4, m.epoch);
    bind_double(s, 5, m.train_loss);
    bind_double(s, 6, m.train_accuracy);
    bind_double(s, 7, m.val_loss);
    bind_double(s, 8, m.val_accuracy);
    bind_double(s, 9, m.learning_rate);
    bind_int(s, 10, m.hidden_units);
    bind_expiry(s, 11, opt_.ttl_metrics_seconds);
    if (sqlite3_step(s) != SQLITE_DONE) {
      sqlite3_reset(s);
      return failed("inserting metrics");
    }
    sqlite3_reset(s);
  }
  if (!rollups.empty()) {
    try {
      s = d.stmt(kInsertRollup);
    } catch (const Error&) {
      return failed("preparing roll-up insert");
    }
    for (const RollupRow& r : rollups) {
      bind_uuid(s, 1, r.run_id);
      sqlite3_bind_int64(s, 2, r.level);
      sqlite3_bind_int64(s, 3, r.bucket);
      sqlite3_bind_blob(s, 4, r.data.data(), static_cast<int>(r.data.size()), SQLITE_STATIC);
      bind_expiry(s, 5, opt_.ttl_runs_seconds);  // roll-ups live as long as their run
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

void SqliteBackend::put_run(const Run& r) {
  std::lock_guard lk(write_mu_);
  if (!write_) throw Error("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = write_->stmt(kUpsertRun);
  bind_uuid(s, 1, r.run_id);
  bind_ts(s, 2, r.start_time);
  bind_ts(s, 3, r.end_time);
  bind_double(s, 4, r.duration_seconds);
  bind_text(s, 5, r.status);
  bind_text(s, 6, r.dataset_name);
  bind_text(s, 7, r.config_json);
  bind_int(s, 8, r.final_epoch);
  bind_double(s, 9, r.final_train_loss);
  bind_double(s, 10, r.final_train_accuracy);
  bind_double(s, 11, r.final_val_loss);
  bind_double(s, 12, r.final_val_accuracy);
  bind_double(s, 13, r.best_val_accuracy);
  bind_int(s, 14, r.best_epoch);
  bind_int(s, 15, r.total_hidden_units);
  bind_int(s, 16, r.total_parameters);
  bind_text(s, 17, nlohmann::json(r.tags).dump());
  bind_text(s, 18, r.notes);
  bind_expiry(s, 19, opt_.ttl_runs_seconds);
  write_->step_done(s, ("writing run " + r.run_id.str()).c_str());
}

std::optional<Run> SqliteBackend::get_run(const Uuid& run_id) {
  std::lock_guard lk(read_mu_);
  if (!read_) throw Error("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = read_->stmt(std::string("SELECT ") + kRunColumns + " FROM training_runs WHERE run_id = ?1 AND " + kLive);
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
  // Only the filters that are set go into the WHERE clause, so SQLite can
  // use the status or dataset index (one cached statement per combination).
  std::string where;
  if (q.status) where += "status = ?1 AND ";
  if (q.dataset) where += "dataset_name = ?2 AND ";
  if (after) where += "(start_time < ?3 OR (start_time = ?3 AND run_id > ?4)) AND ";
  std::lock_guard lk(read_mu_);
  if (!read_) throw Error("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = read_->stmt(std::string("SELECT ") + kRunColumns + " FROM training_runs WHERE " + where +
                                kLive + " ORDER BY start_time DESC, run_id LIMIT ?98");
  if (q.status) bind_text(s, 1, *q.status);
  if (q.dataset) bind_text(s, 2, *q.dataset);
  if (after) {
    bind_ts(s, 3, after->start_time);
    bind_uuid(s, 4, after->run_id);
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
  std::lock_guard lk(read_mu_);
  if (!read_) throw Error("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = read_->stmt(std::string("SELECT bucket, data FROM metric_rollups WHERE run_id = ?1 AND "
                                            "level = ?2 AND bucket >= ?3 AND bucket <= ?4 AND ") +
                                kLive + " ORDER BY bucket");
  bind_uuid(s, 1, run_id);
  sqlite3_bind_int64(s, 2, level);
  sqlite3_bind_int64(s, 3, first);
  sqlite3_bind_int64(s, 4, last);
  sqlite3_bind_int64(s, 99, now_millis());
  std::vector<RollupRow> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    RollupRow r;
    r.run_id = run_id;
    r.level = level;
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
  if (!read_) throw Error("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = read_->stmt(
      std::string("SELECT timestamp, step, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, "
                  "hidden_units FROM training_metrics WHERE run_id = ?1 AND timestamp >= ?2 AND timestamp < ?3 "
                  "AND (timestamp, step) < (?4, ?5) AND ") +
      kLive + " ORDER BY timestamp DESC, step DESC LIMIT ?6");
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
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    Metric m;
    m.timestamp = col_ts(s, 0);
    m.step = col_int32(s, 1);
    m.epoch = col_int32(s, 2);
    m.train_loss = col_double(s, 3);
    m.train_accuracy = col_double(s, 4);
    m.val_loss = col_double(s, 5);
    m.val_accuracy = col_double(s, 6);
    m.learning_rate = col_double(s, 7);
    m.hidden_units = col_int32(s, 8);
    out.push_back(m);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) read_->fail("reading metrics of run " + run_id.str(), rc);
  return out;
}

void SqliteBackend::put_topology(const NetworkTopology& t) {
  std::lock_guard lk(write_mu_);
  if (!write_) throw Error("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = write_->stmt(
      "INSERT OR REPLACE INTO network_topology (run_id, timestamp, hidden_units, epoch, input_size, output_size, "
      "total_parameters, topology_json, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  bind_uuid(s, 1, t.run_id);
  sqlite3_bind_int64(s, 2, t.timestamp.time_since_epoch().count());
  sqlite3_bind_int64(s, 3, t.hidden_units);
  sqlite3_bind_int64(s, 4, t.epoch);
  sqlite3_bind_int64(s, 5, t.input_size);
  sqlite3_bind_int64(s, 6, t.output_size);
  sqlite3_bind_int64(s, 7, t.total_parameters);
  bind_text(s, 8, t.topology_json);
  bind_expiry(s, 9, opt_.ttl_metrics_seconds);
  write_->step_done(s, ("writing topology of run " + t.run_id.str()).c_str());
}

std::vector<NetworkTopology> SqliteBackend::query_topology(const Uuid& run_id, int limit) {
  std::lock_guard lk(read_mu_);
  if (!read_) throw Error("sqlite backend is closed: " + opt_.path);
  sqlite3_stmt* s = read_->stmt(std::string("SELECT timestamp, hidden_units, epoch, input_size, output_size, "
                                            "total_parameters, topology_json FROM network_topology WHERE run_id = ?1 "
                                            "AND ") +
                                kLive + " ORDER BY timestamp DESC, hidden_units DESC LIMIT ?2");
  bind_uuid(s, 1, run_id);
  sqlite3_bind_int64(s, 2, limit);
  sqlite3_bind_int64(s, 99, now_millis());
  std::vector<NetworkTopology> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    NetworkTopology t;
    t.run_id = run_id;
    t.timestamp = Timestamp(std::chrono::milliseconds(sqlite3_column_int64(s, 0)));
    t.hidden_units = static_cast<std::int32_t>(sqlite3_column_int64(s, 1));
    t.epoch = static_cast<std::int32_t>(sqlite3_column_int64(s, 2));
    t.input_size = static_cast<std::int32_t>(sqlite3_column_int64(s, 3));
    t.output_size = static_cast<std::int32_t>(sqlite3_column_int64(s, 4));
    t.total_parameters = sqlite3_column_int64(s, 5);
    t.topology_json = col_text(s, 6);
    out.push_back(std::move(t));
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) read_->fail("reading topology of run " + run_id.str(), rc);
  return out;
}

}  // namespace canopy::store
