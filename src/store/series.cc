// The public helpers of canopy/series.h.
#include "canopy/series.h"

#include <algorithm>
#include <map>

namespace canopy {

int series_field_index(std::string_view name) {
  for (int i = 0; i < kSeriesFieldCount; ++i)
    if (name == kSeriesFields[i]) return i;
  return -1;
}

void align_by_epoch(Comparison& c) {
  std::vector<std::map<std::int32_t, double>> by_epoch(c.series.size());
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    for (const SeriesPoint& p : c.series[i].points) {
      if (p.epoch) by_epoch[i][*p.epoch] = p.value;  // points are oldest first: the last wins
    }
  }
  std::vector<std::int32_t> epochs;
  for (const auto& m : by_epoch)
    for (const auto& [e, v] : m) epochs.push_back(e);
  std::sort(epochs.begin(), epochs.end());
  epochs.erase(std::unique(epochs.begin(), epochs.end()), epochs.end());
  c.values.assign(c.series.size(), std::vector<std::optional<double>>(epochs.size()));
  for (std::size_t i = 0; i < by_epoch.size(); ++i) {
    std::size_t j = 0;
    for (const auto& [e, v] : by_epoch[i]) {
      while (epochs[j] < e) ++j;
      c.values[i][j] = v;
    }
  }
  c.epochs = std::move(epochs);
}

}  // namespace canopy
