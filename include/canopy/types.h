// Value types of the Canopy Store API: metrics, runs, network topology
// snapshots and the writer's counters. Plain structs, copyable, no behaviour;
// an unset std::optional means "not recorded" (Cassandra: the column was
// never written — sent as UNSET, never as NULL; SQLite: NULL).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "canopy/uuid.h"

namespace canopy {

// Milliseconds since the Unix epoch, UTC: the resolution of CQL `timestamp`.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// Now, truncated to milliseconds.
inline Timestamp now_ms() {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

// One row of training_metrics. Every field may be left out.
//
// On store_metric:
//  - timestamp unset → the writer stamps the time of the store_metric call;
//  - step unset → the writer assigns the next step of this run in this
//    process (0, 1, 2, ...), so two metrics of one run in the same
//    millisecond never overwrite each other. The row key is
//    (run_id, timestamp, step): a metric stored again with the same key
//    merges with the stored row (fields set in the new one win), which makes
//    retries and spool replays idempotent.
// On query, timestamp and step are always set.
// Doubles may be NaN or ±Inf; they are stored and returned as such.
struct Metric {
  std::optional<Timestamp> timestamp;
  std::optional<std::int32_t> step;
  std::optional<std::int32_t> epoch;
  std::optional<double> train_loss;
  std::optional<double> train_accuracy;
  std::optional<double> val_loss;
  std::optional<double> val_accuracy;
  std::optional<double> learning_rate;
  std::optional<std::int32_t> hidden_units;

  friend bool operator==(const Metric&, const Metric&) = default;
};

// Conventional values of Run::status (any string is accepted).
inline constexpr const char* kStatusRunning = "running";
inline constexpr const char* kStatusCompleted = "completed";
inline constexpr const char* kStatusFailed = "failed";
inline constexpr const char* kStatusStopped = "stopped";

// One row of training_runs (the reference's columns plus tags and notes).
struct Run {
  Uuid run_id;
  std::optional<Timestamp> start_time;
  std::optional<Timestamp> end_time;
  std::optional<double> duration_seconds;
  std::string status;
  std::string dataset_name;
  std::string config_json;
  std::optional<std::int32_t> final_epoch;
  std::optional<double> final_train_loss;
  std::optional<double> final_train_accuracy;
  std::optional<double> final_val_loss;
  std::optional<double> final_val_accuracy;
  std::optional<double> best_val_accuracy;
  std::optional<std::int32_t> best_epoch;
  std::optional<std::int32_t> total_hidden_units;
  std::optional<std::int64_t> total_parameters;
  std::map<std::string, std::string> tags;
  std::string notes;

  friend bool operator==(const Run&, const Run&) = default;
};

// A listing of runs (MetricsStore::list_runs): newest start_time first,
// every filter that is set applied (all of them must hold).
struct RunQuery {
  int limit = 100;
  std::optional<std::string> status;
  std::optional<std::string> dataset;
  // Runs having every one of these tags with exactly this value.
  std::map<std::string, std::string> tags;
  // started_from <= start_time < started_before (half-open; unset: unbounded).
  std::optional<Timestamp> started_from;
  std::optional<Timestamp> started_before;
  std::optional<Uuid> after;  // continue after this run (the previous page's last)
};

// MetricsStore::update_run: what to change of a run's tags and notes.
// Applied in this order: clear_tags, remove_tags, set_tags.
struct RunUpdate {
  bool clear_tags = false;                      // drop every tag first ("set" = clear + set_tags)
  std::vector<std::string> remove_tags;         // keys to drop (unknown keys are ignored)
  std::map<std::string, std::string> set_tags;  // added, or overwriting the key's value
  std::optional<std::string> notes;             // replaces the notes when set ("" clears them)
};

// What create_run records. run_id unset → a new random UUID.
// start_time unset → now. status is "running".
struct NewRun {
  std::optional<Uuid> run_id;
  std::string dataset_name;
  std::string config_json;  // the run's configuration, JSON text ("" allowed)
  std::map<std::string, std::string> tags;
  std::string notes;
  std::optional<Timestamp> start_time;
};

// What complete_run records. Any field left out is derived from the run's
// metrics: final_* from the metric with the newest (timestamp, step),
// best_val_accuracy/best_epoch from the highest non-NaN val_accuracy (the
// earliest on ties), total_hidden_units from the highest hidden_units. The
// figures come from what this process's writer saw of the run when it saw
// any metric of it; otherwise (complete_run from another process) from the
// metrics stored in the backend, read once. A run without metrics leaves
// them unset. end_time unset → now; duration_seconds is end_time -
// start_time.
struct FinalMetrics {
  std::optional<Timestamp> end_time;
  std::optional<std::int32_t> final_epoch;
  std::optional<double> final_train_loss;
  std::optional<double> final_train_accuracy;
  std::optional<double> final_val_loss;
  std::optional<double> final_val_accuracy;
  std::optional<double> best_val_accuracy;
  std::optional<std::int32_t> best_epoch;
  std::optional<std::int32_t> total_hidden_units;
  std::optional<std::int64_t> total_parameters;
};

// A snapshot of a Cascade-Correlation network, stored each time a hidden
// unit is added (table network_topology, key (run_id, timestamp, hidden_units)).
struct NetworkTopology {
  Uuid run_id;
  Timestamp timestamp{};
  std::int32_t epoch = 0;
  std::int32_t input_size = 0;
  std::int32_t output_size = 0;
  std::int32_t hidden_units = 0;
  std::int64_t total_parameters = 0;
  std::string topology_json;

  friend bool operator==(const NetworkTopology&, const NetworkTopology&) = default;
};

// The writer's counters since the store was opened. All monotonic.
//   stored    store_metric calls accepted
//   written   metrics acknowledged by the backend (a replayed metric counts
//             again when it is written again)
//   retried   metrics sent again after a failed attempt
//   spooled   metrics appended to the local spool (every metric in
//             Durability::kSpoolEach; only overflow in kBuffered)
//   replayed  metrics read back from the spool to be sent (after overflow
//             or left by an earlier process)
//   dropped   metrics discarded: stays 0 unless OverflowPolicy::kDrop
//   spool_failures  store_metric calls that threw SpoolError because the
//             spool could not take the metric (disk full, I/O error); such
//             a metric is not stored
//   spool_full  store_metric calls that threw SpoolFullError: the spool
//             held writer.spool_max_bytes; such a metric is not stored
struct WriterCounters {
  std::uint64_t stored = 0;
  std::uint64_t written = 0;
  std::uint64_t retried = 0;
  std::uint64_t spooled = 0;
  std::uint64_t replayed = 0;
  std::uint64_t dropped = 0;
  std::uint64_t spool_failures = 0;
  std::uint64_t spool_full = 0;
};

// MetricsStore::request_latency: the backend's requests that succeeded
// (Cassandra: every write and read request, from submission to the answer,
// retries included) since the previous call. Percentiles are exact to 1/8
// of their value (log-linear buckets); 0 when there were no requests.
struct RequestLatency {
  std::uint64_t requests = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double p999_ms = 0;
  double max_ms = 0;
};

// An inclusive range of metric steps.
struct StepRange {
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::uint64_t count() const { return static_cast<std::uint64_t>(last - first) + 1; }
  friend bool operator==(const StepRange&, const StepRange&) = default;
};

// MetricsStore::verify_run: the run's completeness ledger (what store_metric
// acknowledged, docs/store.md#the-completeness-ledger) compared with the
// metric rows the backend holds. Steps are the unit: the ledger records
// which steps were acknowledged, the scan which steps have a row.
struct RunVerification {
  Uuid run_id;
  // Ledger entries found (one per writer session and run). 0: no metric of
  // the run was acknowledged by a store that keeps a ledger.
  std::uint64_t ledger_entries = 0;
  std::uint64_t acknowledged = 0;        // store_metric calls that returned
  std::uint64_t acknowledged_steps = 0;  // distinct steps among them
  std::optional<std::int64_t> first_step;  // lowest and highest acknowledged step
  std::optional<std::int64_t> last_step;
  std::uint64_t stored = 0;        // metric rows the backend holds for the run
  std::uint64_t stored_steps = 0;  // distinct steps among them
  // Acknowledged steps without a row, ascending, and how many steps they hold.
  std::vector<StepRange> missing;
  std::uint64_t missing_steps = 0;
  // Rows beyond the first of a step: the same step stored under two
  // timestamps (a resumed run whose writer restarted its steps at 0, or a
  // caller reusing a step). Not a loss; reported.
  std::uint64_t duplicates = 0;
  // Stored steps the ledger does not know (written before the ledger
  // existed, imported, or by a writer whose ledger was never persisted).
  std::uint64_t unacknowledged_steps = 0;

  // True when every acknowledged step has a stored row.
  bool complete() const { return missing.empty(); }
};

}  // namespace canopy
