#include "cascor/network.h"

#include <stdexcept>
#include <string>

namespace cascor {

double dot(std::span<const double> a, std::span<const double> b) {
  double sum = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

Network::Network(std::size_t input_size, std::size_t output_size)
    : input_size_(input_size),
      output_weights_(output_size, std::vector<double>(1 + input_size, 0.0)) {
  if (input_size == 0 || output_size == 0) {
    throw std::invalid_argument("cascor network needs at least one input and one output (got " +
                                std::to_string(input_size) + " and " + std::to_string(output_size) +
                                ")");
  }
}

std::size_t Network::parameter_count() const {
  std::size_t n = output_size() * unit_count();
  for (const auto& w : hidden_weights_) n += w.size();
  return n;
}

void Network::add_hidden_unit(std::vector<double> weights, std::span<const double> output_weights) {
  if (weights.size() != unit_count()) {
    throw std::invalid_argument("add_hidden_unit: " + std::to_string(weights.size()) +
                                " incoming weights, the network has " +
                                std::to_string(unit_count()) + " units");
  }
  if (output_weights.size() != output_size()) {
    throw std::invalid_argument("add_hidden_unit: " + std::to_string(output_weights.size()) +
                                " output weights for " + std::to_string(output_size()) +
                                " outputs");
  }
  hidden_weights_.push_back(std::move(weights));
  for (std::size_t o = 0; o < output_size(); ++o) {
    output_weights_[o].push_back(output_weights[o]);
  }
}

double Network::hidden_value(std::size_t unit, std::span<const double> values) const {
  const auto& w = hidden_weights_.at(unit);
  return sigmoid(dot(w, values.first(w.size())));
}

void Network::compute_values(std::span<const double> input, std::vector<double>& values) const {
  if (input.size() != input_size_) {
    throw std::invalid_argument("cascor network: input has " + std::to_string(input.size()) +
                                " values, expected " + std::to_string(input_size_));
  }
  values.resize(unit_count());
  values[0] = 1.0;
  for (std::size_t i = 0; i < input_size_; ++i) values[1 + i] = input[i];
  for (std::size_t h = 0; h < hidden_weights_.size(); ++h) {
    values[1 + input_size_ + h] = hidden_value(h, values);
  }
}

void Network::compute_outputs(std::span<const double> values, std::span<double> outputs) const {
  for (std::size_t o = 0; o < output_size(); ++o) {
    outputs[o] = sigmoid(dot(output_weights_[o], values));
  }
}

std::vector<double> Network::predict(std::span<const double> input) const {
  std::vector<double> values;
  compute_values(input, values);
  std::vector<double> out(output_size());
  compute_outputs(values, out);
  return out;
}

nlohmann::json Network::to_json() const {
  nlohmann::json hidden = nlohmann::json::array();
  for (std::size_t h = 0; h < hidden_weights_.size(); ++h) {
    hidden.push_back(
        {{"index", h}, {"fan_in", hidden_weights_[h].size()}, {"weights", hidden_weights_[h]}});
  }
  return {{"input_size", input_size_},
          {"output_size", output_size()},
          {"activation", "sigmoid(x) - 0.5"},
          {"value_layout", "bias, inputs, hidden units in install order"},
          {"hidden_units", std::move(hidden)},
          {"output_weights", output_weights_},
          {"total_parameters", parameter_count()}};
}

}  // namespace cascor
