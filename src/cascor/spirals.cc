#include "cascor/spirals.h"

#include <cmath>
#include <numbers>

namespace cascor {

SpiralPoint spiral_point(double i) {
  const double angle = i * std::numbers::pi / 16.0;
  const double radius = 6.5 * (104.0 - i) / 104.0;
  return {radius * std::sin(angle), radius * std::cos(angle)};
}

namespace {

Dataset spirals_at(std::string name, double first, int count) {
  Dataset d{
      .name = std::move(name), .input_size = 2, .output_size = 1, .inputs = {}, .targets = {}};
  for (int k = 0; k < count; ++k) {
    const SpiralPoint p = spiral_point(first + k);
    const double a[] = {p.x, p.y};
    const double b[] = {-p.x, -p.y};
    const double plus[] = {0.5};
    const double minus[] = {-0.5};
    d.add(a, plus);
    d.add(b, minus);
  }
  return d;
}

}  // namespace

Dataset two_spirals_training() { return spirals_at("two-spirals", 0.0, kSpiralPointsPerClass); }

Dataset two_spirals_validation() {
  return spirals_at("two-spirals-halfway", 0.5, kSpiralPointsPerClass - 1);
}

}  // namespace cascor
