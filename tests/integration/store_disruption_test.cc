// Stops a Cassandra node of our own in the middle of a stream of 100,000
// metrics and starts it again once the writer's buffer has spilled into the
// spool; after flush_metrics every metric is there, the spooled ones replayed.
//
// The node is 127.0.0.<CANOPY_DISRUPT_FIRST_IP> (default 31), never the
// shared node at 127.0.0.1. The test starts it with scripts/cassandra if it
// is not running, and stops it at the end.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <thread>

#include "canopy/metrics_store.h"
#include "unit/store_test_util.h"

namespace canopy {
namespace {

using namespace std::chrono_literals;

std::string first_ip() {
  const char* e = std::getenv("CANOPY_DISRUPT_FIRST_IP");
  return e && *e ? e : "31";
}

int cassandra(const std::string& command) {
  std::string cmd = std::string(CANOPY_SCRIPTS_DIR) + "/cassandra " + command + " --first-ip " + first_ip() +
                    " >&2";
  return std::system(cmd.c_str());
}

bool node_running() {
  // `status` lists every cluster on the machine: look for our node's line.
  std::string cmd = std::string(CANOPY_SCRIPTS_DIR) + "/cassandra status --first-ip " + first_ip() +
                    " 2>/dev/null | grep -q '^127\\.0\\.0\\." + first_ip() + ":9042 .* running '";
  return std::system(cmd.c_str()) == 0;
}

TEST(StoreDisruption, AllOf100000MetricsArriveAcrossANodeStopAndStart) {
  if (!node_running()) {
    ASSERT_EQ(cassandra("start"), 0) << "could not start the disruption node";
  }
  struct StopAtEnd {
    ~StopAtEnd() { cassandra("stop"); }
  } stop_at_end;

  store::TempDir tmp;
  Config c;
  c.cassandra.enabled = true;
  c.cassandra.contact_points = {"127.0.0." + first_ip()};
  c.cassandra.keyspace = "store_disrupt";
  c.cassandra.replication_class = "SimpleStrategy";
  c.cassandra.replication = {{"replication_factor", 1}};
  c.cassandra.pool_size = 2;
  c.cassandra.connect_timeout = 2s;
  c.cassandra.request_timeout = 3s;
  c.cassandra.flush_interval = 100ms;
  c.writer.buffer_capacity = 10'000;  // the outage overflows it: the spool takes the rest
  c.writer.durability = Durability::kBuffered;
  c.writer.retry_max = 1s;
  c.writer.spool_dir = tmp.path() + "/spool";
  auto store = open_store(c);
  const Uuid run = Uuid::random();
  store->create_run(run, "disruption", "{}");

  constexpr int kTotal = 100'000;
  std::atomic<int> stored{0};
  std::thread producer([&] {
    for (int i = 0; i < kTotal; ++i) {
      Metric m;
      m.epoch = i;
      m.train_loss = 1.0 / (i + 1);
      store->store_metric(run, m);
      stored = i + 1;
      // A steady stream of at most ~2,000/s (about 50 s): long enough that the
      // node stops and comes back while metrics keep arriving.
      if (i % 100 == 99) std::this_thread::sleep_for(50ms);
    }
  });
  while (stored < 20'000) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(cassandra("stop"), 0);
  const int at_stop = stored;
  // The node stays down until the buffer has overflowed into the spool, so
  // the test always covers the spill and its replay.
  while (store->counters().spooled == 0 && stored < kTotal) std::this_thread::sleep_for(10ms);
  EXPECT_GT(store->counters().spooled, 0u) << "every metric was stored before the buffer overflowed";
  ASSERT_EQ(cassandra("start"), 0);
  const int at_start = stored;
  producer.join();

  store->flush_metrics(300'000ms);
  WriterCounters wc = store->counters();
  std::fprintf(stderr, "node down after metric %d, up again at metric %d; counters: stored %llu written %llu retried %llu spooled %llu replayed %llu\n",
               at_stop, at_start, (unsigned long long)wc.stored, (unsigned long long)wc.written,
               (unsigned long long)wc.retried, (unsigned long long)wc.spooled, (unsigned long long)wc.replayed);
  EXPECT_EQ(wc.stored, static_cast<std::uint64_t>(kTotal));
  EXPECT_EQ(wc.dropped, 0u);
  EXPECT_GT(wc.retried, 0u) << "the node stop did not make any write fail";
  EXPECT_EQ(wc.replayed, wc.spooled) << "every spooled metric is replayed";

  std::set<int> epochs;
  std::uint64_t rows = store->scan_metrics(run, std::nullopt, std::nullopt, [&](const Metric& m) {
    epochs.insert(*m.epoch);
    return true;
  });
  EXPECT_EQ(rows, static_cast<std::uint64_t>(kTotal));
  EXPECT_EQ(epochs.size(), static_cast<std::size_t>(kTotal));
  store->close();
}

}  // namespace
}  // namespace canopy
