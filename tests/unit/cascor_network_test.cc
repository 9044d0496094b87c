#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "cascor/network.h"

namespace cascor {
namespace {

TEST(CascorNetwork, SigmoidIsSymmetricWithRangeOfOneHalf) {
  EXPECT_DOUBLE_EQ(sigmoid(0.0), 0.0);
  EXPECT_NEAR(sigmoid(2.0), -sigmoid(-2.0), 1e-15);
  EXPECT_NEAR(sigmoid(1.3), 0.5 * std::tanh(0.65), 1e-15);
  EXPECT_NEAR(sigmoid(50.0), 0.5, 1e-12);
  EXPECT_NEAR(sigmoid_prime(sigmoid(0.0)), 0.25, 1e-15);
  const double h = 1e-6;
  EXPECT_NEAR(sigmoid_prime(sigmoid(0.7)), (sigmoid(0.7 + h) - sigmoid(0.7 - h)) / (2 * h), 1e-9);
}

TEST(CascorNetwork, ValuesAreBiasInputsThenHiddenUnitsInCascade) {
  Network net(2, 1);
  net.add_hidden_unit({0.5, 1.0, -1.0}, std::vector<double>{0.0});
  net.add_hidden_unit({0.0, 0.0, 0.0, 2.0}, std::vector<double>{0.0});  // fed by unit 0
  std::vector<double> v;
  net.compute_values(std::vector<double>{0.3, 0.1}, v);
  ASSERT_EQ(v.size(), 5u);
  EXPECT_EQ(v[0], 1.0);
  EXPECT_EQ(v[1], 0.3);
  EXPECT_EQ(v[2], 0.1);
  EXPECT_DOUBLE_EQ(v[3], sigmoid(0.5 + 0.3 - 0.1));
  EXPECT_DOUBLE_EQ(v[4], sigmoid(2.0 * v[3]));
}

TEST(CascorNetwork, OutputsUseAllUnits) {
  Network net(1, 2);
  auto w0 = net.mutable_output_weights(0);
  w0[0] = 0.5;
  w0[1] = 1.0;
  net.add_hidden_unit({0.0, 1.0}, std::vector<double>{2.0, 0.0});
  const auto out = net.predict(std::vector<double>{0.4});
  EXPECT_DOUBLE_EQ(out[0], sigmoid(0.5 + 0.4 + 2.0 * sigmoid(0.4)));
  EXPECT_DOUBLE_EQ(out[1], 0.0);
}

TEST(CascorNetwork, CountsEveryParameter) {
  Network net(2, 1);
  EXPECT_EQ(net.parameter_count(), 3u);
  net.add_hidden_unit({0, 0, 0}, std::vector<double>{0});
  net.add_hidden_unit({0, 0, 0, 0}, std::vector<double>{0});
  EXPECT_EQ(net.parameter_count(), 3u + 4u + 5u);
  EXPECT_EQ(net.unit_count(), 5u);
}

TEST(CascorNetwork, RejectsWrongSizes) {
  Network net(2, 1);
  EXPECT_THROW(net.add_hidden_unit({0, 0}, std::vector<double>{0}), std::invalid_argument);
  EXPECT_THROW(net.add_hidden_unit({0, 0, 0}, std::vector<double>{0, 0}), std::invalid_argument);
  EXPECT_THROW(net.predict(std::vector<double>{1.0}), std::invalid_argument);
  EXPECT_THROW(Network(0, 1), std::invalid_argument);
}

TEST(CascorNetwork, JsonHoldsTheFrozenWeights) {
  Network net(2, 1);
  net.add_hidden_unit({0.25, -1.5, 2.0}, std::vector<double>{0.75});
  const nlohmann::json j = net.to_json();
  EXPECT_EQ(j.at("input_size"), 2);
  EXPECT_EQ(j.at("hidden_units").size(), 1u);
  EXPECT_EQ(j.at("hidden_units")[0].at("weights"), (std::vector<double>{0.25, -1.5, 2.0}));
  EXPECT_EQ(j.at("output_weights")[0][3], 0.75);
  EXPECT_EQ(j.at("total_parameters"), 7);
}

}  // namespace
}  // namespace cascor
