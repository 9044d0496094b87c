// Quickprop (Fahlman, 1988): a batch weight update that treats each weight's
// error curve as an independent parabola and jumps towards its minimum, using
// the current and previous slope and the previous step.
//
// For one weight with slope s (dE/dw plus decay * w), previous slope p and
// previous step d, the next step is:
//   d == 0 : -epsilon * s                     (plain gradient descent)
//   d != 0 : d * s / (p - s)                  (the parabola's minimum), but at
//            most mu * d ("maximum growth factor") when s is close to or past
//            shrink * p with shrink = mu / (1 + mu), plus -epsilon * s when s
//            still points the same way as d was taken.
// This is the rule of Fahlman's reference code (cascor1.c, QUICKPROP_UPDATE),
// plus one guard: when p == s (no curvature seen) the capped step mu * d is
// taken instead of dividing by zero.
// The step always moves against the slope except when jumping across a
// minimum it has already passed.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace cascor {

struct QuickpropOptions {
  double epsilon = 1.0;  // gradient-descent rate; the trainer divides it by the fan-in it states
  double mu = 2.0;       // maximum growth factor of a step over the previous one
  double decay = 0.0;    // added to each slope as decay * weight (keeps weights small)
};

// The per-weight memory of quickprop (previous step and previous slope) for a
// vector of weights that can grow at the end. Not thread-safe.
class Quickprop {
 public:
  explicit Quickprop(std::size_t size = 0) : deltas_(size, 0.0), prev_slopes_(size, 0.0) {}

  // Adds weights at the end with no history: their first step is -epsilon * s.
  void resize(std::size_t size) {
    deltas_.resize(size, 0.0);
    prev_slopes_.resize(size, 0.0);
  }
  std::size_t size() const { return deltas_.size(); }

  // Moves `weights` one quickprop step given this epoch's `slopes` (dE/dw,
  // without decay); `epsilon` overrides options.epsilon so callers can scale
  // it. Both spans must have size() elements (throws std::invalid_argument).
  void step(std::span<double> weights, std::span<const double> slopes,
            const QuickpropOptions& options, double epsilon);

  std::span<const double> deltas() const { return deltas_; }

 private:
  std::vector<double> deltas_;
  std::vector<double> prev_slopes_;
};

}  // namespace cascor
