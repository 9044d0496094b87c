// canopy-store verify RUN: the run's completeness ledger against the rows
// the backend holds (MetricsStore::verify_run, docs/store.md). Exit 0 when
// every acknowledged step is stored, 1 when some are missing, 3 for an
// unknown run.
#include <iostream>

#include "cli/context.h"
#include "json/to_json.h"

namespace canopy::cli {
namespace {

struct VerifyOptions {
  std::string run;
  bool json = false;
};

std::string ranges_text(const std::vector<StepRange>& ranges, std::size_t max_shown) {
  std::string out;
  for (std::size_t i = 0; i < ranges.size() && i < max_shown; ++i) {
    if (!out.empty()) out += ", ";
    out += std::to_string(ranges[i].first);
    if (ranges[i].last != ranges[i].first) out += "-" + std::to_string(ranges[i].last);
  }
  if (ranges.size() > max_shown) out += ", ... (" + std::to_string(ranges.size() - max_shown) + " more ranges; --json lists all)";
  return out;
}

int verify(const GlobalOptions& g, const VerifyOptions& o) {
  Uuid run_id = parse_run_id(o.run);
  auto store = open_configured_store(g);
  RunVerification v = store->verify_run(run_id);  // NotFound → exit 3 (main.cc)
  if (o.json) {
    std::cout << json::verification_to_json(v).dump(2) << "\n";
  } else {
    auto row = [](const char* name, const std::string& value) {
      std::printf("%-22s %s\n", name, value.c_str());
    };
    auto opt = [](const std::optional<std::int64_t>& x) { return x ? std::to_string(*x) : std::string("-"); };
    row("run", v.run_id.str());
    row("ledger entries", std::to_string(v.ledger_entries));
    row("acknowledged", std::to_string(v.acknowledged));
    row("acknowledged steps", std::to_string(v.acknowledged_steps) + " (" + opt(v.first_step) + " .. " +
                                  opt(v.last_step) + ")");
    row("stored rows", std::to_string(v.stored));
    row("stored steps", std::to_string(v.stored_steps));
    row("missing steps", std::to_string(v.missing_steps) + (v.missing.empty() ? "" : ": " + ranges_text(v.missing, 20)));
    row("duplicates", std::to_string(v.duplicates));
    row("unacknowledged steps", std::to_string(v.unacknowledged_steps));
    if (v.complete()) {
      std::printf("verdict: complete%s\n",
                  v.ledger_entries == 0 ? " (no ledger: no metric was acknowledged by a store that keeps one)" : "");
    } else {
      std::printf("verdict: INCOMPLETE: %llu acknowledged step(s) in %zu range(s) are not stored\n",
                  static_cast<unsigned long long>(v.missing_steps), v.missing.size());
    }
  }
  std::cout.flush();
  close_store(*store);
  if (!v.complete()) {
    throw CliError("run " + v.run_id.str() + " is incomplete: " + std::to_string(v.missing_steps) +
                       " acknowledged step(s) are not stored",
                   kExitFailure);
  }
  return kExitOk;
}

}  // namespace

void add_verify_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check that every metric the store acknowledged for a run is stored (exit 0 complete, 1 missing, 3 unknown run)");
  cmd->add_option("RUN", o->run, "Run id (UUID)")->required();
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([&g, o] { verify(g, *o); });
}

}  // namespace canopy::cli
