// The writer against an in-memory sink: batching, steps, retries, backoff,
// overflow to the spool, replay order, replay after restart and after a
// crash (SIGKILL of a forked child), drop policy, concurrency.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "canopy/errors.h"
#include "store/spool.h"
#include "store/writer.h"
#include "unit/store_test_util.h"

namespace canopy::store {
namespace {

using namespace std::chrono_literals;

// Polls `pred` for up to `bound`. The bound only ends a broken test; it is
// never a speed check.
template <typename Pred>
bool eventually_within(std::chrono::milliseconds bound, Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

template <typename Pred>
bool eventually(Pred pred) {
  return eventually_within(30'000ms, pred);
}

TEST(StoreWriter, FlushReturnsOnceEveryStoredMetricIsInTheSink) {
  TempDir tmp;
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  Uuid run = Uuid::random();
  for (int i = 0; i < 1234; ++i) w.store(run, epoch_metric(i));
  w.flush(30s);
  EXPECT_EQ(sink.rows(), 1234u);
  WriterCounters c = w.counters();
  EXPECT_EQ(c.stored, 1234u);
  EXPECT_EQ(c.written, 1234u);
  EXPECT_EQ(c.dropped, 0u);
  EXPECT_EQ(c.retried, 0u);
}

TEST(StoreWriter, AssignsStepsPerRunSoMetricsOfOneMillisecondDoNotOverwrite) {
  TempDir tmp;
  MemorySink sink;
  ManualClock clock;  // never advances: every metric in the same millisecond
  Writer w(sink, writer_options(tmp), &clock);
  Uuid a = Uuid::random(), b = Uuid::random();
  for (int i = 0; i < 300; ++i) w.store(a, epoch_metric(i));
  for (int i = 0; i < 200; ++i) w.store(b, epoch_metric(i));
  w.flush(30s);
  auto rows = sink.snapshot();
  ASSERT_EQ(rows.size(), 500u);
  for (int i = 0; i < 300; ++i) {
    auto it = rows.find({a, clock.now().time_since_epoch().count(), i});
    ASSERT_NE(it, rows.end()) << "step " << i;
    EXPECT_EQ(it->second.epoch, i);
  }
}

TEST(StoreWriter, KeepsTimestampAndStepTheCallerGave) {
  TempDir tmp;
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  Uuid run = Uuid::random();
  Metric m = epoch_metric(1);
  m.timestamp = Timestamp(12345ms);
  m.step = 77;
  w.store(run, m);
  w.flush(30s);
  auto rows = sink.snapshot();
  ASSERT_EQ(rows.count({run, 12345, 77}), 1u);
}

TEST(StoreWriter, SendsByItselfWhenBatchSizeMetricsWait) {
  TempDir tmp;
  MemorySink sink;
  WriterOptions o = writer_options(tmp);
  o.batch_size = 10;
  o.flush_interval = 3'600'000ms;
  Writer w(sink, o);
  Uuid run = Uuid::random();
  for (int i = 0; i < 10; ++i) w.store(run, epoch_metric(i));
  EXPECT_TRUE(eventually([&] { return sink.rows() == 10; }));
}

TEST(StoreWriter, SendsByItselfWhenFlushIntervalPassed) {
  TempDir tmp;
  MemorySink sink;
  WriterOptions o = writer_options(tmp);
  o.batch_size = 1000;
  o.flush_interval = 20ms;
  Writer w(sink, o);
  w.store(Uuid::random(), epoch_metric(1));
  EXPECT_TRUE(eventually([&] { return sink.rows() == 1; }));
}

TEST(StoreWriter, RetriesAFailedBatchUntilTheSinkTakesIt) {
  TempDir tmp;
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  sink.fail_next(3);
  Uuid run = Uuid::random();
  for (int i = 0; i < 10; ++i) w.store(run, epoch_metric(i));
  w.flush(30s);
  EXPECT_EQ(sink.rows(), 10u);
  EXPECT_EQ(sink.failures(), 3);
  EXPECT_EQ(w.counters().retried, 30u);  // 3 resends of the 10-metric batch
  EXPECT_EQ(w.counters().written, 10u);
}

TEST(StoreWriter, BackoffDoublesFromInitialUpToMax) {
  EXPECT_EQ(Writer::backoff(1, 100ms, 10'000ms), 100ms);
  EXPECT_EQ(Writer::backoff(2, 100ms, 10'000ms), 200ms);
  EXPECT_EQ(Writer::backoff(5, 100ms, 10'000ms), 1600ms);
  EXPECT_EQ(Writer::backoff(8, 100ms, 10'000ms), 10'000ms);
  EXPECT_EQ(Writer::backoff(1000, 100ms, 10'000ms), 10'000ms);
}

TEST(StoreWriter, FlushThrowsWithTheSinksErrorAndKeepsTheMetrics) {
  TempDir tmp;
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  sink.fail_always(true);
  Uuid run = Uuid::random();
  for (int i = 0; i < 5; ++i) w.store(run, epoch_metric(i));
  try {
    w.flush(100ms);
    FAIL() << "flush succeeded with a failing sink";
  } catch (const FlushError& e) {
    EXPECT_NE(std::string(e.what()).find("scripted failure"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("5 metric(s)"), std::string::npos) << e.what();
  }
  sink.fail_always(false);
  w.flush(30s);
  EXPECT_EQ(sink.rows(), 5u);
}

TEST(StoreWriter, FatalSinkErrorIsReportedByFlushWithoutWaitingForTheTimeout) {
  TempDir tmp;
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  sink.fail_always(true, /*fatal=*/true);
  w.store(Uuid::random(), epoch_metric(1));
  // A 10-minute timeout: the test only finishes if the fatal error ends the wait.
  EXPECT_THROW(w.flush(600'000ms), FlushError);
  sink.fail_always(false);
  w.flush(30s);
  EXPECT_EQ(sink.rows(), 1u);
}

TEST(StoreWriter, FullBufferSpillsToTheSpoolAndReplaysInStoreOrder) {
  TempDir tmp;
  MemorySink sink;
  WriterOptions o = writer_options(tmp);
  o.buffer_capacity = 100;
  o.max_batch = 37;
  Writer w(sink, o);
  sink.fail_always(true);
  Uuid run = Uuid::random();
  for (int i = 0; i < 5000; ++i) w.store(run, epoch_metric(i));
  WriterCounters c = w.counters();
  EXPECT_EQ(c.stored, 5000u);
  EXPECT_GE(c.spooled, 4900u);
  EXPECT_EQ(c.dropped, 0u);
  sink.fail_always(false);
  w.flush(60s);
  EXPECT_EQ(sink.rows(), 5000u);
  EXPECT_GE(w.counters().replayed, 4900u);
  // Every metric written once after the failures stopped, in store order.
  auto order = sink.order();
  ASSERT_EQ(order.size(), 5000u);
  for (std::size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i].metric.epoch, static_cast<int>(i)) << i;
  // Nothing pending: the spool's segments are gone but the current one.
  EXPECT_LE(list_spool_segments(w.spool_dir()).size(), 1u);
}

// The queue keeps entries in blocks of 256 reused round a ring: a capacity
// of several blocks, filled, spilled and drained many times over, with
// batches that straddle blocks, keeps store order and loses nothing.
TEST(StoreWriter, QueueBlocksWrapAroundInStoreOrder) {
  TempDir tmp;
  MemorySink sink;
  WriterOptions o = writer_options(tmp);
  o.buffer_capacity = 600;
  o.max_batch = 97;
  o.batch_size = 50;
  Writer w(sink, o);
  Uuid run = Uuid::random();
  int stored = 0;
  for (int round = 0; round < 6; ++round) {
    sink.hold();  // fills the queue, then spills to the spool
    for (int i = 0; i < 900; ++i) w.store(run, epoch_metric(stored++));
    sink.release();
    for (int i = 0; i < 700; ++i) w.store(run, epoch_metric(stored++));  // while it drains
  }
  w.flush(60s);
  auto order = sink.order();
  ASSERT_EQ(order.size(), static_cast<std::size_t>(stored));
  for (std::size_t i = 0; i < order.size(); ++i) ASSERT_EQ(order[i].metric.epoch, static_cast<int>(i)) << i;
  EXPECT_GT(w.counters().spooled, 0u);
  EXPECT_EQ(w.pending(), 0u);
}

TEST(StoreWriter, SpoolEachModeHasEveryMetricInTheSpoolWhenStoreReturns) {
  TempDir tmp;
  MemorySink sink;
  WriterOptions o = writer_options(tmp);
  o.durability = Durability::kSpoolEach;
  Writer w(sink, o);
  sink.fail_always(true);
  Uuid run = Uuid::random();
  for (int i = 0; i < 250; ++i) w.store(run, epoch_metric(i));
  // Read the spool with an independent reader, as a new process would.
  SpoolReader r(w.spool_dir(), {1, 0});
  std::vector<std::uint8_t> p;
  int n = 0;
  while (r.next(p, SpoolReader::read_all()) == SpoolReader::Status::kRecord) {
    MetricRecord rec;
    ASSERT_TRUE(decode_metric_record(p, rec));
    EXPECT_EQ(rec.metric.epoch, n);
    ++n;
  }
  EXPECT_EQ(n, 250);
  EXPECT_EQ(w.counters().spooled, 250u);
  sink.fail_always(false);
  w.flush(30s);
  EXPECT_EQ(sink.rows(), 250u);
}

TEST(StoreWriter, MetricsLeftByAClosedWriterAreReplayedByTheNextInOrder) {
  for (Durability d : {Durability::kBuffered, Durability::kSpoolEach}) {
    TempDir tmp;
    Uuid run = Uuid::random();
    {
      MemorySink down;
      down.fail_always(true);
      WriterOptions o = writer_options(tmp);
      o.durability = d;
      Writer w(down, o);
      for (int i = 0; i < 500; ++i) w.store(run, epoch_metric(i));
      EXPECT_THROW(w.close(50ms), FlushError);
    }
    MemorySink sink;
    Writer w(sink, writer_options(tmp));
    w.flush(30s);  // waits for what the earlier writer left
    auto order = sink.order();
    ASSERT_EQ(order.size(), 500u) << "durability " << static_cast<int>(d);
    for (int i = 0; i < 500; ++i) EXPECT_EQ(order[i].metric.epoch, i);
    EXPECT_EQ(w.counters().replayed, 500u);
    // Replayed rows keep their original timestamp and step: idempotent.
    EXPECT_EQ(sink.snapshot().size(), 500u);
  }
}

// A child process stores metrics in kSpoolEach mode with an unreachable sink
// and is SIGKILLed; the parent finds every metric whose store() returned.
TEST(StoreWriter, SigkilledWriterLosesNothingInSpoolEachMode) {
  TempDir tmp;
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  const Uuid run = Uuid::random();
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(pipefd[0]);
    MemorySink down;
    down.fail_always(true);
    WriterOptions o = writer_options(tmp);
    o.durability = Durability::kSpoolEach;
    o.segment_bytes = 64 * 1024;
    auto* w = new Writer(down, o);  // never destroyed: the process is killed
    for (int i = 0;; ++i) {
      w->store(run, epoch_metric(i));
      if (::write(pipefd[1], &i, sizeof i) != sizeof i) ::_exit(2);  // "store_metric returned for i"
    }
  }
  ::close(pipefd[1]);
  int last = -1, v;
  while (last < 20'000 && ::read(pipefd[0], &v, sizeof v) == sizeof v) last = v;
  ::kill(pid, SIGKILL);
  while (::read(pipefd[0], &v, sizeof v) == sizeof v) last = v;
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  w.flush(60s);
  auto rows = sink.snapshot();
  std::set<int> epochs;
  for (auto& [k, m] : rows) epochs.insert(*m.epoch);
  for (int i = 0; i <= last; ++i) ASSERT_TRUE(epochs.count(i)) << "metric " << i << " of " << last << " lost";
  EXPECT_EQ(w.spool_corrupt_records(), 0u);
}

TEST(StoreWriter, TruncatedSpoolTailAfterACrashIsNotCorruption) {
  TempDir tmp;
  Uuid run = Uuid::random();
  std::string dir;
  {
    MemorySink down;
    down.fail_always(true);
    WriterOptions o = writer_options(tmp);
    o.durability = Durability::kSpoolEach;
    Writer w(down, o);
    dir = w.spool_dir();
    for (int i = 0; i < 100; ++i) w.store(run, epoch_metric(i));
    EXPECT_THROW(w.close(10ms), FlushError);
  }
  auto segs = list_spool_segments(dir);
  ASSERT_FALSE(segs.empty());
  std::string last = spool_segment_path(dir, segs.back());
  std::filesystem::resize_file(last, std::filesystem::file_size(last) - 40);  // cut the last record
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  w.flush(30s);
  EXPECT_EQ(sink.rows(), 99u);
  EXPECT_EQ(w.spool_corrupt_records(), 0u);
}

TEST(StoreWriter, CorruptSpoolRecordIsSkippedCountedAndTheRestReplayed) {
  constexpr std::size_t kFramed = 7 + kMetricRecordSize;  // header + record
  TempDir tmp;
  Uuid run = Uuid::random();
  std::string dir;
  {
    MemorySink down;
    down.fail_always(true);
    WriterOptions o = writer_options(tmp);
    o.durability = Durability::kSpoolEach;
    Writer w(down, o);
    dir = w.spool_dir();
    for (int i = 0; i < 1000; ++i) w.store(run, epoch_metric(i));  // 127-byte records: 258 per block
    EXPECT_THROW(w.close(10ms), FlushError);
  }
  auto segs = list_spool_segments(dir);
  ASSERT_EQ(segs.size(), 1u);
  {
    std::fstream f(spool_segment_path(dir, segs[0]), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kSpoolBlockSize + kFramed * 2 + 50);  // inside the third record of the second block
    f.put('\x5a');
  }
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  w.flush(30s);
  EXPECT_EQ(w.spool_corrupt_records(), 1u);
  const std::size_t per_block = kSpoolBlockSize / kFramed;
  EXPECT_EQ(sink.rows(), 1000u - (per_block - 2));  // the rest of the second block is lost, nothing else
  auto order = sink.order();
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(order.front().metric.epoch, 0);
  EXPECT_EQ(order.back().metric.epoch, 999);
}

TEST(StoreWriter, DropPolicyDropsOnlyWhenChosenAndCountsIt) {
  TempDir tmp;
  MemorySink sink;
  WriterOptions o = writer_options(tmp);
  o.overflow = OverflowPolicy::kDrop;
  o.buffer_capacity = 10;
  o.batch_size = 1000;
  Writer w(sink, o);
  sink.fail_always(true);
  for (int i = 0; i < 100; ++i) w.store(Uuid::random(), epoch_metric(i));
  WriterCounters c = w.counters();
  EXPECT_EQ(c.stored, 10u);
  EXPECT_EQ(c.dropped, 90u);
  sink.fail_always(false);
  w.flush(30s);
  EXPECT_EQ(sink.rows(), 10u);
}

TEST(StoreWriter, BlockPolicyHoldsTheCallerInsideStoreUntilThereIsRoom) {
  TempDir tmp;
  MemorySink sink;
  sink.hold();  // the first batch stays in the sink: nothing leaves the buffer
  WriterOptions o = writer_options(tmp);
  o.overflow = OverflowPolicy::kBlock;
  o.buffer_capacity = 10;
  o.batch_size = 5;
  Writer w(sink, o);
  const Uuid run = Uuid::random();
  std::atomic<int> returned{0};
  std::atomic<bool> released{false};
  std::atomic<bool> eleventh_returned_after_release{false};
  std::thread caller([&] {
    for (int i = 0; i < 1000; ++i) {
      w.store(run, epoch_metric(i));
      if (i == 10) eleventh_returned_after_release = released.load();
      ++returned;
    }
  });
  ASSERT_TRUE(sink.wait_held());
  // A batch is in flight but stays in the buffer until acknowledged, so ten
  // metrics fill it and the eleventh call has no room.
  ASSERT_TRUE(eventually([&] { return returned >= 10; }));
  // A writer that did not block would return from the eleventh call at once;
  // this bounded wait gives it the chance to show that. A blocking writer
  // passes however long it is.
  EXPECT_FALSE(eventually_within(500ms, [&] { return returned > 10; })) << "store returned with no room";
  WriterCounters held = w.counters();
  EXPECT_EQ(held.stored, 10u);
  EXPECT_EQ(held.spooled, 0u);
  EXPECT_EQ(held.dropped, 0u);
  released = true;
  sink.release();
  caller.join();
  EXPECT_TRUE(eleventh_returned_after_release) << "the eleventh store returned while the sink held";
  w.flush(30s);
  EXPECT_EQ(sink.rows(), 1000u);
  EXPECT_EQ(w.counters().spooled, 0u);
  EXPECT_EQ(w.counters().dropped, 0u);
}

TEST(StoreWriter, ManyThreadsStoringAtOnceLoseNothing) {
  TempDir tmp;
  MemorySink sink;
  WriterOptions o = writer_options(tmp);
  o.buffer_capacity = 1000;  // forces spills under contention
  Writer w(sink, o);
  std::vector<std::thread> threads;
  std::vector<Uuid> runs;
  for (int t = 0; t < 8; ++t) runs.push_back(Uuid::random());
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10'000; ++i) w.store(runs[t % 4], epoch_metric(i));
    });
  }
  for (auto& th : threads) th.join();
  w.flush(60s);
  EXPECT_EQ(sink.rows(), 80'000u);
  EXPECT_EQ(w.counters().stored, 80'000u);
}

TEST(StoreWriter, RejectsNilRunAndUseAfterClose) {
  TempDir tmp;
  MemorySink sink;
  Writer w(sink, writer_options(tmp));
  EXPECT_THROW(w.store(Uuid(), epoch_metric(1)), InvalidArgument);
  w.close(1s);
  EXPECT_THROW(w.store(Uuid::random(), epoch_metric(1)), Error);
}

TEST(StoreWriter, RunStatsTrackNewestAndBestValidationAccuracy) {
  TempDir tmp;
  MemorySink sink;
  ManualClock clock;
  Writer w(sink, writer_options(tmp), &clock);
  Uuid run = Uuid::random();
  double acc[] = {0.5, 0.9, std::nan(""), 0.7};
  for (int i = 0; i < 4; ++i) {
    Metric m = epoch_metric(i);
    m.val_accuracy = acc[i];
    m.hidden_units = i == 1 ? 5 : 3;
    clock.advance(1);
    w.store(run, m);
  }
  auto st = w.run_stats(run);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->newest.epoch, 3);
  EXPECT_EQ(st->best_val_accuracy, 0.9);
  EXPECT_EQ(st->best_epoch, 1);
  EXPECT_EQ(st->max_hidden_units, 5);
  EXPECT_FALSE(w.run_stats(Uuid::random()));
}

}  // namespace
}  // namespace canopy::store
