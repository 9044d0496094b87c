#include "store/rollup_sink.h"

#include <spdlog/spdlog.h>

#include <optional>
#include <vector>

#include "canopy/errors.h"

namespace canopy::store {
namespace {

constexpr int kPage = 5000;
constexpr std::size_t kRebuildChunk = 400;  // roll-up rows per write during a rebuild

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

SinkResult RollupSink::write_metrics(std::span<const MetricRecord> batch) {
  std::lock_guard lk(mu_);
  // Runs seen for the first time: if the backend already holds metrics or
  // roll-ups of theirs, incremental state would miss them → rebuild after
  // this batch (which keeps roll-ups whose raw metrics expired).
  for (const MetricRecord& r : batch) {
    if (runs_.count(r.run_id)) continue;
    RunState st;
    try {
      st.dirty = !backend_.read_rollups(r.run_id, kCoarsestLevel, 0, 0).empty() ||
                 !backend_.read_metrics(r.run_id, std::nullopt, std::nullopt, std::nullopt, 1).empty();
    } catch (const Error& e) {
      return SinkResult::retryable(std::string("checking for earlier metrics of run ") + r.run_id.str() + ": " +
                                   e.what());
    }
    runs_.emplace(r.run_id, st);
  }

  struct Staged {
    RunState state;
    bool touched[kLevels] = {};
  };
  std::unordered_map<Uuid, Staged> staged;
  std::vector<RollupRow> rows;
  auto emit = [&](const Uuid& run, int level_index, std::uint64_t ordinal, const BucketAgg& b) {
    const std::int32_t level = kRollupLevels[level_index];
    rows.push_back({run, level, static_cast<std::int64_t>(ordinal / static_cast<std::uint64_t>(level)),
                    encode_bucket(b)});
  };
  for (const MetricRecord& r : batch) {
    auto [it, fresh] = staged.try_emplace(r.run_id);
    if (fresh) it->second.state = runs_.at(r.run_id);
    Staged& sg = it->second;
    RunState& st = sg.state;
    if (st.dirty || st.frozen) continue;
    const std::int64_t ts = ts_of(r.metric);
    const std::int32_t step = *r.metric.step;
    if (st.rows > 0 && (ts < st.last_ts || (ts == st.last_ts && step <= st.last_step))) {
      st.dirty = true;  // out of order or stored again
      continue;
    }
    for (int li = 0; li < kLevels; ++li) {
      const auto level = static_cast<std::uint64_t>(kRollupLevels[li]);
      if (st.rows % level == 0) {
        // A new bucket starts; the previous one is complete.
        if (sg.touched[li]) emit(r.run_id, li, st.rows - 1, st.open[li]);
        st.open[li] = BucketAgg{};
      }
      st.open[li].add(r.metric);
      sg.touched[li] = true;
    }
    ++st.rows;
    st.last_ts = ts;
    st.last_step = step;
  }
  for (auto& [run, sg] : staged) {
    if (sg.state.dirty || sg.state.frozen) continue;
    for (int li = 0; li < kLevels; ++li)
      if (sg.touched[li]) emit(run, li, sg.state.rows - 1, sg.state.open[li]);
  }

  SinkResult result = backend_.write_batch(batch, rows);
  if (!result.ok) return result;
  for (auto& [run, sg] : staged) runs_[run] = sg.state;
  for (auto& [run, sg] : staged) {
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

  RunState fresh;
  std::vector<RollupRow> chunk;
  auto flush = [&] {
    if (chunk.empty()) return;
    SinkResult r = backend_.write_batch({}, chunk);
    if (!r.ok) throw BackendError("writing rebuilt roll-ups of run " + run_id.str() + ": " + r.error);
    chunk.clear();
  };
  BucketAgg cur[kLevels];
  std::int64_t cur_index[kLevels];
  bool saved_open[kLevels] = {};
  for (int li = 0; li < kLevels; ++li) cur_index[li] = -1;
  auto close_bucket = [&](int li) {
    if (cur[li].rows == 0) return;
    if (!saved_open[li]) {  // the newest bucket of this level stays open
      fresh.open[li] = cur[li];
      saved_open[li] = true;
    }
    chunk.push_back({run_id, kRollupLevels[li], cur_index[li], encode_bucket(cur[li])});
    cur[li] = BucketAgg{};
    if (chunk.size() >= kRebuildChunk) flush();
  };
  std::uint64_t ordinal = count;
  std::uint64_t seen = 0;
  scan_newest_first(backend_, run_id, [&](const Metric& m) {
    if (ordinal == 0) return;  // more rows than counted: another process writes this run
    --ordinal;
    ++seen;
    if (seen == 1) {
      fresh.last_ts = ts_of(m);
      fresh.last_step = *m.step;
    }
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
  fresh.rows = count;
  st = fresh;
  return count;
}

}  // namespace canopy::store
