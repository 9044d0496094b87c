// canopy::MetricsStore — the one interface to the training-metrics store.
//
//   canopy::Config cfg = canopy::load_config(...);      // src/config
//   auto store = canopy::open_store(cfg);              // SQLite or Cassandra
//   canopy::Uuid run = store->create_run({.dataset_name = "two_spirals"});
//   store->store_metric(run, {.epoch = 1, .train_loss = 0.7});
//   store->complete_run(run, {});                     // fills final_* itself
//   for (const canopy::Run& r : store->list_runs(10)) ...
//
// Writes. store_metric never waits on the network or disk I/O of the
// backend: it appends to a bounded in-memory buffer (and, in
// Durability::kSpoolEach, to the local spool) and returns. A flush thread
// sends buffered metrics, grouped per run, when cassandra.batch_size metrics
// wait or cassandra.flush_interval has passed. A failed send keeps the
// metrics and retries with exponential backoff (writer.retry_initial ..
// writer.retry_max); a full buffer spills to the crash-safe spool, replayed
// in order when the backend answers again (also by the next process that
// opens the same store). Nothing is dropped unless writer.overflow = kDrop.
// flush_metrics() returns once every metric stored before the call is
// acknowledged by the backend, or throws FlushError saying why not (the
// metrics are kept and still retried). close() and the destructor flush.
//
// Reads see what the backend acknowledged (call flush_metrics() first to see
// your own recent writes). Orders: runs newest start_time first; metrics
// newest (timestamp, step) first. Time ranges are half-open:
// start <= timestamp < end; an unset bound is unbounded.
//
// Thread safety: every method may be called from any thread concurrently.
// Errors: the exceptions of canopy/errors.h, with context.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "canopy/config.h"
#include "canopy/series.h"
#include "canopy/types.h"
#include "canopy/uuid.h"

namespace canopy {

// Pages through a run's metrics newest first, any number of rows, without
// holding more than one page in memory (keyset paging on (timestamp, step),
// so it is stable while new metrics arrive). Not thread-safe; use one cursor
// per thread. Valid while its store is open.
class MetricCursor {
 public:
  virtual ~MetricCursor() = default;
  // Replaces `page` with the next rows (at most the page size given when the
  // cursor was opened). Returns false, with `page` empty, when none are left.
  virtual bool next_page(std::vector<Metric>& page) = 0;
};

class MetricsStore {
 public:
  static constexpr std::chrono::milliseconds kDefaultFlushTimeout{60'000};

  // Implementations close() with a 5 s flush timeout and never throw:
  // what could not be sent stays in the spool for the next open.
  virtual ~MetricsStore() = default;

  // --- writes -------------------------------------------------------------

  // Buffers one metric of run `run_id` (see Metric for timestamp/step
  // defaults). Does not check that the run exists. Throws InvalidArgument
  // for a nil run id, ClosedError after close(), and SpoolError when the metric
  // had to go to the spool and the spool failed (the metric is not stored
  // then).
  virtual void store_metric(const Uuid& run_id, const Metric& metric) = 0;

  // Blocks until every metric stored before the call is acknowledged by the
  // backend. Throws FlushError (with the backend's last error) when that did
  // not happen within `timeout`; nothing is lost by that.
  virtual void flush_metrics(std::chrono::milliseconds timeout = kDefaultFlushTimeout) = 0;

  // Records a new run with status "running" and returns its id. Writes
  // through (not buffered). Creating an existing run_id overwrites its
  // creation fields (upsert).
  virtual Uuid create_run(const NewRun& run) = 0;
  // The reference's create_run(run_id, dataset_name, config).
  Uuid create_run(const Uuid& run_id, std::string_view dataset_name, std::string_view config_json) {
    NewRun r;
    r.run_id = run_id;
    r.dataset_name = std::string(dataset_name);
    r.config_json = std::string(config_json);
    return create_run(r);
  }

  // Flushes, then records the run's end: status, end_time, duration_seconds
  // and final figures (see FinalMetrics for what is filled in when left out).
  // Throws NotFound when the run does not exist.
  virtual void complete_run(const Uuid& run_id, const FinalMetrics& final_metrics,
                            std::string_view status = kStatusCompleted) = 0;

  // Stores one network snapshot (writes through).
  virtual void store_topology(const NetworkTopology& topology) = 0;

  // --- run management -----------------------------------------------------

  // Changes the run's tags and notes (RunUpdate) and returns the run as
  // stored. Read-modify-write of the run row: of two updates of one run at
  // the same moment, the later write wins whole. An empty tag key →
  // InvalidArgument; unknown run → NotFound.
  virtual Run update_run(const Uuid& run_id, const RunUpdate& update) = 0;

  // Removes the run and everything stored for it: its row (and its listing
  // and index entries), metrics, topology snapshots, roll-ups and
  // completeness ledger. Flushes first: the run's metrics stored in this
  // process must reach the backend before they are deleted with the rest,
  // so that no spool replay writes them again afterwards; if the flush fails
  // (FlushError) nothing is deleted. Then drops what the writer and the
  // roll-ups keep in memory for the run. Unknown run (no run row and no
  // metric) → NotFound. A later store_metric of the same id starts a new run
  // (docs/store.md#deleting-runs: what it costs on Cassandra, and the one
  // case in which deleted metrics can come back).
  virtual void delete_run(const Uuid& run_id) = 0;

  // Runs still "running" whose newest metric (their start_time when they
  // have none) is older than now - `idle`: trainers that died without
  // completing them. dry_run → returns them, changes nothing; otherwise
  // completes each as "failed" with end_time = that newest activity and the
  // figures derived from its stored metrics (complete_run), and returns
  // them as stored. Reads every running run (listing by status, below).
  // idle <= 0 → InvalidArgument.
  virtual std::vector<Run> reap_runs(std::chrono::milliseconds idle, bool dry_run = true) = 0;

  // --- reads --------------------------------------------------------------

  // The run, or nullopt when unknown (or expired by ttl.runs).
  virtual std::optional<Run> get_run(const Uuid& run_id) = 0;

  // Up to `limit` runs, newest start_time first; only those whose status
  // equals `status` when given. Reads O(limit) rows without `status`; with
  // it, Cassandra reads every run newer than the limit-th match (every run
  // when fewer match; docs/schema.md). limit < 1 → InvalidArgument.
  virtual std::vector<Run> list_runs(int limit = 100,
                                     const std::optional<std::string>& status = std::nullopt) = 0;

  // Up to `limit` runs of one dataset, newest start_time first. Cassandra
  // reads every run of the dataset (its index is unordered).
  virtual std::vector<Run> list_runs_by_dataset(std::string_view dataset_name, int limit = 100) = 0;

  // Up to query.limit runs, newest start_time first, with every filter of
  // `query` applied (they combine); query.after pages on from the run of
  // that id (the last one of the previous page). An `after` run that does
  // not exist → NotFound; started_before <= started_from → no runs. Reads
  // O(limit + runs filtered out) rows, starting at `after` and at
  // started_before: SQLite uses an index for status, dataset and the time
  // range; Cassandra reads the runs in time order and filters status,
  // dataset and tags itself, so the runs it skips cost a read each
  // (docs/schema.md#listing-runs).
  virtual std::vector<Run> list_runs(const RunQuery& query) = 0;

  // Up to `limit` metrics of a run with start <= timestamp < end, newest
  // first. Unknown run → empty. limit < 1 → InvalidArgument.
  virtual std::vector<Metric> query_metrics(const Uuid& run_id,
                                            std::optional<Timestamp> start_time = std::nullopt,
                                            std::optional<Timestamp> end_time = std::nullopt,
                                            int limit = 1000) = 0;

  // Every metric of the run in [start, end), newest first, in pages of
  // `page_size` rows (the CLI `export` uses this).
  virtual std::unique_ptr<MetricCursor> open_metric_cursor(const Uuid& run_id,
                                                           std::optional<Timestamp> start_time = std::nullopt,
                                                           std::optional<Timestamp> end_time = std::nullopt,
                                                           int page_size = 5000) = 0;

  // Calls `visit` for every metric of the run in [start, end), newest first,
  // until it returns false. Returns the number of rows visited.
  std::uint64_t scan_metrics(const Uuid& run_id, std::optional<Timestamp> start_time,
                             std::optional<Timestamp> end_time,
                             const std::function<bool(const Metric&)>& visit, int page_size = 5000) {
    auto cursor = open_metric_cursor(run_id, start_time, end_time, page_size);
    std::vector<Metric> page;
    std::uint64_t n = 0;
    while (cursor->next_page(page)) {
      for (const Metric& m : page) {
        ++n;
        if (!visit(m)) return n;
      }
    }
    return n;
  }

  // Up to `limit` snapshots of a run, newest timestamp first.
  virtual std::vector<NetworkTopology> query_topology(const Uuid& run_id, int limit = 100) = 0;

  // --- charts (canopy/series.h) ------------------------------------------

  // The run's `field` (one of kSeriesFields) in [start, end) downsampled for
  // a chart `points` wide (M4, see Series). Unknown run → no points. Throws
  // InvalidArgument for an unknown field or points < 1.
  virtual Series series(const Uuid& run_id, std::string_view field, int points,
                        std::optional<Timestamp> start_time = std::nullopt,
                        std::optional<Timestamp> end_time = std::nullopt) = 0;
  // Per field min, max, mean, last and best over the whole run; unknown run
  // → a summary with no metrics.
  virtual RunSummary summary(const Uuid& run_id) = 0;
  // Each run's series and summary, aligned by epoch. At least one run.
  Comparison compare(const std::vector<Uuid>& run_ids, std::string_view field, int points) {
    Comparison c;
    c.field = std::string(field);
    for (const Uuid& id : run_ids) {
      c.series.push_back(series(id, field, points));
      c.summaries.push_back(summary(id));
    }
    align_by_epoch(c);
    return c;
  }
  // Recomputes the run's roll-ups from its raw metrics (runs recorded before
  // roll-ups existed, or after a bulk import). Flushes first. Returns the
  // number of metrics read.
  virtual std::uint64_t rebuild_rollups(const Uuid& run_id) = 0;

  // --- completeness -------------------------------------------------------

  // Compares the run's completeness ledger (the steps store_metric
  // acknowledged, persisted by every writer at each flush and at close) with
  // the rows the backend holds: counts, missing step ranges, duplicates
  // (RunVerification). Reads the run's rows once, page by page (memory
  // grows with the gaps between steps, not with the rows). Does not flush:
  // call flush_metrics() first to include this process's recent metrics.
  // Unknown run (neither a run row, nor ledger, nor metrics) → NotFound.
  virtual RunVerification verify_run(const Uuid& run_id) = 0;

  // --- state --------------------------------------------------------------

  virtual WriterCounters counters() const = 0;
  // The backend's request latency since the previous call (the first call:
  // since the store opened): each call starts a new phase, so one consumer
  // at a time (a benchmark, a monitor). nullopt on SQLite, which has no
  // requests.
  virtual std::optional<RequestLatency> request_latency() = 0;
  // "sqlite:<path>" or "cassandra:<keyspace>@<contact points>".
  virtual std::string describe() const = 0;
  // Flushes (as flush_metrics with the default timeout; what cannot be sent
  // stays in the spool for the next process), stops the flush thread and
  // releases the backend. Idempotent. Throws FlushError if metrics could
  // not be sent (they are in the spool then). Every other method but
  // describe() and counters() throws ClosedError afterwards. Safe while other
  // threads still use the store: their calls (a query, a cursor's next page)
  // finish or fail with ClosedError, never touch freed memory.
  virtual void close() = 0;
};

// Opens the backend the config names: Cassandra when cassandra.enabled
// (creates keyspace and tables if missing, see docs/schema.md), otherwise the
// embedded SQLite database at embedded.path (created if missing). Replays
// metrics a previous process left in the spool. Throws Unavailable,
// SchemaError, BackendError or SpoolError with context.
std::unique_ptr<MetricsStore> open_store(const Config& config);

// The backends this build of the library can open, one line each with the
// version of what it runs on, e.g. "embedded (SQLite 3.46.1)".
std::vector<std::string> built_backends();

}  // namespace canopy
