// Series and summaries read from the roll-ups (rollup.h), with the raw
// metrics as the fallback for runs that have none and for the edges of a
// time range that cut through a roll-up bucket.
//
// series: the coarsest level (4,096 metrics per bucket) tells how many
// metrics the range holds; when the field's values fit in the chart they
// are read raw and returned exactly; otherwise plan_series (m4.h) picks the
// level and pixel-bucket width, whole buckets inside the range are read as
// roll-ups, and the (at most two) buckets cut by the range's ends are read
// raw. A whole-run series read from roll-ups equals one computed from the
// raw metrics with the same plan (tested).
#pragma once

#include <optional>

#include "canopy/series.h"
#include "store/backend.h"

namespace canopy::store {

Series read_series(StoreBackend& backend, const Uuid& run_id, int field, int points,
                   std::optional<Timestamp> start, std::optional<Timestamp> end);
// The same series computed from the raw metrics only (fallback; tests).
Series read_series_raw(StoreBackend& backend, const Uuid& run_id, int field, int points,
                       std::optional<Timestamp> start, std::optional<Timestamp> end);

RunSummary read_summary(StoreBackend& backend, const Uuid& run_id);
RunSummary read_summary_raw(StoreBackend& backend, const Uuid& run_id);

}  // namespace canopy::store
