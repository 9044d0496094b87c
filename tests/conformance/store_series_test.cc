// Series, summaries, roll-ups and run listing, checked the same way against
// both backends (store_conformance.h): what the roll-ups answer must equal
// what the raw metrics say.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include "canopy/errors.h"
#include "canopy/metrics_store.h"
#include "conformance/expiry_wait.h"
#include "conformance/store_conformance.h"
#include "store/rollup.h"
#include "store/series_reader.h"
#include "store/store_impl.h"

namespace canopy::conformance {
namespace {

using namespace std::chrono_literals;

constexpr int kValAccuracy = 3;

class StoreSeries : public StoreFixture {
 protected:
  // The raw backend too: it reads what cleanup() drops.
  void close_store() override {
    StoreFixture::close_store();
    raw_.reset();
  }
  Uuid new_run(const std::string& dataset = "two_spirals", std::int64_t start_ms = kT0,
               const std::string& status = "") {
    NewRun r;
    r.dataset_name = dataset;
    r.start_time = ts(start_ms);
    Uuid id = store_->create_run(r);
    if (!status.empty()) store_->complete_run(id, {}, status);
    return id;
  }
  // A random walk with one spike and one dip, one metric per ms.
  void fill(const Uuid& run, int n, std::int64_t t0 = kT0, int epoch0 = 0, unsigned seed = 7) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> step(0, 0.01);
    double v = 0.5;
    for (int i = 0; i < n; ++i) {
      v += step(rng);
      Metric m;
      m.timestamp = ts(t0 + i);
      m.epoch = epoch0 + i;
      m.val_accuracy = (i == n / 3) ? 9.0 : (i == 2 * n / 3) ? -9.0 : v;
      m.train_loss = 1.0 / (i + 1);
      if (i % 7 == 0) m.val_loss = std::nan("");  // NaN is no value
      store_->store_metric(run, m);
    }
    store_->flush_metrics();
  }
  // The same answers computed from the raw metrics only.
  store::StoreBackend& raw() {
    if (!raw_) raw_ = store::open_backend(config_);
    return *raw_;
  }
  static void expect_same_summary(const RunSummary& a, const RunSummary& b) {
    EXPECT_EQ(a.metrics, b.metrics);
    EXPECT_EQ(a.first_timestamp, b.first_timestamp);
    EXPECT_EQ(a.last_timestamp, b.last_timestamp);
    ASSERT_EQ(a.fields.size(), b.fields.size());
    for (std::size_t i = 0; i < a.fields.size(); ++i) {
      const FieldSummary &x = a.fields[i], &y = b.fields[i];
      SCOPED_TRACE(x.field);
      EXPECT_EQ(x.count, y.count);
      EXPECT_EQ(x.min, y.min);
      EXPECT_EQ(x.max, y.max);
      EXPECT_EQ(x.last, y.last);
      EXPECT_EQ(x.min_epoch, y.min_epoch);
      EXPECT_EQ(x.max_epoch, y.max_epoch);
      EXPECT_EQ(x.best_epoch, y.best_epoch);
      ASSERT_EQ(x.mean.has_value(), y.mean.has_value());
      if (x.mean) {
        EXPECT_NEAR(*x.mean, *y.mean, 1e-9 * std::max(1.0, std::abs(*y.mean)));
      }
    }
  }

  std::unique_ptr<store::StoreBackend> raw_;
};

TEST_F(StoreSeries, EveryValueWhenTheChartIsWideEnough) {
  Uuid id = new_run();
  fill(id, 500);
  Series s = store_->series(id, "val_accuracy", 500);
  EXPECT_TRUE(s.exact);
  EXPECT_EQ(s.values, 500u);
  ASSERT_EQ(s.points.size(), 500u);
  std::vector<Metric> raw = store_->query_metrics(id, std::nullopt, std::nullopt, 1000);
  std::reverse(raw.begin(), raw.end());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    EXPECT_EQ(s.points[i].value, *raw[i].val_accuracy);
    EXPECT_EQ(s.points[i].timestamp, *raw[i].timestamp);
    EXPECT_EQ(s.points[i].epoch, raw[i].epoch);
  }
  // NaN values are left out.
  EXPECT_EQ(store_->series(id, "val_loss", 1000).values, 0u);
  EXPECT_EQ(store_->series(id, "train_loss", 1000).values, 500u);
}

TEST_F(StoreSeries, RollupSeriesEqualsTheRawComputationAndKeepsSpikes) {
  Uuid id = new_run();
  fill(id, 20'000);
  for (int points : {10, 100, 640, 1000, 5000}) {
    SCOPED_TRACE(points);
    Series s = store_->series(id, "val_accuracy", points);
    Series r = store::read_series_raw(raw(), id, kValAccuracy, points, std::nullopt, std::nullopt);
    EXPECT_FALSE(s.exact);
    if (points * 16 <= 20'000) {
      EXPECT_GT(s.level, 0) << "read from roll-ups";
    }
    EXPECT_EQ(s.values, 20'000u);
    EXPECT_LE(s.points.size(), 4u * static_cast<std::size_t>(points));
    EXPECT_EQ(s.points, r.points);
    auto has = [&](double v) {
      return std::any_of(s.points.begin(), s.points.end(), [&](const SeriesPoint& p) { return p.value == v; });
    };
    EXPECT_TRUE(has(9.0)) << "the spike survives";
    EXPECT_TRUE(has(-9.0)) << "the dip survives";
    for (std::size_t i = 1; i < s.points.size(); ++i) EXPECT_LT(s.points[i - 1].step, s.points[i].step);
  }
  EXPECT_THROW(store_->series(id, "val_acc", 10), InvalidArgument);
  EXPECT_THROW(store_->series(id, "val_accuracy", 0), InvalidArgument);
  EXPECT_TRUE(store_->series(Uuid::random(), "val_accuracy", 10).points.empty());
}

TEST_F(StoreSeries, ARangeCutThroughBucketsHoldsExactlyItsValues) {
  Uuid id = new_run();
  fill(id, 20'000);
  const std::int64_t from = kT0 + 3'001, to = kT0 + 17'003;  // cuts through roll-up buckets
  Series s = store_->series(id, "val_accuracy", 300, ts(from), ts(to));
  EXPECT_EQ(s.values, static_cast<std::uint64_t>(to - from));
  double lo = 1e9, hi = -1e9;
  store_->scan_metrics(id, ts(from), ts(to), [&](const Metric& m) {
    lo = std::min(lo, *m.val_accuracy);
    hi = std::max(hi, *m.val_accuracy);
    return true;
  });
  double slo = 1e9, shi = -1e9;
  for (const SeriesPoint& p : s.points) {
    EXPECT_GE(p.timestamp, ts(from));
    EXPECT_LT(p.timestamp, ts(to));
    slo = std::min(slo, p.value);
    shi = std::max(shi, p.value);
  }
  EXPECT_EQ(slo, lo);
  EXPECT_EQ(shi, hi);
  // A narrow range is answered exactly.
  Series narrow = store_->series(id, "val_accuracy", 1000, ts(kT0 + 100), ts(kT0 + 600));
  EXPECT_TRUE(narrow.exact);
  EXPECT_EQ(narrow.points.size(), 500u);
}

TEST_F(StoreSeries, SummaryEqualsAggregatesOfTheRawMetrics) {
  Uuid id = new_run();
  fill(id, 10'000);
  RunSummary s = store_->summary(id);
  expect_same_summary(s, store::read_summary_raw(raw(), id));
  EXPECT_EQ(s.metrics, 10'000u);
  const FieldSummary& acc = s.fields[kValAccuracy];
  EXPECT_EQ(acc.max, 9.0);
  EXPECT_EQ(acc.best, 9.0);
  EXPECT_EQ(acc.best_epoch, 10'000 / 3);
  const FieldSummary& loss = s.fields[0];
  EXPECT_EQ(loss.best, loss.min);
  EXPECT_EQ(loss.last, 1.0 / 10'000);
  EXPECT_EQ(s.fields[4].count, 0u);  // learning_rate never recorded
  EXPECT_FALSE(s.fields[4].mean);
  EXPECT_EQ(store_->summary(Uuid::random()).metrics, 0u);
}

TEST_F(StoreSeries, ResumedRunAndOutOfOrderMetricsRebuildTheRollups) {
  Uuid id = new_run();
  fill(id, 5'000);
  store_->close();
  store_ = open_store(config_);  // a new process resumes the run
  fill(id, 5'000, kT0 + 5'000, 5'000, 8);
  expect_same_summary(store_->summary(id), store::read_summary_raw(raw(), id));
  EXPECT_EQ(store_->summary(id).metrics, 10'000u);
  // Older metrics arrive late, and one is stored again with a new value.
  fill(id, 300, kT0 - 1'000, -1'000, 9);
  Metric again;
  again.timestamp = ts(kT0 + 42);
  again.step = 42;  // the step the writer gave it (one per metric, from 0)
  again.val_accuracy = 100.0;
  store_->store_metric(id, again);
  store_->flush_metrics();
  RunSummary s = store_->summary(id);
  expect_same_summary(s, store::read_summary_raw(raw(), id));
  EXPECT_EQ(s.metrics, 10'300u);
  EXPECT_EQ(store_->series(id, "val_accuracy", 100).points,
            store::read_series_raw(raw(), id, kValAccuracy, 100, std::nullopt, std::nullopt).points);
}

TEST_F(StoreSeries, RollupsStayRightWhenMetricsGoThroughTheSpool) {
  store_->close();
  config_.writer.buffer_capacity = 64;  // overflow: most metrics go through the spool
  config_.cassandra.batch_size = 32;    // at most buffer_capacity (validate_config)
  config_.writer.overflow = OverflowPolicy::kSpool;
  store_ = open_store(config_);
  Uuid id = new_run();
  fill(id, 8'000);
  EXPECT_GT(store_->counters().replayed, 0u);
  expect_same_summary(store_->summary(id), store::read_summary_raw(raw(), id));
  EXPECT_EQ(store_->summary(id).metrics, 8'000u);
}

TEST_F(StoreSeries, ManyRunsInterleavedInOneBatchEachGetTheirOwnRollups) {
  std::vector<Uuid> runs;
  for (int r = 0; r < 40; ++r) runs.push_back(new_run());
  for (int i = 0; i < 300; ++i) {
    for (int r = 0; r < 40; ++r) {
      Metric m;
      m.timestamp = ts(kT0 + i);
      m.epoch = i;
      m.val_accuracy = r + i / 1000.0;
      store_->store_metric(runs[static_cast<std::size_t>(r)], m);
    }
  }
  store_->flush_metrics();
  for (int r = 0; r < 40; ++r) {
    const Uuid& id = runs[static_cast<std::size_t>(r)];
    RunSummary s = store_->summary(id);
    expect_same_summary(s, store::read_summary_raw(raw(), id));
    EXPECT_EQ(s.metrics, 300u);
    EXPECT_EQ(s.fields[kValAccuracy].min, r + 0.0);
  }
}

// Chunk rows (Cassandra) must hold exactly the aggregates of the raw
// metrics for every complete chunk, written incrementally and after a
// rebuild, or a series read from them would silently differ. The finest
// level's complete buckets live in chunk rows only, but for the open chunk.
TEST_F(StoreSeries, ChunkRowsHoldTheRawAggregatesOfEveryCompleteChunk) {
  Uuid id = new_run();
  auto check = [&](std::uint64_t metrics) {
    store_->flush_metrics();
    std::vector<Metric> oldest_first;
    store_->scan_metrics(id, std::nullopt, std::nullopt, [&](const Metric& m) {
      oldest_first.push_back(m);
      return true;
    });
    std::reverse(oldest_first.begin(), oldest_first.end());
    ASSERT_EQ(oldest_first.size(), metrics);
    for (std::int32_t level : store::kRollupLevels) {
      const auto bucket_rows = raw().read_rollups(id, level, 0, INT64_MAX);
      const std::uint64_t complete = metrics / static_cast<std::uint64_t>(level);
      const std::uint64_t complete_chunks = complete / store::kChunkBuckets;
      for (int field : {0, kValAccuracy}) {
        SCOPED_TRACE(testing::Message() << "level " << level << " field " << field << " at " << metrics);
        const auto chunks = raw().read_rollup_chunks(id, level, field, 0, INT64_MAX);
        if (!raw().stores_rollup_chunks()) {
          EXPECT_TRUE(chunks.empty());
          EXPECT_EQ(bucket_rows.size(), complete + (metrics % static_cast<std::uint64_t>(level) != 0));
          continue;
        }
        ASSERT_EQ(chunks.size(), complete_chunks);
        for (const store::RollupRow& c : chunks) {
          std::vector<store::BucketAgg> decoded;
          ASSERT_TRUE(store::decode_chunk(
              {reinterpret_cast<const std::uint8_t*>(c.data.data()), c.data.size()}, field, decoded));
          ASSERT_EQ(decoded.size(), static_cast<std::size_t>(store::kChunkBuckets));
          for (int i = 0; i < store::kChunkBuckets; ++i) {
            const std::int64_t bucket = c.bucket * store::kChunkBuckets + i;
            store::BucketAgg b;  // from the raw metrics
            for (std::int64_t k = bucket * level; k < (bucket + 1) * level; ++k)
              b.add(oldest_first[static_cast<std::size_t>(k)]);
            const store::BucketAgg& d = decoded[static_cast<std::size_t>(i)];
            EXPECT_EQ(d.rows, b.rows);
            EXPECT_EQ(d.ts_min, b.ts_min);
            EXPECT_EQ(d.ts_max, b.ts_max);
            const store::FieldAgg &x = d.fields[field], &y = b.fields[field];
            EXPECT_EQ(x.count, y.count);
            EXPECT_NEAR(x.sum, y.sum, 1e-9 * std::max(1.0, std::abs(y.sum)));
            for (auto [p, q] : {std::pair{&x.min, &y.min}, {&x.max, &y.max}, {&x.first, &y.first},
                                {&x.last, &y.last}}) {
              EXPECT_EQ(p->value, q->value);
              EXPECT_EQ(p->ts_ms, q->ts_ms);
              EXPECT_EQ(p->step, q->step);
              EXPECT_EQ(p->epoch, q->epoch);
            }
          }
        }
      }
      // Every bucket after the complete chunks has a bucket row (the open
      // chunk's complete buckets and the open bucket).
      if (raw().stores_rollup_chunks()) {
        std::set<std::int64_t> have;
        for (const store::RollupRow& r : bucket_rows) have.insert(r.bucket);
        const auto end = static_cast<std::int64_t>((metrics + static_cast<std::uint64_t>(level) - 1) /
                                                   static_cast<std::uint64_t>(level));
        for (auto b = static_cast<std::int64_t>(complete_chunks) * store::kChunkBuckets; b < end; ++b)
          EXPECT_TRUE(have.count(b)) << "level " << level << " bucket " << b;
      }
    }
  };
  fill(id, 9'000);
  check(9'000);
  store_->close();
  store_ = open_store(config_);  // resumed: rebuilt, then incremental again
  fill(id, 9'000, kT0 + 9'000, 9'000, 8);
  check(18'000);
  fill(id, 1'000, kT0 + 18'000, 18'000, 9);  // incremental only
  check(19'000);
  for (int points : {100, 500, 1'100}) {
    SCOPED_TRACE(points);
    EXPECT_EQ(store_->series(id, "val_accuracy", points).points,
              store::read_series_raw(raw(), id, kValAccuracy, points, std::nullopt, std::nullopt).points);
  }
}

TEST_F(StoreSeries, RebuildRollupsOfARunRecordedWithoutThem) {
  Uuid id = new_run();
  fill(id, 3'000);
  EXPECT_EQ(store_->rebuild_rollups(id), 3'000u);
  expect_same_summary(store_->summary(id), store::read_summary_raw(raw(), id));
  EXPECT_EQ(store_->rebuild_rollups(Uuid::random()), 0u);
}

TEST_F(StoreSeries, RollupsOutliveTheirRawMetrics) {
  Uuid id;
  const int ttl = read_back_before_expiry([&](int ttl_seconds, ExpiryClock::time_point& written) {
    store_->close();
    config_.ttl.metrics_seconds = ttl_seconds;
    config_.ttl.runs_seconds = 0;
    store_ = open_store(config_);
    id = new_run();
    written = ExpiryClock::now();
    for (int i = 0; i < 5'000; ++i) {
      Metric m;  // timestamp now: TTL counts from the write
      m.epoch = i;
      m.val_accuracy = i / 5'000.0;
      store_->store_metric(id, m);
    }
    store_->flush_metrics();
    return store_->query_metrics(id, std::nullopt, std::nullopt, 10'000).size() == 5'000u;
  });
  ASSERT_GT(ttl, 0) << "raw metrics never seen before they expired";
  const RunSummary before = store_->summary(id);
  const Series curve = store_->series(id, "val_accuracy", 100);
  ASSERT_EQ(before.metrics, 5'000u);
  ASSERT_TRUE(eventually_expired([&] { return store_->query_metrics(id).empty(); }, std::chrono::seconds(ttl + 60)))
      << "raw metrics still there 60 s after their TTL of " << ttl << " s";
  expect_same_summary(store_->summary(id), before);
  EXPECT_EQ(store_->series(id, "val_accuracy", 100).points, curve.points);
  // A new process writing the run again does not rebuild over the expired rows.
  store_->close();
  store_ = open_store(config_);
  Metric late;
  late.epoch = 5'000;
  late.val_accuracy = 0.5;
  store_->store_metric(id, late);
  store_->flush_metrics();
  EXPECT_EQ(store_->summary(id).metrics, 5'000u) << "roll-ups kept as they were";
}

TEST_F(StoreSeries, CompareAlignsRunsByEpoch) {
  Uuid a = new_run(), b = new_run();
  fill(a, 100, kT0, 0);
  fill(b, 50, kT0, 25);
  Comparison c = store_->compare({a, b}, "val_accuracy", 1000);
  ASSERT_EQ(c.series.size(), 2u);
  ASSERT_EQ(c.summaries.size(), 2u);
  ASSERT_EQ(c.epochs.size(), 100u);  // 0..99; b's 25..74 inside
  EXPECT_EQ(c.epochs.front(), 0);
  EXPECT_TRUE(c.values[0][0].has_value());
  EXPECT_FALSE(c.values[1][0].has_value());
  EXPECT_EQ(c.values[1][25], c.series[1].points[0].value);
  EXPECT_FALSE(c.values[1][99].has_value());
}

TEST_F(StoreSeries, ListRunsCombinesFiltersAndPagesWithoutGapsOrRepeats) {
  std::vector<Uuid> all;
  for (int i = 0; i < 25; ++i) {
    all.push_back(new_run(i % 2 ? "spirals" : "xor", kT0 + i * 1000, i % 3 ? "completed" : ""));
  }
  RunQuery q;
  q.limit = 4;
  std::vector<Uuid> seen;
  for (;;) {
    std::vector<canopy::Run> page = store_->list_runs(q);
    for (const canopy::Run& r : page) seen.push_back(r.run_id);
    if (static_cast<int>(page.size()) < q.limit) break;
    q.after = page.back().run_id;
  }
  std::vector<Uuid> expected(all.rbegin(), all.rend());
  EXPECT_EQ(seen, expected);

  RunQuery f;
  f.limit = 100;
  f.status = "completed";
  f.dataset = "spirals";
  std::vector<canopy::Run> both = store_->list_runs(f);
  std::size_t want = 0;
  for (int i = 0; i < 25; ++i) want += (i % 2 && i % 3) ? 1 : 0;
  EXPECT_EQ(both.size(), want);
  for (const canopy::Run& r : both) {
    EXPECT_EQ(r.status, "completed");
    EXPECT_EQ(r.dataset_name, "spirals");
  }
  RunQuery bad;
  bad.after = Uuid::random();
  EXPECT_THROW(store_->list_runs(bad), NotFound);
  bad.after.reset();
  bad.limit = 0;
  EXPECT_THROW(store_->list_runs(bad), InvalidArgument);
}

}  // namespace
}  // namespace canopy::conformance
