#include "store/rollup_sink.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <vector>

#include "canopy/errors.h"
#include "store/log.h"

namespace canopy::store {
namespace {

constexpr int kPage = 5000;
constexpr std::size_t kRebuildChunk = 400;  // roll-up rows per write during a rebuild
constexpr std::chrono::milliseconds kOpenWriteInterval{250};

std::int64_t ts_of(const Metric& m) { return m.timestamp->time_since_epoch().count(); }

// Calls visit(metric) for every metric of the run, newest first.
template <typename F>
void scan_newest_first(StoreBackend& backend, const Uuid& run, F&& visit) {
  std::optional<MetricKey> before;
  for (;;) {
    std::vector<Metric> page = backend.read_metrics(run, std::nullopt, std::nullopt, before, kPage);
    for (const Metric& m : page) visit(m);
    if (static_cast<int>(page.size()) < kPage) return;
    before = MetricKey{*page.back().timestamp, *page.back().step};
  }
}

}  // namespace

template <typename Emit>
void RollupSink::append(RunState& st, const Metric& m, Emit&& emit) {
  st.acc[0].add(m);
  ++st.rows;
  st.last_ts = ts_of(m);
  st.last_step = *m.step;
  if (st.rows % kRollupLevels[0] != 0) return;  // 15 metrics in 16: no bucket completes
  for (int li = 0; li < kLevels; ++li) {
    const auto level = static_cast<std::uint64_t>(kRollupLevels[li]);
    if (st.rows % level != 0) break;
    // Level li's bucket is complete; it lives in acc[li] ⊕ ... ⊕ acc[0],
    // and every finer accumulator is empty at its boundary but acc[li].
    emit(li, (st.rows - 1) / level, st.acc[li]);
    if (li + 1 < kLevels) st.acc[li + 1].merge_later(st.acc[li]);
    st.acc[li].clear();
  }
}

template <typename Emit>
void RollupSink::emit_open(const RunState& st, Emit&& emit) {
  BucketAgg open;
  for (int li = 0; li < kLevels; ++li) {
    BucketAgg b = st.acc[li];
    b.merge_later(open);  // finer, later metrics
    open = b;
    if (open.rows > 0) emit(li, st.rows / static_cast<std::uint64_t>(kRollupLevels[li]), open);
  }
}

// One run's part of a batch: a copy of its state, committed only when the
// backend took the batch.
struct RollupSink::Staged {
  Uuid run;
  RunState st;
  std::uint64_t rows_before = 0;
  // Chunk backends: the buckets the batch completed, per level, ascending.
  std::vector<std::pair<std::int64_t, BucketAgg>> completed[kLevels];
};

namespace {

RollupRow bucket_row(const Uuid& run, int li, std::int64_t bucket, const BucketAgg& b) {
  return {run, kRollupLevels[li], bucket, encode_bucket(b)};
}

// One chunk row per field of the complete chunk `chunk` of level index li.
void push_chunk_rows(const Uuid& run, int li, std::int64_t chunk, std::span<const BucketAgg* const> buckets,
                     std::vector<RollupRow>& out) {
  for (int f = 0; f < kSeriesFieldCount; ++f)
    out.push_back({run, kRollupLevels[li], chunk, encode_chunk(f, buckets), f});
}

}  // namespace

void RollupSink::stage_chunks(Staged& s, bool open_due, std::vector<RollupRow>& rows) {
  static const ChunkState kNone;
  auto it = chunks_.find(s.run);
  const ChunkState& cs = it == chunks_.end() ? kNone : it->second;
  for (int li = 0; li < kLevels; ++li) {
    const auto level = static_cast<std::uint64_t>(kRollupLevels[li]);
    const std::vector<BucketAgg>& committed = cs.done[li];
    // The open chunk holds the complete buckets since the chunk's start;
    // anything else is a gap (state dropped without a rebuild).
    if (committed.size() != (s.rows_before / level) % kChunkBuckets) {
      s.st.dirty = true;
      return;
    }
    std::array<const BucketAgg*, kChunkBuckets> parts;
    std::size_t n = 0;
    for (const BucketAgg& b : committed) parts[n++] = &b;
    for (const auto& [index, agg] : s.completed[li]) {
      parts[n++] = &agg;
      if (n == parts.size()) {
        push_chunk_rows(s.run, li, index / kChunkBuckets, parts, rows);
        n = 0;
      }
    }
    if (li == 0 && open_due) {
      // parts[0, n) are the open chunk's complete buckets.
      const auto complete = static_cast<std::int64_t>(s.st.rows / level);
      for (std::size_t k = 0; k < n; ++k) {
        const std::int64_t index = complete - static_cast<std::int64_t>(n - k);
        if (index >= s.st.written_fine) rows.push_back(bucket_row(s.run, 0, index, *parts[k]));
      }
      s.st.written_fine = complete;
    }
  }
}

void RollupSink::commit_chunks(Staged& s) {
  ChunkState& cs = chunks_[s.run];
  for (int li = 0; li < kLevels; ++li) {
    const auto& fresh = s.completed[li];
    std::vector<BucketAgg>& done = cs.done[li];
    // Only the buckets after the last one that ended a chunk stay.
    std::size_t from = fresh.size();
    while (from > 0 && fresh[from - 1].first % kChunkBuckets != kChunkBuckets - 1) --from;
    if (from > 0) done.clear();
    for (std::size_t k = from; k < fresh.size(); ++k) done.push_back(fresh[k].second);
  }
}

void RollupSink::emit_unwritten_fine(const Uuid& run, RunState& st, std::vector<RollupRow>& rows) {
  auto it = chunks_.find(run);
  if (it == chunks_.end()) return;
  const std::vector<BucketAgg>& done = it->second.done[0];
  const auto complete = static_cast<std::int64_t>(st.rows / static_cast<std::uint64_t>(kRollupLevels[0]));
  if (done.size() != static_cast<std::size_t>(complete % kChunkBuckets)) {
    st.dirty = true;  // a gap: the next batch rebuilds the run
    return;
  }
  for (std::size_t k = 0; k < done.size(); ++k) {
    const std::int64_t index = complete - static_cast<std::int64_t>(done.size() - k);
    if (index >= st.written_fine) rows.push_back(bucket_row(run, 0, index, done[k]));
  }
}

SinkResult RollupSink::write_metrics(std::span<const MetricRecord> batch) {
  std::lock_guard lk(mu_);
  // This batch's copy of the state of each run in it. A batch holds few
  // runs: a linear search beats hashing every metric's run id.
  std::vector<Staged> staged;
  staged.reserve(std::min<std::size_t>(batch.size(), 64));
  std::unordered_map<Uuid, std::size_t> staged_index;  // used once a batch holds many runs
  constexpr std::size_t kLinear = 16;
  auto stage = [&](const Uuid& run) -> std::size_t {
    if (staged.size() <= kLinear) {
      for (std::size_t i = 0; i < staged.size(); ++i)
        if (staged[i].run == run) return i;
    } else if (auto it = staged_index.find(run); it != staged_index.end()) {
      return it->second;
    }
    auto known = runs_.find(run);
    bool dirty = false;
    if (known == runs_.end()) {
      // First seen: if the backend already holds metrics or roll-ups of the
      // run, incremental state would miss them → rebuild after this batch
      // (which keeps roll-ups whose raw metrics expired).
      dirty = !backend_.read_rollups(run, kCoarsestLevel, 0, 0).empty() ||
              !backend_.read_metrics(run, std::nullopt, std::nullopt, std::nullopt, 1).empty();
    }
    Staged& s = staged.emplace_back();
    s.run = run;
    if (known != runs_.end()) s.st = known->second;
    s.st.dirty = s.st.dirty || dirty;
    s.rows_before = s.st.rows;
    if (staged.size() == kLinear + 1) {
      for (std::size_t i = 0; i < staged.size(); ++i) staged_index.emplace(staged[i].run, i);
    } else if (staged.size() > kLinear + 1) {
      staged_index.emplace(run, staged.size() - 1);
    }
    return staged.size() - 1;
  };
  // Runs seen recently, by a hash of their id: a batch that alternates
  // between runs finds each with one comparison, not a search.
  std::array<std::uint32_t, 256> recent{};  // staged index + 1; 0: none
  auto find = [&](const Uuid& run) -> std::size_t {
    std::uint32_t& slot = recent[std::hash<Uuid>{}(run) * 0x9E3779B97F4A7C15ull >> 56];
    if (slot == 0 || staged[slot - 1].run != run) slot = static_cast<std::uint32_t>(stage(run) + 1);
    return slot - 1;
  };
  std::vector<RollupRow> rows;
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t cur = kNone;
  for (const MetricRecord& r : batch) {
    if (cur == kNone || staged[cur].run != r.run_id) {
      try {
        cur = find(r.run_id);
      } catch (const Error& e) {
        return SinkResult::retryable(std::string("checking for earlier metrics of run ") + r.run_id.str() + ": " +
                                     e.what());
      }
    }
    Staged& s = staged[cur];
    RunState& st = s.st;
    if (st.dirty || st.frozen) continue;
    const std::int64_t ts = ts_of(r.metric);
    const std::int32_t step = *r.metric.step;
    if (st.rows > 0 && (ts < st.last_ts || (ts == st.last_ts && step <= st.last_step))) {
      st.dirty = true;  // out of order or stored again
      continue;
    }
    append(st, r.metric, [&](int li, std::uint64_t bucket, const BucketAgg& b) {
      const auto index = static_cast<std::int64_t>(bucket);
      // With chunks, the finest level's complete buckets go into chunk rows.
      if (!chunks_enabled_ || li > 0) rows.push_back(bucket_row(s.run, li, index, b));
      if (chunks_enabled_) s.completed[li].emplace_back(index, b);
    });
  }
  const auto now = std::chrono::steady_clock::now();
  for (Staged& s : staged) {
    RunState& st = s.st;
    if (st.dirty || st.frozen) continue;
    const bool open_due = now - st.open_written >= kOpenWriteInterval;
    if (chunks_enabled_) stage_chunks(s, open_due, rows);
    if (st.dirty) continue;  // a gap in its chunk state: rebuilt below
    if (open_due) {
      emit_open(st, [&](int li, std::uint64_t bucket, const BucketAgg& b) {
        rows.push_back(bucket_row(s.run, li, static_cast<std::int64_t>(bucket), b));
      });
      st.open_written = now;
      st.open_pending = false;
    } else {
      st.open_pending = true;
    }
  }

  SinkResult result = backend_.write_batch(batch, rows);
  if (!result.ok) return result;
  for (Staged& s : staged) {
    if (chunks_enabled_ && !s.st.dirty && !s.st.frozen) commit_chunks(s);
    runs_[s.run] = s.st;
  }
  for (const Staged& s : staged) {
    RunState& st = runs_[s.run];
    if (!st.dirty || st.frozen) continue;
    try {
      rebuild_locked(s.run, st);
    } catch (const Error& e) {
      // The metrics are stored; the roll-ups are retried with the next batch.
      logger().warn("rebuilding roll-ups of run {} failed (retried later): {}", s.run.str(), e.what());
    }
  }
  return result;
}

void RollupSink::write_open_buckets() {
  std::lock_guard lk(mu_);
  std::vector<RollupRow> rows;
  std::vector<RunState*> written;
  for (auto& [run, st] : runs_) {
    if (!st.open_pending || st.dirty || st.frozen) continue;
    const Uuid& id = run;
    if (chunks_enabled_) emit_unwritten_fine(id, st, rows);
    emit_open(st, [&](int li, std::uint64_t bucket, const BucketAgg& b) {
      rows.push_back(bucket_row(id, li, static_cast<std::int64_t>(bucket), b));
    });
    written.push_back(&st);
  }
  if (rows.empty()) return;
  SinkResult r = backend_.write_batch({}, rows);
  if (!r.ok) throw BackendError("writing open roll-up buckets: " + r.error);
  const auto now = std::chrono::steady_clock::now();
  for (RunState* st : written) {
    st->open_pending = false;
    st->open_written = now;
    st->written_fine = static_cast<std::int64_t>(st->rows / static_cast<std::uint64_t>(kRollupLevels[0]));
  }
}

void RollupSink::release_run(const Uuid& run_id) {
  std::lock_guard lk(mu_);
  auto it = runs_.find(run_id);
  // Open buckets not written yet (their write failed) keep the state, so
  // the next write_open_buckets still has them.
  if (it != runs_.end() && it->second.open_pending) return;
  if (it != runs_.end()) runs_.erase(it);
  chunks_.erase(run_id);
}

void RollupSink::forget_run(const Uuid& run_id) {
  std::lock_guard lk(mu_);
  runs_.erase(run_id);
  chunks_.erase(run_id);
}

std::size_t RollupSink::tracked_runs() {
  std::lock_guard lk(mu_);
  return runs_.size() + chunks_.size();
}

std::uint64_t RollupSink::rebuild(const Uuid& run_id) {
  std::lock_guard lk(mu_);
  RunState& st = runs_[run_id];
  st.frozen = false;
  return rebuild_locked(run_id, st);
}

std::uint64_t RollupSink::rebuild_locked(const Uuid& run_id, RunState& st) {
  std::uint64_t count = 0;
  scan_newest_first(backend_, run_id, [&](const Metric&) { ++count; });

  // Raw rows expired under roll-ups that cover more: keep the roll-ups.
  std::uint64_t covered = 0;
  for (const RollupRow& r : backend_.read_rollups(run_id, kCoarsestLevel, 0, INT64_MAX)) {
    BucketAgg b;
    if (decode_bucket({reinterpret_cast<const std::uint8_t*>(r.data.data()), r.data.size()}, b)) covered += b.rows;
  }
  if (covered > count) {
    logger().warn("run {} has roll-ups over {} metrics but only {} raw metrics left (expired); "
                 "keeping its roll-ups as they are",
                 run_id.str(), covered, count);
    st.frozen = true;
    st.dirty = false;
    return count;
  }

  // Chunk state kept before the rebuild may be stale.
  chunks_.erase(run_id);
  ChunkState fresh_chunks;
  std::vector<BucketAgg> chunk_buf[kLevels];  // a complete chunk's buckets, newest first

  // Every bucket, newest first, written in groups of rows.
  std::vector<RollupRow> chunk;
  auto flush = [&] {
    if (chunk.empty()) return;
    SinkResult r = backend_.write_batch({}, chunk);
    if (!r.ok) throw BackendError("writing rebuilt roll-ups of run " + run_id.str() + ": " + r.error);
    chunk.clear();
  };
  BucketAgg cur[kLevels];
  std::int64_t cur_index[kLevels];
  for (int li = 0; li < kLevels; ++li) cur_index[li] = -1;
  auto close_bucket = [&](int li) {
    if (cur[li].rows == 0) return;
    chunk.push_back({run_id, kRollupLevels[li], cur_index[li], encode_bucket(cur[li])});
    if (chunks_enabled_) {
      // Buckets complete before the open chunk go into chunk rows; the
      // complete buckets of the open chunk into the state kept for it.
      const auto complete = static_cast<std::int64_t>(count / static_cast<std::uint64_t>(kRollupLevels[li]));
      const std::int64_t open_chunk_start = complete / kChunkBuckets * kChunkBuckets;
      const std::int64_t index = cur_index[li];
      if (index < open_chunk_start) {
        chunk_buf[li].push_back(cur[li]);
        if (index % kChunkBuckets == 0) {
          if (chunk_buf[li].size() == static_cast<std::size_t>(kChunkBuckets)) {
            std::array<const BucketAgg*, kChunkBuckets> parts;
            for (std::size_t k = 0; k < parts.size(); ++k) parts[k] = &chunk_buf[li][parts.size() - 1 - k];
            push_chunk_rows(run_id, li, index / kChunkBuckets, parts, chunk);
          }
          chunk_buf[li].clear();
        }
      } else if (index < complete) {
        fresh_chunks.done[li].push_back(cur[li]);
      }
    }
    cur[li] = BucketAgg{};
    if (chunk.size() >= kRebuildChunk) flush();
  };
  std::uint64_t ordinal = count;
  // The metrics of the open coarsest bucket, kept to rebuild the in-memory
  // state by appending them again (oldest first).
  const std::uint64_t tail = count % static_cast<std::uint64_t>(kCoarsestLevel);
  std::vector<Metric> tail_metrics;
  scan_newest_first(backend_, run_id, [&](const Metric& m) {
    if (ordinal == 0) return;  // more rows than counted: another process writes this run
    --ordinal;
    if (tail_metrics.size() < tail) tail_metrics.push_back(m);
    for (int li = 0; li < kLevels; ++li) {
      const auto index = static_cast<std::int64_t>(ordinal / static_cast<std::uint64_t>(kRollupLevels[li]));
      if (index != cur_index[li]) {
        close_bucket(li);
        cur_index[li] = index;
      }
      cur[li].add_earlier(m);
    }
  });
  for (int li = 0; li < kLevels; ++li) close_bucket(li);
  flush();
  if (chunks_enabled_) {
    for (auto& done : fresh_chunks.done) std::reverse(done.begin(), done.end());
    chunks_[run_id] = std::move(fresh_chunks);
  }

  RunState fresh;
  fresh.rows = count - tail_metrics.size();
  fresh.written_fine = static_cast<std::int64_t>(count / static_cast<std::uint64_t>(kRollupLevels[0]));
  const auto ignore = [](int, std::uint64_t, const BucketAgg&) {};
  for (auto it = tail_metrics.rbegin(); it != tail_metrics.rend(); ++it) append(fresh, *it, ignore);
  if (tail_metrics.empty() && count > 0) {
    // The run ends on a coarsest-bucket boundary: only the newest key is needed.
    std::vector<Metric> newest = backend_.read_metrics(run_id, std::nullopt, std::nullopt, std::nullopt, 1);
    if (!newest.empty()) {
      fresh.last_ts = ts_of(newest[0]);
      fresh.last_step = *newest[0].step;
    }
  }
  st = fresh;
  return count;
}

}  // namespace canopy::store
