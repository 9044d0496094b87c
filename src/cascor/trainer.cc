#include "cascor/trainer.h"

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include "cascor/candidate.h"
#include "cascor/random.h"

namespace cascor {

namespace {

void require(bool ok, const std::string& field, const std::string& rule) {
  if (!ok) throw std::invalid_argument("cascor option " + field + " " + rule);
}

void validate_quickprop(const QuickpropOptions& q, const std::string& prefix) {
  require(q.epsilon > 0.0 && std::isfinite(q.epsilon), prefix + ".epsilon", "must be > 0");
  require(q.mu > 0.0 && std::isfinite(q.mu), prefix + ".mu", "must be > 0");
  require(q.decay >= 0.0 && std::isfinite(q.decay), prefix + ".decay", "must be >= 0");
}

nlohmann::json quickprop_json(const QuickpropOptions& q) {
  return {{"epsilon", q.epsilon}, {"mu", q.mu}, {"decay", q.decay}};
}

struct SetScore {
  double loss = 0.0;  // mean squared error
  double sum_squared_error = 0.0;
  double accuracy = 0.0;
  int bits_wrong = 0;
};

// State of one training run. The network and caches of unit values grow as
// units are installed; hidden units are frozen, so their values per pattern
// are computed once and cached.
class Run {
 public:
  Run(const TrainerOptions& options, const Dataset& training,
      const std::optional<Dataset>& validation, Network& network, TrainingObserver* observer)
      : opt_(options),
        train_(training),
        val_(validation),
        net_(network),
        obs_(observer),
        rng_(options.seed) {}

  TrainingSummary execute();

 private:
  enum class OutputResult { kSolved, kStagnant, kTimeout, kStopped };

  void initialise();
  OutputResult output_phase();
  bool candidate_phase();  // false when the observer stopped the run
  void install(const CandidatePool& pool);
  SetScore score_training();  // also fills errors_ and slopes_
  SetScore score_validation() const;
  bool emit(const EpochMetrics& m);
  void fill_training(EpochMetrics& m, const SetScore& s) const;

  const TrainerOptions& opt_;
  const Dataset& train_;
  const std::optional<Dataset>& val_;
  Network& net_;
  TrainingObserver* obs_;
  Rng rng_;

  std::vector<std::vector<double>> train_values_;  // [pattern][unit]
  std::vector<std::vector<double>> val_values_;
  std::vector<double> errors_;               // residuals for candidates, [pattern][output]
  std::vector<std::vector<double>> slopes_;  // [output][unit]
  std::vector<Quickprop> output_qp_;         // one per output
  int epoch_ = 0;
  EpochMetrics last_;
  TrainingSummary summary_;
};

void Run::initialise() {
  net_ = Network(train_.input_size, train_.output_size);
  for (std::size_t o = 0; o < net_.output_size(); ++o) {
    for (double& w : net_.mutable_output_weights(o)) {
      w = rng_.uniform(-opt_.weight_range, opt_.weight_range);
    }
  }
  auto fill = [&](const Dataset& d, std::vector<std::vector<double>>& cache) {
    cache.assign(d.size(), {});
    for (std::size_t p = 0; p < d.size(); ++p) {
      cache[p].reserve(net_.unit_count() + static_cast<std::size_t>(opt_.max_hidden_units));
      net_.compute_values(d.input(p), cache[p]);
    }
  };
  fill(train_, train_values_);
  if (val_) fill(*val_, val_values_);
  output_qp_.assign(net_.output_size(), Quickprop(net_.unit_count()));
  slopes_.assign(net_.output_size(), std::vector<double>(net_.unit_count(), 0.0));
  errors_.assign(train_.size() * net_.output_size(), 0.0);
}

SetScore Run::score_training() {
  const std::size_t outputs = net_.output_size();
  std::vector<double> out(outputs);
  for (auto& s : slopes_) std::fill(s.begin(), s.end(), 0.0);
  SetScore score;
  int correct = 0;
  for (std::size_t p = 0; p < train_.size(); ++p) {
    const auto& v = train_values_[p];
    net_.compute_outputs(v, out);
    const auto target = train_.target(p);
    bool right = true;
    for (std::size_t o = 0; o < outputs; ++o) {
      const double dif = out[o] - target[o];
      // The offset keeps saturated outputs learning (Fahlman's flat-spot fix).
      const double err_prime = dif * (opt_.sigmoid_prime_offset + sigmoid_prime(out[o]));
      errors_[p * outputs + o] = opt_.correlate_error_prime ? err_prime : dif;
      if (!(std::fabs(dif) < opt_.score_threshold)) ++score.bits_wrong;  // NaN is wrong
      if ((out[o] >= 0.0) != (target[o] >= 0.0)) right = false;
      score.sum_squared_error += dif * dif;
      auto& s = slopes_[o];
      for (std::size_t u = 0; u < v.size(); ++u) s[u] += err_prime * v[u];
    }
    if (right) ++correct;
  }
  const double n = static_cast<double>(train_.size());
  score.loss = score.sum_squared_error / (n * static_cast<double>(outputs));
  score.accuracy = correct / n;
  return score;
}

SetScore Run::score_validation() const {
  const std::size_t outputs = net_.output_size();
  std::vector<double> out(outputs);
  SetScore score;
  int correct = 0;
  for (std::size_t p = 0; p < val_->size(); ++p) {
    net_.compute_outputs(val_values_[p], out);
    const auto target = val_->target(p);
    bool right = true;
    for (std::size_t o = 0; o < outputs; ++o) {
      const double dif = out[o] - target[o];
      if (!(std::fabs(dif) < opt_.score_threshold)) ++score.bits_wrong;  // NaN is wrong
      if ((out[o] >= 0.0) != (target[o] >= 0.0)) right = false;
      score.sum_squared_error += dif * dif;
    }
    if (right) ++correct;
  }
  const double n = static_cast<double>(val_->size());
  score.loss = score.sum_squared_error / (n * static_cast<double>(outputs));
  score.accuracy = correct / n;
  return score;
}

bool Run::emit(const EpochMetrics& m) {
  ++summary_.epochs;
  if (m.phase == Phase::kOutput) {
    ++summary_.output_epochs;
    if (m.val_accuracy &&
        (!summary_.best_val_accuracy || *m.val_accuracy > *summary_.best_val_accuracy)) {
      summary_.best_val_accuracy = m.val_accuracy;
      summary_.best_val_epoch = m.epoch;
    }
  } else {
    ++summary_.candidate_epochs;
  }
  last_ = m;
  if (obs_ == nullptr) return false;
  obs_->on_epoch(m);
  return obs_->stop_requested();
}

Run::OutputResult Run::output_phase() {
  const double epsilon = opt_.output_quickprop.epsilon / static_cast<double>(train_.size());
  double last_error = 0.0;
  int quit = opt_.output_patience;
  for (int i = 0; i < opt_.output_max_epochs; ++i) {
    const SetScore s = score_training();
    EpochMetrics m;
    m.epoch = ++epoch_;
    m.step = m.epoch - 1;
    m.train_loss = s.loss;
    m.train_accuracy = s.accuracy;
    if (val_) {
      const SetScore v = score_validation();
      m.val_loss = v.loss;
      m.val_accuracy = v.accuracy;
    }
    m.learning_rate = opt_.output_quickprop.epsilon;
    m.hidden_units = static_cast<int>(net_.hidden_units());
    m.phase = Phase::kOutput;
    m.phase_epoch = i + 1;
    m.bits_wrong = s.bits_wrong;
    const bool stop = emit(m);
    if (s.bits_wrong == 0) return OutputResult::kSolved;
    if (stop) return OutputResult::kStopped;
    // Stagnation as in the reference code: keep going while the error moves
    // by more than the threshold fraction, stop `patience` epochs after the
    // last significant move.
    if (opt_.output_patience > 0) {
      if (i == 0) {
        last_error = s.sum_squared_error;
      } else if (std::fabs(s.sum_squared_error - last_error) >
                 last_error * opt_.output_change_threshold) {
        last_error = s.sum_squared_error;
        quit = i + opt_.output_patience;
      } else if (i >= quit) {
        return OutputResult::kStagnant;
      }
    }
    // No update after the last pass: the residuals must match the weights.
    if (i + 1 == opt_.output_max_epochs) break;
    for (std::size_t o = 0; o < net_.output_size(); ++o) {
      output_qp_[o].step(net_.mutable_output_weights(o), slopes_[o], opt_.output_quickprop,
                         epsilon);
    }
  }
  return OutputResult::kTimeout;
}

bool Run::candidate_phase() {
  const Residuals residuals = make_residuals(errors_, train_.size(), net_.output_size());
  CandidatePool pool(static_cast<std::size_t>(opt_.candidate_pool_size), net_.unit_count(),
                     opt_.weight_range, rng_);
  const double epsilon =
      opt_.candidate_quickprop.epsilon /
      (static_cast<double>(train_.size()) * static_cast<double>(net_.unit_count()));
  const EpochMetrics network_metrics = last_;  // the network does not change in this phase
  double last_score = 0.0;
  int quit = opt_.candidate_patience;
  for (int i = 0; i < opt_.candidate_max_epochs; ++i) {
    pool.evaluate(train_values_, residuals);
    EpochMetrics m = network_metrics;
    m.epoch = ++epoch_;
    m.step = m.epoch - 1;
    m.learning_rate = opt_.candidate_quickprop.epsilon;
    m.phase = Phase::kCandidate;
    m.phase_epoch = i + 1;
    m.candidate_score = pool.best_score();
    if (emit(m)) return false;
    if (i + 1 == opt_.candidate_max_epochs) break;
    if (opt_.candidate_patience > 0) {
      const double score = pool.best_score();
      if (i == 0) {
        last_score = score;
      } else if (std::fabs(score - last_score) > last_score * opt_.candidate_change_threshold) {
        last_score = score;
        quit = i + opt_.candidate_patience;
      } else if (i >= quit) {
        break;
      }
    }
    pool.update(train_values_, residuals, opt_.candidate_quickprop, epsilon);
  }
  install(pool);
  return true;
}

void Run::install(const CandidatePool& pool) {
  const std::size_t best = pool.best();
  const auto weights = pool.weights(best);
  const auto correlations = pool.correlations(best);
  std::vector<double> output_weights(net_.output_size());
  for (std::size_t o = 0; o < output_weights.size(); ++o) {
    // A unit whose value rises with the error should pull the output down.
    output_weights[o] = -correlations[o] * opt_.weight_multiplier;
  }
  net_.add_hidden_unit(std::vector<double>(weights.begin(), weights.end()), output_weights);
  const std::size_t unit = net_.hidden_units() - 1;
  for (auto& v : train_values_) v.push_back(net_.hidden_value(unit, v));
  for (auto& v : val_values_) v.push_back(net_.hidden_value(unit, v));
  for (auto& qp : output_qp_) qp.resize(net_.unit_count());
  for (auto& s : slopes_) s.resize(net_.unit_count(), 0.0);

  if (obs_ != nullptr) {
    TopologySnapshot snap;
    snap.epoch = epoch_;
    snap.input_size = net_.input_size();
    snap.output_size = net_.output_size();
    snap.hidden_units = static_cast<int>(net_.hidden_units());
    snap.total_parameters = net_.parameter_count();
    snap.candidate_score = pool.best_score();
    snap.topology_json = net_.to_json().dump();
    obs_->on_unit_added(snap);
  }
}

TrainingSummary Run::execute() {
  const auto start = std::chrono::steady_clock::now();
  initialise();
  for (;;) {
    const OutputResult r = output_phase();
    if (r == OutputResult::kSolved) {
      summary_.outcome = Outcome::kSolved;
      break;
    }
    if (r == OutputResult::kStopped) {
      summary_.outcome = Outcome::kStopped;
      break;
    }
    if (net_.hidden_units() >= static_cast<std::size_t>(opt_.max_hidden_units)) {
      summary_.outcome = Outcome::kMaxHiddenUnits;
      break;
    }
    if (!candidate_phase()) {
      summary_.outcome = Outcome::kStopped;
      break;
    }
  }
  summary_.solved = summary_.outcome == Outcome::kSolved;
  summary_.hidden_units = static_cast<int>(net_.hidden_units());
  summary_.total_parameters = net_.parameter_count();
  summary_.final_metrics = last_;
  summary_.topology_json = net_.to_json().dump();
  summary_.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (obs_ != nullptr) obs_->on_finished(summary_);
  return summary_;
}

}  // namespace

void validate(const TrainerOptions& o) {
  require(o.max_hidden_units >= 0, "max_hidden_units", "must be >= 0");
  require(o.candidate_pool_size >= 1, "candidate_pool_size", "must be >= 1");
  require(o.weight_range > 0.0, "weight_range", "must be > 0");
  require(o.score_threshold > 0.0 && o.score_threshold <= 1.0, "score_threshold",
          "must be in (0, 1]");
  require(o.sigmoid_prime_offset >= 0.0, "sigmoid_prime_offset", "must be >= 0");
  require(o.weight_multiplier >= 0.0, "weight_multiplier", "must be >= 0");
  validate_quickprop(o.output_quickprop, "output_quickprop");
  validate_quickprop(o.candidate_quickprop, "candidate_quickprop");
  require(o.output_patience >= 0, "output_patience", "must be >= 0 (0 = no patience limit)");
  require(o.candidate_patience >= 0, "candidate_patience", "must be >= 0 (0 = no limit)");
  require(o.output_change_threshold >= 0.0, "output_change_threshold", "must be >= 0");
  require(o.candidate_change_threshold >= 0.0, "candidate_change_threshold", "must be >= 0");
  require(o.output_max_epochs >= 1, "output_max_epochs", "must be >= 1");
  require(o.candidate_max_epochs >= 1, "candidate_max_epochs", "must be >= 1");
}

nlohmann::json to_json(const TrainerOptions& o) {
  return {{"algorithm", "cascade-correlation"},
          {"seed", o.seed},
          {"max_hidden_units", o.max_hidden_units},
          {"candidate_pool_size", o.candidate_pool_size},
          {"weight_range", o.weight_range},
          {"score_threshold", o.score_threshold},
          {"sigmoid_prime_offset", o.sigmoid_prime_offset},
          {"weight_multiplier", o.weight_multiplier},
          {"correlate_error_prime", o.correlate_error_prime},
          {"output_quickprop", quickprop_json(o.output_quickprop)},
          {"output_patience", o.output_patience},
          {"output_change_threshold", o.output_change_threshold},
          {"output_max_epochs", o.output_max_epochs},
          {"candidate_quickprop", quickprop_json(o.candidate_quickprop)},
          {"candidate_patience", o.candidate_patience},
          {"candidate_change_threshold", o.candidate_change_threshold},
          {"candidate_max_epochs", o.candidate_max_epochs}};
}

const char* to_string(Phase phase) { return phase == Phase::kOutput ? "output" : "candidate"; }

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSolved:
      return "solved";
    case Outcome::kMaxHiddenUnits:
      return "max_hidden_units";
    case Outcome::kStopped:
      return "stopped";
  }
  return "unknown";
}

Trainer::Trainer(TrainerOptions options, Dataset training, std::optional<Dataset> validation)
    : options_(options),
      training_(std::move(training)),
      validation_(std::move(validation)),
      network_(training_.input_size == 0 ? 1 : training_.input_size,
               training_.output_size == 0 ? 1 : training_.output_size) {
  validate(options_);
  cascor::validate(training_);
  if (validation_) {
    cascor::validate(*validation_);
    if (validation_->input_size != training_.input_size ||
        validation_->output_size != training_.output_size) {
      throw std::invalid_argument("validation set '" + validation_->name + "' has shape " +
                                  std::to_string(validation_->input_size) + "->" +
                                  std::to_string(validation_->output_size) + ", training set '" +
                                  training_.name + "' has " + std::to_string(training_.input_size) +
                                  "->" + std::to_string(training_.output_size));
    }
  }
}

TrainingSummary Trainer::run(TrainingObserver* observer) {
  Run run(options_, training_, validation_, network_, observer);
  return run.execute();
}

}  // namespace cascor
