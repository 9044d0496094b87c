// cascor-sweep: trains two-spirals with the default options for several
// seeds and prints, per seed, the hidden units and epochs needed and the wall
// time, then mean / min / max. Figures are quoted in docs/cascor.md.
//
//   cascor-sweep [--seeds N] [--first-seed S] [--max-hidden-units H] [--verbose]
//                [--show] [--braille] [--svg PREFIX] [option overrides, see usage()]
// --verbose prints one line per phase; --show draws the first seed's curves
// and decision region in the terminal; --svg writes them as SVG files.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "cascor/plot.h"
#include "cascor/region.h"
#include "cascor/spirals.h"
#include "cascor/trainer.h"

namespace {

struct Row {
  std::uint64_t seed;
  cascor::TrainingSummary summary;
};

void print_stat(const char* name, const std::vector<double>& xs, const char* fmt) {
  double sum = 0.0;
  for (double x : xs) sum += x;
  const auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
  std::printf("%-14s mean ", name);
  std::printf(fmt, sum / static_cast<double>(xs.size()));
  std::printf("  min ");
  std::printf(fmt, *lo);
  std::printf("  max ");
  std::printf(fmt, *hi);
  std::printf("\n");
}

int usage() {
  std::fprintf(stderr,
               "usage: cascor-sweep [--seeds N] [--first-seed S] [--max-hidden-units H] "
               "[--verbose] [--show] [--braille]\n                    [--svg PREFIX] "
               "[--output-epsilon E] [--candidate-epsilon E]\n                    "
               "[--output-patience N] [--candidate-patience N] [--pool N] [--error-prime 0|1]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = 10;
  bool verbose = false;
  bool show = false;       // terminal plots and decision region of the first seed
  bool braille = false;    // --braille: show them with coloured braille dots
  std::string svg_prefix;  // write <prefix>curves.svg and <prefix>region.svg for the first seed
  std::uint64_t first_seed = 1;
  cascor::TrainerOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--verbose") {
      verbose = true;
      continue;
    }
    if (arg == "--show" || arg == "--braille") {
      show = true;
      braille = braille || arg == "--braille";
      continue;
    }
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    if (arg == "--seeds") {
      seeds = std::atoi(value);
    } else if (arg == "--first-seed") {
      first_seed = std::strtoull(value, nullptr, 10);
    } else if (arg == "--svg") {
      svg_prefix = value;
    } else if (arg == "--max-hidden-units") {
      options.max_hidden_units = std::atoi(value);
    } else if (arg == "--output-epsilon") {
      options.output_quickprop.epsilon = std::atof(value);
    } else if (arg == "--candidate-epsilon") {
      options.candidate_quickprop.epsilon = std::atof(value);
    } else if (arg == "--output-patience") {
      options.output_patience = std::atoi(value);
    } else if (arg == "--candidate-patience") {
      options.candidate_patience = std::atoi(value);
    } else if (arg == "--pool") {
      options.candidate_pool_size = std::atoi(value);
    } else if (arg == "--error-prime") {
      options.correlate_error_prime = std::atoi(value) != 0;
    } else {
      return usage();
    }
  }
  if (seeds < 1) return usage();

  const cascor::Dataset train = cascor::two_spirals_training();
  const cascor::Dataset val = cascor::two_spirals_validation();
  std::printf("two-spirals: %zu training patterns, %zu validation patterns, pool %d\n\n",
              train.size(), val.size(), options.candidate_pool_size);
  std::printf("%6s  %-8s  %6s  %7s  %9s  %9s  %8s\n", "seed", "outcome", "hidden", "epochs",
              "val_acc", "best_val", "wall_s");
  std::vector<double> hidden, epochs, wall;
  int solved = 0;
  for (int k = 0; k < seeds; ++k) {
    options.seed = first_seed + static_cast<std::uint64_t>(k);
    cascor::Trainer trainer(options, train, val);
    // --verbose: one line per finished phase.
    cascor::CallbackObserver obs;
    cascor::EpochMetrics prev;
    auto phase_line = [&](const cascor::EpochMetrics& m) {
      std::printf(
          "    %-9s ends epoch %5d after %4d epochs: hidden %2d bits %3d loss %.4f "
          "acc %.3f score %.4f\n",
          cascor::to_string(m.phase), m.epoch, m.phase_epoch, m.hidden_units, m.bits_wrong,
          m.train_loss, m.train_accuracy, m.candidate_score);
    };
    std::vector<cascor::EpochMetrics> history;
    obs.epoch = [&](const cascor::EpochMetrics& m) {
      if (verbose && prev.epoch > 0 && m.phase_epoch == 1) phase_line(prev);
      prev = m;
      history.push_back(m);
    };
    obs.finished = [&](const cascor::TrainingSummary&) {
      if (verbose) phase_line(prev);
    };
    const cascor::TrainingSummary s = trainer.run(&obs);
    if (k == 0 && show) {
      std::printf(
          "%s\n%s\n",
          cascor::render_terminal(history, {.style = braille ? cascor::TerminalStyle::kBraille
                                                             : cascor::TerminalStyle::kAscii,
                                            .color = braille})
              .c_str(),
          cascor::render_region_ascii(trainer.network(), &train).c_str());
    }
    if (k == 0 && !svg_prefix.empty()) {
      cascor::write_svg(svg_prefix + "curves.svg", history);
      std::ofstream(svg_prefix + "region.svg")
          << cascor::render_region_svg(trainer.network(), &train, {.columns = 120});
    }
    std::printf("%6llu  %-8s  %6d  %7d  %9.3f  %9.3f  %8.3f\n",
                static_cast<unsigned long long>(options.seed),
                s.solved ? "solved" : cascor::to_string(s.outcome), s.hidden_units, s.epochs,
                s.final_metrics.val_accuracy.value_or(0.0), s.best_val_accuracy.value_or(0.0),
                s.wall_seconds);
    std::fflush(stdout);
    if (s.solved) ++solved;
    hidden.push_back(s.hidden_units);
    epochs.push_back(s.epochs);
    wall.push_back(s.wall_seconds);
  }
  std::printf("\nsolved %d of %d\n", solved, seeds);
  print_stat("hidden units", hidden, "%6.1f");
  print_stat("epochs", epochs, "%7.0f");
  print_stat("wall seconds", wall, "%6.3f");
  return solved == seeds ? 0 : 1;
}
