// How the CLI prints runs and metrics: aligned tables for people, CSV and
// JSON for programs. Doubles keep their full precision in CSV and JSON (tables
// round them for reading); NaN
// and ±Inf are written as nan/inf/-inf in tables and CSV and as the strings
// "NaN", "Infinity", "-Infinity" in JSON (JSON has no such numbers). The
// JSON and CSV forms themselves come from src/json (shared with the read API).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>  // cmd_demo builds its run config with it

#include "canopy/types.h"

namespace canopy::cli {

enum class Format { kTable, kCsv, kJson };
// "table", "csv", "json" → Format; nullopt otherwise.
std::optional<Format> parse_format(std::string_view name);

// A number in a table, rounded for reading: four significant digits
// (0.8958333333333334 → 0.8958, 12.3456 → 12.35), integers above 1,000
// without decimals, an exponent below 0.001 and from 10^7 on. CSV and JSON
// keep full precision.
std::string table_number(double v);

void print_runs(std::ostream& out, const std::vector<Run>& runs, Format format);
void print_run(std::ostream& out, const Run& run, Format format);
// Snapshots oldest first; JSON includes each topology_json parsed.
void print_topology(std::ostream& out, std::vector<NetworkTopology> snapshots, Format format);

// Metrics are written in pieces so that `export` streams any number of rows:
// begin, then rows (in any number of calls), then end.
class MetricWriter {
 public:
  MetricWriter(std::ostream& out, Format format) : out_(out), format_(format) {}
  void begin();
  void row(const Metric& metric);
  void end();

 private:
  std::ostream& out_;
  Format format_;
  bool first_ = true;
};

}  // namespace canopy::cli
