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

// 16 buckets of random metrics: sparse fields (a field may be missing from
// a whole bucket), equal timestamps, missing epochs, extreme keys.
std::vector<BucketAgg> random_chunk(unsigned seed, int level) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> value(-1e6, 1e6);
  std::vector<BucketAgg> out(kChunkBuckets);
  std::int64_t ts = (seed % 3 == 0) ? -(std::int64_t{1} << 50) : 1'767'225'600'000;
  int step = (seed % 3 == 1) ? INT32_MIN : 0;
  for (int b = 0; b < kChunkBuckets; ++b) {
    for (int i = 0; i < level; ++i) {
      Metric m;
      ts += static_cast<std::int64_t>(rng() % 4 == 0 ? 0 : rng() % 100'000);
      m.timestamp = Timestamp(std::chrono::milliseconds(ts));
      m.step = step++;
      if (rng() % 3) m.epoch = static_cast<int>(rng() % 2 ? rng() : rng() % 1000);
      for (int f = 0; f < kSeriesFieldCount; ++f) {
        if ((b + f) % 5 == 0 || rng() % 4 == 0) continue;  // missing
        const double v = rng() % 7 == 0 ? std::nan("") : value(rng);
        switch (f) {
          case 0: m.train_loss = v; break;
          case 1: m.train_accuracy = v; break;
          case 2: m.val_loss = v; break;
          case 3: m.val_accuracy = v; break;
          case 4: m.learning_rate = v; break;
          default: m.hidden_units = static_cast<int>(rng() % 64); break;
        }
      }
      out[static_cast<std::size_t>(b)].add(m);
    }
  }
  return out;
}

std::vector<const BucketAgg*> pointers(const std::vector<BucketAgg>& buckets) {
  std::vector<const BucketAgg*> out;
  for (const BucketAgg& b : buckets) out.push_back(&b);
  return out;
}

void expect_same_field(const BucketAgg& got, const BucketAgg& want, int field) {
  EXPECT_EQ(got.rows, want.rows);
  EXPECT_EQ(got.ts_min, want.ts_min);
  EXPECT_EQ(got.ts_max, want.ts_max);
  const FieldAgg &a = got.fields[field], &b = want.fields[field];
  ASSERT_EQ(a.count, b.count);
  if (b.count == 0) return;
  EXPECT_EQ(a.sum, b.sum);
  for (auto [p, q] : {std::pair{&a.min, &b.min}, {&a.max, &b.max}, {&a.first, &b.first}, {&a.last, &b.last}}) {
    EXPECT_EQ(p->value, q->value);
    EXPECT_EQ(p->ts_ms, q->ts_ms);
    EXPECT_EQ(p->step, q->step);
    EXPECT_EQ(p->epoch, q->epoch);
  }
}

TEST(Rollup, ChunkRoundTripsEveryFieldOfItsBuckets) {
  for (unsigned seed = 1; seed <= 30; ++seed) {
    const std::vector<BucketAgg> buckets = random_chunk(seed, seed % 2 ? 16 : 3);
    for (int field = 0; field < kSeriesFieldCount; ++field) {
      SCOPED_TRACE(testing::Message() << "seed " << seed << " field " << field);
      std::vector<BucketAgg> decoded;
      ASSERT_TRUE(decode_chunk(bytes(encode_chunk(field, pointers(buckets))), field, decoded));
      ASSERT_EQ(decoded.size(), buckets.size());
      for (std::size_t i = 0; i < buckets.size(); ++i) expect_same_field(decoded[i], buckets[i], field);
    }
  }
}

TEST(Rollup, ChunkDecodingRefusesDamagedData) {
  const std::vector<BucketAgg> buckets = random_chunk(4, 16);
  const std::string data = encode_chunk(3, pointers(buckets));
  std::vector<BucketAgg> d;
  for (std::size_t n = 0; n < data.size(); ++n) EXPECT_FALSE(decode_chunk(bytes(data.substr(0, n)), 3, d)) << n;
  EXPECT_FALSE(decode_chunk(bytes(data + "x"), 3, d));
  EXPECT_FALSE(decode_chunk(bytes(data), 2, d)) << "another field's chunk";
  for (char version : {1, 4}) {
    std::string other = data;
    other[0] = version;
    EXPECT_FALSE(decode_chunk(bytes(other), 3, d)) << int(version);
  }
}

// Chunk rows written before the compact encoding (version 2) stay readable.
TEST(Rollup, ChunksOfVersion2AreStillRead) {
  std::vector<BucketAgg> buckets = random_chunk(9, 16);
  const int field = 3;
  std::string v2 = {2, static_cast<char>(field), static_cast<char>(buckets.size())};
  for (BucketAgg& b : buckets) {
    for (int f = 0; f < kSeriesFieldCount; ++f)
      if (f != field) b.fields[f] = FieldAgg{};  // a version-2 bucket holds its field only
    v2 += encode_bucket(b);
  }
  std::vector<BucketAgg> decoded;
  ASSERT_TRUE(decode_chunk(bytes(v2), field, decoded));
  ASSERT_EQ(decoded.size(), buckets.size());
  for (std::size_t i = 0; i < buckets.size(); ++i) expect_same_field(decoded[i], buckets[i], field);
}

// The point of version 3: the writer sends every byte of every chunk.
TEST(Rollup, CompactChunksTakeUnderHalfTheBytesOfVersion2) {
  std::vector<BucketAgg> buckets(kChunkBuckets);
  for (int b = 0; b < kChunkBuckets; ++b)
    for (int i = 0; i < 16; ++i) {
      const int step = b * 16 + i;
      buckets[static_cast<std::size_t>(b)].add(metric(1'767'225'600'000 + step * 250, step, std::sin(step)));
    }
  std::size_t v2 = 3;
  for (const BucketAgg& b : buckets) v2 += encode_bucket(b).size() - 108;  // less hidden_units (a 2nd field)
  const std::size_t v3 = encode_chunk(3, pointers(buckets)).size();
  EXPECT_LT(v3 * 2, v2) << "v3 " << v3 << " bytes, v2 " << v2;
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
