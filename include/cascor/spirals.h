// The two-spirals benchmark (Lang & Witbrock, 1988) as used by Fahlman &
// Lebiere (1990): 2 x 97 points on two interlocking spirals.
//
// Training set: for i = 0..96, angle a = i*pi/16, radius r = 6.5*(104-i)/104;
// the point (r sin a, r cos a) has target +0.5 and its negation
// (-r sin a, -r cos a) has target -0.5 (classes +1 / -1 scaled to the output
// sigmoid's range -0.5..+0.5). Points alternate: spiral A, spiral B, ...
//
// Validation set (our choice; the classic benchmark has none): the same
// formula at the half-way angles i + 0.5 for i = 0..95, i.e. 2 x 96 points
// lying on the spirals strictly between the training points. It measures
// whether the network learned the spirals rather than the points, and is
// deterministic. See docs/cascor.md.
#pragma once

#include "cascor/dataset.h"

namespace cascor {

inline constexpr int kSpiralPointsPerClass = 97;

// One point of spiral A at (possibly fractional) index i: {x, y}.
struct SpiralPoint {
  double x;
  double y;
};
SpiralPoint spiral_point(double i);

Dataset two_spirals_training();    // 194 patterns, name "two-spirals"
Dataset two_spirals_validation();  // 192 patterns, name "two-spirals-halfway"

}  // namespace cascor
