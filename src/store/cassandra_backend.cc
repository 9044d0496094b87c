#include "store/cassandra_backend.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "canopy/errors.h"
#include "cql/session.h"
#include "store/cassandra_schema.h"
#include "store/cql_columns.h"

namespace canopy::store {
namespace {

// Open bounds of a time range, as timestamps Cassandra accepts.
constexpr std::int64_t kMinTs = -(std::int64_t{1} << 62);
constexpr std::int64_t kMaxTs = std::int64_t{1} << 62;

cql::Uuid to_cql(const Uuid& u) { return cql::Uuid{u.bytes()}; }

// `hint`, appended to the message, says what to change (e.g. which keys).
[[noreturn]] void rethrow(const cql::CqlError& e, const std::string& context, std::string_view hint = {}) {
  const cql::Error& err = e.error();
  std::string msg = context + ": " + err.to_string();
  msg += hint;
  switch (err.kind) {
    case cql::ErrorKind::kNoHostAvailable:
    case cql::ErrorKind::kConnection:
    case cql::ErrorKind::kShutdown:
      throw Unavailable(msg, err.server_code);
    case cql::ErrorKind::kTimeout:
      throw Timeout(msg, err.server_code);
    case cql::ErrorKind::kInvalidArgument:
      throw InvalidArgument(msg);
    default:
      if (err.is_server(cql::ServerCode::kWriteTimeout) || err.is_server(cql::ServerCode::kReadTimeout)) {
        throw Timeout(msg, err.server_code);
      }
      if (err.is_server(cql::ServerCode::kUnavailable)) throw Unavailable(msg, err.server_code);
      if (err.is_server(cql::ServerCode::kInvalid) || err.is_server(cql::ServerCode::kSyntaxError)) {
        throw SchemaError(msg, err.server_code);
      }
      throw BackendError(msg, err.server_code);
  }
}

// A TLS file named by config key `key` must be readable when the store opens:
// the message names the key and the path, not only what OpenSSL thought of it.
void check_readable(const char* key, const std::string& path) {
  if (path.empty()) return;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) throw InvalidArgument(std::string(key) + ": cannot read " + path + ": " + std::strerror(errno));
  std::fclose(f);
}

cql::TlsOptions tls_options(const SslConfig& ssl) {
  cql::TlsOptions t;
  if (!ssl.enabled) return t;
  check_readable("backend.cassandra.ssl.ca_file", ssl.ca_file);
  check_readable("backend.cassandra.ssl.cert_file", ssl.cert_file);
  check_readable("backend.cassandra.ssl.key_file", ssl.key_file);
  t.enabled = true;
  t.ca_file = ssl.ca_file;
  t.cert_file = ssl.cert_file;
  t.key_file = ssl.key_file;
  t.verify_hostname = ssl.verify_hostname;
  return t;
}

const std::string kRunSelect = columns::column_list(columns::kRunColumns);

// Wire bytes of one metric's bind values (11 values, ~130 bytes): what to
// reserve per row.
constexpr std::size_t kMetricRowBytes = 160;

// The requests of one write_batch in flight. Completions arrive on the
// session's I/O thread; the flush thread waits for room (no future, no
// promise per request).
struct InFlight {
  std::mutex mu;
  std::condition_variable cv;
  std::size_t count = 0;
  std::string first_error;  // of the first request that failed
  bool fatal = false;

  void start() {
    std::lock_guard lk(mu);
    ++count;
  }
  void finish(const cql::Result<cql::ResultSet>& r) {
    if (r.ok()) return finish_ok();
    finish(r.error());
  }
  void finish(const cql::Error& e) {
    std::lock_guard lk(mu);
    if (first_error.empty()) {
      first_error = e.to_string();
      fatal = e.kind == cql::ErrorKind::kInvalidArgument ||
              (!e.retryable && e.kind == cql::ErrorKind::kServer &&
               (e.is_server(cql::ServerCode::kInvalid) || e.is_server(cql::ServerCode::kSyntaxError)));
    }
    if (count > 0) --count;
    cv.notify_all();  // under the lock: the waiter may free *this once it returns
  }
  void finish_ok() {
    std::lock_guard lk(mu);
    --count;
    cv.notify_all();
  }
  void wait_until_at_most(std::size_t keep) {
    std::unique_lock lk(mu);
    cv.wait(lk, [&] { return count <= keep; });
  }
};

// The filters list_runs applies itself (the time range and `after` are
// the query's clustering range).
bool matches(const Run& run, const RunQuery& q) {
  if (q.status && run.status != *q.status) return false;
  if (q.dataset && run.dataset_name != *q.dataset) return false;
  for (const auto& [key, value] : q.tags) {
    auto it = run.tags.find(key);
    if (it == run.tags.end() || it->second != value) return false;
  }
  return true;
}

Run run_from_row(const cql::Row& r) {
  Run run;
  cqlcol::read_row(columns::kRunColumns, r, run);
  return run;
}

class CassandraBackend final : public StoreBackend {
 public:
  CassandraBackend(const Config& config, CassandraWriteMode mode) : config_(config), mode_(mode) {
    const CassandraConfig& c = config.cassandra;
    auto wc = cql::ParseConsistency(c.consistency.write);
    auto rc = cql::ParseConsistency(c.consistency.read);
    if (!wc) throw InvalidArgument("cassandra.consistency.write: unknown consistency level \"" + c.consistency.write + "\"");
    if (!rc) throw InvalidArgument("cassandra.consistency.read: unknown consistency level \"" + c.consistency.read + "\"");
    write_cl_ = *wc;
    read_cl_ = *rc;
    cql::SessionOptions o;
    o.contact_points = c.contact_points;
    o.port = static_cast<std::uint16_t>(c.port);
    o.pool_size = std::max(1, c.pool_size);
    o.connect_timeout = c.connect_timeout;
    o.request_timeout = c.request_timeout;
    o.request_deadline = c.request_deadline;
    o.schema_agreement_timeout = c.schema_agreement_timeout;
    o.local_datacenter = c.local_datacenter;
    if (c.auth_provider.enabled) {
      o.username = c.auth_provider.username;
      o.password = c.auth_provider.password;
    }
    o.tls = tls_options(c.ssl);
    describe_ = "cassandra:" + c.keyspace + "@";
    for (std::size_t i = 0; i < c.contact_points.size(); ++i) describe_ += (i ? "," : "") + c.contact_points[i];
    describe_ += ":" + std::to_string(c.port);
    try {
      session_ = cql::Session::Connect(o);
    } catch (const cql::CqlError& e) {
      if (e.error().kind == cql::ErrorKind::kInvalidArgument &&
          e.error().message.starts_with("local_datacenter")) {
        throw InvalidArgument("backend.cassandra.local_datacenter \"" + c.local_datacenter + "\" (" + describe_ +
                              "): " + e.error().message);
      }
      std::string context = "cannot connect to Cassandra (" + describe_ + ")";
      // Say which settings fix it: the CQL error knows the node, not our keys.
      if (e.error().kind == cql::ErrorKind::kAuth) {
        fail(e, context, "; check backend.cassandra.auth_provider.{enabled, username, password} "
                         "(environment CASSANDRA_USERNAME, CASSANDRA_PASSWORD)");
      }
      fail(e, context);
    }
    warnings_ = apply_schema(*session_, config);
    const std::string ks = cql_name(c.keyspace);  // validated lower case; quoted all the same
    try {
      using columns::kMetricColumns, columns::kRunColumns, columns::kTopologyColumns;
      insert_metric_ = session_->Prepare("INSERT INTO " + ks + ".training_metrics (run_id, " +
                                         columns::column_list(kMetricColumns) + ") VALUES (?, " +
                                         cqlcol::markers(kMetricColumns) + ") USING TIMESTAMP ?");
      insert_run_ = session_->Prepare("INSERT INTO " + ks + ".training_runs (" + kRunSelect + ") VALUES (" +
                                      cqlcol::markers(kRunColumns) + ")");
      insert_run_by_time_ = session_->Prepare("INSERT INTO " + ks + ".runs_by_time (month, " + kRunSelect +
                                              ") VALUES (?, " + cqlcol::markers(kRunColumns) + ")");
      insert_month_ = session_->Prepare("INSERT INTO " + ks + ".run_months (shard, month) VALUES (0, ?)");
      select_run_ = session_->Prepare("SELECT " + std::string(kRunSelect) + " FROM " + ks +
                                      ".training_runs WHERE run_id = ?");
      select_months_ = session_->Prepare("SELECT month FROM " + ks + ".run_months WHERE shard = 0");
      select_runs_by_time_ = session_->Prepare("SELECT " + std::string(kRunSelect) + " FROM " + ks +
                                               ".runs_by_time WHERE month = ? AND start_time >= ? AND "
                                               "start_time < ?");
      // delete_run: every table's partition of the run, and its listing row.
      for (const char* table : {"training_metrics", "training_runs", "network_topology", "metric_rollups",
                                "rollup_chunks", "run_ledger"}) {
        delete_run_rows_.push_back(session_->Prepare("DELETE FROM " + ks + "." + table + " WHERE run_id = ?"));
      }
      delete_run_by_time_ = session_->Prepare("DELETE FROM " + ks +
                                              ".runs_by_time WHERE month = ? AND start_time = ? AND run_id = ?");
      select_runs_by_dataset_ = session_->Prepare("SELECT " + std::string(kRunSelect) + " FROM " + ks +
                                                  ".training_runs WHERE dataset_name = ?");
      const std::string mcols =
          "SELECT " + columns::column_list(kMetricColumns) + " FROM " + ks + ".training_metrics WHERE run_id = ? ";
      select_metrics_ = session_->Prepare(mcols + "AND timestamp >= ? AND timestamp < ? LIMIT ?");
      select_metrics_before_ =
          session_->Prepare(mcols + "AND (timestamp, step) < (?, ?) AND (timestamp) >= (?) LIMIT ?");
      insert_topology_ = session_->Prepare("INSERT INTO " + ks + ".network_topology (" +
                                           columns::column_list(kTopologyColumns) + ") VALUES (" +
                                           cqlcol::markers(kTopologyColumns) + ")");
      // run_id, the partition key, is known: not selected (read_row skips it).
      select_topology_ = session_->Prepare(
          "SELECT " + columns::column_list(kTopologyColumns).substr(std::string_view("run_id, ").size()) + " FROM " +
          ks + ".network_topology WHERE run_id = ? LIMIT ?");
      insert_rollup_ = session_->Prepare("INSERT INTO " + ks +
                                         ".metric_rollups (run_id, level, bucket, data) VALUES (?, ?, ?, ?)");
      select_rollups_ = session_->Prepare("SELECT bucket, data FROM " + ks +
                                          ".metric_rollups WHERE run_id = ? AND level = ? AND bucket >= ? AND "
                                          "bucket <= ?");
      insert_chunk_ = session_->Prepare("INSERT INTO " + ks +
                                        ".rollup_chunks (run_id, level, field, chunk, data) VALUES (?, ?, ?, ?, ?)");
      select_chunks_ = session_->Prepare("SELECT chunk, data FROM " + ks +
                                         ".rollup_chunks WHERE run_id = ? AND level = ? AND field = ? AND "
                                         "chunk >= ? AND chunk <= ?");
      insert_ledger_ = session_->Prepare("INSERT INTO " + ks +
                                         ".run_ledger (run_id, ledger_id, acknowledged, steps, updated_at) "
                                         "VALUES (?, ?, ?, ?, ?)");
      select_ledger_ = session_->Prepare("SELECT ledger_id, acknowledged, steps FROM " + ks +
                                         ".run_ledger WHERE run_id = ?");
      select_ledger_entry_ = session_->Prepare("SELECT acknowledged, steps FROM " + ks +
                                               ".run_ledger WHERE run_id = ? AND ledger_id = ?");
    } catch (const cql::CqlError& e) {
      fail(e, "preparing statements on " + describe_);
    }
  }

  ~CassandraBackend() override { close(); }

  std::string describe() const override { return describe_; }

  std::optional<RequestLatency> request_latency() override {
    std::shared_ptr<cql::Session> s = session();
    if (s == nullptr) return RequestLatency{};
    const cql::LatencySnapshot now = s->request_latency();
    std::lock_guard lk(latency_mu_);
    const cql::LatencySnapshot phase = now.Since(latency_before_);
    latency_before_ = now;
    RequestLatency out;
    out.requests = phase.count();
    out.p50_ms = phase.percentile_ms(0.5);
    out.p99_ms = phase.percentile_ms(0.99);
    out.p999_ms = phase.percentile_ms(0.999);
    out.max_ms = phase.percentile_ms(1.0);
    return out;
  }
  const std::vector<std::string>& warnings() const { return warnings_; }

  SinkResult write_batch(std::span<const MetricRecord> batch, std::span<const RollupRow> rollups) override {
    std::shared_ptr<cql::Session> s = session();
    if (s == nullptr) return SinkResult::failure("Cassandra backend is closed (" + describe_ + ")");
    // One partition (run) per request; order within a run kept.
    std::unordered_map<Uuid, std::vector<const MetricRecord*>> by_run;
    std::vector<Uuid> runs;
    for (const MetricRecord& r : batch) {
      auto& v = by_run[r.run_id];
      if (v.empty()) runs.push_back(r.run_id);
      v.push_back(&r);
    }
    const std::size_t rows_per_batch =
        std::max<std::size_t>(1, std::min<std::size_t>(static_cast<std::size_t>(std::max(1, config_.cassandra.batch_size)),
                                                       kMaxBatchBytes / kMetricCqlBytes));
    InFlight pending;
    auto done = [&pending](cql::Result<cql::ResultSet> r) { pending.finish(r); };
    auto drain = [&](std::size_t keep) { pending.wait_until_at_most(keep); };
    cql::StatementOptions so;
    so.consistency = write_cl_;
    so.idempotent = true;  // fixed client timestamps: a retry is byte-identical
    // A run's roll-up rows (~700 bytes each) ride in the batches of its
    // metrics (same partition key), so they cost no extra requests; every
    // batch stays under kMaxBatchBytes.
    std::unordered_map<Uuid, std::vector<const RollupRow*>> rollups_by_run;
    for (const RollupRow& r : rollups) {
      auto& v = rollups_by_run[r.run_id];
      if (v.empty() && !by_run.count(r.run_id)) runs.push_back(r.run_id);
      v.push_back(&r);
    }
    static constexpr std::size_t kRollupCqlBytes = 800;  // a bucket row; a chunk row counts its size
    auto rollup_bytes = [](const RollupRow& r) { return std::max(kRollupCqlBytes, r.data.size() + 100); };
    auto rollup_statement = [&](const RollupRow& r) -> const cql::Prepared& {
      return r.field == kAllFields ? insert_rollup_ : insert_chunk_;
    };
    auto rollup_values = [](const RollupRow& r) {
      return [&r](cql::RowWriter& w) {
        w.PutUuid(to_cql(r.run_id)).PutInt(r.level);
        if (r.field != kAllFields) w.PutInt(r.field);
        w.PutBigint(r.bucket).PutBlob(r.data);
      };
    };
    // A row that does not fit its statement is a bug here, not a reason to
    // send the batch without it.
    std::optional<cql::Error> invalid;
    auto check = [&invalid](std::optional<cql::Error> err) {
      if (err && !invalid) invalid = std::move(err);
    };
    // A run's rows and roll-up rows, and how far they are sent.
    struct RunCursor {
      const std::vector<const MetricRecord*>* rows;
      const std::vector<const RollupRow*>* rus;
      std::size_t i = 0, next_rollup = 0;
      bool done() const { return i == rows->size() && next_rollup == rus->size(); }
    };
    static const std::vector<const MetricRecord*> kNone;
    static const std::vector<const RollupRow*> kNoRollups;
    std::vector<RunCursor> cursors;
    cursors.reserve(runs.size());
    for (const Uuid& run : runs) {
      auto mit = by_run.find(run);
      auto rit = rollups_by_run.find(run);
      cursors.push_back({mit == by_run.end() ? &kNone : &mit->second,
                         rit == rollups_by_run.end() ? &kNoRollups : &rit->second});
    }
    // Sends the next request of a run: a batch of its rows (roll-up rows
    // after the metrics), or one row in single-row mode.
    auto send_next = [&](RunCursor& c) {
      const auto& rows = *c.rows;
      const auto& rus = *c.rus;
      if (mode_ == CassandraWriteMode::kUnloggedBatch) {
        cql::Batch b;
        b.type = cql::BatchType::kUnlogged;
        std::size_t bytes = 0, n = 0;
        const std::size_t in_batch = std::min(rows.size() - c.i, rows_per_batch);
        const bool with_rollups = c.i + in_batch == rows.size() && c.next_rollup < rus.size();
        b.entries.reserve(in_batch + (with_rollups ? rus.size() - c.next_rollup : 0));
        // Room for the roll-up blobs too: growing the body copied it once per chunk row.
        b.encoded_values.reserve(with_rollups ? kMaxBatchBytes : in_batch * kMetricRowBytes);
        for (const std::size_t end = c.i + in_batch; c.i < end; ++c.i, ++n) {
          check(b.AddRow(insert_metric_, [&](cql::RowWriter& w) { put_metric(w, *rows[c.i]); }));
          bytes += kMetricCqlBytes;
        }
        for (; c.i == rows.size() && c.next_rollup < rus.size() &&
               (n == 0 || bytes + rollup_bytes(*rus[c.next_rollup]) <= kMaxBatchBytes);
             ++c.next_rollup, ++n) {
          check(b.AddRow(rollup_statement(*rus[c.next_rollup]), rollup_values(*rus[c.next_rollup])));
          bytes += rollup_bytes(*rus[c.next_rollup]);
        }
        if (invalid) return;
        pending.start();
        s->ExecuteBatchAsync(std::move(b), so, done);
        drain(max_in_flight_);
        return;
      }
      const bool metric = c.i < rows.size();  // the metrics first, then the roll-up rows
      const cql::Prepared& statement = metric ? insert_metric_ : rollup_statement(*rus[c.next_rollup]);
      cql::EncodedValues v;
      if (metric) v.bytes.reserve(kMetricRowBytes);
      cql::RowWriter w(*statement, v);
      if (metric) {
        put_metric(w, *rows[c.i++]);
      } else {
        rollup_values(*rus[c.next_rollup++])(w);
      }
      check(w.Finish());
      if (invalid) return;
      pending.start();
      s->ExecuteRowAsync(statement, std::move(v), so, done);
      drain(max_in_flight_ * 8);
    };
    // Round-robin over the runs, one request each: requests to one
    // partition in flight at once contend inside Cassandra, so a write of
    // 100,000 metrics over 8 runs must not send one run's ~125 batches
    // back to back (node CPU per metric 9.4 -> 11.7 µs when it did).
    for (bool more = true; more && !invalid;) {
      more = false;
      for (RunCursor& c : cursors) {
        if (c.done()) continue;
        send_next(c);
        if (invalid) break;
        more = more || !c.done();
      }
    }
    drain(0);
    if (invalid) pending.finish(*invalid);
    if (pending.first_error.empty()) return SinkResult::success();
    std::string msg =
        "writing " + std::to_string(batch.size()) + " metric(s) to " + describe_ + ": " + pending.first_error;
    return pending.fatal ? SinkResult::failure(msg) : SinkResult::retryable(msg);
  }

  // One entry has one author at a time (ledger.h), so a merge row's read,
  // union and write need no lightweight transaction.
  SinkResult write_ledger(std::span<const LedgerRow> rows) override {
    std::shared_ptr<cql::Session> s = session();
    if (s == nullptr) return SinkResult::failure("Cassandra backend is closed (" + describe_ + ")");
    // The rows go out all at once, not one round trip after another: with
    // 100 runs a write's 100 sequential upserts kept the node without
    // metric batches for tens of ms each write.
    InFlight pending;
    auto done = [&pending](cql::Result<cql::ResultSet> r) { pending.finish(r); };
    std::string stopped;  // why the loop ended early (a merge row's read failed)
    try {
      for (const LedgerRow& given : rows) {
        LedgerRow row = given;
        if (row.merge) {
          auto rs = s->Execute(select_ledger_entry_,
                               {cql::Value::UuidOf(to_cql(row.run_id)), cql::Value::UuidOf(to_cql(row.ledger_id))},
                               read_options());
          if (!rs.empty()) {
            LedgerRow stored;
            stored.acknowledged = static_cast<std::uint64_t>(rs[0].get_int64(0).value_or(0));
            cql::Value v = rs[0].get_value(1);
            if (!v.is_null()) StepRanges::decode(v.as_bytes(), stored.steps);
            merge_ledger(row, stored);
          }
        }
        pending.start();
        s->ExecuteAsync(insert_ledger_,
                        {cql::Value::UuidOf(to_cql(row.run_id)), cql::Value::UuidOf(to_cql(row.ledger_id)),
                         cql::Value::Bigint(static_cast<std::int64_t>(row.acknowledged)),
                         cql::Value::Blob(row.steps.encode()), cql::Value::Timestamp(now_ms().time_since_epoch().count())},
                        {.consistency = write_cl_, .idempotent = true}, done);
        pending.wait_until_at_most(max_in_flight_);
      }
    } catch (const cql::CqlError& e) {
      stopped = e.error().to_string();
    } catch (const std::exception& e) {
      stopped = e.what();
    }
    pending.wait_until_at_most(0);  // the callbacks use `pending`: none may outlive it
    const std::string& error = pending.first_error.empty() ? stopped : pending.first_error;
    if (!error.empty()) return SinkResult::retryable("writing the completeness ledger to " + describe_ + ": " + error);
    return SinkResult::success();
  }

  std::vector<LedgerRow> read_ledger(const Uuid& run_id) override {
    std::shared_ptr<cql::Session> s = checked();
    std::vector<LedgerRow> out;
    try {
      auto pages = s->Pages(select_ledger_, {cql::Value::UuidOf(to_cql(run_id))}, read_options());
      pages.ForEachRow([&](const cql::Row& r) {
        LedgerRow row;
        row.run_id = run_id;
        if (auto id = r.get_uuid(0)) row.ledger_id = Uuid(id->bytes);
        row.acknowledged = static_cast<std::uint64_t>(r.get_int64(1).value_or(0));
        cql::Value v = r.get_value(2);
        if (!v.is_null() && !StepRanges::decode(v.as_bytes(), row.steps)) {
          throw BackendError("reading the ledger of run " + run_id.str() + " from " + describe_ +
                             ": malformed steps of entry " + row.ledger_id.str());
        }
        out.push_back(std::move(row));
      });
    } catch (const cql::CqlError& e) {
      fail(e, "reading the ledger of run " + run_id.str() + " from " + describe_);
    }
    return out;
  }

  void put_run(const Run& r) override {
    std::shared_ptr<cql::Session> s = checked();
    if (!r.start_time) throw InvalidArgument("run " + r.run_id.str() + " has no start_time");
    std::vector<cql::Value> cols = run_values(r);
    std::vector<cql::Value> by_time;
    by_time.push_back(cql::Value::Text(month_bucket(r.start_time->time_since_epoch().count())));
    by_time.insert(by_time.end(), cols.begin(), cols.end());
    cql::Batch b;
    b.type = cql::BatchType::kLogged;  // keeps training_runs and runs_by_time in step
    b.Add(insert_run_, std::move(cols));
    b.Add(insert_run_by_time_, std::move(by_time));
    b.Add(insert_month_, {cql::Value::Text(month_bucket(r.start_time->time_since_epoch().count()))});
    try {
      s->ExecuteBatch(b, {.consistency = write_cl_, .idempotent = true});
    } catch (const cql::CqlError& e) {
      fail(e, "writing run " + r.run_id.str() + " to " + describe_);
    }
  }

  std::optional<Run> get_run(const Uuid& run_id) override {
    std::shared_ptr<cql::Session> s = checked();
    try {
      auto rs = s->Execute(select_run_, {cql::Value::UuidOf(to_cql(run_id))}, read_options());
      if (rs.empty()) return std::nullopt;
      return run_from_row(rs[0]);
    } catch (const cql::CqlError& e) {
      fail(e, "reading run " + run_id.str() + " from " + describe_);
    }
  }

  std::vector<Run> list_runs(int limit, const std::optional<std::string>& status) override {
    RunQuery q;
    q.limit = limit;
    q.status = status;
    return list_runs(q);
  }

  std::vector<Run> list_runs(const RunQuery& q) override {
    std::optional<Run> after;
    if (q.after) {
      after = get_run(*q.after);
      if (!after) throw NotFound("list_runs: the run to continue after, " + q.after->str() + ", does not exist");
    }
    std::shared_ptr<cql::Session> s = checked();
    std::vector<Run> out;
    // The start_time range each month is read in: [lo, hi). `after` lowers
    // hi to just past its start_time (runs of the same start_time follow it
    // by run_id), so a page starts where the previous one ended.
    std::int64_t lo = q.started_from ? q.started_from->time_since_epoch().count() : kMinTs;
    std::int64_t hi = q.started_before ? q.started_before->time_since_epoch().count() : kMaxTs;
    if (after && after->start_time) hi = std::min(hi, after->start_time->time_since_epoch().count() + 1);
    if (hi <= lo) return out;
    const bool filtered = q.status || q.dataset || !q.tags.empty();
    const std::string lo_month = q.started_from ? month_bucket(lo) : "";
    const std::string hi_month = hi < kMaxTs ? month_bucket(hi - 1) : "";
    // Newest month first; within a month the table's order (start_time
    // DESC, run_id ASC). Status, dataset and tags are filtered here: the
    // months' partitions hold every run, so a filter reads the runs it skips
    // too (docs/schema.md#listing-runs).
    try {
      std::vector<std::string> ms;
      auto it = s->Pages(select_months_, {}, read_options());
      it.ForEachRow([&](const cql::Row& r) { ms.push_back(r.get_text(0).value_or("")); });
      for (const std::string& month : ms) {
        if (!hi_month.empty() && month > hi_month) continue;
        if (!lo_month.empty() && month < lo_month) break;  // months are newest first
        cql::StatementOptions o = read_options();
        o.page_size = filtered || after ? 1000 : std::max(1, q.limit - static_cast<int>(out.size()));
        auto pages = s->Pages(select_runs_by_time_,
                              {cql::Value::Text(month), cql::Value::Timestamp(lo), cql::Value::Timestamp(hi)}, o);
        while (static_cast<int>(out.size()) < q.limit && pages.Next()) {
          for (cql::Row r : pages.page()) {
            Run run = run_from_row(r);
            if (after && run.start_time == after->start_time && !(after->run_id < run.run_id)) continue;
            if (!matches(run, q)) continue;
            out.push_back(std::move(run));
            if (static_cast<int>(out.size()) == q.limit) break;
          }
        }
        if (static_cast<int>(out.size()) >= q.limit) break;
      }
    } catch (const cql::CqlError& e) {
      fail(e, "listing runs in " + describe_);
    }
    return out;
  }

  void delete_run(const Uuid& run_id, std::optional<Timestamp> start_time) override {
    std::shared_ptr<cql::Session> s = checked();
    // LOGGED: once the batch log has it, every table's delete happens, even
    // if the coordinator dies half way (no run left half deleted).
    cql::Batch b;
    b.type = cql::BatchType::kLogged;
    for (const cql::Prepared& p : delete_run_rows_) b.Add(p, {cql::Value::UuidOf(to_cql(run_id))});
    if (start_time) {
      const std::int64_t ms = start_time->time_since_epoch().count();
      b.Add(delete_run_by_time_,
            {cql::Value::Text(month_bucket(ms)), cql::Value::Timestamp(ms), cql::Value::UuidOf(to_cql(run_id))});
    }
    try {
      s->ExecuteBatch(b, {.consistency = write_cl_, .idempotent = true});
    } catch (const cql::CqlError& e) {
      fail(e, "deleting run " + run_id.str() + " from " + describe_);
    }
  }

  std::vector<RollupRow> read_rollups(const Uuid& run_id, std::int32_t level, std::int64_t first,
                                      std::int64_t last) override {
    std::shared_ptr<cql::Session> s = checked();
    std::vector<RollupRow> out;
    try {
      cql::StatementOptions o = read_options();
      o.page_size = 5000;
      auto pages = s->Pages(select_rollups_, {cql::Value::UuidOf(to_cql(run_id)), cql::Value::Int(level),
                                              cql::Value::Bigint(first), cql::Value::Bigint(last)}, o);
      pages.ForEachRow([&](const cql::Row& r) {
        RollupRow row;
        row.run_id = run_id;
        row.level = level;
        row.bucket = r.get_int64(0).value_or(0);
        cql::Value v = r.get_value(1);
        if (!v.is_null()) row.data = v.as_bytes();
        out.push_back(std::move(row));
      });
    } catch (const cql::CqlError& e) {
      fail(e, "reading roll-ups of run " + run_id.str() + " from " + describe_);
    }
    return out;
  }

  bool stores_rollup_chunks() const override { return true; }

  std::vector<RollupRow> read_rollup_chunks(const Uuid& run_id, std::int32_t level, std::int32_t field,
                                            std::int64_t first, std::int64_t last) override {
    std::shared_ptr<cql::Session> s = checked();
    std::vector<RollupRow> out;
    try {
      cql::StatementOptions o = read_options();
      o.page_size = 1000;  // ~2 kB a row
      auto pages = s->Pages(select_chunks_, {cql::Value::UuidOf(to_cql(run_id)), cql::Value::Int(level),
                                             cql::Value::Int(field), cql::Value::Bigint(first),
                                             cql::Value::Bigint(last)}, o);
      pages.ForEachRow([&](const cql::Row& r) {
        RollupRow row;
        row.run_id = run_id;
        row.level = level;
        row.field = field;
        row.bucket = r.get_int64(0).value_or(0);
        cql::Value v = r.get_value(1);
        if (!v.is_null()) row.data = v.as_bytes();
        out.push_back(std::move(row));
      });
    } catch (const cql::CqlError& e) {
      fail(e, "reading roll-up chunks of run " + run_id.str() + " from " + describe_);
    }
    return out;
  }

  std::vector<Run> list_runs_by_dataset(std::string_view dataset_name, int limit) override {
    std::shared_ptr<cql::Session> s = checked();
    std::vector<Run> out;
    try {
      // The secondary index gives every run of the dataset, unordered.
      auto pages = s->Pages(select_runs_by_dataset_, {cql::Value::Text(std::string(dataset_name))}, read_options());
      pages.ForEachRow([&](const cql::Row& r) { out.push_back(run_from_row(r)); });
    } catch (const cql::CqlError& e) {
      fail(e, "listing runs of dataset " + std::string(dataset_name) + " in " + describe_);
    }
    std::sort(out.begin(), out.end(), [](const Run& a, const Run& b) {
      if (a.start_time != b.start_time) return a.start_time > b.start_time;
      return a.run_id < b.run_id;
    });
    if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
    return out;
  }

  std::vector<Metric> read_metrics(const Uuid& run_id, std::optional<Timestamp> start, std::optional<Timestamp> end,
                                   std::optional<MetricKey> before, int limit) override {
    std::shared_ptr<cql::Session> s = checked();
    std::vector<Metric> out;
    const std::int64_t lo = start ? start->time_since_epoch().count() : kMinTs;
    const std::int64_t hi = end ? end->time_since_epoch().count() : kMaxTs;
    if (hi <= lo) return out;
    try {
      cql::StatementOptions o = read_options();
      o.page_size = std::min(limit, 5000);
      std::vector<cql::Value> v{cql::Value::UuidOf(to_cql(run_id))};
      cql::Prepared p;
      if (before) {
        // (timestamp, step) < before implies timestamp < end: rows before it
        // were read within [start, end).
        p = select_metrics_before_;
        v.push_back(cql::Value::Timestamp(std::min(before->timestamp.time_since_epoch().count(), hi)));
        v.push_back(cql::Value::Int(before->timestamp.time_since_epoch().count() < hi ? before->step : INT32_MIN));
        v.push_back(cql::Value::Timestamp(lo));
      } else {
        p = select_metrics_;
        v.push_back(cql::Value::Timestamp(lo));
        v.push_back(cql::Value::Timestamp(hi));
      }
      v.push_back(cql::Value::Int(limit));
      auto pages = s->Pages(p, std::move(v), o);
      while (static_cast<int>(out.size()) < limit && pages.Next()) {
        for (cql::Row r : pages.page()) {
          Metric m;
          cqlcol::read_row(columns::kMetricColumns, r, m);
          out.push_back(m);
        }
      }
    } catch (const cql::CqlError& e) {
      fail(e, "reading metrics of run " + run_id.str() + " from " + describe_);
    }
    return out;
  }

  void put_topology(const NetworkTopology& t) override {
    std::shared_ptr<cql::Session> s = checked();
    try {
      std::vector<cql::Value> v;
      cqlcol::append_values(columns::kTopologyColumns, t, v);
      s->Execute(insert_topology_, std::move(v), {.consistency = write_cl_, .idempotent = true});
    } catch (const cql::CqlError& e) {
      fail(e, "writing topology of run " + t.run_id.str() + " to " + describe_);
    }
  }

  std::vector<NetworkTopology> query_topology(const Uuid& run_id, int limit) override {
    std::shared_ptr<cql::Session> s = checked();
    std::vector<NetworkTopology> out;
    try {
      cql::StatementOptions o = read_options();
      o.page_size = std::min(limit, 5000);
      auto pages = s->Pages(select_topology_, {cql::Value::UuidOf(to_cql(run_id)), cql::Value::Int(limit)}, o);
      pages.ForEachRow([&](const cql::Row& r) {
        NetworkTopology t;
        t.run_id = run_id;
        cqlcol::read_row(columns::kTopologyColumns, r, t, 0, /*skip run_id*/ 1);
        out.push_back(std::move(t));
      });
    } catch (const cql::CqlError& e) {
      fail(e, "reading topology of run " + run_id.str() + " from " + describe_);
    }
    return out;
  }

  // Calls running in other threads keep the session alive (they hold a
  // reference) and finish; their errors, and every later call, are
  // ClosedError.
  void close() override {
    std::shared_ptr<cql::Session> s;
    {
      std::lock_guard lk(mu_);
      closed_ = true;
      s = std::move(session_);
    }
    s.reset();
  }

 private:
  std::shared_ptr<cql::Session> session() {
    std::lock_guard lk(mu_);
    return session_;
  }
  std::shared_ptr<cql::Session> checked() {
    std::shared_ptr<cql::Session> s = session();
    if (s == nullptr) throw ClosedError("Cassandra backend is closed (" + describe_ + ")");
    return s;
  }
  // rethrow(), except that an error of a call cut short by close() is
  // ClosedError, whatever the session said.
  [[noreturn]] void fail(const cql::CqlError& e, const std::string& context, std::string_view hint = {}) const {
    if (closed_) throw ClosedError(context + ": the Cassandra backend was closed (" + describe_ + ")");
    rethrow(e, context, hint);
  }
  cql::StatementOptions read_options() const {
    cql::StatementOptions o;
    o.consistency = read_cl_;
    o.idempotent = true;
    return o;
  }

  // The bind values of insert_metric_: run_id, the metric's columns, USING TIMESTAMP.
  static void put_metric(cql::RowWriter& w, const MetricRecord& r) {
    const Metric& m = r.metric;
    w.PutUuid(to_cql(r.run_id));
    cqlcol::put_values(columns::kMetricColumns, m, w);
    w.PutBigint(r.write_time_us > 0 ? r.write_time_us : m.timestamp->time_since_epoch().count() * 1000);
  }

  static std::vector<cql::Value> run_values(const Run& r) {
    std::vector<cql::Value> out;
    out.reserve(columns::column_count(columns::kRunColumns) + 1);
    cqlcol::append_values(columns::kRunColumns, r, out);
    return out;
  }

  const Config config_;
  // Requests of one write (or one ledger update) in flight at once.
  const std::size_t max_in_flight_ = static_cast<std::size_t>(std::max(1, config_.cassandra.max_in_flight));
  const CassandraWriteMode mode_;
  cql::Consistency write_cl_ = cql::Consistency::kOne;
  cql::Consistency read_cl_ = cql::Consistency::kOne;
  std::string describe_;
  std::vector<std::string> warnings_;
  std::mutex mu_;  // guards session_ (close vs. use)
  std::shared_ptr<cql::Session> session_;
  std::atomic<bool> closed_{false};
  std::mutex latency_mu_;                  // guards latency_before_
  cql::LatencySnapshot latency_before_{};  // at the previous request_latency()
  cql::Prepared insert_metric_, insert_run_, insert_run_by_time_, insert_month_, select_run_, select_months_,
      select_runs_by_time_, select_runs_by_dataset_, select_metrics_, select_metrics_before_, insert_topology_,
      select_topology_, insert_rollup_, select_rollups_, insert_chunk_, select_chunks_, insert_ledger_, select_ledger_,
      select_ledger_entry_, delete_run_by_time_;
  std::vector<cql::Prepared> delete_run_rows_;
};

}  // namespace

bool cassandra_backend_built() { return true; }

std::unique_ptr<StoreBackend> make_cassandra_backend(const Config& config, CassandraWriteMode mode) {
  return std::make_unique<CassandraBackend>(config, mode);
}

}  // namespace canopy::store
