// Learning curves of a run: loss and accuracy, train and validation, against
// the epoch. Two renderers over the same series: a self-contained SVG file
// (two stacked panels, dashed lines where hidden units were installed) and a
// small terminal chart (ASCII markers or Unicode braille).
//
// Input is the run's EpochMetrics in epoch order (as on_epoch delivered
// them); validation curves are drawn only when the metrics carry them.
// Candidate epochs repeat the network's last figures, so the curves are
// flat there. Pure functions of their input; no I/O except write_svg.
#pragma once

#include <filesystem>
#include <span>
#include <string>

#include "cascor/trainer.h"

namespace cascor {

struct SvgPlotOptions {
  int width = 800;   // pixels
  int height = 560;  // pixels, both panels
  std::string title = "Cascade-Correlation training";
};

// A complete SVG document (UTF-8, starts with "<?xml"). Empty input gives a
// valid document saying "no epochs".
std::string render_svg(std::span<const EpochMetrics> epochs, const SvgPlotOptions& options = {});
// Writes render_svg() to `path`; throws std::runtime_error naming the path
// when it cannot be written.
void write_svg(const std::filesystem::path& path, std::span<const EpochMetrics> epochs,
               const SvgPlotOptions& options = {});

enum class TerminalStyle {
  kAscii,    // one character per cell: train '*', validation 'o', both '#'
  kBraille,  // 2x4 dots per cell; use with color to tell the series apart
};

struct TerminalPlotOptions {
  int width = 60;   // plot columns (cells), without the axis labels
  int height = 12;  // plot rows per chart
  TerminalStyle style = TerminalStyle::kAscii;
  bool color = false;  // ANSI colours: train blue, validation orange
};

// Two charts, loss then accuracy, each with a y axis, an epoch axis and a
// legend; lines end with '\n'. Empty input gives a one-line note.
std::string render_terminal(std::span<const EpochMetrics> epochs,
                            const TerminalPlotOptions& options = {});

}  // namespace cascor
