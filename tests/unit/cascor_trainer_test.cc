#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "cascor/spirals.h"
#include "cascor/trainer.h"

namespace cascor {
namespace {

// Records everything the trainer reports.
struct Recorder : TrainingObserver {
  std::vector<EpochMetrics> epochs;
  std::vector<TopologySnapshot> units;
  std::vector<TrainingSummary> finished;
  int stop_at_epoch = 0;  // 0: never

  void on_epoch(const EpochMetrics& m) override { epochs.push_back(m); }
  void on_unit_added(const TopologySnapshot& s) override { units.push_back(s); }
  void on_finished(const TrainingSummary& s) override { finished.push_back(s); }
  bool stop_requested() override {
    return stop_at_epoch > 0 && static_cast<int>(epochs.size()) >= stop_at_epoch;
  }
};

bool all_within_threshold(const Network& net, const Dataset& d, double threshold) {
  for (std::size_t p = 0; p < d.size(); ++p) {
    if (std::fabs(net.predict(d.input(p))[0] - d.target(p)[0]) >= threshold) return false;
  }
  return true;
}

TEST(CascorTrainer, SolvesXor) {
  Trainer trainer({}, xor_dataset());
  const TrainingSummary s = trainer.run();
  EXPECT_TRUE(s.solved);
  EXPECT_EQ(s.outcome, Outcome::kSolved);
  EXPECT_GE(s.hidden_units, 1);  // XOR is not linearly separable
  EXPECT_EQ(s.hidden_units, static_cast<int>(trainer.network().hidden_units()));
  EXPECT_TRUE(all_within_threshold(trainer.network(), xor_dataset(), 0.4));
  EXPECT_EQ(s.final_metrics.train_accuracy, 1.0);
  EXPECT_FALSE(s.best_val_accuracy.has_value());  // no validation set given
}

TEST(CascorTrainer, SolvesSeveralOutputsAtOnce) {
  // Outputs: XOR and AND of the two inputs.
  Dataset d{.name = "xor-and", .input_size = 2, .output_size = 2, .inputs = {}, .targets = {}};
  for (int a = 0; a < 2; ++a) {
    for (int b = 0; b < 2; ++b) {
      const double x[] = {a ? 1.0 : -1.0, b ? 1.0 : -1.0};
      const double t[] = {a != b ? 0.5 : -0.5, a && b ? 0.5 : -0.5};
      d.add(x, t);
    }
  }
  Recorder rec;
  Trainer trainer({}, d, d);
  const TrainingSummary s = trainer.run(&rec);
  ASSERT_TRUE(s.solved);
  for (std::size_t p = 0; p < d.size(); ++p) {
    const auto out = trainer.network().predict(d.input(p));
    for (std::size_t o = 0; o < 2; ++o) EXPECT_LT(std::fabs(out[o] - d.target(p)[o]), 0.4);
  }
  EXPECT_EQ(*s.final_metrics.val_accuracy, 1.0);
  for (const TopologySnapshot& snap : rec.units) EXPECT_EQ(snap.output_size, 2u);
}

TEST(CascorTrainer, SolvesTwoSpiralsWithDefaults) {
  const Dataset train = two_spirals_training();
  Trainer trainer({}, train, two_spirals_validation());
  const TrainingSummary s = trainer.run();
  ASSERT_TRUE(s.solved) << "hidden units " << s.hidden_units << ", epochs " << s.epochs;
  EXPECT_TRUE(all_within_threshold(trainer.network(), train, 0.4));
  EXPECT_GE(s.hidden_units, 8);
  EXPECT_LE(s.hidden_units, 30);
  EXPECT_EQ(s.final_metrics.train_accuracy, 1.0);
  ASSERT_TRUE(s.best_val_accuracy.has_value());
  EXPECT_GT(*s.best_val_accuracy, 0.6);  // the half-way points mostly follow the spirals
}

TEST(CascorTrainer, WithoutHiddenUnitsXorIsNotSolved) {
  TrainerOptions o;
  o.max_hidden_units = 0;
  Trainer trainer(o, xor_dataset());
  const TrainingSummary s = trainer.run();
  EXPECT_FALSE(s.solved);
  EXPECT_EQ(s.outcome, Outcome::kMaxHiddenUnits);
  EXPECT_EQ(s.hidden_units, 0);
  EXPECT_EQ(s.candidate_epochs, 0);
}

TEST(CascorTrainer, SameSeedSameRunDifferentSeedDifferentRun) {
  TrainerOptions o;
  o.seed = 42;
  Recorder a, b, c;
  const TrainingSummary sa = Trainer(o, two_spirals_training(), two_spirals_validation()).run(&a);
  const TrainingSummary sb = Trainer(o, two_spirals_training(), two_spirals_validation()).run(&b);
  EXPECT_EQ(sa.epochs, sb.epochs);
  EXPECT_EQ(sa.hidden_units, sb.hidden_units);
  EXPECT_EQ(sa.topology_json, sb.topology_json);
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (std::size_t i = 0; i < a.epochs.size(); ++i) {
    ASSERT_EQ(a.epochs[i].train_loss, b.epochs[i].train_loss) << "epoch " << i + 1;
    ASSERT_EQ(a.epochs[i].candidate_score, b.epochs[i].candidate_score) << "epoch " << i + 1;
  }
  o.seed = 43;
  const TrainingSummary sc = Trainer(o, two_spirals_training(), two_spirals_validation()).run(&c);
  EXPECT_NE(sa.topology_json, sc.topology_json);
}

TEST(CascorTrainer, RunningTwiceRepeatsTheRun) {
  Trainer trainer({}, xor_dataset());
  const TrainingSummary first = trainer.run();
  const TrainingSummary second = trainer.run();
  EXPECT_EQ(first.topology_json, second.topology_json);
  EXPECT_EQ(first.epochs, second.epochs);
}

TEST(CascorTrainer, CallbacksMatchWhatWasTrained) {
  Recorder rec;
  Trainer trainer({}, two_spirals_training(), two_spirals_validation());
  const TrainingSummary s = trainer.run(&rec);
  ASSERT_EQ(static_cast<int>(rec.epochs.size()), s.epochs);
  EXPECT_EQ(s.output_epochs + s.candidate_epochs, s.epochs);
  ASSERT_EQ(static_cast<int>(rec.units.size()), s.hidden_units);
  ASSERT_EQ(rec.finished.size(), 1u);
  EXPECT_EQ(rec.finished[0].epochs, s.epochs);

  int output = 0, candidate = 0, phase_epoch = 0;
  Phase phase = Phase::kOutput;
  for (std::size_t i = 0; i < rec.epochs.size(); ++i) {
    const EpochMetrics& m = rec.epochs[i];
    ASSERT_EQ(m.epoch, static_cast<int>(i) + 1);
    ASSERT_EQ(m.step, m.epoch - 1);
    phase_epoch = (i > 0 && m.phase == phase) ? phase_epoch + 1 : 1;
    phase = m.phase;
    ASSERT_EQ(m.phase_epoch, phase_epoch) << "epoch " << m.epoch;
    (m.phase == Phase::kOutput ? output : candidate)++;
    ASSERT_TRUE(m.val_loss.has_value());
    ASSERT_GE(m.train_accuracy, 0.0);
    ASSERT_LE(m.train_accuracy, 1.0);
  }
  EXPECT_EQ(output, s.output_epochs);
  EXPECT_EQ(candidate, s.candidate_epochs);

  // Each snapshot follows a candidate epoch and precedes the first epoch
  // with one more hidden unit.
  for (std::size_t u = 0; u < rec.units.size(); ++u) {
    const TopologySnapshot& snap = rec.units[u];
    EXPECT_EQ(snap.hidden_units, static_cast<int>(u) + 1);
    ASSERT_GE(snap.epoch, 1);
    const EpochMetrics& at = rec.epochs[snap.epoch - 1];
    EXPECT_EQ(at.phase, Phase::kCandidate);
    EXPECT_EQ(at.hidden_units, snap.hidden_units - 1);
    EXPECT_EQ(rec.epochs.at(snap.epoch).hidden_units, snap.hidden_units);
    EXPECT_EQ(snap.input_size, 2u);
    EXPECT_EQ(snap.output_size, 1u);
    const auto j = nlohmann::json::parse(snap.topology_json);
    EXPECT_EQ(j.at("hidden_units").size(), u + 1);
    EXPECT_EQ(j.at("total_parameters").get<std::size_t>(), snap.total_parameters);
  }
  EXPECT_EQ(s.total_parameters, trainer.network().parameter_count());
  EXPECT_EQ(s.final_metrics.epoch, s.epochs);
}

TEST(CascorTrainer, InstalledUnitsKeepTheirInputWeights) {
  Recorder rec;
  Trainer trainer({}, two_spirals_training());
  trainer.run(&rec);
  ASSERT_GE(rec.units.size(), 2u);
  const Network& net = trainer.network();
  for (std::size_t u = 0; u < rec.units.size(); ++u) {
    const auto j = nlohmann::json::parse(rec.units[u].topology_json);
    const auto installed = j.at("hidden_units")[u].at("weights").get<std::vector<double>>();
    const auto now = net.hidden_weights(u);
    ASSERT_EQ(installed.size(), now.size());
    EXPECT_EQ(installed.size(), 3 + u);  // bias, 2 inputs, every earlier unit
    for (std::size_t i = 0; i < now.size(); ++i) EXPECT_EQ(installed[i], now[i]) << u << "/" << i;
  }
  // Output weights did keep training after the first install.
  const auto first = nlohmann::json::parse(rec.units[0].topology_json);
  EXPECT_NE(first.at("output_weights")[0][0].get<double>(), net.output_weights(0)[0]);
}

TEST(CascorTrainer, BestValidationAccuracyIsTheMaximumOverOutputEpochs) {
  Recorder rec;
  const TrainingSummary s = Trainer({}, two_spirals_training(), two_spirals_validation()).run(&rec);
  double best = -1.0;
  int best_epoch = 0;
  for (const EpochMetrics& m : rec.epochs) {
    if (m.phase == Phase::kOutput && *m.val_accuracy > best) {
      best = *m.val_accuracy;
      best_epoch = m.epoch;
    }
  }
  EXPECT_EQ(*s.best_val_accuracy, best);
  EXPECT_EQ(s.best_val_epoch, best_epoch);
}

TEST(CascorTrainer, ObserverCanStopTheRun) {
  Recorder rec;
  rec.stop_at_epoch = 25;
  const TrainingSummary s = Trainer({}, two_spirals_training()).run(&rec);
  EXPECT_EQ(s.outcome, Outcome::kStopped);
  EXPECT_FALSE(s.solved);
  EXPECT_EQ(s.epochs, 25);
  EXPECT_EQ(rec.epochs.size(), 25u);
  EXPECT_EQ(rec.finished.size(), 1u);
}

TEST(CascorTrainer, CandidateEpochsRepeatTheNetworksFigures) {
  Recorder rec;
  Trainer({}, two_spirals_training(), two_spirals_validation()).run(&rec);
  for (std::size_t i = 1; i < rec.epochs.size(); ++i) {
    const EpochMetrics& m = rec.epochs[i];
    if (m.phase != Phase::kCandidate) continue;
    const EpochMetrics& before = rec.epochs[i - 1];
    EXPECT_EQ(m.train_loss, before.train_loss);
    EXPECT_EQ(m.val_accuracy, before.val_accuracy);
    EXPECT_GT(m.candidate_score, 0.0);
    EXPECT_EQ(m.learning_rate, TrainerOptions{}.candidate_quickprop.epsilon);
  }
}

TEST(CascorTrainer, RejectsBadOptionsNamingTheField) {
  TrainerOptions o;
  o.candidate_pool_size = 0;
  try {
    Trainer(o, xor_dataset());
    FAIL() << "accepted an empty candidate pool";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("candidate_pool_size"), std::string::npos);
  }
  o = {};
  o.output_quickprop.epsilon = -1;
  EXPECT_THROW(Trainer(o, xor_dataset()), std::invalid_argument);
}

TEST(CascorTrainer, RejectsAValidationSetOfAnotherShape) {
  Dataset other{
      .name = "wide", .input_size = 3, .output_size = 1, .inputs = {0, 0, 0}, .targets = {0.5}};
  EXPECT_THROW(Trainer({}, xor_dataset(), other), std::invalid_argument);
}

TEST(CascorTrainer, OptionsSerialiseEveryField) {
  const nlohmann::json j = to_json(TrainerOptions{});
  EXPECT_EQ(j.at("candidate_pool_size"), 8);
  EXPECT_EQ(j.at("candidate_quickprop").at("epsilon"), 10.0);
  EXPECT_EQ(j.at("seed"), 1);
  EXPECT_EQ(std::string(to_string(Outcome::kMaxHiddenUnits)), "max_hidden_units");
  EXPECT_EQ(std::string(to_string(Phase::kCandidate)), "candidate");
}

}  // namespace
}  // namespace cascor
