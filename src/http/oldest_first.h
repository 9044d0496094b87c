// Reading a run's metrics oldest first with memory bounded by a window of
// rows, over the store's newest-first cursor: a first pass notes every
// window's first timestamp, a second reads the windows in ascending order.
// Used by the event stream (new metrics, replays) where order matters.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "canopy/metrics_store.h"
#include "http/params.h"

namespace canopy::http {

// Visits the metrics of `run_id` with after < key <= until and
// timestamp >= from (each bound optional), oldest (timestamp, step) first.
// Returns the number visited. A run of up to `window` such rows is read once.
std::uint64_t scan_oldest_first(MetricsStore& store, const Uuid& run_id, std::optional<MetricKey> after,
                                std::optional<Timestamp> from, std::optional<MetricKey> until,
                                const std::function<void(const Metric&)>& visit, int window = 5000);

}  // namespace canopy::http
