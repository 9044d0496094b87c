// RollupSink: the MetricSink the writer sends to. It passes every batch to
// the backend together with the roll-up rows (rollup.h) the batch changes,
// in the same unit of work, so roll-ups never lag behind acknowledged
// metrics.
//
// Per run it keeps, in memory, the number of metrics seen, the key of the
// newest and the open bucket of each level; a batch updates a copy of that
// state, committed only when the backend took the batch (a failed batch is
// sent again, and must not be counted twice).
//
// Incremental updates assume a run's metrics arrive in (timestamp, step)
// order from this one process. When that is not known to hold the run is
// rebuilt from its raw metrics (rebuild()) after the batch is written:
//  - the first batch of a run that already has metrics in the backend (a
//    run resumed by a new process, or metrics replayed from the spool after
//    a crash);
//  - a metric whose key is not after the run's newest (out of order, or
//    stored again).
// A rebuild reads the run twice (count, then aggregate newest first) and
// writes its buckets in chunks. If the run's roll-ups already cover more
// metrics than its raw rows (raw rows expired by ttl.metrics) it does not
// rebuild: the roll-ups are the only record left, and stay as they are.
//
// Thread safety: write_metrics (flush thread) and rebuild (any thread,
// MetricsStore::rebuild_rollups) are serialized by mu_.
#pragma once

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "store/backend.h"
#include "store/rollup.h"

namespace canopy::store {

class RollupSink final : public MetricSink {
 public:
  explicit RollupSink(StoreBackend& backend) : backend_(backend) {}

  SinkResult write_metrics(std::span<const MetricRecord> batch) override;
  std::string describe() const override { return backend_.describe(); }

  // Recomputes the run's roll-ups from its raw metrics; returns the number
  // of metrics read. Throws the backend's errors.
  std::uint64_t rebuild(const Uuid& run_id);

 private:
  static constexpr int kLevels = static_cast<int>(std::size(kRollupLevels));
  struct RunState {
    bool dirty = false;   // needs a rebuild before incremental updates go on
    bool frozen = false;  // raw rows expired: roll-ups kept as they are
    std::uint64_t rows = 0;
    std::int64_t last_ts = 0;
    std::int32_t last_step = 0;
    BucketAgg open[kLevels];
  };
  std::uint64_t rebuild_locked(const Uuid& run_id, RunState& state);

  StoreBackend& backend_;
  std::mutex mu_;
  std::unordered_map<Uuid, RunState> runs_;
};

}  // namespace canopy::store
