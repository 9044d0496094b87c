#include "cascor/dataset.h"

#include <stdexcept>

namespace cascor {

void Dataset::add(std::span<const double> x, std::span<const double> t) {
  if (x.size() != input_size || t.size() != output_size) {
    throw std::invalid_argument("data set '" + name + "': pattern has " + std::to_string(x.size()) +
                                " inputs and " + std::to_string(t.size()) + " targets, expected " +
                                std::to_string(input_size) + " and " + std::to_string(output_size));
  }
  inputs.insert(inputs.end(), x.begin(), x.end());
  targets.insert(targets.end(), t.begin(), t.end());
}

void validate(const Dataset& data) {
  const std::string what = "data set '" + data.name + "': ";
  if (data.input_size == 0 || data.output_size == 0) {
    throw std::invalid_argument(what + "input_size and output_size must be positive");
  }
  if (data.inputs.size() % data.input_size != 0) {
    throw std::invalid_argument(what + "inputs length is not a multiple of input_size");
  }
  if (data.size() == 0) throw std::invalid_argument(what + "has no patterns");
  if (data.targets.size() != data.size() * data.output_size) {
    throw std::invalid_argument(what + "has " + std::to_string(data.targets.size()) +
                                " target values, expected " +
                                std::to_string(data.size() * data.output_size));
  }
}

Dataset xor_dataset() {
  Dataset d{.name = "xor", .input_size = 2, .output_size = 1, .inputs = {}, .targets = {}};
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 2; ++b) {
      const double x[] = {a ? 1.0 : -1.0, b ? 1.0 : -1.0};
      const double t[] = {(a != b) ? 0.5 : -0.5};
      d.add(x, t);
    }
  }
  return d;
}

}  // namespace cascor
