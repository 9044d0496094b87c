// MetricSink: where the writer sends batches of metrics — a backend
// (Cassandra, SQLite) or, in unit tests, an in-memory sink.
#pragma once

#include <span>
#include <string>

#include "store/ledger.h"
#include "store/metric_record.h"

namespace canopy::store {

// Outcome of one write_metrics call. Not ok: nothing of the batch may be
// assumed stored; the writer keeps the batch and sends it again (writes are
// idempotent upserts keyed by (run_id, timestamp, step)). `fatal` marks
// errors that retrying cannot fix (invalid query, schema mismatch): still
// retried, but flush_metrics reports them at once.
struct SinkResult {
  bool ok = true;
  bool fatal = false;
  std::string error;

  static SinkResult success() { return {}; }
  static SinkResult retryable(std::string why) { return {false, false, std::move(why)}; }
  static SinkResult failure(std::string why) { return {false, true, std::move(why)}; }
};

class MetricSink {
 public:
  virtual ~MetricSink() = default;
  // Stores every metric of `batch` (any mix of runs, in store order) or
  // reports why not. Called from the writer's flush thread only.
  virtual SinkResult write_metrics(std::span<const MetricRecord> batch) = 0;
  // Upserts completeness-ledger entries (ledger.h): a row replaces the
  // stored one, or, with row.merge, is merged into it (max, union). Called
  // from the flush thread before the metrics the rows cover are sent. A
  // sink without a ledger (unit tests' sinks) accepts and forgets them.
  virtual SinkResult write_ledger(std::span<const LedgerRow> /*rows*/) { return SinkResult::success(); }
  // For error messages: "sqlite:/path" or "cassandra:ks@hosts".
  virtual std::string describe() const = 0;
};

}  // namespace canopy::store
