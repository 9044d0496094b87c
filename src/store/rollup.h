// Roll-ups: pre-aggregated buckets of consecutive metrics of one run, kept
// by the writer next to the raw metrics so that series, summaries and
// comparisons over runs of millions of metrics read thousands of rows.
//
// A run's metrics, ordered by (timestamp, step), are numbered 0, 1, 2, ...
// (their ordinal). At level L, bucket b holds ordinals [b·L, (b+1)·L). For
// each field of kSeriesFields a bucket keeps the count of non-NaN values,
// their sum, and the minimum, maximum, first and last value with the key
// (timestamp, step) and epoch of the metric that had it. Ties of min/max go
// to the earlier metric. docs/rollups.md explains the design.
//
// Encoding of a bucket (the `data` blob stored per row), little-endian:
//   u8 version(=1) | u8 field mask | u32 rows | i64 ts_min | i64 ts_max |
//   per field in the mask: u32 count | f64 sum | 4 × point (min, max,
//   first, last) where point = f64 value | i64 timestamp ms | i32 step |
//   i32 epoch (INT32_MIN: none)
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "canopy/series.h"
#include "canopy/types.h"
#include "canopy/uuid.h"

namespace canopy::store {

inline constexpr std::int32_t kRollupLevels[] = {16, 256, 4096};
inline constexpr std::int32_t kCoarsestLevel = 4096;
inline constexpr std::int32_t kAllFields = -1;  // RollupRow::field of a bucket row
inline constexpr std::int32_t kNoEpoch = std::numeric_limits<std::int32_t>::min();

struct RollupPoint {
  double value = 0;
  std::int64_t ts_ms = 0;
  std::int32_t step = 0;
  std::int32_t epoch = kNoEpoch;

  SeriesPoint to_series_point() const;
};

struct FieldAgg {
  std::uint64_t count = 0;
  double sum = 0;
  RollupPoint min, max, first, last;

  // `p` comes after every value added so far.
  void add(const RollupPoint& p);
  // `p` comes before every value added so far (scans newest first).
  void add_earlier(const RollupPoint& p);
  // `later` aggregates metrics that all come after this one's.
  void merge_later(const FieldAgg& later);
};

struct BucketAgg {
  std::uint32_t rows = 0;
  std::int64_t ts_min = 0, ts_max = 0;
  FieldAgg fields[kSeriesFieldCount];

  // Empties the bucket (cheaper than assigning a new one: only counts matter).
  void clear();
  // The metric (timestamp and step set) comes after / before every one so far.
  void add(const Metric& m);
  void add_earlier(const Metric& m);
  void merge_later(const BucketAgg& later);
};

// Field `index` of kSeriesFields as a double; nullopt when unset or NaN.
std::optional<double> field_value(const Metric& m, int index);
RollupPoint point_of(const Metric& m, double value);

std::string encode_bucket(const BucketAgg& b);
// False when `data` is not a valid encoding.
bool decode_bucket(std::span<const std::uint8_t> data, BucketAgg& b);

// Chunks: kChunkBuckets consecutive complete buckets of one level, with one
// field only, in one row. Both backends store them: a series reads ~1/16 of
// the rows of bucket rows, and the finest level is stored as chunks only
// (rollup_sink.h).
// Encoding (version 3), compact because the writer pays for every byte:
//   u8 version(=3) | u8 field | u8 n | n × bucket, where bucket =
//   varint rows | zvarint ts_min − previous bucket's ts_min (0 first) |
//   zvarint ts_max − ts_min | varint count | if count > 0: f64 sum |
//   u8 flags | min | max | first unless flags&1 (= min) or flags&2 (= max) |
//   last unless flags&4 (= min) or flags&8 (= max)
//   and point = f64 value | zvarint ts − ts_min | zvarint step − previous
//   point's step | zvarint epoch − previous point's epoch (both 0 at the
//   chunk's start; epoch INT32_MIN: none). varint: LEB128; zvarint: zigzag.
// Version 2 (still read): u8 2 | u8 field | u8 n | n × bucket encoding
// (above) whose mask holds at most `field`.
inline constexpr int kChunkBuckets = 16;
std::string encode_chunk(int field, std::span<const BucketAgg* const> buckets);
// Fills each bucket's rows, ts_min, ts_max and fields[field]; false when
// `data` is not a valid chunk of `field`.
bool decode_chunk(std::span<const std::uint8_t> data, int field, std::vector<BucketAgg>& out);

// One stored roll-up row.
struct RollupRow {
  Uuid run_id;
  std::int32_t level = 0;
  std::int64_t bucket = 0;  // a chunk row: the chunk's index (its first bucket / kChunkBuckets)
  std::string data;         // encode_bucket(), or encode_chunk() for a chunk row
  std::int32_t field = kAllFields;  // a chunk row: its field (kSeriesFields index)
};

}  // namespace canopy::store
