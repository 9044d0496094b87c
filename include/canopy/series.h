// Read models for charts: a downsampled series of one metric field, a run's
// per-field summary, and several runs' series side by side.
//
// They are answered from the roll-ups the writer keeps next to the raw
// metrics (docs/rollups.md): per run, buckets of 16, 256 and 4,096
// consecutive metrics (in (timestamp, step) order) holding, per field, the
// count, sum, minimum, maximum, first and last value. A series of a run of
// millions of metrics therefore reads thousands of rows, and a run's curve
// and summary stay after its raw metrics expire (ttl.metrics), for as long
// as the run itself (ttl.runs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "canopy/types.h"
#include "canopy/uuid.h"

namespace canopy {

// The metric fields a series or summary can be asked for, in this order.
inline constexpr const char* kSeriesFields[] = {"train_loss",   "train_accuracy", "val_loss",
                                                "val_accuracy", "learning_rate",  "hidden_units"};
inline constexpr int kSeriesFieldCount = 6;
// Index of `name` in kSeriesFields, or -1.
int series_field_index(std::string_view name);

// One point of a series: a stored metric's key and the field's value.
struct SeriesPoint {
  Timestamp timestamp{};
  std::int32_t step = 0;
  std::optional<std::int32_t> epoch;
  double value = 0;

  friend bool operator==(const SeriesPoint&, const SeriesPoint&) = default;
};

// A series for a chart `points` pixels wide. When the range holds at most
// `points` values, `points` holds every one of them (exact = true).
// Otherwise the range is cut into at most `points` buckets of consecutive
// metrics, and each bucket contributes its first, last, minimum and maximum
// point (M4): no spike vanishes, and a line through the points draws the
// same pixels as a line through every value. Points are oldest first.
// NaN values are not part of a series (they cannot be drawn).
struct Series {
  Uuid run_id;
  std::string field;
  std::uint64_t values = 0;  // values of the field in the range
  bool exact = true;         // every value is in `points`
  int level = 0;             // roll-up level read (0: raw metrics)
  std::vector<SeriesPoint> points;
};

// One field over a whole run. Unset when the field was never recorded.
// best: the maximum for accuracies, the minimum for losses; other fields
// have no best.
struct FieldSummary {
  std::string field;
  std::uint64_t count = 0;  // non-NaN values
  std::optional<double> min, max, mean, last;
  std::optional<std::int32_t> min_epoch, max_epoch, last_epoch;
  std::optional<double> best;
  std::optional<std::int32_t> best_epoch;
};

struct RunSummary {
  Uuid run_id;
  std::uint64_t metrics = 0;  // rows of the run
  std::optional<Timestamp> first_timestamp, last_timestamp;
  std::vector<FieldSummary> fields;  // kSeriesFields order
};

// Several runs' series of one field, aligned by epoch for drawing them on
// one chart: `epochs` is the sorted union of the series' epochs and
// values[i][j] is run i's value at epochs[j] (the last point of that epoch;
// unset where run i has none). Points without an epoch are left out of the
// aligned table (they remain in series[i]).
struct Comparison {
  std::string field;
  std::vector<Series> series;
  std::vector<RunSummary> summaries;
  std::vector<std::int32_t> epochs;
  std::vector<std::vector<std::optional<double>>> values;
};

// Aligns already computed series by epoch (Comparison::epochs / values).
void align_by_epoch(Comparison& comparison);

}  // namespace canopy
