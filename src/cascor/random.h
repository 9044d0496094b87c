// The trainer's only source of randomness: std::mt19937_64 (fully specified
// by the standard) with the conversion to doubles written out here, because
// std::uniform_real_distribution differs between standard libraries. Same
// seed, same numbers, on every compiler.
#pragma once

#include <cstdint>
#include <random>

namespace cascor {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1) with 53 random bits.
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace cascor
