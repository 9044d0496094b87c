// The completeness ledger in the writer (store/ledger.h) against the
// in-memory sink: step ranges, what an entry records, that it is persisted
// before the metrics it covers, re-derivation from a crashed writer's spool,
// and release of a completed run's state.
#include <gtest/gtest.h>

#include "canopy/errors.h"
#include "store/sqlite_backend.h"
#include "store/step_ranges.h"
#include "store/store_impl.h"
#include "store/writer.h"
#include "unit/store_test_util.h"

namespace canopy::store {
namespace {

using namespace std::chrono_literals;

TEST(StepRanges, AddsMergesAndSubtracts) {
  StepRanges r;
  EXPECT_TRUE(r.add(5));
  EXPECT_FALSE(r.add(5));
  r.add(7);
  EXPECT_EQ(r.range_count(), 2u);
  r.add(6);  // bridges 5 and 7
  EXPECT_EQ(r.range_count(), 1u);
  r.add_range(-3, 0);
  r.add_range(100, 199);
  EXPECT_EQ(r.size(), 3u + 4u + 100u);
  EXPECT_EQ(r.first(), -3);
  EXPECT_EQ(r.last(), 199);
  StepRanges have;
  have.add_range(-3, 199);
  EXPECT_TRUE(r.minus(have).empty());
  StepRanges partial;
  partial.add_range(-3, -1);
  partial.add_range(120, 150);
  std::vector<StepRange> missing = r.minus(partial);
  ASSERT_EQ(missing.size(), 4u);
  EXPECT_EQ(missing[0], (StepRange{0, 0}));
  EXPECT_EQ(missing[1], (StepRange{5, 7}));
  EXPECT_EQ(missing[2], (StepRange{100, 119}));
  EXPECT_EQ(missing[3], (StepRange{151, 199}));
}

TEST(StepRanges, AscendingAndDescendingRunsStayOneRange) {
  StepRanges up, down;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(up.add(i));
  for (int i = 999; i >= 0; --i) EXPECT_TRUE(down.add(i));
  EXPECT_EQ(up.range_count(), 1u);
  EXPECT_EQ(down.range_count(), 1u);
  EXPECT_EQ(up, down);
  EXPECT_FALSE(down.add(500));
  EXPECT_TRUE(down.add(1001));  // a gap of one
  EXPECT_EQ(down.range_count(), 2u);
  EXPECT_TRUE(down.add(1000));  // joins both sides
  EXPECT_EQ(down.range_count(), 1u);
  EXPECT_EQ(down.size(), 1002u);
}

TEST(StepRanges, EncodingRoundTripsAndRejectsMalformedBlobs) {
  StepRanges r;
  r.add_range(INT32_MIN, -10);
  r.add(4);
  r.add_range(1'000'000, 2'000'000);
  StepRanges back;
  ASSERT_TRUE(StepRanges::decode(r.encode(), back));
  EXPECT_EQ(back, r);
  EXPECT_FALSE(StepRanges::decode(std::string(15, '\0'), back));
  std::string inverted(16, '\0');
  inverted[0] = 5;  // first 5, last 0
  EXPECT_FALSE(StepRanges::decode(inverted, back));
}

TEST(StoreLedger, AnEntryRecordsEveryAcknowledgedMetricAndItsSteps) {
  TempDir tmp;
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  Uuid run = Uuid::random();
  for (int i = 0; i < 1234; ++i) w.store(run, epoch_metric(i));
  Metric explicit_step = epoch_metric(0);
  explicit_step.step = 5000;
  w.store(run, explicit_step);
  w.flush(30s);
  auto ledger = sink.ledger();
  ASSERT_EQ(ledger.size(), 1u);
  const LedgerRow& row = ledger.begin()->second;
  EXPECT_EQ(row.run_id, run);
  EXPECT_EQ(row.acknowledged, 1235u);
  EXPECT_EQ(row.steps.size(), 1235u);
  EXPECT_EQ(row.steps.range_count(), 2u);
  EXPECT_TRUE(row.steps.contains(5000));
}

TEST(StoreLedger, MetricsAreNotSentBeforeTheLedgerCoveringThemIsPersisted) {
  TempDir tmp;
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  sink.fail_ledger(true);
  Uuid run = Uuid::random();
  for (int i = 0; i < 10; ++i) w.store(run, epoch_metric(i));
  try {
    w.flush(200ms);
    FAIL() << "flush succeeded without a ledger";
  } catch (const FlushError& e) {
    EXPECT_NE(std::string(e.what()).find("ledger"), std::string::npos) << e.what();
  }
  EXPECT_EQ(sink.rows(), 0u);
  sink.fail_ledger(false);
  w.flush(30s);
  EXPECT_EQ(sink.rows(), 10u);
  EXPECT_EQ(sink.ledger().begin()->second.acknowledged, 10u);
}

// The ledger is written before a send only when an entry changed: a batch of
// another run, or a flush with nothing new, costs no ledger write.
TEST(StoreLedger, AnUnchangedEntryIsNotWrittenAgain) {
  TempDir tmp;
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  Uuid run = Uuid::random();
  for (int i = 0; i < 10; ++i) w.store(run, epoch_metric(i));
  w.flush(30s);
  const int after_first = sink.ledger_writes();
  EXPECT_GE(after_first, 1);
  w.flush(30s);
  EXPECT_EQ(sink.ledger_writes(), after_first);
  w.store(run, epoch_metric(10));
  w.flush(30s);
  EXPECT_EQ(sink.ledger_writes(), after_first + 1);
  EXPECT_EQ(sink.ledger().begin()->second.acknowledged, 11u);
}

TEST(StoreLedger, AReplayingWriterRederivesACrashedWritersEntryAndMergesIt) {
  TempDir tmp;
  MemorySink sink;
  Uuid run = Uuid::random();
  Uuid first_entry;
  {
    WriterOptions o = writer_options(tmp);
    o.durability = Durability::kSpoolEach;
    Writer a(sink, o);
    for (int i = 0; i < 300; ++i) a.store(run, epoch_metric(i));
    a.flush(30s);
    first_entry = sink.ledger().begin()->first;
    // From here on neither the ledger nor the metrics reach the backend.
    sink.fail_ledger(true);
    sink.fail_always(true);
    for (int i = 300; i < 500; ++i) a.store(run, epoch_metric(i));
    EXPECT_THROW(a.close(50ms), FlushError);
  }
  EXPECT_EQ(sink.ledger().at(first_entry).acknowledged, 300u);
  sink.fail_ledger(false);
  sink.fail_always(false);
  Writer b(sink, writer_options(tmp));
  b.flush(30s);
  auto ledger = sink.ledger();
  ASSERT_EQ(ledger.size(), 1u) << "the replaying writer acknowledged nothing itself";
  const LedgerRow& row = ledger.at(first_entry);
  EXPECT_EQ(row.acknowledged, 500u);
  EXPECT_EQ(row.steps.size(), 500u);
  EXPECT_EQ(row.steps.first(), 0);
  EXPECT_EQ(row.steps.last(), 499);
  EXPECT_EQ(sink.rows(), 500u);
  EXPECT_EQ(b.ledger_entries(), 0u) << "a replayed entry is dropped from memory once persisted";
}

TEST(StoreLedger, ReleasingARunDropsItsStateAndALaterMetricStartsANewEntry) {
  TempDir tmp;
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  std::vector<Uuid> runs;
  for (int r = 0; r < 50; ++r) {
    runs.push_back(Uuid::random());
    for (int i = 0; i < 10; ++i) w.store(runs.back(), epoch_metric(i));
  }
  w.flush(30s);
  EXPECT_EQ(w.tracked_runs(), 50u);
  EXPECT_EQ(w.ledger_entries(), 50u);
  for (const Uuid& r : runs) w.release_run(r);
  EXPECT_EQ(w.tracked_runs(), 0u);
  EXPECT_EQ(w.ledger_entries(), 0u);
  EXPECT_FALSE(w.run_stats(runs[0]));
  // Storing to a released run works and starts over.
  w.store(runs[0], epoch_metric(99));
  w.flush(30s);
  EXPECT_EQ(w.tracked_runs(), 1u);
  ASSERT_TRUE(w.run_stats(runs[0]));
  EXPECT_EQ(w.run_stats(runs[0])->metrics, 1u);
  std::uint64_t acknowledged = 0;
  int entries = 0;
  for (const auto& [id, row] : sink.ledger()) {
    if (row.run_id != runs[0]) continue;
    ++entries;
    acknowledged += row.acknowledged;
  }
  EXPECT_EQ(entries, 2);
  EXPECT_EQ(acknowledged, 11u);
}

// Writer::runs_ and the roll-up sink's per-run maps grew for the life of
// the process; complete_run now releases them (checked failing before).
TEST(StoreLedger, StoreImplReleasesCompletedRuns) {
  TempDir tmp;
  SqliteOptions so;
  so.path = tmp.path() + "/metrics.db";
  WriterOptions o = writer_options(tmp);
  MetricsStoreImpl impl(std::make_unique<SqliteBackend>(so), o);
  MetricsStore& store = impl;  // the public API, with its default arguments
  std::vector<Uuid> runs;
  for (int r = 0; r < 20; ++r) {
    NewRun n;
    n.dataset_name = "release";
    runs.push_back(store.create_run(n));
    for (int i = 0; i < 30; ++i) store.store_metric(runs.back(), epoch_metric(i));
  }
  store.flush_metrics();
  EXPECT_EQ(impl.writer().tracked_runs(), 20u);
  EXPECT_GE(impl.rollup_sink()->tracked_runs(), 20u);
  for (const Uuid& r : runs) store.complete_run(r, {});
  EXPECT_EQ(impl.writer().tracked_runs(), 0u);
  EXPECT_EQ(impl.rollup_sink()->tracked_runs(), 0u);
  EXPECT_EQ(impl.writer().ledger_entries(), 0u);
  // A metric for a completed run still works: state recreated.
  store.store_metric(runs[0], epoch_metric(99));
  store.flush_metrics();
  EXPECT_EQ(store.query_metrics(runs[0], std::nullopt, std::nullopt, 1000).size(), 31u);
  EXPECT_EQ(store.summary(runs[0]).metrics, 31u) << "roll-ups rebuilt for the recreated state";
  EXPECT_TRUE(store.verify_run(runs[0]).complete());
  EXPECT_EQ(impl.writer().tracked_runs(), 1u);
  store.close();
}

}  // namespace
}  // namespace canopy::store
