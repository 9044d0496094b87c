#include "store/rollup_sink.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <vector>

#include "canopy/errors.h"

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

void RollupSink::append(RunState& st, const Metric& m, const Emit& emit) {
  st.acc[0].add(m);
  ++st.rows;
  st.last_ts = ts_of(m);
  st.last_step = *m.step;
  for (int li = 0; li < kLevels; ++li) {
    const auto level = static_cast<std::uint64_t>(kRollupLevels[li]);
    if (st.rows % level != 0) break;
    // Level li's bucket is complete; it lives in acc[li] ⊕ ... ⊕ acc[0],
    // and every finer accumulator is empty at its boundary but acc[li].
    BucketAgg done = st.acc[li];
    emit(li, (st.rows - 1) / level, done);
    if (li + 1 < kLevels) st.acc[li + 1].merge_later(done);
    st.acc[li] = BucketAgg{};
  }
}

void RollupSink::emit_open(const RunState& st, const Emit& emit) {
  BucketAgg open;
  for (int li = 0; li < kLevels; ++li) {
    BucketAgg b = st.acc[li];
    b.merge_later(open);  // finer, later metrics
    open = b;
    if (open.rows > 0) emit(li, st.rows / static_cast<std::uint64_t>(kRollupLevels[li]), open);
  }
}

void RollupSink::queue_chunk(const Uuid& run, int li, std::int64_t chunk, std::span<const BucketAgg> buckets,
                             std::vector<RollupRow>& out) const {
  for (int f = 0; f < kSeriesFieldCount; ++f)
    out.push_back({run, kRollupLevels[li], chunk, encode_chunk(f, buckets), f});
}

void RollupSink::take_pending_chunks(std::vector<RollupRow>& rows) {
  std::move(pending_chunks_.begin(), pending_chunks_.end(), std::back_inserter(rows));
  pending_chunks_.clear();
}

void RollupSink::return_pending_chunks(std::vector<RollupRow>& rows, std::size_t from) {
  pending_chunks_.assign(std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(from)),
                         std::make_move_iterator(rows.end()));
}

void RollupSink::add_to_chunk(const Uuid& run, int li, std::int64_t bucket, const BucketAgg& b) {
  std::vector<BucketAgg>& done = chunks_[run].done[li];
  const auto slot = static_cast<std::size_t>(bucket % kChunkBuckets);
  if (slot == 0) done.clear();
  if (done.size() != slot) {  // a gap: this chunk is left to the bucket rows
    done.clear();
    return;
  }
  done.push_back(b);
  if (done.size() == static_cast<std::size_t>(kChunkBuckets)) {
    queue_chunk(run, li, bucket / kChunkBuckets, done, pending_chunks_);
    done.clear();
  }
}

SinkResult RollupSink::write_metrics(std::span<const MetricRecord> batch) {
  std::lock_guard lk(mu_);
  // This batch's copy of the state of each run in it. A batch holds few
  // runs: a linear search beats hashing every metric's run id.
  std::vector<std::pair<Uuid, RunState>> staged;
  std::unordered_map<Uuid, std::size_t> staged_index;  // used once a batch holds many runs
  constexpr std::size_t kLinear = 16;
  auto stage = [&](const Uuid& run) -> std::pair<Uuid, RunState>* {
    if (staged.size() <= kLinear) {
      for (auto& e : staged)
        if (e.first == run) return &e;
    } else if (auto it = staged_index.find(run); it != staged_index.end()) {
      return &staged[it->second];
    }
    auto known = runs_.find(run);
    RunState st;
    if (known != runs_.end()) {
      st = known->second;
    } else {
      // First seen: if the backend already holds metrics or roll-ups of the
      // run, incremental state would miss them → rebuild after this batch
      // (which keeps roll-ups whose raw metrics expired).
      st.dirty = !backend_.read_rollups(run, kCoarsestLevel, 0, 0).empty() ||
                 !backend_.read_metrics(run, std::nullopt, std::nullopt, std::nullopt, 1).empty();
    }
    staged.emplace_back(run, st);
    if (staged.size() == kLinear + 1) {
      for (std::size_t i = 0; i < staged.size(); ++i) staged_index.emplace(staged[i].first, i);
    } else if (staged.size() > kLinear + 1) {
      staged_index.emplace(run, staged.size() - 1);
    }
    return &staged.back();
  };
  std::vector<RollupRow> rows;
  struct Completed {
    Uuid run;  // a copy: `staged` reallocates as runs are added (a pointer into it dangled)
    int li;
    std::int64_t bucket;
    BucketAgg agg;
  };
  std::vector<Completed> completed;  // for chunks, applied once the batch is taken
  const Uuid* current = nullptr;
  const Emit emit = [&](int li, std::uint64_t bucket, const BucketAgg& b) {
    rows.push_back({*current, kRollupLevels[li], static_cast<std::int64_t>(bucket), encode_bucket(b)});
  };
  const Emit emit_complete = [&](int li, std::uint64_t bucket, const BucketAgg& b) {
    emit(li, bucket, b);
    if (chunks_enabled_) completed.push_back({*current, li, static_cast<std::int64_t>(bucket), b});
  };
  std::pair<Uuid, RunState>* last = nullptr;
  for (const MetricRecord& r : batch) {
    if (last == nullptr || last->first != r.run_id) {
      try {
        last = stage(r.run_id);
      } catch (const Error& e) {
        return SinkResult::retryable(std::string("checking for earlier metrics of run ") + r.run_id.str() + ": " +
                                     e.what());
      }
    }
    RunState& st = last->second;
    if (st.dirty || st.frozen) continue;
    const std::int64_t ts = ts_of(r.metric);
    const std::int32_t step = *r.metric.step;
    if (st.rows > 0 && (ts < st.last_ts || (ts == st.last_ts && step <= st.last_step))) {
      st.dirty = true;  // out of order or stored again
      continue;
    }
    current = &last->first;
    append(st, r.metric, emit_complete);
  }
  const auto now = std::chrono::steady_clock::now();
  for (auto& [run, st] : staged) {
    if (st.dirty || st.frozen) continue;
    if (now - st.open_written >= kOpenWriteInterval) {
      current = &run;
      emit_open(st, emit);
      st.open_written = now;
      st.open_pending = false;
    } else {
      st.open_pending = true;
    }
  }

  const std::size_t own_rows = rows.size();
  take_pending_chunks(rows);
  SinkResult result = backend_.write_batch(batch, rows);
  if (!result.ok) {
    return_pending_chunks(rows, own_rows);
    return result;
  }
  for (auto& [run, st] : staged) runs_[run] = st;
  for (const Completed& c : completed) add_to_chunk(c.run, c.li, c.bucket, c.agg);
  for (auto& [run, staged_state] : staged) {
    RunState& st = runs_[run];
    if (!st.dirty || st.frozen) continue;
    try {
      rebuild_locked(run, st);
    } catch (const Error& e) {
      // The metrics are stored; the roll-ups are retried with the next batch.
      spdlog::warn("canopy: rebuilding roll-ups of run {} failed (retried later): {}", run.str(), e.what());
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
    emit_open(st, [&](int li, std::uint64_t bucket, const BucketAgg& b) {
      rows.push_back({id, kRollupLevels[li], static_cast<std::int64_t>(bucket), encode_bucket(b)});
    });
    written.push_back(&st);
  }
  const std::size_t own_rows = rows.size();
  take_pending_chunks(rows);
  if (rows.empty()) return;
  SinkResult r = backend_.write_batch({}, rows);
  if (!r.ok) {
    return_pending_chunks(rows, own_rows);
    throw BackendError("writing open roll-up buckets: " + r.error);
  }
  const auto now = std::chrono::steady_clock::now();
  for (RunState* st : written) {
    st->open_pending = false;
    st->open_written = now;
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
  std::erase_if(pending_chunks_, [&](const RollupRow& r) { return r.run_id == run_id; });
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
    spdlog::warn("canopy: run {} has roll-ups over {} metrics but only {} raw metrics left (expired); "
                 "keeping its roll-ups as they are",
                 run_id.str(), covered, count);
    st.frozen = true;
    st.dirty = false;
    return count;
  }

  // Chunk state queued or kept before the rebuild may be stale.
  std::erase_if(pending_chunks_, [&](const RollupRow& r) { return r.run_id == run_id; });
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
            std::reverse(chunk_buf[li].begin(), chunk_buf[li].end());
            queue_chunk(run_id, li, index / kChunkBuckets, chunk_buf[li], chunk);
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
  const Emit ignore = [](int, std::uint64_t, const BucketAgg&) {};
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
