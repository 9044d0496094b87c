// Request latencies: a histogram the session fills as requests complete,
// read as a snapshot. Buckets are log-linear (as HdrHistogram's, coarser):
// 8 per power of two from 1 µs, so a percentile is exact to 1/8 of its
// value, and recording is one relaxed atomic increment.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace cql {

inline constexpr int kLatencySubBuckets = 8;
inline constexpr int kLatencyBuckets = kLatencySubBuckets * 38;  // up to ~2^38 µs (3 days)

// Counts per bucket at one moment; snapshots subtract, so a caller can
// measure a phase: Since(earlier).
struct LatencySnapshot {
  std::array<uint64_t, kLatencyBuckets> counts{};

  uint64_t count() const;
  // The latency below which a fraction p (0..1) of the requests completed:
  // the upper bound of that request's bucket, in ms. 0 when empty.
  double percentile_ms(double p) const;
  LatencySnapshot Since(const LatencySnapshot& earlier) const;

  // The bucket of a latency, and the upper bound of a bucket (µs).
  static int BucketOf(uint64_t micros);
  static double BucketUpperMicros(int bucket);
};

class LatencyHistogram {
 public:
  void Record(std::chrono::steady_clock::duration d) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    buckets_[LatencySnapshot::BucketOf(us < 0 ? 0 : static_cast<uint64_t>(us))].fetch_add(1, std::memory_order_relaxed);
  }
  LatencySnapshot Snapshot() const {
    LatencySnapshot s;
    for (int i = 0; i < kLatencyBuckets; ++i) s.counts[i] = buckets_[i].load(std::memory_order_relaxed);
    return s;
  }

 private:
  std::array<std::atomic<uint64_t>, kLatencyBuckets> buckets_{};
};

}  // namespace cql
