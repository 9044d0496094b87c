// A supervised data set held in memory: fixed-size input and target vectors,
// stored row-major. The trainer reads it; nothing here knows about networks.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace cascor {

struct Dataset {
  std::string name;  // shown in summaries and stored as the run's dataset
  std::size_t input_size = 0;
  std::size_t output_size = 0;
  std::vector<double> inputs;   // size() * input_size values, pattern after pattern
  std::vector<double> targets;  // size() * output_size values, pattern after pattern

  std::size_t size() const { return input_size == 0 ? 0 : inputs.size() / input_size; }
  std::span<const double> input(std::size_t pattern) const {
    return {inputs.data() + pattern * input_size, input_size};
  }
  std::span<const double> target(std::size_t pattern) const {
    return {targets.data() + pattern * output_size, output_size};
  }
  // Appends one pattern. Throws std::invalid_argument naming the data set when
  // a vector's length does not match input_size / output_size.
  void add(std::span<const double> x, std::span<const double> t);
};

// Throws std::invalid_argument (naming the data set and what is wrong) unless
// the set has at least one pattern, non-zero sizes and consistent lengths.
void validate(const Dataset& data);

// The four XOR patterns with targets -0.5 / +0.5 (the sigmoid's range).
Dataset xor_dataset();

}  // namespace cascor
