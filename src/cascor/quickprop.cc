#include "cascor/quickprop.h"

#include <stdexcept>
#include <string>

namespace cascor {

void Quickprop::step(std::span<double> weights, std::span<const double> slopes,
                     const QuickpropOptions& options, double epsilon) {
  if (weights.size() != size() || slopes.size() != size()) {
    throw std::invalid_argument("quickprop: " + std::to_string(weights.size()) + " weights and " +
                                std::to_string(slopes.size()) + " slopes for a state of " +
                                std::to_string(size()));
  }
  const double mu = options.mu;
  const double shrink = mu / (1.0 + mu);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double w = weights[i];
    const double d = deltas_[i];
    const double s = slopes[i] + options.decay * w;
    const double p = prev_slopes_[i];
    double next = 0.0;
    if (d < 0.0) {
      if (s > 0.0) next -= epsilon * s;  // still going downhill the same way
      if (s >= shrink * p || p == s) {   // p == s: no curvature seen, avoid 0/0
        next += mu * d;                  // parabola too flat or concave: cap the growth
      } else {
        next += d * s / (p - s);
      }
    } else if (d > 0.0) {
      if (s < 0.0) next -= epsilon * s;
      if (s <= shrink * p || p == s) {
        next += mu * d;
      } else {
        next += d * s / (p - s);
      }
    } else {
      next -= epsilon * s;
    }
    deltas_[i] = next;
    prev_slopes_[i] = s;
    weights[i] = w + next;
  }
}

}  // namespace cascor
