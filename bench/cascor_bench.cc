// Cost of the Cascade-Correlation trainer's pieces. Prints figures; nothing
// is asserted. Run: build-cascor/src/cascor/cascor_bench
#include <benchmark/benchmark.h>

#include <vector>

#include "cascor/candidate.h"
#include "cascor/plot.h"
#include "cascor/spirals.h"
#include "cascor/trainer.h"

namespace {

// One candidate epoch (evaluate + update of a pool of 8) on the 194
// two-spirals patterns with the given fan-in (3 = bias + 2 inputs; each
// hidden unit adds one).
void BM_CandidateEpoch(benchmark::State& state) {
  const auto fan_in = static_cast<std::size_t>(state.range(0));
  const cascor::Dataset d = cascor::two_spirals_training();
  cascor::Rng rng(1);
  std::vector<std::vector<double>> values(d.size(), std::vector<double>(fan_in));
  std::vector<double> errors;
  for (std::size_t p = 0; p < d.size(); ++p) {
    values[p][0] = 1.0;
    for (std::size_t i = 1; i < fan_in; ++i) values[p][i] = rng.uniform(-0.5, 0.5);
    errors.push_back(rng.uniform(-0.3, 0.3));
  }
  const cascor::Residuals r = cascor::make_residuals(errors, d.size(), 1);
  cascor::CandidatePool pool(8, fan_in, 1.0, rng);
  const double eps = 10.0 / static_cast<double>(d.size() * fan_in);
  for (auto _ : state) {
    pool.evaluate(values, r);
    pool.update(values, r, {.epsilon = 10.0, .mu = 2.0, .decay = 0.0}, eps);
    benchmark::DoNotOptimize(pool.best_score());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(d.size()));
}
BENCHMARK(BM_CandidateEpoch)->Arg(3)->Arg(10)->Arg(20);

// A whole two-spirals run with the defaults (seed 1: 14 hidden units, 1488
// epochs), without and with an observer collecting every epoch.
void BM_TwoSpiralsRun(benchmark::State& state) {
  cascor::Trainer trainer({}, cascor::two_spirals_training(), cascor::two_spirals_validation());
  int epochs = 0;
  for (auto _ : state) {
    cascor::TrainingSummary s = trainer.run();
    epochs = s.epochs;
    benchmark::DoNotOptimize(s);
  }
  state.counters["epochs"] = epochs;
  state.counters["epochs/s"] =
      benchmark::Counter(static_cast<double>(epochs) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TwoSpiralsRun)->Unit(benchmark::kMillisecond);

void BM_RenderCurves(benchmark::State& state) {
  std::vector<cascor::EpochMetrics> history;
  cascor::CallbackObserver obs;
  obs.epoch = [&](const cascor::EpochMetrics& m) { history.push_back(m); };
  cascor::Trainer({}, cascor::two_spirals_training(), cascor::two_spirals_validation()).run(&obs);
  for (auto _ : state) {
    benchmark::DoNotOptimize(cascor::render_svg(history));
    benchmark::DoNotOptimize(cascor::render_terminal(history));
  }
}
BENCHMARK(BM_RenderCurves)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
