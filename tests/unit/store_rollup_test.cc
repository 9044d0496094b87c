// Roll-up buckets (encoding, aggregation) and M4 downsampling, as pure code.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "store/m4.h"
#include "store/rollup.h"

namespace canopy::store {
namespace {

Metric metric(std::int64_t ms, int step, double acc) {
  Metric m;
  m.timestamp = Timestamp(std::chrono::milliseconds(ms));
  m.step = step;
  m.epoch = step / 2;
  m.val_accuracy = acc;
  m.hidden_units = step % 5;
  return m;
}

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Rollup, BucketRoundTripsThroughItsEncoding) {
  BucketAgg b;
  for (int i = 0; i < 16; ++i) b.add(metric(1000 + i, i, std::sin(i)));
  BucketAgg d;
  ASSERT_TRUE(decode_bucket(bytes(encode_bucket(b)), d));
  EXPECT_EQ(d.rows, 16u);
  EXPECT_EQ(d.ts_min, 1000);
  EXPECT_EQ(d.ts_max, 1015);
  const FieldAgg& f = d.fields[3];
  EXPECT_EQ(f.count, 16u);
  EXPECT_EQ(f.first.step, 0);
  EXPECT_EQ(f.last.step, 15);
  int best = 0;
  for (int i = 1; i < 16; ++i)
    if (std::sin(i) > std::sin(best)) best = i;
  EXPECT_EQ(f.max.value, std::sin(best));
  EXPECT_EQ(f.max.step, best);
  EXPECT_EQ(f.max.epoch, best / 2);
  EXPECT_EQ(d.fields[0].count, 0u) << "train_loss never set";
  EXPECT_EQ(d.fields[5].max.value, 4.0);
}

TEST(Rollup, DecodingRefusesDamagedData) {
  BucketAgg b;
  b.add(metric(1, 0, 0.5));
  std::string data = encode_bucket(b);
  BucketAgg d;
  for (std::size_t n = 0; n < data.size(); ++n) EXPECT_FALSE(decode_bucket(bytes(data.substr(0, n)), d)) << n;
  EXPECT_FALSE(decode_bucket(bytes(data + "x"), d));
  std::string v2 = data;
  v2[0] = 2;
  EXPECT_FALSE(decode_bucket(bytes(v2), d));
}

TEST(Rollup, AddingNewestFirstEqualsAddingOldestFirst) {
  std::vector<Metric> ms;
  for (int i = 0; i < 100; ++i) ms.push_back(metric(i, i, (i * 37 % 11) / 10.0));  // ties in min/max
  BucketAgg fwd, rev, merged, second;
  for (const Metric& m : ms) fwd.add(m);
  for (auto it = ms.rbegin(); it != ms.rend(); ++it) rev.add_earlier(*it);
  for (int i = 0; i < 50; ++i) merged.add(ms[i]);
  for (int i = 50; i < 100; ++i) second.add(ms[i]);
  merged.merge_later(second);
  auto same_point = [](const RollupPoint& a, const RollupPoint& b) {
    return a.value == b.value && a.ts_ms == b.ts_ms && a.step == b.step && a.epoch == b.epoch;
  };
  for (const BucketAgg* x : {&rev, &merged}) {
    EXPECT_EQ(x->rows, fwd.rows);
    for (int i = 0; i < kSeriesFieldCount; ++i) {
      const FieldAgg &a = x->fields[i], &b = fwd.fields[i];
      EXPECT_EQ(a.count, b.count);
      EXPECT_NEAR(a.sum, b.sum, 1e-9);  // summed in another order
      EXPECT_TRUE(same_point(a.min, b.min) && same_point(a.max, b.max) && same_point(a.first, b.first) &&
                  same_point(a.last, b.last))
          << kSeriesFields[i];
    }
  }
  EXPECT_EQ(fwd.fields[3].min.step, 0) << "ties go to the earlier metric";
}

TEST(Rollup, NanIsNotAValue) {
  BucketAgg b;
  Metric m = metric(1, 0, std::nan(""));
  b.add(m);
  EXPECT_EQ(b.rows, 1u);
  EXPECT_EQ(b.fields[3].count, 0u);
}

TEST(M4, PlanUsesTheLargestLevelThatFitsAndAtMostPointsBuckets) {
  EXPECT_EQ(plan_series(1'000'000, 1000).level, 256);
  EXPECT_EQ(plan_series(1'000'000, 1000).width, 1024);
  EXPECT_EQ(plan_series(1'000'000, 100).level, 4096);
  EXPECT_EQ(plan_series(5'000, 1000).level, 0);
  EXPECT_EQ(plan_series(5'000, 1000).width, 5);
  std::mt19937 rng(1);
  for (int i = 0; i < 1000; ++i) {
    std::uint64_t rows = rng() % 10'000'000 + 1;
    int points = static_cast<int>(rng() % 5000) + 1;
    SeriesPlan p = plan_series(rows, points);
    EXPECT_LE((static_cast<std::int64_t>(rows) + p.width - 1) / p.width, points);
    if (p.level) {
      EXPECT_EQ(p.width % p.level, 0);
    }
  }
}

// Every pixel bucket's first, last, minimum and maximum are those of the
// raw values in it; nothing else is emitted.
TEST(M4, EveryBucketKeepsItsExtremesOnRandomSeries) {
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    const int n = static_cast<int>(rng() % 3000) + 1;
    const std::int64_t width = static_cast<std::int64_t>(rng() % 50) + 1;
    std::vector<RollupPoint> pts;
    std::normal_distribution<double> d(0, 1);
    for (int i = 0; i < n; ++i) pts.push_back({d(rng) * (i % 97 == 0 ? 100 : 1), i, i, i});
    M4Builder m4(0, width);
    for (int i = 0; i < n; ++i) {
      FieldAgg a;
      a.add(pts[i]);
      m4.add(i, a);
    }
    std::vector<SeriesPoint> out = m4.finish();
    std::size_t k = 0;
    for (std::int64_t lo = 0; lo < n; lo += width) {
      const std::int64_t hi = std::min<std::int64_t>(n, lo + width);
      auto [mn, mx] = std::minmax_element(pts.begin() + lo, pts.begin() + hi,
                                          [](const RollupPoint& a, const RollupPoint& b) { return a.value < b.value; });
      std::vector<double> in_bucket;
      while (k < out.size() && out[k].step < hi) in_bucket.push_back(out[k++].value);
      ASSERT_FALSE(in_bucket.empty());
      ASSERT_LE(in_bucket.size(), 4u);
      EXPECT_EQ(*std::min_element(in_bucket.begin(), in_bucket.end()), mn->value);
      EXPECT_EQ(*std::max_element(in_bucket.begin(), in_bucket.end()), mx->value);
      EXPECT_EQ(in_bucket.front(), pts[lo].value);
      EXPECT_EQ(in_bucket.back(), pts[hi - 1].value);
    }
    EXPECT_EQ(k, out.size());
    if (width == 1) {
      EXPECT_EQ(out.size(), static_cast<std::size_t>(n)) << "width 1 keeps every point";
    }
  }
}

}  // namespace
}  // namespace canopy::store
