// Candidate units of Cascade-Correlation: a pool of sigmoid units, each fed
// by every current unit value (bias, inputs, hidden units), trained together
// with quickprop to maximise the covariance of their output with the
// network's residual error (Fahlman & Lebiere 1990, eq. 1):
//
//   S = sum_o | sum_p (V_p - mean V) (E_po - mean E_o) |
//
// and its gradient dS/dw_i = sum_{p,o} sign_o (E_po - mean E_o) f'_p I_ip.
// Like the reference code we report and climb S divided by the residuals'
// sum of squares sum_{p,o} E_po^2 (constant within a candidate phase), so
// scores are comparable between phases; the ranking and the direction of
// every step are those of S. Unlike the reference code, each epoch first
// evaluates every candidate and then steps using that same epoch's signs
// (the reference reuses the previous epoch's); both take one pass.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "cascor/quickprop.h"
#include "cascor/random.h"

namespace cascor {

// The residual errors E_po of the current network on the training patterns,
// with the statistics the correlation needs.
struct Residuals {
  std::size_t patterns = 0;
  std::size_t outputs = 0;
  std::vector<double> errors;  // [pattern * outputs + output]
  std::vector<double> means;   // per output, mean over patterns
  double sum_squares = 0.0;    // sum over patterns and outputs of E^2

  double at(std::size_t p, std::size_t o) const { return errors[p * outputs + o]; }
};
// Computes means and sum_squares. Throws std::invalid_argument if
// errors.size() is not patterns * outputs.
Residuals make_residuals(std::vector<double> errors, std::size_t patterns, std::size_t outputs);

// Per-output covariance sum_p (V_p - mean V)(E_po - mean E_o) of a candidate's
// values (one per pattern) with the residuals.
std::vector<double> covariances(std::span<const double> values, const Residuals& residuals);
// S = sum over outputs of |covariance| (unnormalised, as in the paper).
double covariance_score(std::span<const double> values, const Residuals& residuals);

// A pool of candidates with the same fan-in. Not thread-safe.
class CandidatePool {
 public:
  // Weights uniform in [-weight_range, weight_range), drawn candidate by
  // candidate, weight by weight, from `rng`.
  CandidatePool(std::size_t pool_size, std::size_t fan_in, double weight_range, Rng& rng);

  // One pass over the patterns: computes every candidate's values on
  // `unit_values` (one vector of at least fan_in values per pattern, as many
  // patterns as `residuals` has) and its normalised covariances and score.
  void evaluate(const std::vector<std::vector<double>>& unit_values, const Residuals& residuals);

  // Moves every candidate's weights one quickprop step up the gradient of its
  // score, from the values of the last evaluate() (call it first). `epsilon`
  // is the already-scaled rate.
  void update(const std::vector<std::vector<double>>& unit_values, const Residuals& residuals,
              const QuickpropOptions& options, double epsilon);

  std::size_t size() const { return weights_.size(); }
  std::size_t fan_in() const { return fan_in_; }
  std::span<const double> weights(std::size_t c) const { return weights_.at(c); }
  // From the last evaluate(): normalised score and per-output normalised
  // covariances of candidate c, and the best candidate (lowest index on ties).
  double score(std::size_t c) const { return scores_.at(c); }
  std::span<const double> correlations(std::size_t c) const { return correlations_.at(c); }
  std::size_t best() const { return best_; }
  double best_score() const { return scores_.empty() ? 0.0 : scores_[best_]; }

 private:
  std::size_t fan_in_;
  std::vector<std::vector<double>> weights_;       // [candidate][input]
  std::vector<Quickprop> quickprop_;               // one per candidate
  std::vector<std::vector<double>> values_;        // [candidate][pattern] from evaluate()
  std::vector<std::vector<double>> correlations_;  // [candidate][output]
  std::vector<double> scores_;
  std::vector<double> slopes_;  // scratch, fan_in
  std::size_t best_ = 0;
};

}  // namespace cascor
