#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "cascor/candidate.h"
#include "cascor/network.h"

namespace cascor {
namespace {

// Four patterns, two outputs, worked by hand:
//   V  = 1 2 3 4        mean 2.5, deviations -1.5 -0.5 0.5 1.5
//   E0 = 2 0 1 3        mean 1.5, deviations  0.5 -1.5 -0.5 1.5
//   E1 = 1 1 0 0        mean 0.5, deviations  0.5 0.5 -0.5 -0.5
//   cov0 = -0.75 + 0.75 - 0.25 + 2.25 = 2
//   cov1 = -0.75 - 0.25 - 0.25 - 0.75 = -2        S = |2| + |-2| = 4
Residuals hand_residuals() { return make_residuals({2, 1, 0, 1, 1, 0, 3, 0}, 4, 2); }

TEST(CascorCandidate, ResidualStatisticsMatchHandComputation) {
  const Residuals r = hand_residuals();
  ASSERT_EQ(r.means.size(), 2u);
  EXPECT_DOUBLE_EQ(r.means[0], 1.5);
  EXPECT_DOUBLE_EQ(r.means[1], 0.5);
  EXPECT_DOUBLE_EQ(r.sum_squares, 4 + 0 + 1 + 9 + 1 + 1 + 0 + 0);
}

TEST(CascorCandidate, CovarianceMatchesHandComputation) {
  const std::vector<double> v = {1, 2, 3, 4};
  const std::vector<double> cov = covariances(v, hand_residuals());
  ASSERT_EQ(cov.size(), 2u);
  EXPECT_DOUBLE_EQ(cov[0], 2.0);
  EXPECT_DOUBLE_EQ(cov[1], -2.0);
  EXPECT_DOUBLE_EQ(covariance_score(v, hand_residuals()), 4.0);
}

TEST(CascorCandidate, CovarianceIgnoresConstantShifts) {
  const std::vector<double> v = {101, 102, 103, 104};
  EXPECT_DOUBLE_EQ(covariance_score(v, hand_residuals()), 4.0);
}

TEST(CascorCandidate, RejectsMismatchedShapes) {
  EXPECT_THROW(make_residuals({1, 2, 3}, 2, 2), std::invalid_argument);
  const std::vector<double> v = {1, 2, 3};
  EXPECT_THROW(covariances(v, hand_residuals()), std::invalid_argument);
}

// A residual a single sigmoid of the inputs can explain: e = sign(x0 * x1).
struct Problem {
  std::vector<std::vector<double>> values;  // bias, x0, x1
  Residuals residuals;
};
Problem quadrant_problem() {
  Problem p;
  std::vector<double> errors;
  Rng rng(7);
  for (int i = 0; i < 64; ++i) {
    const double x0 = rng.uniform(-1, 1), x1 = rng.uniform(-1, 1);
    p.values.push_back({1.0, x0, x1});
    errors.push_back(x0 + 0.5 * x1 > 0.1 ? 0.3 : -0.2);
  }
  p.residuals = make_residuals(errors, 64, 1);
  return p;
}

TEST(CascorCandidate, EvaluateScoresEveryCandidateAsNormalisedCovariance) {
  const Problem p = quadrant_problem();
  Rng rng(1);
  CandidatePool pool(3, 3, 1.0, rng);
  pool.evaluate(p.values, p.residuals);
  for (std::size_t c = 0; c < pool.size(); ++c) {
    std::vector<double> v;
    for (const auto& in : p.values) v.push_back(sigmoid(dot(pool.weights(c), in)));
    EXPECT_NEAR(pool.score(c), covariance_score(v, p.residuals) / p.residuals.sum_squares, 1e-12);
    EXPECT_LE(pool.score(c), pool.best_score());
  }
}

TEST(CascorCandidate, AFirstSmallStepRaisesEveryCandidatesScore) {
  // The first quickprop step is pure gradient descent on -S: S must rise.
  const Problem p = quadrant_problem();
  Rng rng(3);
  CandidatePool pool(4, 3, 1.0, rng);
  pool.evaluate(p.values, p.residuals);
  std::vector<double> before;
  for (std::size_t c = 0; c < pool.size(); ++c) before.push_back(pool.score(c));
  pool.update(p.values, p.residuals, {}, 0.01);
  pool.evaluate(p.values, p.residuals);
  for (std::size_t c = 0; c < pool.size(); ++c) {
    EXPECT_GT(pool.score(c), before[c]) << "candidate " << c;
  }
}

TEST(CascorCandidate, TrainingIncreasesTheBestScore) {
  const Problem p = quadrant_problem();
  Rng rng(5);
  CandidatePool pool(4, 3, 1.0, rng);
  pool.evaluate(p.values, p.residuals);
  const double initial = pool.best_score();
  for (int epoch = 0; epoch < 100; ++epoch) {
    pool.update(p.values, p.residuals, {.epsilon = 1.0, .mu = 2.0, .decay = 0.0}, 1.0 / (64 * 3));
    pool.evaluate(p.values, p.residuals);
  }
  EXPECT_GT(pool.best_score(), initial * 1.2);
  // Correlations keep the sign convention of the covariance.
  std::vector<double> v;
  for (const auto& in : p.values) v.push_back(sigmoid(dot(pool.weights(pool.best()), in)));
  const double cov = covariances(v, p.residuals)[0];
  EXPECT_NEAR(pool.correlations(pool.best())[0], cov / p.residuals.sum_squares, 1e-12);
}

TEST(CascorCandidate, SameSeedGivesSameInitialWeights) {
  Rng a(11), b(11);
  CandidatePool pa(2, 5, 1.0, a), pb(2, 5, 1.0, b);
  for (std::size_t c = 0; c < 2; ++c) {
    for (std::size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(pa.weights(c)[i], pb.weights(c)[i]);
      EXPECT_GE(pa.weights(c)[i], -1.0);
      EXPECT_LT(pa.weights(c)[i], 1.0);
    }
  }
}

}  // namespace
}  // namespace cascor
