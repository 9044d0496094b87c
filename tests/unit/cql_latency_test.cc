// The session's latency histogram (cql/latency.h): every latency falls in
// a bucket whose bounds hold it within 1/8, percentiles of known data, and
// snapshots that subtract.
#include <gtest/gtest.h>

#include <chrono>

#include "cql/latency.h"

namespace cql {
namespace {

TEST(CqlLatency, EveryLatencyIsInsideItsBucketWithinAnEighth) {
  int previous = -1;
  for (uint64_t us = 0; us < 2'000'000; us += us < 5000 ? 1 : 97) {
    const int b = LatencySnapshot::BucketOf(us);
    ASSERT_GE(b, previous) << us;  // monotonic
    previous = b;
    const double upper = LatencySnapshot::BucketUpperMicros(b);
    const double lower = b == 0 ? 0 : LatencySnapshot::BucketUpperMicros(b - 1);
    ASSERT_LT(static_cast<double>(us), upper) << us;
    ASSERT_GE(static_cast<double>(us), lower) << us;
    ASSERT_LE(upper - lower, std::max(1.0, upper / 8.0)) << us;
  }
  EXPECT_EQ(LatencySnapshot::BucketOf(UINT64_MAX), kLatencyBuckets - 1) << "huge values land in the last bucket";
}

TEST(CqlLatency, PercentilesOfKnownData) {
  LatencyHistogram h;
  EXPECT_EQ(h.Snapshot().percentile_ms(0.5), 0) << "empty";
  for (int us = 1; us <= 1000; ++us) h.Record(std::chrono::microseconds(us));
  const LatencySnapshot s = h.Snapshot();
  EXPECT_EQ(s.count(), 1000u);
  EXPECT_NEAR(s.percentile_ms(0.50), 0.500, 0.500 / 8);
  EXPECT_NEAR(s.percentile_ms(0.99), 0.990, 0.990 / 8);
  EXPECT_NEAR(s.percentile_ms(1.0), 1.000, 1.000 / 8);
  EXPECT_GE(s.percentile_ms(0.99), 0.990) << "a bucket's upper bound: never below the true value";
}

TEST(CqlLatency, SnapshotsSubtractToAPhase) {
  LatencyHistogram h;
  for (int i = 0; i < 500; ++i) h.Record(std::chrono::milliseconds(50));  // warm-up: slow
  const LatencySnapshot before = h.Snapshot();
  for (int i = 0; i < 100; ++i) h.Record(std::chrono::microseconds(200));
  const LatencySnapshot phase = h.Snapshot().Since(before);
  EXPECT_EQ(phase.count(), 100u);
  EXPECT_NEAR(phase.percentile_ms(0.99), 0.2, 0.2 / 8) << "the warm-up is not in the phase";
  h.Record(std::chrono::nanoseconds(-5));  // a clock that went back: counted as 0
  EXPECT_EQ(h.Snapshot().counts[0], 1u);
}

}  // namespace
}  // namespace cql
