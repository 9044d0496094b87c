// Run management, checked the same way against both backends
// (store_conformance.h): tags and notes, complete_run from another
// process, reaping stale runs, deleting runs, combined listing filters.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "canopy/errors.h"
#include "canopy/metrics_store.h"
#include "conformance/store_conformance.h"
#include "store/spool.h"
#include "store/store_impl.h"

namespace canopy::conformance {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kDay = 86'400'000;

class StoreRuns : public StoreFixture {
 protected:
  Uuid new_run(std::int64_t start_ms = kT0, const std::string& dataset = "two_spirals",
               std::map<std::string, std::string> tags = {}) {
    NewRun r;
    r.dataset_name = dataset;
    r.start_time = ts(start_ms);
    r.tags = std::move(tags);
    return store_->create_run(r);
  }
  // Metrics with NaN, a tied best val_accuracy and rising hidden units.
  void fill(const Uuid& run, std::int64_t t0, int n) {
    for (int i = 0; i < n; ++i) {
      Metric m;
      m.timestamp = ts(t0 + i * 10);
      m.epoch = i;
      m.train_loss = 1.0 / (i + 1);
      m.train_accuracy = i / double(n);
      m.val_loss = i % 5 == 0 ? std::nan("") : 2.0 / (i + 1);
      m.val_accuracy = i == n / 2 || i == n - 3 ? 0.95 : (i % 4 == 0 ? std::nan("") : i / double(2 * n));
      m.hidden_units = i / 7;
      store_->store_metric(run, m);
    }
  }
  static FinalMetrics ending(Timestamp end) {
    FinalMetrics f;
    f.end_time = end;
    return f;
  }
  store::MetricsStoreImpl& impl() { return dynamic_cast<store::MetricsStoreImpl&>(*store_); }
};

// The run's figures complete_run derived, with NaN compared as equal.
void expect_same_figures(const canopy::Run& a, const canopy::Run& b) {
  auto same = [](std::optional<double> x, std::optional<double> y) {
    if (x.has_value() != y.has_value()) return false;
    if (!x) return true;
    return (std::isnan(*x) && std::isnan(*y)) || *x == *y;
  };
  EXPECT_EQ(a.final_epoch, b.final_epoch);
  EXPECT_TRUE(same(a.final_train_loss, b.final_train_loss));
  EXPECT_TRUE(same(a.final_train_accuracy, b.final_train_accuracy));
  EXPECT_TRUE(same(a.final_val_loss, b.final_val_loss));
  EXPECT_TRUE(same(a.final_val_accuracy, b.final_val_accuracy));
  EXPECT_TRUE(same(a.best_val_accuracy, b.best_val_accuracy));
  EXPECT_EQ(a.best_epoch, b.best_epoch);
  EXPECT_EQ(a.total_hidden_units, b.total_hidden_units);
}

TEST_F(StoreRuns, TagsAndNotesAreSetAddedRemovedAndKept) {
  Uuid id = new_run(kT0, "iris", {{"owner", "ana"}, {"stage", "dev"}});
  RunUpdate u;
  u.set_tags = {{"stage", "prod"}, {"lr", "0.1"}};
  u.remove_tags = {"owner", "never-there"};
  u.notes = "tuned = better";
  canopy::Run got = store_->update_run(id, u);
  const std::map<std::string, std::string> want{{"lr", "0.1"}, {"stage", "prod"}};
  EXPECT_EQ(got.tags, want) << backend_name();
  store_->close();
  store_ = open_store(config_);
  auto read = store_->get_run(id);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->tags, want);
  EXPECT_EQ(read->notes, "tuned = better");
  EXPECT_EQ(read->dataset_name, "iris");
  EXPECT_EQ(read->status, "running");

  RunUpdate replace;  // "set": clear, then these
  replace.clear_tags = true;
  replace.set_tags = {{"only", "this"}};
  EXPECT_EQ(store_->update_run(id, replace).tags, (std::map<std::string, std::string>{{"only", "this"}}));
  EXPECT_EQ(store_->get_run(id)->notes, "tuned = better");  // notes untouched when not given
  // The listing rows carry the new tags too (Cassandra keeps a copy).
  RunQuery q;
  q.tags = {{"only", "this"}};
  auto listed = store_->list_runs(q);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].tags, (std::map<std::string, std::string>{{"only", "this"}}));
  q.tags = {{"stage", "prod"}};
  EXPECT_TRUE(store_->list_runs(q).empty());

  EXPECT_THROW(store_->update_run(Uuid::random(), u), NotFound);
  RunUpdate bad;
  bad.set_tags = {{"", "x"}};
  EXPECT_THROW(store_->update_run(id, bad), InvalidArgument);
}

TEST_F(StoreRuns, CombinedFiltersEqualABruteForceFilterOverAllRuns) {
  struct Made {
    Uuid id;
    std::int64_t start;
    std::string status, dataset;
    std::map<std::string, std::string> tags;
  };
  std::mt19937 rng(11);
  std::vector<Made> all;
  const char* statuses[] = {"running", "completed", "failed"};
  const char* datasets[] = {"xor", "spirals"};
  for (int i = 0; i < 48; ++i) {
    Made m;
    m.start = kT0 + static_cast<std::int64_t>(rng() % 90) * kDay + (i % 3 == 0 ? 0 : i);  // ties, 3 months
    m.status = statuses[rng() % 3];
    m.dataset = datasets[rng() % 2];
    if (rng() % 2) m.tags["team"] = rng() % 2 ? "a" : "b";
    if (rng() % 3 == 0) m.tags["seed"] = std::to_string(rng() % 2);
    m.id = new_run(m.start, m.dataset, m.tags);
    if (m.status != "running") store_->complete_run(m.id, {}, m.status);
    all.push_back(m);
  }
  std::sort(all.begin(), all.end(), [](const Made& a, const Made& b) {
    return a.start != b.start ? a.start > b.start : a.id < b.id;
  });
  struct Case {
    std::optional<std::string> status, dataset;
    std::map<std::string, std::string> tags;
    std::optional<std::int64_t> from, before;
  };
  const std::vector<Case> cases = {
      {},
      {"completed", "spirals", {}, {}, {}},
      {std::nullopt, "xor", {{"team", "a"}}, {}, {}},
      {"running", std::nullopt, {{"team", "b"}, {"seed", "1"}}, {}, {}},
      {std::nullopt, std::nullopt, {}, kT0 + 20 * kDay, kT0 + 70 * kDay},
      {"failed", "xor", {{"team", "a"}}, kT0 + 10 * kDay, std::nullopt},
      {std::nullopt, "spirals", {}, std::nullopt, kT0 + 45 * kDay},
      {"completed", std::nullopt, {{"nobody", "x"}}, {}, {}},
      {std::nullopt, std::nullopt, {}, kT0 + 50 * kDay, kT0 + 50 * kDay},  // empty range
  };
  for (std::size_t c = 0; c < cases.size(); ++c) {
    SCOPED_TRACE("case " + std::to_string(c) + " on " + backend_name());
    const Case& k = cases[c];
    std::vector<Uuid> want;
    for (const Made& m : all) {
      if (k.status && m.status != *k.status) continue;
      if (k.dataset && m.dataset != *k.dataset) continue;
      if (k.from && m.start < *k.from) continue;
      if (k.before && m.start >= *k.before) continue;
      bool tags_ok = true;
      for (const auto& [key, value] : k.tags) {
        auto it = m.tags.find(key);
        tags_ok = tags_ok && it != m.tags.end() && it->second == value;
      }
      if (tags_ok) want.push_back(m.id);
    }
    for (int limit : {3, 100}) {
      RunQuery q;
      q.limit = limit;
      q.status = k.status;
      q.dataset = k.dataset;
      q.tags = k.tags;
      if (k.from) q.started_from = ts(*k.from);
      if (k.before) q.started_before = ts(*k.before);
      std::vector<Uuid> got;
      for (int pages = 0; pages < 100; ++pages) {
        auto page = store_->list_runs(q);
        for (const canopy::Run& r : page) got.push_back(r.run_id);
        if (static_cast<int>(page.size()) < limit) break;
        q.after = page.back().run_id;
      }
      EXPECT_EQ(got, want) << "limit " << limit;
    }
  }
}

TEST_F(StoreRuns, CompleteFromASecondProcessDerivesTheSameFiguresAsTheWriter) {
  const std::int64_t start = kT0;
  Uuid by_writer = new_run(start);
  Uuid by_other = new_run(start + 1);
  fill(by_writer, start, 60);
  fill(by_other, start + 1, 60);
  store_->flush_metrics();
  store_->complete_run(by_writer, ending(ts(start + kDay)));
  // A second store on the same backend: its writer never saw the metrics.
  auto other = open_store(config_);
  other->complete_run(by_other, ending(ts(start + kDay)), kStatusStopped);
  other->close();
  auto a = store_->get_run(by_writer);
  auto b = store_->get_run(by_other);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b->status, "stopped");
  EXPECT_EQ(b->final_epoch, 59) << backend_name();
  EXPECT_EQ(b->best_val_accuracy, 0.95);
  EXPECT_EQ(b->best_epoch, 30);  // the earlier of the two ties
  EXPECT_EQ(b->total_hidden_units, 59 / 7);
  expect_same_figures(*a, *b);

  // A run without metrics completes with no figures.
  Uuid empty = new_run(start + 2);
  auto third = open_store(config_);
  third->complete_run(empty, {});
  third->close();
  EXPECT_FALSE(store_->get_run(empty)->final_epoch);
  EXPECT_FALSE(store_->get_run(empty)->best_val_accuracy);
}

TEST_F(StoreRuns, ReapActsOnlyOnRunsRunningWithNothingNewerThanTheCutoff) {
  const std::int64_t now = now_ms().time_since_epoch().count();
  const std::int64_t h = 3'600'000;
  Uuid stale = new_run(now - 5 * h);
  fill(stale, now - 4 * h, 10);
  Uuid fresh = new_run(now - 5 * h);
  fill(fresh, now - 5 * h, 5);
  Metric recent;
  recent.timestamp = ts(now - h / 2);
  recent.epoch = 99;
  store_->store_metric(fresh, recent);
  Uuid stale_empty = new_run(now - 3 * h);
  Uuid fresh_empty = new_run(now - h / 4);
  Uuid done = new_run(now - 9 * h);
  store_->complete_run(done, ending(ts(now - 8 * h)));
  store_->flush_metrics();

  auto ids = [](const std::vector<canopy::Run>& runs) {
    std::set<Uuid> out;
    for (const canopy::Run& r : runs) out.insert(r.run_id);
    return out;
  };
  const std::set<Uuid> want{stale, stale_empty};
  EXPECT_EQ(ids(store_->reap_runs(2h)), want) << backend_name();
  EXPECT_EQ(store_->get_run(stale)->status, "running");  // a dry run changes nothing

  auto reaped = store_->reap_runs(2h, /*dry_run=*/false);
  EXPECT_EQ(ids(reaped), want);
  auto s = store_->get_run(stale);
  EXPECT_EQ(s->status, "failed");
  EXPECT_EQ(s->end_time, ts(now - 4 * h + 90));  // its newest metric
  EXPECT_EQ(s->final_epoch, 9);
  EXPECT_EQ(store_->get_run(stale_empty)->status, "failed");
  EXPECT_EQ(store_->get_run(stale_empty)->end_time, ts(now - 3 * h));
  EXPECT_EQ(store_->get_run(fresh)->status, "running");
  EXPECT_EQ(store_->get_run(fresh_empty)->status, "running");
  EXPECT_EQ(store_->get_run(done)->status, "completed");
  EXPECT_EQ(store_->get_run(done)->end_time, ts(now - 8 * h));
  EXPECT_TRUE(store_->reap_runs(2h).empty());
  EXPECT_THROW(store_->reap_runs(0ms), InvalidArgument);
}

TEST_F(StoreRuns, DeleteLeavesNoRowOfTheRunInAnyTable) {
  Uuid gone = new_run(kT0, "spirals", {{"team", "a"}});
  Uuid kept = new_run(kT0 + 1, "spirals", {{"team", "a"}});
  for (const Uuid& run : {gone, kept}) {
    // Enough metrics for complete roll-up chunks (16 finest buckets).
    for (int i = 0; i < 3000; ++i) {
      Metric m;
      m.timestamp = ts(kT0 + i);
      m.epoch = i;
      m.val_accuracy = i * 1e-4;
      store_->store_metric(run, m);
    }
    NetworkTopology t;
    t.run_id = run;
    t.timestamp = ts(kT0 + 5);
    t.hidden_units = 1;
    t.topology_json = "{}";
    store_->store_topology(t);
  }
  store_->complete_run(kept, {});
  store_->flush_metrics();
  // Chunk rows of the last complete chunk wait for a later write; a
  // rebuild writes every one of them now (Cassandra stores chunks).
  store_->rebuild_rollups(gone);
  ASSERT_NE(impl().rollup_sink(), nullptr);
  const std::size_t rollup_runs_before = impl().rollup_sink()->tracked_runs();
  const auto before = rows_of_run(config_, gone);
  const auto kept_before = rows_of_run(config_, kept);
  for (const auto& [table, n] : before) EXPECT_GT(n, 0) << table << " on " << backend_name();
  EXPECT_GE(before.size(), 5u);

  store_->delete_run(gone);
  for (const auto& [table, n] : rows_of_run(config_, gone)) EXPECT_EQ(n, 0) << table << " on " << backend_name();
  EXPECT_EQ(rows_of_run(config_, kept), kept_before);
  EXPECT_FALSE(store_->get_run(gone));
  EXPECT_TRUE(store_->query_metrics(gone).empty());
  EXPECT_TRUE(store_->query_topology(gone).empty());
  EXPECT_EQ(store_->summary(gone).metrics, 0u);
  for (const canopy::Run& r : store_->list_runs(100)) EXPECT_NE(r.run_id, gone);
  auto by_dataset = store_->list_runs_by_dataset("spirals", 100);
  ASSERT_EQ(by_dataset.size(), 1u);
  EXPECT_EQ(by_dataset[0].run_id, kept);
  EXPECT_TRUE(store_->list_runs(10, std::string("running")).empty());
  // The writer and the roll-ups hold nothing of it any more.
  EXPECT_EQ(impl().writer().tracked_runs(), 0u);
  EXPECT_EQ(impl().writer().ledger_entries(), 0u);
  EXPECT_LT(impl().rollup_sink()->tracked_runs(), rollup_runs_before);

  EXPECT_THROW(store_->delete_run(gone), NotFound);
  EXPECT_THROW(store_->delete_run(Uuid::random()), NotFound);
  EXPECT_THROW(store_->verify_run(gone), NotFound);
}

// Durability::kSpoolEach (the default) keeps every metric in the spool
// until its segment is collected: after a delete no segment may hold the
// run's records, or a crash would make the next process write them again.
TEST_F(StoreRuns, DeletedRunIsNotBroughtBackByTheSpool) {
  store_->close();
  config_.writer.durability = Durability::kSpoolEach;
  store_ = open_store(config_);
  Uuid run = new_run(kT0);
  fill(run, kT0, 200);
  // Not flushed: delete_run must send them first, then delete them.
  store_->delete_run(run);
  const std::string spool = impl().writer().spool_dir();
  EXPECT_TRUE(store::list_spool_segments(spool).empty()) << spool;
  for (const auto& [table, n] : rows_of_run(config_, run)) EXPECT_EQ(n, 0) << table << " on " << backend_name();
  // What the next process on this spool replays: nothing of the run.
  store_->close();
  store_ = open_store(config_);
  store_->flush_metrics();
  for (const auto& [table, n] : rows_of_run(config_, run)) EXPECT_EQ(n, 0) << table << " on " << backend_name();
  // Metrics stored after the delete start the run again (a new ledger entry).
  Metric m;
  m.timestamp = now_ms();
  m.epoch = 1;
  store_->store_metric(run, m);
  store_->flush_metrics();
  EXPECT_EQ(store_->query_metrics(run).size(), 1u);
}

}  // namespace
}  // namespace canopy::conformance
