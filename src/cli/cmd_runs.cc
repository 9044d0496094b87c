// canopy-store runs list | show | tag | note | complete | reap | delete
#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include "cli/context.h"
#include "cli/progress.h"

namespace canopy::cli {
namespace {

struct RunsListOptions {
  std::string status;
  std::string dataset;
  std::vector<std::string> tags;
  std::string from, to;
  std::string after;
  int limit = 100;
  std::string format = "table";
};

// "key=value" → (key, value); the key must not be empty.
std::pair<std::string, std::string> parse_tag(const std::string& text, const char* flag) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw CliError(std::string(flag) + ": '" + text + "' is not a tag (expected key=value)", kExitUsage);
  return {text.substr(0, eq), text.substr(eq + 1)};
}

void runs_list(const GlobalOptions& g, const RunsListOptions& o) {
  Format format = parse_format_flag(o.format, "--format");
  RunQuery q;
  q.limit = o.limit;
  if (!o.status.empty()) q.status = o.status;
  if (!o.dataset.empty()) q.dataset = o.dataset;
  for (const std::string& t : o.tags) {
    auto [key, value] = parse_tag(t, "--tag");
    if (q.tags.count(key) && q.tags[key] != value)
      throw CliError("--tag: tag '" + key + "' asked with two values ('" + q.tags[key] + "' and '" + value +
                         "'); no run can match both",
                     kExitUsage);
    q.tags[key] = value;
  }
  q.started_from = parse_time_flag(o.from, "--from");
  q.started_before = parse_time_flag(o.to, "--to");
  if (!o.after.empty()) q.after = parse_run_id(o.after, "--after");
  auto store = open_configured_store(g);
  std::vector<Run> runs = store->list_runs(q);
  print_runs(std::cout, runs, format);
  if (format == Format::kTable && static_cast<int>(runs.size()) == o.limit) {
    std::cerr << "More runs may follow: add --after " << runs.back().run_id.str() << " for the next page\n";
  }
  close_store(*store);
}

struct RunsShowOptions {
  std::string run;
  std::string format = "table";
  bool topology = false;
};

void runs_show(const GlobalOptions& g, const RunsShowOptions& o) {
  Uuid run_id = parse_run_id(o.run);
  Format format = parse_format_flag(o.format, "--format");
  auto store = open_configured_store(g);
  auto run = store->get_run(run_id);
  if (!run) throw CliError("run " + run_id.str() + " not found in " + store->describe(), kExitNotFound);
  if (o.topology) {
    print_topology(std::cout, store->query_topology(run_id, 100'000), format);
  } else {
    print_run(std::cout, *run, format);
  }
  close_store(*store);
}

struct RunsTagOptions {
  std::string run;
  bool clear = false;
  std::string format = "table";
};

// `changes` are the words after RUN: +key=value or key=value adds (or
// overwrites), -key removes.
void runs_tag(const GlobalOptions& g, const RunsTagOptions& o, const std::vector<std::string>& changes) {
  Uuid run_id = parse_run_id(o.run);
  Format format = parse_format_flag(o.format, "--format");
  RunUpdate u;
  u.clear_tags = o.clear;
  for (const std::string& c : changes) {
    if (c.starts_with("--"))
      throw CliError("runs tag: unknown option '" + c + "' (tag changes are +key=value or -key)", kExitUsage);
    if (c.starts_with("-")) {
      const std::string key = c.substr(1);
      if (key.empty() || key.find('=') != std::string::npos)
        throw CliError("runs tag: '" + c + "' is not a tag to remove (expected -key)", kExitUsage);
      u.remove_tags.push_back(key);
      u.set_tags.erase(key);
    } else {
      auto [key, value] = parse_tag(c.starts_with("+") ? c.substr(1) : c, "runs tag");
      u.set_tags[key] = value;
      std::erase(u.remove_tags, key);
    }
  }
  auto store = open_configured_store(g);
  Run run = store->update_run(run_id, u);
  if (format == Format::kTable) {
    for (const auto& [key, value] : run.tags) std::cout << key << '=' << value << '\n';
  } else {
    print_run(std::cout, run, format);
  }
  close_store(*store);
}

struct RunsNoteOptions {
  std::string run;
  std::string text;
};

void runs_note(const GlobalOptions& g, const RunsNoteOptions& o) {
  Uuid run_id = parse_run_id(o.run);
  RunUpdate u;
  u.notes = o.text;
  auto store = open_configured_store(g);
  store->update_run(run_id, u);
  close_store(*store);
}

struct RunsCompleteOptions {
  std::string run;
  std::string status = kStatusCompleted;
  std::string format = "table";
};

void runs_complete(const GlobalOptions& g, const RunsCompleteOptions& o) {
  Uuid run_id = parse_run_id(o.run);
  Format format = parse_format_flag(o.format, "--format");
  auto store = open_configured_store(g);
  store->complete_run(run_id, {}, o.status);
  auto run = store->get_run(run_id);
  if (run) print_run(std::cout, *run, format);
  close_store(*store);
}

// "2h", "30m", "90s", "1d", "500ms"; a plain number is seconds. Positive.
std::chrono::milliseconds parse_duration_flag(const std::string& text, const char* flag) {
  std::size_t used = 0;
  double n = 0;
  try {
    n = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string unit = text.substr(used);
  double ms_per = 0;
  if (unit.empty() || unit == "s") ms_per = 1000;
  else if (unit == "ms") ms_per = 1;
  else if (unit == "m") ms_per = 60'000;
  else if (unit == "h") ms_per = 3'600'000;
  else if (unit == "d") ms_per = 86'400'000;
  if (used == 0 || ms_per == 0 || !(n > 0) || n * ms_per > 1e15)
    throw CliError(std::string(flag) + ": '" + text + "' is not a positive duration (examples: 2h, 30m, 1d, 90s)",
                   kExitUsage);
  return std::chrono::milliseconds(static_cast<std::int64_t>(n * ms_per));
}

struct RunsReapOptions {
  std::string older_than;
  bool yes = false;
  std::string format = "table";
};

void runs_reap(const GlobalOptions& g, const RunsReapOptions& o) {
  const auto idle = parse_duration_flag(o.older_than, "--older-than");
  Format format = parse_format_flag(o.format, "--format");
  auto store = open_configured_store(g);
  std::vector<Run> runs = store->reap_runs(idle, /*dry_run=*/!o.yes);
  print_runs(std::cout, runs, format);
  if (o.yes) {
    std::cerr << runs.size() << " run(s) marked failed\n";
  } else {
    std::cerr << "Dry run: " << runs.size() << " run(s) still running with no metric newer than "
              << o.older_than << " would be marked failed; add --yes to do it\n";
  }
  close_store(*store);
}

struct RunsDeleteOptions {
  std::vector<std::string> runs;
  bool yes = false;
};

void runs_delete(const GlobalOptions& g, const RunsDeleteOptions& o) {
  std::vector<Uuid> ids;
  for (const std::string& r : o.runs) ids.push_back(parse_run_id(r));
  auto store = open_configured_store(g);
  // Every run is checked before any is deleted: a typo deletes nothing.
  for (const Uuid& id : ids) {
    if (!store->get_run(id) && store->query_metrics(id, std::nullopt, std::nullopt, 1).empty())
      throw CliError("run " + id.str() + " not found in " + store->describe() + "; nothing deleted", kExitNotFound);
  }
  if (!o.yes) {
    std::cerr << "Delete " << ids.size() << " run(s) with all their metrics, topology, roll-ups and ledger from "
              << store->describe() << "? This cannot be undone. [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "yes") throw CliError("nothing deleted (add --yes to skip the question)", kExitFailure);
  }
  Progress progress("deleting", "runs", ids.size());
  std::uint64_t done = 0;
  for (const Uuid& id : ids) {
    store->delete_run(id);
    progress.update(++done);
    std::cout << "deleted " << id.str() << '\n';
  }
  progress.finish();
  close_store(*store);
}

}  // namespace

void add_runs_command(CLI::App& app, GlobalOptions& g) {
  CLI::App* runs = app.add_subcommand("runs", "List, show, tag, complete and delete training runs");
  runs->require_subcommand(1);

  auto lo = std::make_shared<RunsListOptions>();
  CLI::App* list = runs->add_subcommand("list", "Recent runs, newest first; the filters combine");
  list->add_option("--status", lo->status, "Only runs with this status (running, completed, failed, ...)");
  list->add_option("--dataset", lo->dataset, "Only runs of this dataset");
  list->add_option("--tag", lo->tags, "Only runs with this tag (repeatable: every one must match)")
      ->type_name("KEY=VALUE");
  list->add_option("--from", lo->from, "Only runs started at or after this time (ISO-8601, or -1h, -7d, now)");
  list->add_option("--to", lo->to, "Only runs started before this time (exclusive)");
  list->add_option("--after", lo->after, "Continue after this run (the last one of the previous page)")
      ->type_name("RUN");
  list->add_option("--limit", lo->limit, "At most this many runs")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  list->add_option("--format", lo->format, "table, csv or json")->capture_default_str();
  list->callback([&g, lo] { runs_list(g, *lo); });

  auto so = std::make_shared<RunsShowOptions>();
  CLI::App* show = runs->add_subcommand("show", "Every field of one run");
  show->add_option("RUN", so->run, "Run id (UUID)")->required();
  show->add_option("--format", so->format, "table, csv or json")->capture_default_str();
  show->add_flag("--topology", so->topology,
                 "Show the run's network topology snapshots (one per hidden unit added) instead");
  show->callback([&g, so] { runs_show(g, *so); });

  auto to = std::make_shared<RunsTagOptions>();
  CLI::App* tag = runs->add_subcommand(
      "tag", "Change a run's tags: RUN +key=value (add or overwrite; the + may be left out) -key (remove); "
             "prints the tags");
  tag->add_option("RUN", to->run, "Run id (UUID)")->required();
  tag->add_flag("--clear", to->clear, "Remove every tag first (with changes: set the tags to exactly those)");
  tag->add_option("--format", to->format, "table (key=value lines), csv or json (the whole run)")
      ->capture_default_str();
  tag->allow_extras();  // the changes: -key must not be read as an option
  tag->callback([&g, to, tag] { runs_tag(g, *to, tag->remaining()); });

  auto no = std::make_shared<RunsNoteOptions>();
  CLI::App* note = runs->add_subcommand("note", "Replace a run's notes (\"\" clears them)");
  note->add_option("RUN", no->run, "Run id (UUID)")->required();
  note->add_option("TEXT", no->text, "The new notes")->required();
  note->callback([&g, no] { runs_note(g, *no); });

  auto co = std::make_shared<RunsCompleteOptions>();
  CLI::App* complete = runs->add_subcommand(
      "complete", "Finish a run from any process: end time now, final and best figures from its stored metrics");
  complete->add_option("RUN", co->run, "Run id (UUID)")->required();
  complete->add_option("--status", co->status, "completed, failed or stopped")
      ->check(CLI::IsMember({std::string(kStatusCompleted), std::string(kStatusFailed),
                             std::string(kStatusStopped)}))
      ->capture_default_str();
  complete->add_option("--format", co->format, "table, csv or json")->capture_default_str();
  complete->callback([&g, co] { runs_complete(g, *co); });

  auto ro = std::make_shared<RunsReapOptions>();
  CLI::App* reap = runs->add_subcommand(
      "reap", "Mark runs still \"running\" with no metric newer than --older-than as failed (dry run unless --yes)");
  reap->add_option("--older-than", ro->older_than, "Idle time, e.g. 2h, 30m, 1d")->required();
  reap->add_flag("--yes", ro->yes, "Mark them (without it, only list them)");
  reap->add_option("--format", ro->format, "table, csv or json")->capture_default_str();
  reap->callback([&g, ro] { runs_reap(g, *ro); });

  auto dopt = std::make_shared<RunsDeleteOptions>();
  CLI::App* del = runs->add_subcommand(
      "delete", "Delete runs with their metrics, topology, roll-ups and ledger (asks first unless --yes)");
  del->add_option("RUN", dopt->runs, "Run ids (UUIDs)")->required();
  del->add_flag("--yes", dopt->yes, "Do not ask for confirmation");
  del->callback([&g, dopt] { runs_delete(g, *dopt); });
}

}  // namespace canopy::cli
