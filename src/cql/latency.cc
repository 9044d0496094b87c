#include "cql/latency.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace cql {

namespace {
constexpr int kSubBits = 3;  // log2(kLatencySubBuckets)
static_assert(1 << kSubBits == kLatencySubBuckets);
}  // namespace

// Below 8 µs one bucket per µs; above, a power of two [2^k, 2^(k+1)) is
// split into 8 equal buckets.
int LatencySnapshot::BucketOf(uint64_t micros) {
  if (micros < kLatencySubBuckets) return static_cast<int>(micros);
  const int k = std::bit_width(micros) - 1;  // 2^k <= micros
  const int sub = static_cast<int>((micros >> (k - kSubBits)) & (kLatencySubBuckets - 1));
  const int bucket = (k - kSubBits + 1) * kLatencySubBuckets + sub;
  return bucket < kLatencyBuckets ? bucket : kLatencyBuckets - 1;
}

double LatencySnapshot::BucketUpperMicros(int bucket) {
  if (bucket < kLatencySubBuckets) return bucket + 1;
  const int k = bucket / kLatencySubBuckets + kSubBits - 1;
  const int sub = bucket % kLatencySubBuckets;
  return std::ldexp(1.0, k) + std::ldexp(static_cast<double>(sub + 1), k - kSubBits);
}

uint64_t LatencySnapshot::count() const {
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  return n;
}

double LatencySnapshot::percentile_ms(double p) const {
  const uint64_t n = count();
  if (n == 0) return 0;
  // The rank of the request at fraction p, 1-based: p99 of 100 is the 99th.
  const auto rank = static_cast<uint64_t>(std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(n)));
  uint64_t seen = 0;
  for (int i = 0; i < kLatencyBuckets; ++i) {
    seen += counts[i];
    if (seen >= std::max<uint64_t>(rank, 1)) return BucketUpperMicros(i) / 1000.0;
  }
  return BucketUpperMicros(kLatencyBuckets - 1) / 1000.0;
}

LatencySnapshot LatencySnapshot::Since(const LatencySnapshot& earlier) const {
  LatencySnapshot d;
  for (int i = 0; i < kLatencyBuckets; ++i) d.counts[i] = counts[i] >= earlier.counts[i] ? counts[i] - earlier.counts[i] : 0;
  return d;
}

}  // namespace cql
