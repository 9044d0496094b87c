// Quickprop on one-dimensional quadratics E(w) = a/2 (w - m)^2, slope a (w - m).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "cascor/quickprop.h"

namespace cascor {
namespace {

double slope(double a, double m, double w) { return a * (w - m); }

TEST(CascorQuickprop, FirstStepIsPlainGradientDescent) {
  Quickprop qp(1);
  std::vector<double> w = {1.0};
  const std::vector<double> s = {2.0};
  qp.step(w, s, {.epsilon = 0.1, .mu = 2.0, .decay = 0.0}, 0.1);
  EXPECT_DOUBLE_EQ(w[0], 0.8);
  EXPECT_DOUBLE_EQ(qp.deltas()[0], -0.2);
}

TEST(CascorQuickprop, SecondStepJumpsToTheMinimumOfAQuadratic) {
  // E = (w - 3)^2, a = 2. A gradient step of 0.4 * 6 = 2.4 lands at 2.4 with
  // slope -1.2; the secant through slopes -6 and -1.2 meets zero at w = 3.
  const QuickpropOptions opt{.epsilon = 0.4, .mu = 2.0, .decay = 0.0};
  Quickprop qp(1);
  std::vector<double> w = {0.0};
  qp.step(w, std::vector<double>{slope(2, 3, w[0])}, opt, 0.4);
  ASSERT_DOUBLE_EQ(w[0], 2.4);
  // epsilon 0 drops the linear term and leaves the pure parabola step.
  qp.step(w, std::vector<double>{slope(2, 3, w[0])}, opt, 0.0);
  EXPECT_NEAR(w[0], 3.0, 1e-12);
}

TEST(CascorQuickprop, StepGrowthIsCappedAtMuTimesThePreviousStep) {
  // Slope barely shrinks (-6 -> -4.8): the parabola's minimum is far away, so
  // the step is limited to mu * previous step = 2 * 0.6.
  const QuickpropOptions opt{.epsilon = 0.1, .mu = 2.0, .decay = 0.0};
  Quickprop qp(1);
  std::vector<double> w = {0.0};
  qp.step(w, std::vector<double>{slope(2, 3, w[0])}, opt, 0.1);
  ASSERT_DOUBLE_EQ(w[0], 0.6);
  qp.step(w, std::vector<double>{slope(2, 3, w[0])}, opt, 0.0);
  EXPECT_NEAR(qp.deltas()[0], 1.2, 1e-12);
  EXPECT_NEAR(w[0], 1.8, 1e-12);
}

TEST(CascorQuickprop, LinearTermIsAddedWhileTheSlopeKeepsItsSign) {
  const QuickpropOptions opt{.epsilon = 0.1, .mu = 2.0, .decay = 0.0};
  Quickprop qp(1);
  std::vector<double> w = {0.0};
  qp.step(w, std::vector<double>{slope(2, 3, w[0])}, opt, 0.1);
  qp.step(w, std::vector<double>{slope(2, 3, w[0])}, opt, 0.1);
  EXPECT_NEAR(qp.deltas()[0], 1.2 + 0.1 * 4.8, 1e-12);
}

TEST(CascorQuickprop, DecayIsAddedToTheSlope) {
  Quickprop qp(1);
  std::vector<double> w = {1.0};
  qp.step(w, std::vector<double>{0.0}, {.epsilon = 1.0, .mu = 2.0, .decay = 0.5}, 1.0);
  EXPECT_DOUBLE_EQ(w[0], 0.5);
}

TEST(CascorQuickprop, ConvergesOnASeparableQuadraticInFewSteps) {
  // E = 1/2 (w0 - 1)^2 + 5/2 (w1 + 2)^2
  const QuickpropOptions opt{.epsilon = 0.05, .mu = 1.75, .decay = 0.0};
  Quickprop qp(2);
  std::vector<double> w = {4.0, 3.0};
  for (int i = 0; i < 30; ++i) {
    qp.step(w, std::vector<double>{slope(1, 1, w[0]), slope(5, -2, w[1])}, opt, opt.epsilon);
  }
  EXPECT_NEAR(w[0], 1.0, 1e-6);
  EXPECT_NEAR(w[1], -2.0, 1e-6);
}

TEST(CascorQuickprop, GrownWeightsStartWithoutHistory) {
  Quickprop qp(1);
  std::vector<double> w = {0.0};
  qp.step(w, std::vector<double>{1.0}, {}, 0.5);
  qp.resize(2);
  ASSERT_EQ(qp.size(), 2u);
  EXPECT_EQ(qp.deltas()[1], 0.0);
  w.push_back(0.0);
  qp.step(w, std::vector<double>{0.0, 2.0}, {}, 0.5);
  EXPECT_DOUBLE_EQ(w[1], -1.0);  // plain gradient step for the new weight
}

TEST(CascorQuickprop, RejectsMismatchedSizes) {
  Quickprop qp(2);
  std::vector<double> w = {0.0};
  EXPECT_THROW(qp.step(w, std::vector<double>{1.0}, {}, 0.1), std::invalid_argument);
}

}  // namespace
}  // namespace cascor
