// Clock: where the writer gets the time it stamps on metrics that come
// without one. A seam so tests can pin time (e.g. many metrics in one
// millisecond) without depending on the wall clock.
#pragma once

#include "canopy/types.h"

namespace canopy::store {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now() override { return now_ms(); }
};

}  // namespace canopy::store
