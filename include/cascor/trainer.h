// The Cascade-Correlation training driver (Fahlman & Lebiere, 1990).
//
// Training alternates two phases until the training set is solved or the
// network has max_hidden_units hidden units and a last output phase failed:
//   output phase    - quickprop on the output weights only, until every
//                     training output is within score_threshold of its
//                     target (solved), the error stagnates (patience), or
//                     output_max_epochs pass;
//   candidate phase - a fresh pool of candidate units is trained with
//                     quickprop to maximise the covariance S of its value
//                     with the residual error (see candidate.h), until the
//                     best score stagnates or candidate_max_epochs pass; the
//                     best candidate is installed as a hidden unit fed by the
//                     bias, all inputs and all earlier hidden units, its input
//                     weights frozen; its output weights start at minus its
//                     correlations times weight_multiplier.
//
// An epoch is one pass over the training set in either phase (in a
// candidate epoch all candidates see every pattern once); epochs are counted
// from 1 over the whole run. Training is full-batch: one weight update per
// epoch. Everything random comes from one Rng seeded with options.seed, so
// the same options and data give the same run, bit for bit, on one compiler.
//
// Example:
//   cascor::Trainer trainer({}, cascor::two_spirals_training(),
//                           cascor::two_spirals_validation());
//   cascor::CallbackObserver obs;
//   obs.epoch = [](const cascor::EpochMetrics& m) { /* store it */ };
//   cascor::TrainingSummary s = trainer.run(&obs);
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cascor/dataset.h"
#include "cascor/network.h"
#include "cascor/quickprop.h"

namespace cascor {

// Defaults solve two-spirals (see docs/cascor.md for the sweep over seeds).
struct TrainerOptions {
  std::uint64_t seed = 1;             // seeds every random weight
  int max_hidden_units = 40;          // give up after this many hidden units
  int candidate_pool_size = 8;        // candidates trained per phase
  double weight_range = 1.0;          // initial weights uniform in [-range, range)
  double score_threshold = 0.4;       // |output - target| < this counts as right
  double sigmoid_prime_offset = 0.1;  // added to output f' so saturated outputs still learn
  double weight_multiplier = 1.0;     // new unit's output weight = -correlation * this
  bool correlate_error_prime = true;  // candidates correlate with error*f' (reference code)
                                      // instead of the raw error (the paper's wording)

  // Output phase. quickprop epsilon is divided by the number of patterns.
  QuickpropOptions output_quickprop{.epsilon = 0.35, .mu = 2.0, .decay = 0.0001};
  int output_patience = 8;                // epochs without significant change before stopping
  double output_change_threshold = 0.01;  // a change of less than this fraction is not significant
  int output_max_epochs = 1000;

  // Candidate phase. epsilon is divided by patterns * fan-in. 10 rather than
  // the reference code's 1.0: with 1.0 most candidates never leave their
  // starting point before patience runs out (docs/cascor.md, "Tuning").
  QuickpropOptions candidate_quickprop{.epsilon = 10.0, .mu = 2.0, .decay = 0.0};
  int candidate_patience = 8;
  double candidate_change_threshold = 0.03;
  int candidate_max_epochs = 1000;
};

// Throws std::invalid_argument naming the first field out of range.
void validate(const TrainerOptions& options);
// Every option as a JSON object (for a run's config_json).
nlohmann::json to_json(const TrainerOptions& options);

enum class Phase { kOutput, kCandidate };
const char* to_string(Phase phase);  // "output" / "candidate"

// One epoch. Losses are mean squared errors over patterns and outputs
// (targets are -0.5/+0.5, so a loss is in [0, 1]); accuracy is the fraction
// of patterns whose every output has the target's sign. In a candidate epoch
// the network does not change, so train/val figures repeat the last output
// epoch's and candidate_score is the pool's best normalised S.
struct EpochMetrics {
  int epoch = 0;  // 1-based over the whole run
  int step = 0;   // 0-based batch index: full-batch training makes one batch per
                  // epoch, so step == epoch - 1 (unique and increasing in a run)
  double train_loss = 0.0;
  double train_accuracy = 0.0;
  std::optional<double> val_loss;  // absent without a validation set
  std::optional<double> val_accuracy;
  double learning_rate = 0.0;  // the phase's quickprop epsilon (before scaling)
  int hidden_units = 0;        // installed hidden units during this epoch
  Phase phase = Phase::kOutput;
  int phase_epoch = 0;           // 1-based within the current phase
  int bits_wrong = 0;            // training outputs not within score_threshold
  double candidate_score = 0.0;  // candidate phase only
};

// The network right after a hidden unit was installed.
struct TopologySnapshot {
  int epoch = 0;  // the candidate epoch that selected the unit
  std::size_t input_size = 0;
  std::size_t output_size = 0;
  int hidden_units = 0;  // including the new unit
  std::size_t total_parameters = 0;
  double candidate_score = 0.0;  // normalised S of the installed unit
  std::string topology_json;     // Network::to_json(), compact
};

enum class Outcome {
  kSolved,          // every training output within score_threshold
  kMaxHiddenUnits,  // gave up: max_hidden_units installed and still not solved
  kStopped,         // the observer asked to stop
};
const char* to_string(Outcome outcome);  // "solved" / "max_hidden_units" / "stopped"

struct TrainingSummary {
  Outcome outcome = Outcome::kStopped;
  bool solved = false;
  int epochs = 0;  // epochs run (== number of on_epoch calls)
  int output_epochs = 0;
  int candidate_epochs = 0;
  int hidden_units = 0;
  std::size_t total_parameters = 0;
  EpochMetrics final_metrics;               // the last epoch's
  std::optional<double> best_val_accuracy;  // over output epochs; first epoch on ties
  int best_val_epoch = 0;
  double wall_seconds = 0.0;
  std::string topology_json;  // final network
};

// Receives training events on the training thread, in order. Exceptions
// thrown by a callback abort run() and propagate.
class TrainingObserver {
 public:
  virtual ~TrainingObserver() = default;
  virtual void on_epoch(const EpochMetrics& /*metrics*/) {}
  virtual void on_unit_added(const TopologySnapshot& /*snapshot*/) {}
  virtual void on_finished(const TrainingSummary& /*summary*/) {}
  // Polled after every epoch; returning true ends the run with kStopped.
  virtual bool stop_requested() { return false; }
};

// An observer made of optional std::functions.
struct CallbackObserver : TrainingObserver {
  std::function<void(const EpochMetrics&)> epoch;
  std::function<void(const TopologySnapshot&)> unit_added;
  std::function<void(const TrainingSummary&)> finished;
  std::function<bool()> stop;

  void on_epoch(const EpochMetrics& m) override {
    if (epoch) epoch(m);
  }
  void on_unit_added(const TopologySnapshot& s) override {
    if (unit_added) unit_added(s);
  }
  void on_finished(const TrainingSummary& s) override {
    if (finished) finished(s);
  }
  bool stop_requested() override { return stop ? stop() : false; }
};

class Trainer {
 public:
  // Validates options and data (std::invalid_argument naming the problem);
  // the validation set, if any, must have the training set's shape.
  Trainer(TrainerOptions options, Dataset training, std::optional<Dataset> validation = {});

  // Trains from scratch (fresh weights from options.seed) and returns the
  // summary; `observer` may be null. Calling run() again repeats the run.
  TrainingSummary run(TrainingObserver* observer = nullptr);

  // The network as left by the last run() (no hidden units before one).
  const Network& network() const { return network_; }
  const TrainerOptions& options() const { return options_; }
  const Dataset& training() const { return training_; }
  const std::optional<Dataset>& validation() const { return validation_; }

 private:
  TrainerOptions options_;
  Dataset training_;
  std::optional<Dataset> validation_;
  Network network_;
};

}  // namespace cascor
