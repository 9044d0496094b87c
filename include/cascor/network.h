// A Cascade-Correlation network: inputs, a cascade of hidden units (each fed
// by the bias, every input and every earlier hidden unit) and a layer of
// output units fed by all of them.
//
// Unit values are laid out as in Fahlman's reference code: index 0 is the
// bias (always 1), 1..input_size the inputs, then the hidden units in the
// order they were installed. A hidden unit installed when the network had n
// values has n incoming weights in that order. Hidden and output units use
// the symmetric sigmoid f(x) = 1/(1+e^-x) - 0.5 (range -0.5..+0.5, i.e.
// tanh(x/2)/2).
//
// Hidden-unit weights are frozen: the class offers no way to change them
// after add_hidden_unit. Output weights are mutable (the trainer owns them).
// Not thread-safe; const methods may run concurrently.
#pragma once

#include <cmath>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <vector>

namespace cascor {

inline double sigmoid(double net) { return 1.0 / (1.0 + std::exp(-net)) - 0.5; }
// Derivative of sigmoid expressed through its value v = sigmoid(net).
inline double sigmoid_prime(double value) { return 0.25 - value * value; }

double dot(std::span<const double> a, std::span<const double> b);

class Network {
 public:
  Network(std::size_t input_size, std::size_t output_size);

  std::size_t input_size() const { return input_size_; }
  std::size_t output_size() const { return output_weights_.size(); }
  std::size_t hidden_units() const { return hidden_weights_.size(); }
  // Length of the value vector: bias + inputs + hidden units.
  std::size_t unit_count() const { return 1 + input_size_ + hidden_weights_.size(); }
  // Every weight: hidden units' incoming weights plus output weights.
  std::size_t parameter_count() const;

  std::span<const double> hidden_weights(std::size_t unit) const {
    return hidden_weights_.at(unit);
  }
  std::span<const double> output_weights(std::size_t output) const {
    return output_weights_.at(output);
  }
  std::span<double> mutable_output_weights(std::size_t output) {
    return output_weights_.at(output);
  }

  // Installs a hidden unit with `weights` (unit_count() of them, frozen from
  // now on) and gives each output a weight from it (`output_weights`,
  // output_size() of them). Throws std::invalid_argument on a size mismatch.
  void add_hidden_unit(std::vector<double> weights, std::span<const double> output_weights);

  // Fills `values` (resized to unit_count()) for one input pattern.
  void compute_values(std::span<const double> input, std::vector<double>& values) const;
  // Value of hidden unit `unit` given the values of the units before it.
  double hidden_value(std::size_t unit, std::span<const double> values) const;
  // Output unit values from a full value vector.
  void compute_outputs(std::span<const double> values, std::span<double> outputs) const;
  // Convenience: outputs for one input pattern.
  std::vector<double> predict(std::span<const double> input) const;

  // {"input_size", "output_size", "activation", "value_layout",
  //  "hidden_units": [{"index", "weights": [...]}], "output_weights": [[...]]}
  nlohmann::json to_json() const;

 private:
  std::size_t input_size_;
  std::vector<std::vector<double>> hidden_weights_;
  std::vector<std::vector<double>> output_weights_;  // [output][unit]
};

}  // namespace cascor
