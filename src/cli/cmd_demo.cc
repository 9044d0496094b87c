// canopy-store demo: trains a Cascade-Correlation network on two-spirals and
// records the run, every epoch's metrics and a topology snapshot per added
// unit in the configured store, live, as Juniper Canopy's trainer does.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cascor/plot.h"
#include "cascor/spirals.h"
#include "cascor/trainer.h"
#include "cli/context.h"

namespace canopy::cli {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted.store(true); }

struct DemoOptions {
  std::uint64_t seed = 1;
  int max_hidden_units = 40;
  std::string plot = "canopy-demo.svg";
  bool no_plot = false;
  bool quiet = false;
  int epoch_delay_ms = 0;
};

Metric to_metric(const cascor::EpochMetrics& e) {
  Metric m;
  m.epoch = e.epoch;
  m.step = e.step;
  m.train_loss = e.train_loss;
  m.train_accuracy = e.train_accuracy;
  m.val_loss = e.val_loss;
  m.val_accuracy = e.val_accuracy;
  m.learning_rate = e.learning_rate;
  m.hidden_units = e.hidden_units;
  return m;
}

// Live progress on stderr: one rewritten line on a terminal, a line per
// added unit otherwise (so logs stay short).
class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO)) {}
  void epoch(const cascor::EpochMetrics& e) {
    if (quiet_ || !tty_ || e.epoch % 10 != 0) return;
    std::fprintf(stderr, "\r  epoch %5d  %-9s  hidden %2d  train loss %.4f  acc %5.1f%%  val acc %5.1f%%",
                 e.epoch, cascor::to_string(e.phase), e.hidden_units, e.train_loss,
                 100 * e.train_accuracy, 100 * e.val_accuracy.value_or(0));
  }
  void unit(const cascor::TopologySnapshot& s) {
    if (quiet_) return;
    if (tty_) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "  epoch %5d: hidden unit %d installed (score %.3f, %zu parameters)\n",
                 s.epoch, s.hidden_units, s.candidate_score, s.total_parameters);
  }
  void done() {
    if (!quiet_ && tty_) std::fputs("\r\033[K", stderr);
  }

 private:
  bool quiet_;
  bool tty_;
};

void demo(const GlobalOptions& g, const DemoOptions& o) {
  cascor::TrainerOptions options;
  options.seed = o.seed;
  options.max_hidden_units = o.max_hidden_units;
  try {
    cascor::validate(options);
  } catch (const std::invalid_argument& e) {
    throw CliError(e.what(), kExitUsage);
  }
  cascor::Trainer trainer(options, cascor::two_spirals_training(), cascor::two_spirals_validation());

  Config store_config = effective_config(g);
  if (o.epoch_delay_ms > 0) {
    // Paced for watching live: let each metric reach the store within a
    // quarter second instead of waiting for a full batch.
    store_config.cassandra.flush_interval =
        std::min(store_config.cassandra.flush_interval, std::chrono::milliseconds(250));
  }
  auto store = open_store(store_config);
  nlohmann::json config = {{"model", "cascade-correlation"},
                           {"dataset", "two-spirals 2x97 (validation: 2x96 half-way points)"},
                           {"trainer", cascor::to_json(options)}};
  NewRun new_run;
  new_run.dataset_name = "two_spirals";
  new_run.config_json = config.dump();
  new_run.tags = {{"source", "canopy-store demo"}, {"seed", std::to_string(o.seed)}};
  Uuid run_id = store->create_run(new_run);
  std::cerr << "demo: run " << run_id.str() << " on " << store->describe() << "\n"
            << "demo: training Cascade-Correlation on two-spirals (seed " << o.seed
            << "); Ctrl-C stops early\n";

  auto previous = std::signal(SIGINT, on_sigint);
  Progress progress(o.quiet);
  std::vector<cascor::EpochMetrics> series;
  int snapshots = 0;
  cascor::CallbackObserver observer;
  observer.epoch = [&](const cascor::EpochMetrics& e) {
    store->store_metric(run_id, to_metric(e));
    if (o.epoch_delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(o.epoch_delay_ms));
    series.push_back(e);
    progress.epoch(e);
  };
  observer.unit_added = [&](const cascor::TopologySnapshot& s) {
    NetworkTopology t;
    t.run_id = run_id;
    t.timestamp = now_ms();
    t.epoch = s.epoch;
    t.input_size = static_cast<std::int32_t>(s.input_size);
    t.output_size = static_cast<std::int32_t>(s.output_size);
    t.hidden_units = s.hidden_units;
    t.total_parameters = static_cast<std::int64_t>(s.total_parameters);
    t.topology_json = s.topology_json;
    store->store_topology(t);
    ++snapshots;
    progress.unit(s);
  };
  observer.stop = [] { return g_interrupted.load(); };

  cascor::TrainingSummary summary;
  try {
    summary = trainer.run(&observer);
  } catch (...) {
    std::signal(SIGINT, previous);
    progress.done();
    store->complete_run(run_id, {}, kStatusFailed);
    throw;
  }
  std::signal(SIGINT, previous);
  progress.done();

  FinalMetrics final_metrics;
  final_metrics.total_parameters = static_cast<std::int64_t>(summary.total_parameters);
  final_metrics.total_hidden_units = summary.hidden_units;
  const char* status = summary.solved ? kStatusCompleted
                       : summary.outcome == cascor::Outcome::kStopped ? "stopped"
                                                                      : kStatusFailed;
  store->complete_run(run_id, final_metrics, status);  // flushes first
  WriterCounters c = store->counters();
  std::optional<Run> run = store->get_run(run_id);

  std::cout << "\nRun " << run_id.str() << "  (" << status << ", "
            << cascor::to_string(summary.outcome) << ")\n";
  std::printf("  epochs trained      %d (%d output, %d candidate)\n", summary.epochs,
              summary.output_epochs, summary.candidate_epochs);
  std::printf("  hidden units        %d   parameters %zu\n", summary.hidden_units,
              summary.total_parameters);
  std::printf("  final train         loss %.4f  accuracy %.1f%%\n", summary.final_metrics.train_loss,
              100 * summary.final_metrics.train_accuracy);
  if (summary.final_metrics.val_accuracy)
    std::printf("  final validation    loss %.4f  accuracy %.1f%%\n",
                summary.final_metrics.val_loss.value_or(0), 100 * *summary.final_metrics.val_accuracy);
  if (run && run->best_val_accuracy)
    std::printf("  best validation     accuracy %.1f%% at epoch %d\n", 100 * *run->best_val_accuracy,
                run->best_epoch.value_or(0));
  std::printf("  wall time           %.2f s\n", summary.wall_seconds);
  std::printf("  stored              %llu metrics (written %llu), %d topology snapshots in %s\n",
              static_cast<unsigned long long>(c.stored), static_cast<unsigned long long>(c.written),
              snapshots, store->describe().c_str());
  // The hints carry --config, --backend and --set as given: without them
  // they would look in another store (the embedded one) and find nothing.
  std::cout << "  look at it          " << g.command() << " runs show " << run_id.str() << "\n"
            << "                      " << g.command() << " metrics " << run_id.str() << " --limit 10\n";
  if (!o.no_plot) {
    std::cout << '\n' << cascor::render_terminal(series);
    cascor::SvgPlotOptions svg;
    svg.title = "Cascade-Correlation on two-spirals, run " + run_id.str();
    try {
      cascor::write_svg(o.plot, series, svg);
    } catch (const std::runtime_error& e) {
      throw CliError(std::string("--plot: ") + e.what(), kExitFailure);
    }
    std::cout << "  plot                " << o.plot << '\n';
  }
  close_store(*store);
}

}  // namespace

void add_demo_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<DemoOptions>();
  CLI::App* demo_cmd = app.add_subcommand(
      "demo", "Train Cascade-Correlation on two-spirals, recording the run live in the store");
  demo_cmd->add_option("--seed", o->seed, "Random seed of the weights")->capture_default_str();
  demo_cmd->add_option("--max-hidden-units", o->max_hidden_units, "Give up after this many hidden units")
      ->check(CLI::Range(1, 500))
      ->capture_default_str();
  demo_cmd->add_option("--plot", o->plot, "SVG file for the loss and accuracy curves")
      ->capture_default_str();
  demo_cmd->add_flag("--no-plot", o->no_plot, "Write no SVG and draw no terminal plot");
  demo_cmd->add_flag("--quiet,-q", o->quiet, "No progress lines");
  demo_cmd->add_option("--epoch-delay", o->epoch_delay_ms,
                       "Sleep this many milliseconds after each epoch, so that a live view (serve, the web "
                       "page) can follow the training; metrics then reach the store within 250 ms")
      ->check(CLI::Range(0, 60'000))
      ->capture_default_str();
  demo_cmd->callback([&g, o] { demo(g, *o); });
}

}  // namespace canopy::cli
