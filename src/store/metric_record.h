// MetricRecord: one metric as the writer carries it (run id, metric with
// timestamp and step fixed, sequence number) and its fixed-size binary
// encoding used in the spool. Encoding is little-endian, 120 bytes:
//   u8 version(=2) | u8 reserved | u16 presence bits | u64 seq | 16 run_id |
//   i64 timestamp ms | i32 step | i32 epoch | i32 hidden_units | 5 × f64
//   (train_loss, train_accuracy, val_loss, val_accuracy, learning_rate) |
//   i64 write_time_us | 16 ledger_id | u64 ordinal
// Version 1 (96 bytes, no ledger fields) is still read: spools written
// before the completeness ledger replay without ledger entries.
// Presence bits: 0 epoch, 1 train_loss, 2 train_accuracy, 3 val_loss,
// 4 val_accuracy, 5 learning_rate, 6 hidden_units. Doubles keep their exact
// bit pattern (NaN and ±Inf round-trip).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "canopy/types.h"
#include "canopy/uuid.h"

namespace canopy::store {

struct MetricRecord {
  Uuid run_id;
  Metric metric;          // timestamp and step always set
  std::uint64_t seq = 0;  // writer's sequence number in this process; 0 = from an earlier process
  // When store_metric was called (µs since the epoch): the write timestamp
  // sent to Cassandra, fixed once so that retries and replays are identical
  // and a later store of the same key wins.
  std::int64_t write_time_us = 0;
  // Completeness ledger (ledger.h): the entry that acknowledged the metric
  // and its ordinal there; nil / 0 for a version-1 record.
  Uuid ledger_id;
  std::uint64_t ordinal = 0;
};

inline constexpr std::size_t kMetricRecordSize = 120;
inline constexpr std::size_t kMetricRecordV1Size = 96;

void encode_metric_record(const MetricRecord& r, std::uint8_t* out);  // writes kMetricRecordSize bytes
// False when `in` is not a valid encoding (wrong size or version).
bool decode_metric_record(std::span<const std::uint8_t> in, MetricRecord& r);

// Approximate bytes one metric takes in a CQL batch (for sizing batches).
inline constexpr std::size_t kMetricCqlBytes = 200;

}  // namespace canopy::store
