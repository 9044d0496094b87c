#include "store/series_reader.h"

#include <algorithm>

#include "store/m4.h"

namespace canopy::store {
namespace {

constexpr int kPage = 5000;

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Calls visit(metric) for every metric of the run in [start, end), newest first.
template <typename F>
void scan(StoreBackend& backend, const Uuid& run, std::optional<Timestamp> start, std::optional<Timestamp> end,
          F&& visit) {
  if (start && end && *end <= *start) return;
  std::optional<MetricKey> before;
  for (;;) {
    std::vector<Metric> page = backend.read_metrics(run, start, end, before, kPage);
    for (const Metric& m : page) visit(m);
    if (static_cast<int>(page.size()) < kPage) return;
    before = MetricKey{*page.back().timestamp, *page.back().step};
  }
}

// Decoded roll-up buckets of one level with first <= index <= last,
// ascending; undecodable rows are skipped. With `field` set, only the
// bucket header and that field are needed: chunk rows serve the buckets
// they cover, bucket rows the others (the open chunk; a chunk missing
// after a crash, until the run is rebuilt).
std::vector<std::pair<std::int64_t, BucketAgg>> read_buckets(StoreBackend& backend, const Uuid& run,
                                                             std::int32_t level, std::int64_t first,
                                                             std::int64_t last, int field = kAllFields) {
  std::vector<std::pair<std::int64_t, BucketAgg>> out;
  auto add_bucket_rows = [&](std::int64_t from, std::int64_t to) {
    for (const RollupRow& r : backend.read_rollups(run, level, from, to)) {
      BucketAgg b;
      if (decode_bucket(bytes(r.data), b)) out.emplace_back(r.bucket, b);
    }
  };
  std::int64_t next = first;  // first bucket not served yet
  if (field != kAllFields && backend.stores_rollup_chunks()) {
    std::vector<BucketAgg> decoded;
    for (const RollupRow& r :
         backend.read_rollup_chunks(run, level, field, first / kChunkBuckets, last / kChunkBuckets)) {
      const std::int64_t base = r.bucket * kChunkBuckets;
      if (!decode_chunk(bytes(r.data), field, decoded) || decoded.size() != static_cast<std::size_t>(kChunkBuckets))
        continue;
      if (base > next) add_bucket_rows(next, base - 1);  // a chunk missing
      for (std::int64_t i = std::max(next, base); i < base + kChunkBuckets && i <= last; ++i)
        out.emplace_back(i, decoded[static_cast<std::size_t>(i - base)]);
      next = std::max(next, base + kChunkBuckets);
    }
  }
  if (next <= last) add_bucket_rows(next, last);
  return out;
}

Series empty_series(const Uuid& run, int field) {
  Series s;
  s.run_id = run;
  s.field = kSeriesFields[field];
  return s;
}

RunSummary summary_of(const Uuid& run, const BucketAgg& total) {
  RunSummary s;
  s.run_id = run;
  s.metrics = total.rows;
  if (total.rows > 0) {
    s.first_timestamp = Timestamp(std::chrono::milliseconds(total.ts_min));
    s.last_timestamp = Timestamp(std::chrono::milliseconds(total.ts_max));
  }
  auto epoch = [](const RollupPoint& p) -> std::optional<std::int32_t> {
    if (p.epoch == kNoEpoch) return std::nullopt;
    return p.epoch;
  };
  for (int i = 0; i < kSeriesFieldCount; ++i) {
    const FieldAgg& a = total.fields[i];
    FieldSummary f;
    f.field = kSeriesFields[i];
    f.count = a.count;
    if (a.count > 0) {
      f.min = a.min.value;
      f.max = a.max.value;
      f.mean = a.sum / static_cast<double>(a.count);
      f.last = a.last.value;
      f.min_epoch = epoch(a.min);
      f.max_epoch = epoch(a.max);
      f.last_epoch = epoch(a.last);
      const std::string_view name = f.field;
      if (name.ends_with("_loss")) {
        f.best = f.min;
        f.best_epoch = f.min_epoch;
      } else if (name.ends_with("_accuracy")) {
        f.best = f.max;
        f.best_epoch = f.max_epoch;
      }
    }
    s.fields.push_back(std::move(f));
  }
  return s;
}

}  // namespace

Series read_series_raw(StoreBackend& backend, const Uuid& run, int field, int points,
                       std::optional<Timestamp> start, std::optional<Timestamp> end) {
  Series s = empty_series(run, field);
  std::vector<RollupPoint> pts;          // newest first
  std::vector<std::uint64_t> rev_index;  // row index counted from the newest
  std::uint64_t rows = 0;
  scan(backend, run, start, end, [&](const Metric& m) {
    if (auto v = field_value(m, field)) {
      pts.push_back(point_of(m, *v));
      rev_index.push_back(rows);
    }
    ++rows;
  });
  s.values = pts.size();
  if (pts.size() <= static_cast<std::size_t>(points)) {
    for (auto it = pts.rbegin(); it != pts.rend(); ++it) s.points.push_back(it->to_series_point());
    return s;
  }
  const SeriesPlan plan = plan_series(rows, points);
  M4Builder m4(0, plan.width);
  for (std::size_t i = pts.size(); i-- > 0;) {
    FieldAgg a;
    a.add(pts[i]);
    m4.add(static_cast<std::int64_t>(rows - 1 - rev_index[i]), a);
  }
  s.points = m4.finish();
  s.exact = false;
  return s;
}

Series read_series(StoreBackend& backend, const Uuid& run, int field, int points, std::optional<Timestamp> start,
                   std::optional<Timestamp> end) {
  if (start && end && *end <= *start) return empty_series(run, field);
  const auto coarse = read_buckets(backend, run, kCoarsestLevel, 0, INT64_MAX, field);
  const std::int64_t lo_ms = start ? start->time_since_epoch().count() : INT64_MIN;
  const std::int64_t hi_ms = end ? end->time_since_epoch().count() : INT64_MAX;  // exclusive
  auto overlaps = [&](const BucketAgg& b) { return b.ts_max >= lo_ms && b.ts_min < hi_ms; };
  auto inside = [&](const BucketAgg& b) { return b.ts_min >= lo_ms && b.ts_max < hi_ms; };

  std::int64_t c_lo = -1, c_hi = -1;
  std::uint64_t rows = 0, values = 0;
  for (const auto& [index, b] : coarse) {
    if (!overlaps(b)) continue;
    if (c_lo < 0) c_lo = index;
    c_hi = index;
    rows += b.rows;
    values += b.fields[field].count;
  }
  // No roll-ups (or none over the range), or few enough values to send
  // them all: read the raw metrics.
  if (c_lo < 0 || values <= static_cast<std::uint64_t>(points)) {
    return read_series_raw(backend, run, field, points, start, end);
  }
  const SeriesPlan plan = plan_series(rows, points);
  if (plan.level == 0) return read_series_raw(backend, run, field, points, start, end);

  const std::int64_t ratio = kCoarsestLevel / plan.level;
  const std::int64_t lo = c_lo * ratio, hi = (c_hi + 1) * ratio - 1;
  Series s = empty_series(run, field);
  s.exact = false;
  s.level = plan.level;
  M4Builder m4(lo * plan.level, plan.width);
  std::vector<Metric> edge;
  for (const auto& [index, b] : read_buckets(backend, run, plan.level, lo, hi, field)) {
    const std::int64_t ordinal = index * plan.level;
    if (inside(b)) {
      m4.add(ordinal, b.fields[field]);
      s.values += b.fields[field].count;
    } else if (overlaps(b)) {
      // Cut by the range: its metrics inside the range, read raw.
      edge.clear();
      scan(backend, run, Timestamp(std::chrono::milliseconds(std::max(lo_ms, b.ts_min))),
           Timestamp(std::chrono::milliseconds(std::min(hi_ms, b.ts_max + 1))),
           [&](const Metric& m) { edge.push_back(m); });
      for (auto it = edge.rbegin(); it != edge.rend(); ++it) {
        if (auto v = field_value(*it, field)) {
          FieldAgg a;
          a.add(point_of(*it, *v));
          m4.add(ordinal, a);
          ++s.values;
        }
      }
    }
  }
  if (s.values <= static_cast<std::uint64_t>(points)) return read_series_raw(backend, run, field, points, start, end);
  s.points = m4.finish();
  return s;
}

RunSummary read_summary_raw(StoreBackend& backend, const Uuid& run) {
  BucketAgg total;
  scan(backend, run, std::nullopt, std::nullopt, [&](const Metric& m) { total.add_earlier(m); });
  return summary_of(run, total);
}

RunSummary read_summary(StoreBackend& backend, const Uuid& run) {
  const auto coarse = read_buckets(backend, run, kCoarsestLevel, 0, INT64_MAX);
  if (coarse.empty()) return read_summary_raw(backend, run);
  BucketAgg total;
  for (const auto& [index, b] : coarse) total.merge_later(b);
  return summary_of(run, total);
}

}  // namespace canopy::store
