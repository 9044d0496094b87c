#include "http/oldest_first.h"

#include <algorithm>
#include <vector>

namespace canopy::http {
namespace {

MetricKey key_of(const Metric& m) { return {m.timestamp.value_or(Timestamp{}), m.step.value_or(0)}; }

}  // namespace

std::uint64_t scan_oldest_first(MetricsStore& store, const Uuid& run_id, std::optional<MetricKey> after,
                                std::optional<Timestamp> from, std::optional<MetricKey> until,
                                const std::function<void(const Metric&)>& visit, int window) {
  std::optional<Timestamp> start = from;
  if (after && (!start || after->timestamp > *start)) start = after->timestamp;
  std::optional<Timestamp> end;
  if (until) end = until->timestamp + std::chrono::milliseconds(1);
  auto wanted = [&](const MetricKey& k) { return (!after || k > *after) && (!until || k <= *until); };

  // Pass 1: rows newest first until `after`; keep them while they fit in one
  // window, else only note each window's timestamp.
  std::vector<Metric> rows;
  std::vector<Timestamp> bounds;  // descending
  bool windowed = false;
  std::uint64_t seen = 0;
  {
    auto cursor = store.open_metric_cursor(run_id, start, end, std::min(window, 5000));
    std::vector<Metric> page;
    bool stop = false;
    while (!stop && cursor->next_page(page)) {
      for (const Metric& m : page) {
        const MetricKey k = key_of(m);
        if (until && k > *until) continue;
        if (after && k <= *after) {
          stop = true;
          break;
        }
        if (++seen % static_cast<std::uint64_t>(window) == 0) {
          windowed = true;
          bounds.push_back(k.timestamp);
        }
        if (!windowed) rows.push_back(m);
      }
    }
  }
  if (!windowed) {
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) visit(*it);
    return rows.size();
  }
  rows.clear();

  // Pass 2: windows [lo, hi) in ascending order, each read and reversed.
  std::uint64_t visited = 0;
  std::optional<Timestamp> lo = start;
  std::vector<std::optional<Timestamp>> highs(bounds.rbegin(), bounds.rend());
  highs.push_back(end);
  for (const auto& hi : highs) {
    if (hi && lo && *hi <= *lo) continue;
    auto cursor = store.open_metric_cursor(run_id, lo, hi, 5000);
    std::vector<Metric> page;
    while (cursor->next_page(page))
      for (const Metric& m : page)
        if (wanted(key_of(m))) rows.push_back(m);
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) visit(*it);
    visited += rows.size();
    rows.clear();
    lo = hi;
  }
  return visited;
}

}  // namespace canopy::http
