// One conformance suite for every backend (see store_conformance.h): what
// MetricsStore promises, checked the same way against SQLite and Cassandra.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <cmath>
#include <limits>
#include <set>
#include <thread>

#include "canopy/errors.h"
#include "canopy/metrics_store.h"
#include "conformance/expiry_wait.h"
#include "conformance/store_conformance.h"

namespace canopy::conformance {
namespace {

using namespace std::chrono_literals;

class StoreConformance : public StoreFixture {
 protected:
  void reopen() {
    store_->close();
    store_ = open_store(config_);
  }
  Uuid new_run(const std::string& dataset = "two_spirals", std::int64_t start_ms = kT0) {
    NewRun r;
    r.dataset_name = dataset;
    r.config_json = R"({"hidden":8})";
    r.start_time = ts(start_ms);
    return store_->create_run(r);
  }
  Metric at(std::int64_t ms, int epoch) {
    Metric m;
    m.timestamp = ts(ms);
    m.epoch = epoch;
    m.train_loss = 1.0 / (epoch + 1);
    return m;
  }
};

TEST_F(StoreConformance, CreatedRunReadsBackWithEveryField) {
  NewRun r;
  r.dataset_name = "iris";
  r.config_json = R"({"lr":0.1})";
  r.tags = {{"owner", "ana"}, {"purpose", "baseline"}};
  r.notes = "first try";
  r.start_time = ts(kT0 + 5);
  Uuid id = store_->create_run(r);
  auto got = store_->get_run(id);
  ASSERT_TRUE(got) << backend_name();
  EXPECT_EQ(got->run_id, id);
  EXPECT_EQ(got->status, "running");
  EXPECT_EQ(got->dataset_name, "iris");
  EXPECT_EQ(got->config_json, R"({"lr":0.1})");
  EXPECT_EQ(got->tags, r.tags);
  EXPECT_EQ(got->notes, "first try");
  EXPECT_EQ(got->start_time, ts(kT0 + 5));
  EXPECT_FALSE(got->end_time);
  EXPECT_FALSE(got->final_epoch);
}

TEST_F(StoreConformance, ReferenceCreateRunKeepsTheGivenId) {
  Uuid id = Uuid::random();
  EXPECT_EQ(store_->create_run(id, "xor", "{}"), id);
  ASSERT_TRUE(store_->get_run(id));
  EXPECT_EQ(store_->get_run(id)->dataset_name, "xor");
}

TEST_F(StoreConformance, UnknownRunIsNoneAndHasNoMetrics) {
  Uuid id = Uuid::random();
  EXPECT_FALSE(store_->get_run(id));
  EXPECT_TRUE(store_->query_metrics(id).empty());
  EXPECT_TRUE(store_->query_topology(id).empty());
}

TEST_F(StoreConformance, MalformedUuidIsAnInvalidArgument) {
  EXPECT_THROW(Uuid::parse("not-a-uuid"), InvalidArgument);
  EXPECT_THROW(store_->store_metric(Uuid(), Metric{}), InvalidArgument);
}

TEST_F(StoreConformance, LimitsBelowOneAreInvalidArguments) {
  EXPECT_THROW(store_->list_runs(0), InvalidArgument);
  EXPECT_THROW(store_->query_metrics(Uuid::random(), std::nullopt, std::nullopt, 0), InvalidArgument);
  EXPECT_THROW(store_->list_runs_by_dataset("x", -1), InvalidArgument);
}

TEST_F(StoreConformance, CompleteRunDerivesFinalFiguresFromTheMetricsSeen) {
  Uuid id = new_run();
  double val_acc[] = {0.50, 0.80, 0.75};
  for (int e = 0; e < 3; ++e) {
    Metric m = at(kT0 + 1000 * (e + 1), e);
    m.val_accuracy = val_acc[e];
    m.val_loss = 0.3 - 0.1 * e;
    m.train_accuracy = 0.6 + 0.1 * e;
    m.hidden_units = e + 1;
    store_->store_metric(id, m);
  }
  FinalMetrics f;
  f.end_time = ts(kT0 + 10'500);
  f.total_parameters = 1234;
  store_->complete_run(id, f);
  auto r = store_->get_run(id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "completed");
  EXPECT_EQ(r->end_time, ts(kT0 + 10'500));
  ASSERT_TRUE(r->duration_seconds);
  EXPECT_DOUBLE_EQ(*r->duration_seconds, 10.5);
  EXPECT_EQ(r->final_epoch, 2);
  EXPECT_DOUBLE_EQ(*r->final_train_loss, 1.0 / 3);
  EXPECT_DOUBLE_EQ(*r->final_val_accuracy, 0.75);
  EXPECT_DOUBLE_EQ(*r->best_val_accuracy, 0.80);
  EXPECT_EQ(r->best_epoch, 1);
  EXPECT_EQ(r->total_hidden_units, 3);
  EXPECT_EQ(r->total_parameters, 1234);
  EXPECT_EQ(r->dataset_name, "two_spirals");  // creation fields kept
}

TEST_F(StoreConformance, CompleteRunPrefersFiguresTheCallerGives) {
  Uuid id = new_run();
  Metric m = at(kT0 + 1, 4);
  m.val_accuracy = 0.9;
  store_->store_metric(id, m);
  FinalMetrics f;
  f.final_epoch = 99;
  f.best_val_accuracy = 0.95;
  f.best_epoch = 98;
  store_->complete_run(id, f, "failed");
  auto r = store_->get_run(id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "failed");
  EXPECT_EQ(r->final_epoch, 99);
  EXPECT_DOUBLE_EQ(*r->best_val_accuracy, 0.95);
  EXPECT_EQ(r->best_epoch, 98);
}

TEST_F(StoreConformance, CompletingAnUnknownRunIsNotFound) {
  EXPECT_THROW(store_->complete_run(Uuid::random(), {}), NotFound);
}

TEST_F(StoreConformance, ListRunsIsNewestFirstAcrossMonthsAndYearsAndHonoursLimit) {
  // Start times spread over months and a year boundary (Cassandra buckets by month).
  std::vector<std::int64_t> starts = {kT0 - 40LL * 86'400'000, kT0 - 1, kT0, kT0 + 1,
                                      kT0 + 35LL * 86'400'000, kT0 + 400LL * 86'400'000};
  std::vector<Uuid> ids;
  for (auto s : starts) ids.push_back(new_run("d", s));
  auto all = store_->list_runs(100);
  ASSERT_EQ(all.size(), starts.size()) << backend_name();
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].run_id, ids[ids.size() - 1 - i]) << i;
  auto top = store_->list_runs(2);
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].run_id, ids[5]);
  EXPECT_EQ(top[1].run_id, ids[4]);
}

TEST_F(StoreConformance, ListRunsFiltersByStatus) {
  Uuid a = new_run("d", kT0 + 1), b = new_run("d", kT0 + 2), c = new_run("d", kT0 + 3);
  store_->complete_run(a, {});
  store_->complete_run(c, {}, "failed");
  auto done = store_->list_runs(10, std::string("completed"));
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].run_id, a);
  auto running = store_->list_runs(10, std::string("running"));
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0].run_id, b);
  EXPECT_TRUE(store_->list_runs(10, std::string("nope")).empty());
}

TEST_F(StoreConformance, ListRunsByDatasetIsNewestFirst) {
  Uuid a = new_run("iris", kT0 + 1), b = new_run("xor", kT0 + 2), c = new_run("iris", kT0 + 3);
  auto iris = store_->list_runs_by_dataset("iris", 10);
  ASSERT_EQ(iris.size(), 2u);
  EXPECT_EQ(iris[0].run_id, c);
  EXPECT_EQ(iris[1].run_id, a);
  auto one = store_->list_runs_by_dataset("iris", 1);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].run_id, c);
  ASSERT_EQ(store_->list_runs_by_dataset("xor", 10).size(), 1u);
  EXPECT_EQ(store_->list_runs_by_dataset("xor", 10)[0].run_id, b);
  EXPECT_TRUE(store_->list_runs_by_dataset("mnist", 10).empty());
}

TEST_F(StoreConformance, QueryMetricsIsNewestFirstAndHonoursLimit) {
  Uuid id = new_run();
  for (int i = 0; i < 50; ++i) store_->store_metric(id, at(kT0 + i, i));
  store_->flush_metrics();
  auto all = store_->query_metrics(id);
  ASSERT_EQ(all.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(all[i].epoch, 49 - i);
  auto few = store_->query_metrics(id, std::nullopt, std::nullopt, 7);
  ASSERT_EQ(few.size(), 7u);
  EXPECT_EQ(few[0].epoch, 49);
  EXPECT_EQ(few[6].epoch, 43);
}

// request_latency: each call is a new phase; Cassandra counts its
// requests, SQLite has none.
TEST_F(StoreConformance, RequestLatencyCountsThePhaseSinceThePreviousCall) {
  Uuid id = new_run();
  store_->request_latency();  // opening and the run's creation: before the phase
  for (int i = 0; i < 50; ++i) store_->store_metric(id, at(kT0 + i, i));
  store_->flush_metrics();
  for (int i = 0; i < 10; ++i) ASSERT_EQ(store_->query_metrics(id).size(), 50u);
  const std::optional<RequestLatency> phase = store_->request_latency();
  if (std::string(backend_name()) == "sqlite") {
    EXPECT_FALSE(phase.has_value());
    return;
  }
  ASSERT_TRUE(phase.has_value());
  EXPECT_GE(phase->requests, 11u) << "at least the metrics' write and the 10 reads";
  EXPECT_GT(phase->p50_ms, 0);
  EXPECT_LE(phase->p50_ms, phase->p99_ms);
  EXPECT_LE(phase->p99_ms, phase->p999_ms);
  EXPECT_LE(phase->p999_ms, phase->max_ms);
  store_->get_run(id);  // one read request
  const std::optional<RequestLatency> next = store_->request_latency();
  ASSERT_TRUE(next.has_value());
  EXPECT_GE(next->requests, 1u);
  EXPECT_LT(next->requests, phase->requests) << "the earlier phase is not counted again";
}

TEST_F(StoreConformance, TimeRangeIncludesStartAndExcludesEnd) {
  Uuid id = new_run();
  for (int i = 0; i < 10; ++i) store_->store_metric(id, at(kT0 + 100 + i, i));
  store_->flush_metrics();
  auto r = store_->query_metrics(id, ts(kT0 + 103), ts(kT0 + 107));
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r.front().timestamp, ts(kT0 + 106));
  EXPECT_EQ(r.back().timestamp, ts(kT0 + 103));
  EXPECT_EQ(store_->query_metrics(id, ts(kT0 + 105)).size(), 5u);                // open end
  EXPECT_EQ(store_->query_metrics(id, std::nullopt, ts(kT0 + 105)).size(), 5u);  // open start
  EXPECT_TRUE(store_->query_metrics(id, ts(kT0 + 105), ts(kT0 + 105)).empty());
  EXPECT_TRUE(store_->query_metrics(id, ts(kT0 + 107), ts(kT0 + 103)).empty());
}

TEST_F(StoreConformance, MetricsOfTheSameMillisecondAreAllKeptInStepOrder) {
  Uuid id = new_run();
  for (int i = 0; i < 25; ++i) store_->store_metric(id, at(kT0, i));
  store_->flush_metrics();
  auto r = store_->query_metrics(id);
  ASSERT_EQ(r.size(), 25u);
  for (int i = 0; i < 25; ++i) {
    EXPECT_EQ(r[i].step, 24 - i);
    EXPECT_EQ(r[i].epoch, 24 - i);
  }
}

TEST_F(StoreConformance, MetricStoredAgainWithTheSameKeyMergesFieldsLeftOut) {
  Uuid id = new_run();
  Metric a;
  a.timestamp = ts(kT0);
  a.step = 3;
  a.train_loss = 0.5;
  Metric b;
  b.timestamp = ts(kT0);
  b.step = 3;
  b.val_loss = 0.7;
  store_->store_metric(id, a);
  store_->flush_metrics();
  store_->store_metric(id, b);
  store_->flush_metrics();
  auto r = store_->query_metrics(id);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].train_loss, 0.5);
  EXPECT_EQ(r[0].val_loss, 0.7);
  EXPECT_FALSE(r[0].epoch);
  EXPECT_FALSE(r[0].train_accuracy);
}

TEST_F(StoreConformance, NaNAndInfinitiesRoundTrip) {
  Uuid id = new_run();
  Metric m = at(kT0, 1);
  m.train_loss = std::numeric_limits<double>::quiet_NaN();
  m.val_loss = std::numeric_limits<double>::infinity();
  m.learning_rate = -std::numeric_limits<double>::infinity();
  m.val_accuracy = 0.25;
  store_->store_metric(id, m);
  store_->flush_metrics();
  auto r = store_->query_metrics(id);
  ASSERT_EQ(r.size(), 1u);
  ASSERT_TRUE(r[0].train_loss);
  EXPECT_TRUE(std::isnan(*r[0].train_loss));
  EXPECT_EQ(r[0].val_loss, std::numeric_limits<double>::infinity());
  EXPECT_EQ(r[0].learning_rate, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(r[0].val_accuracy, 0.25);
  EXPECT_FALSE(r[0].train_accuracy);
}

TEST_F(StoreConformance, TenThousandMetricsComeBackWholeThroughTheCursor) {
  Uuid id = new_run();
  for (int i = 0; i < 10'000; ++i) store_->store_metric(id, at(kT0 + i / 3, i));  // 3 per millisecond
  store_->flush_metrics();
  EXPECT_EQ(store_->query_metrics(id).size(), 1000u);  // the reference's default limit
  int expected = 9'999;
  std::uint64_t n = store_->scan_metrics(
      id, std::nullopt, std::nullopt,
      [&](const Metric& m) {
        EXPECT_EQ(m.epoch, expected);
        --expected;
        return true;
      },
      999);
  EXPECT_EQ(n, 10'000u);
  EXPECT_EQ(expected, -1);
  // Paged read of a time range.
  std::uint64_t ranged = store_->scan_metrics(id, ts(kT0 + 10), ts(kT0 + 20), [](const Metric&) { return true; }, 7);
  EXPECT_EQ(ranged, 30u);
  EXPECT_EQ(store_->counters().written, 10'000u);
  EXPECT_EQ(store_->counters().dropped, 0u);
}

// The request shape (backend.cassandra.batch_size, max_in_flight) changes
// how a write is cut and paced, never what is stored: small batches with
// one in flight, over interleaved runs, store every metric once.
TEST_F(StoreConformance, SmallBatchesOneInFlightStoreEveryMetric) {
  config_.cassandra.batch_size = 7;
  config_.cassandra.max_in_flight = 1;
  reopen();
  std::vector<Uuid> runs;
  for (int r = 0; r < 3; ++r) runs.push_back(new_run("d", kT0 + r));
  for (int i = 0; i < 1'000; ++i) {
    for (const Uuid& id : runs) store_->store_metric(id, at(kT0 + i, i));
  }
  store_->flush_metrics();
  for (const Uuid& id : runs) {
    int expected = 999;
    std::uint64_t n = store_->scan_metrics(id, std::nullopt, std::nullopt, [&](const Metric& m) {
      EXPECT_EQ(m.epoch, expected);
      --expected;
      return true;
    });
    EXPECT_EQ(n, 1'000u);
  }
  EXPECT_EQ(store_->counters().written, 3'000u);
}

TEST_F(StoreConformance, SeveralThreadsWritingAtOnceLoseNothing) {
  std::vector<Uuid> runs;
  for (int t = 0; t < 4; ++t) runs.push_back(new_run("d", kT0 + t));
  Uuid shared = new_run("d", kT0 + 10);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2'000; ++i) {
        store_->store_metric(runs[t], at(kT0 + i, i));
        Metric m;  // no timestamp, no step: assigned by the writer
        m.epoch = t * 10'000 + i;
        store_->store_metric(shared, m);
      }
    });
  }
  for (auto& th : threads) th.join();
  store_->flush_metrics();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(store_->scan_metrics(runs[t], std::nullopt, std::nullopt, [](const Metric&) { return true; }), 2'000u);
  }
  std::set<int> epochs;
  store_->scan_metrics(shared, std::nullopt, std::nullopt, [&](const Metric& m) {
    epochs.insert(*m.epoch);
    return true;
  });
  EXPECT_EQ(epochs.size(), 8'000u);
}

// close() from one thread while others query and page through a run: no
// freed memory is touched (ASan/TSan builds run this too) and every call cut
// short, or made after, fails with ClosedError and nothing else.
TEST_F(StoreConformance, CloseWhileOtherThreadsQueryAndPageGivesOnlyClosedError) {
  Uuid id = new_run();
  for (int i = 0; i < 3'000; ++i) store_->store_metric(id, at(kT0 + i, i));
  store_->flush_metrics();
  std::atomic<int> calls{0}, closed_errors{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> other_errors;
  auto reader = [&](int kind) {
    while (!stop) {
      try {
        if (kind == 0) {
          auto cursor = store_->open_metric_cursor(id, std::nullopt, std::nullopt, 200);
          std::vector<Metric> page;
          while (!stop && cursor->next_page(page)) ++calls;
        } else if (kind == 1) {
          store_->query_metrics(id, std::nullopt, std::nullopt, 500);
        } else if (kind == 2) {
          store_->list_runs(10, std::nullopt);
          store_->get_run(id);
        } else {
          store_->series(id, "train_loss", 100);
          store_->store_metric(id, at(kT0 + 10'000 + calls, 1));
        }
        ++calls;
      } catch (const ClosedError&) {
        ++closed_errors;
        return;  // closed: every later call fails the same way
      } catch (const std::exception& e) {
        std::lock_guard lk(mu);
        other_errors.push_back(e.what());
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) threads.emplace_back(reader, k);
  while (calls < 40) std::this_thread::yield();
  store_->close();
  for (auto& t : threads) t.join();
  EXPECT_TRUE(other_errors.empty()) << other_errors.front();
  EXPECT_EQ(closed_errors.load(), 4) << "every reader ends with ClosedError";
  EXPECT_THROW(store_->get_run(id), ClosedError);
  EXPECT_THROW(store_->store_metric(id, at(kT0, 0)), ClosedError);
  EXPECT_THROW(store_->flush_metrics(), ClosedError);
  EXPECT_THROW(store_->create_run(NewRun{}), ClosedError);
  store_.reset();
}

TEST_F(StoreConformance, TopologySnapshotsAreNewestFirst) {
  Uuid id = new_run();
  for (int h = 0; h < 5; ++h) {
    NetworkTopology t;
    t.run_id = id;
    t.timestamp = ts(kT0 + h * 1000);
    t.epoch = h * 10;
    t.input_size = 2;
    t.output_size = 1;
    t.hidden_units = h;
    t.total_parameters = 3 + h * 4;
    t.topology_json = "{\"units\":" + std::to_string(h) + "}";
    store_->store_topology(t);
  }
  auto got = store_->query_topology(id);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].hidden_units, 4);
  EXPECT_EQ(got[0].topology_json, "{\"units\":4}");
  EXPECT_EQ(got[0].total_parameters, 19);
  EXPECT_EQ(got[0].run_id, id);
  EXPECT_EQ(got[4].hidden_units, 0);
  EXPECT_EQ(store_->query_topology(id, 2).size(), 2u);
}

TEST_F(StoreConformance, DataSurvivesClosingAndReopening) {
  Uuid id = new_run();
  for (int i = 0; i < 100; ++i) store_->store_metric(id, at(kT0 + i, i));
  reopen();  // close flushes
  ASSERT_TRUE(store_->get_run(id));
  EXPECT_EQ(store_->query_metrics(id).size(), 100u);
}

TEST_F(StoreConformance, MetricsExpireAfterTheirTtlButRunsWithoutTtlStay) {
  Uuid id;
  const int ttl = read_back_before_expiry([&](int ttl_seconds, ExpiryClock::time_point& written) {
    store_->close();
    config_.ttl.metrics_seconds = ttl_seconds;
    config_.ttl.runs_seconds = 0;
    store_ = open_store(config_);
    id = new_run();
    Metric m;  // timestamp now: TTL counts from the write
    m.epoch = 1;
    written = ExpiryClock::now();
    store_->store_metric(id, m);
    store_->flush_metrics();
    return store_->query_metrics(id).size() == 1;
  });
  ASSERT_GT(ttl, 0) << backend_name() << ": the metric was never seen before it expired";
  EXPECT_TRUE(eventually_expired([&] { return store_->query_metrics(id).empty(); }, std::chrono::seconds(ttl + 60)))
      << backend_name() << ": the metric is still there 60 s after its TTL of " << ttl << " s";
  EXPECT_TRUE(store_->get_run(id)) << backend_name() << ": the run, without TTL, expired too";
}

}  // namespace
}  // namespace canopy::conformance
