#include <gtest/gtest.h>

#include <cmath>

#include "cascor/spirals.h"

namespace cascor {
namespace {

TEST(CascorSpirals, TrainingSetHas194PointsInTwoClasses) {
  const Dataset d = two_spirals_training();
  ASSERT_EQ(d.size(), 194u);
  EXPECT_EQ(d.input_size, 2u);
  EXPECT_EQ(d.output_size, 1u);
  int plus = 0;
  for (std::size_t p = 0; p < d.size(); ++p) {
    const double t = d.target(p)[0];
    ASSERT_TRUE(t == 0.5 || t == -0.5);
    if (t > 0) ++plus;
  }
  EXPECT_EQ(plus, 97);
}

TEST(CascorSpirals, SecondSpiralIsTheFirstRotatedByHalfATurn) {
  const Dataset d = two_spirals_training();
  for (std::size_t k = 0; k < 97; ++k) {
    const auto a = d.input(2 * k), b = d.input(2 * k + 1);
    EXPECT_EQ(b[0], -a[0]);
    EXPECT_EQ(b[1], -a[1]);
    EXPECT_EQ(d.target(2 * k)[0], 0.5);
    EXPECT_EQ(d.target(2 * k + 1)[0], -0.5);
  }
}

TEST(CascorSpirals, FollowsTheClassicFormula) {
  const Dataset d = two_spirals_training();
  EXPECT_NEAR(d.input(0)[0], 0.0, 1e-15);  // i = 0: angle 0, radius 6.5
  EXPECT_NEAR(d.input(0)[1], 6.5, 1e-15);
  // i = 8: angle pi/2, radius 6.5 * 96 / 104 = 6.0
  EXPECT_NEAR(d.input(16)[0], 6.0, 1e-12);
  EXPECT_NEAR(d.input(16)[1], 0.0, 1e-12);
  // radius shrinks monotonically from 6.5 to 6.5 * 8 / 104 = 0.5
  double last = 1e9;
  for (std::size_t k = 0; k < 97; ++k) {
    const auto a = d.input(2 * k);
    const double r = std::hypot(a[0], a[1]);
    EXPECT_LT(r, last);
    last = r;
  }
  EXPECT_NEAR(last, 0.5, 1e-12);
}

TEST(CascorSpirals, ValidationPointsLieHalfwayBetweenTrainingPoints) {
  const Dataset train = two_spirals_training();
  const Dataset val = two_spirals_validation();
  ASSERT_EQ(val.size(), 192u);
  EXPECT_NE(val.name, train.name);
  for (std::size_t k = 0; k < 96; ++k) {
    const SpiralPoint p = spiral_point(k + 0.5);
    EXPECT_EQ(val.input(2 * k)[0], p.x);
    EXPECT_EQ(val.input(2 * k + 1)[1], -p.y);
    // strictly between its neighbours in radius
    const double r = std::hypot(p.x, p.y);
    EXPECT_LT(r, std::hypot(train.input(2 * k)[0], train.input(2 * k)[1]));
    EXPECT_GT(r, std::hypot(train.input(2 * k + 2)[0], train.input(2 * k + 2)[1]));
  }
}

TEST(CascorSpirals, XorHasFourPatterns) {
  const Dataset d = xor_dataset();
  ASSERT_EQ(d.size(), 4u);
  validate(d);
  EXPECT_EQ(d.target(0)[0], -0.5);
  EXPECT_EQ(d.target(1)[0], 0.5);
}

TEST(CascorSpirals, ValidateNamesTheBrokenDataSet) {
  Dataset d{.name = "broken", .input_size = 2, .output_size = 1, .inputs = {1, 2}, .targets = {}};
  try {
    validate(d);
    FAIL() << "validate accepted a set without targets";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("broken"), std::string::npos);
  }
}

}  // namespace
}  // namespace cascor
