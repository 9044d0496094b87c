// M4 downsampling (Jugel et al., "M4: A Visualization-Oriented Time Series
// Data Aggregation", VLDB 2014): cut a series into pixel-wide buckets and
// keep each bucket's first, last, minimum and maximum point. A line chart
// through those points draws the same pixels as one through every point,
// so no spike vanishes.
//
// Here buckets are runs of consecutive metrics (by ordinal, see rollup.h),
// so a pixel bucket can be assembled from whole roll-up buckets: the plan
// picks a bucket width that is a multiple of the roll-up level it reads.
#pragma once

#include <cstdint>
#include <vector>

#include "canopy/series.h"
#include "store/rollup.h"

namespace canopy::store {

struct SeriesPlan {
  std::int32_t level = 0;  // roll-up level to read; 0: raw metrics
  std::int64_t width = 1;  // metrics per pixel bucket (a multiple of level)
};

// The plan for `rows` metrics drawn `points` wide: width = ceil(rows /
// points) rounded up to a multiple of the largest roll-up level not above
// it, so there are at most `points` pixel buckets.
SeriesPlan plan_series(std::uint64_t rows, int points);

// Collects aggregates in ascending ordinal order and emits, per pixel bucket
// [base + k·width, base + (k+1)·width), its first, minimum, maximum and last
// point, oldest first, without duplicates.
class M4Builder {
 public:
  M4Builder(std::int64_t base, std::int64_t width) : base_(base), width_(width) {}
  // `agg` aggregates metrics that start at `ordinal` and lie in one pixel
  // bucket; calls come in ascending ordinal order.
  void add(std::int64_t ordinal, const FieldAgg& agg);
  std::vector<SeriesPoint> finish();

 private:
  void emit();

  std::int64_t base_, width_;
  std::int64_t current_ = -1;
  FieldAgg acc_;
  std::vector<SeriesPoint> out_;
};

}  // namespace canopy::store
