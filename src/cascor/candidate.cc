#include "cascor/candidate.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "cascor/network.h"

namespace cascor {

Residuals make_residuals(std::vector<double> errors, std::size_t patterns, std::size_t outputs) {
  if (errors.size() != patterns * outputs || patterns == 0) {
    throw std::invalid_argument("residuals: " + std::to_string(errors.size()) + " errors for " +
                                std::to_string(patterns) + " patterns x " +
                                std::to_string(outputs) + " outputs");
  }
  Residuals r{.patterns = patterns,
              .outputs = outputs,
              .errors = std::move(errors),
              .means = std::vector<double>(outputs, 0.0),
              .sum_squares = 0.0};
  for (std::size_t p = 0; p < patterns; ++p) {
    for (std::size_t o = 0; o < outputs; ++o) {
      const double e = r.at(p, o);
      r.means[o] += e;
      r.sum_squares += e * e;
    }
  }
  for (double& m : r.means) m /= static_cast<double>(patterns);
  return r;
}

std::vector<double> covariances(std::span<const double> values, const Residuals& residuals) {
  if (values.size() != residuals.patterns) {
    throw std::invalid_argument("covariances: " + std::to_string(values.size()) + " values for " +
                                std::to_string(residuals.patterns) + " patterns");
  }
  double mean_v = 0.0;
  for (double v : values) mean_v += v;
  mean_v /= static_cast<double>(values.size());
  std::vector<double> cov(residuals.outputs, 0.0);
  for (std::size_t p = 0; p < values.size(); ++p) {
    const double dv = values[p] - mean_v;
    for (std::size_t o = 0; o < residuals.outputs; ++o) {
      cov[o] += dv * (residuals.at(p, o) - residuals.means[o]);
    }
  }
  return cov;
}

double covariance_score(std::span<const double> values, const Residuals& residuals) {
  double s = 0.0;
  for (double c : covariances(values, residuals)) s += std::fabs(c);
  return s;
}

CandidatePool::CandidatePool(std::size_t pool_size, std::size_t fan_in, double weight_range,
                             Rng& rng)
    : fan_in_(fan_in),
      weights_(pool_size, std::vector<double>(fan_in)),
      quickprop_(pool_size, Quickprop(fan_in)),
      values_(pool_size),
      correlations_(pool_size),
      scores_(pool_size, 0.0),
      slopes_(fan_in, 0.0) {
  if (pool_size == 0 || fan_in == 0) {
    throw std::invalid_argument("candidate pool needs at least one candidate and one input");
  }
  for (auto& w : weights_) {
    for (double& x : w) x = rng.uniform(-weight_range, weight_range);
  }
}

void CandidatePool::evaluate(const std::vector<std::vector<double>>& unit_values,
                             const Residuals& residuals) {
  if (unit_values.size() != residuals.patterns) {
    throw std::invalid_argument("candidate pool: " + std::to_string(unit_values.size()) +
                                " value vectors for " + std::to_string(residuals.patterns) +
                                " residual patterns");
  }
  const double norm = residuals.sum_squares > 0.0 ? residuals.sum_squares : 1.0;
  best_ = 0;
  for (std::size_t c = 0; c < weights_.size(); ++c) {
    auto& v = values_[c];
    v.resize(unit_values.size());
    for (std::size_t p = 0; p < unit_values.size(); ++p) {
      v[p] = sigmoid(dot(weights_[c], std::span(unit_values[p]).first(fan_in_)));
    }
    correlations_[c] = covariances(v, residuals);
    double score = 0.0;
    for (double& cor : correlations_[c]) {
      cor /= norm;
      score += std::fabs(cor);
    }
    scores_[c] = score;
    if (score > scores_[best_]) best_ = c;
  }
}

void CandidatePool::update(const std::vector<std::vector<double>>& unit_values,
                           const Residuals& residuals, const QuickpropOptions& options,
                           double epsilon) {
  const double norm = residuals.sum_squares > 0.0 ? residuals.sum_squares : 1.0;
  for (std::size_t c = 0; c < weights_.size(); ++c) {
    if (values_[c].size() != unit_values.size()) {
      throw std::logic_error("candidate pool: update() without a matching evaluate()");
    }
    std::fill(slopes_.begin(), slopes_.end(), 0.0);
    const auto& cor = correlations_[c];
    for (std::size_t p = 0; p < unit_values.size(); ++p) {
      // dS/dnet_p = sum_o sign_o (E_po - mean E_o) f'(net_p); the slope handed
      // to quickprop (a minimiser) is its negation.
      double g = 0.0;
      for (std::size_t o = 0; o < residuals.outputs; ++o) {
        const double sign = cor[o] < 0.0 ? -1.0 : 1.0;
        g += sign * (residuals.at(p, o) - residuals.means[o]);
      }
      const double change = -g * sigmoid_prime(values_[c][p]) / norm;
      const auto& in = unit_values[p];
      for (std::size_t i = 0; i < fan_in_; ++i) slopes_[i] += change * in[i];
    }
    quickprop_[c].step(weights_[c], slopes_, options, epsilon);
  }
}

}  // namespace cascor
