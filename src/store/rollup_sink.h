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
// Completed buckets are written with the batch that completes them; the
// open (partial) bucket of each level at most every kOpenWriteInterval per
// run (otherwise a batch of a few metrics would write three ~700-byte rows
// per run), and by write_open_buckets(). A crash before they are written
// loses nothing: the next process rebuilds the run (below).
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
// A backend that stores chunk rows (16 complete buckets of one level and
// one field, rollup.h) gets them with the batch that completes the chunk.
// There the finest level's complete buckets are not written one row each:
// their chunk row holds them. Only the complete buckets of the finest
// level's open chunk are written as bucket rows, with the open buckets
// (same interval), so a read sees them before their chunk completes. This
// halves the roll-up bytes per metric (docs/rollups.md). A rebuild writes
// the chunks and bucket rows of the whole run.
//
// Thread safety: write_metrics (flush thread) and rebuild (any thread,
// MetricsStore::rebuild_rollups) are serialized by mu_.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "store/backend.h"
#include "store/rollup.h"

namespace canopy::store {

class RollupSink final : public MetricSink {
 public:
  explicit RollupSink(StoreBackend& backend) : backend_(backend) {}

  SinkResult write_metrics(std::span<const MetricRecord> batch) override;
  std::string describe() const override { return backend_.describe(); }
  SinkResult write_ledger(std::span<const LedgerRow> rows) override { return backend_.write_ledger(rows); }
  // Forgets the run's in-memory state (complete_run: the open buckets were
  // written by flush_metrics). A later metric of the run recreates it, with
  // a rebuild since the backend holds the run's metrics.
  void release_run(const Uuid& run_id);
  // Drops the run's in-memory state (delete_run: nothing of the run may be
  // written after its delete).
  void forget_run(const Uuid& run_id);
  // Runs with in-memory state (tests check that complete_run releases it).
  std::size_t tracked_runs();

  // Recomputes the run's roll-ups from its raw metrics; returns the number
  // of metrics read. Throws the backend's errors.
  std::uint64_t rebuild(const Uuid& run_id);
  // Writes the open (partial) buckets that write_metrics held back. Called
  // by flush_metrics, complete_run and close, so that reads after them see
  // every acknowledged metric in the roll-ups. Throws the backend's errors.
  void write_open_buckets();

 private:
  static constexpr int kLevels = static_cast<int>(std::size(kRollupLevels));
  // The open buckets, kept cheaply: a metric is added to the finest level
  // only; a finished bucket is merged into the next level's accumulator.
  // The open bucket of level i is acc[i] ⊕ acc[i-1] ⊕ ... ⊕ acc[0].
  struct RunState {
    bool dirty = false;   // needs a rebuild before incremental updates go on
    bool frozen = false;  // raw rows expired: roll-ups kept as they are
    std::uint64_t rows = 0;
    std::int64_t last_ts = 0;
    std::int32_t last_step = 0;
    BucketAgg acc[kLevels];  // acc[0]: the open finest bucket; acc[i]: finished level-(i-1) buckets
    bool open_pending = false;  // open buckets changed since they were last written
    // Chunk backends: complete finest buckets [0, written_fine) are stored
    // (a bucket row or a chunk row); later ones are in the open chunk.
    std::int64_t written_fine = 0;
    std::chrono::steady_clock::time_point open_written{};
  };
  // Adds one metric (after every earlier one); calls
  // emit(level_index, bucket, agg) for each bucket it completes.
  template <typename Emit>
  static void append(RunState& st, const Metric& m, Emit&& emit);
  // Calls emit(level_index, bucket, agg) for the open (partial) bucket of every level.
  template <typename Emit>
  static void emit_open(const RunState& st, Emit&& emit);
  std::uint64_t rebuild_locked(const Uuid& run_id, RunState& state);
  // The complete buckets of each level's open chunk, ascending from the
  // chunk's first bucket: (rows / level) % kChunkBuckets of them.
  struct ChunkState {
    std::vector<BucketAgg> done[kLevels];
  };
  struct Staged;
  // Turns the buckets a batch completed into chunk rows (`rows`) and, at
  // the finest level, bucket rows of the open chunk when `open_due`. Marks
  // the run dirty when its chunk state has a gap.
  void stage_chunks(Staged& s, bool open_due, std::vector<RollupRow>& rows);
  // Applies a taken batch's completed buckets to chunks_.
  void commit_chunks(Staged& s);
  // Bucket rows of the finest level's open chunk not written yet.
  void emit_unwritten_fine(const Uuid& run, RunState& st, std::vector<RollupRow>& rows);

  StoreBackend& backend_;
  std::mutex mu_;
  std::unordered_map<Uuid, RunState> runs_;
  const bool chunks_enabled_ = backend_.stores_rollup_chunks();
  std::unordered_map<Uuid, ChunkState> chunks_;
};

}  // namespace canopy::store
