#include "store/m4.h"

#include <algorithm>

namespace canopy::store {

SeriesPlan plan_series(std::uint64_t rows, int points) {
  SeriesPlan plan;
  if (points < 1) points = 1;
  const auto n = static_cast<std::int64_t>(rows);
  const std::int64_t w = (n + points - 1) / points;
  for (std::int32_t level : kRollupLevels)
    if (level <= w) plan.level = level;
  plan.width = plan.level ? (w + plan.level - 1) / plan.level * plan.level : std::max<std::int64_t>(w, 1);
  return plan;
}

void M4Builder::add(std::int64_t ordinal, const FieldAgg& agg) {
  if (agg.count == 0) return;
  const std::int64_t pixel = (ordinal - base_) / width_;
  if (pixel != current_) {
    emit();
    current_ = pixel;
    acc_ = agg;
  } else {
    acc_.merge_later(agg);
  }
}

void M4Builder::emit() {
  if (acc_.count == 0) return;
  RollupPoint pts[4] = {acc_.first, acc_.min, acc_.max, acc_.last};
  std::sort(std::begin(pts), std::end(pts), [](const RollupPoint& a, const RollupPoint& b) {
    return a.ts_ms != b.ts_ms ? a.ts_ms < b.ts_ms : a.step < b.step;
  });
  for (int i = 0; i < 4; ++i) {
    if (i > 0 && pts[i].ts_ms == pts[i - 1].ts_ms && pts[i].step == pts[i - 1].step) continue;
    out_.push_back(pts[i].to_series_point());
  }
  acc_ = FieldAgg{};
}

std::vector<SeriesPoint> M4Builder::finish() {
  emit();
  return std::move(out_);
}

}  // namespace canopy::store
