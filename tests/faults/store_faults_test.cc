// The fault suite: the store on three real Cassandra nodes (keyspace
// replication 3, QUORUM writes and reads) while nodes stop, die, freeze and
// come back, and while the writing process itself is SIGKILLed. Each
// scenario counts the metrics the store acknowledged (store_metric returned)
// and reads them all back: with the completeness ledger (verify_run) and
// with an independent scan of the stored rows.
//
// The cluster is CANOPY_CLUSTER_HOSTS (scripts/test starts it: 127.0.0.1-3);
// nodes are driven with scripts/cassandra --first-ip K --node I. Every test
// leaves all three nodes running, also when it fails.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "canopy/errors.h"
#include "canopy/metrics_store.h"
#include "integration/test_hosts.h"

namespace canopy {
namespace {

using namespace std::chrono_literals;

// K of 127.0.0.K, the first node of the cluster.
std::string first_ip() {
  const std::string host = canopy_test::cluster_hosts().front();
  return host.substr(host.rfind('.') + 1);
}

struct TempDir {
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "canopy-faults-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

int cassandra(const std::string& command, int node) {
  const std::string cmd = std::string(CANOPY_SCRIPTS_DIR) + "/cassandra " + command + " --first-ip " + first_ip() +
                          " --node " + std::to_string(node) + " >&2";
  return std::system(cmd.c_str());
}

// A stream of metrics with steps 0, 1, 2, ... in a thread, counting the ones
// the store acknowledged. A store_metric that throws is not acknowledged
// (the caller was told); the stream goes on.
class Producer {
 public:
  Producer(MetricsStore& store, Uuid run, std::chrono::microseconds pause = 200us)
      : thread_([this, &store, run, pause] {
          for (std::int32_t step = 0; !stop_; ++step) {
            Metric m;
            m.step = step;
            m.epoch = step / 100;
            m.train_loss = 1.0 / (step + 1);
            try {
              store.store_metric(run, m);
              acknowledged_.insert(step);
              ++count_;
            } catch (const Error& e) {
              ++refused_;
              if (refused_ == 1) std::fprintf(stderr, "store_metric refused a metric: %s\n", e.what());
            }
            std::this_thread::sleep_for(pause);
          }
        }) {}
  ~Producer() { stop(); }

  void wait_for(int more) {
    const int target = count_ + more;
    while (count_ < target) std::this_thread::sleep_for(10ms);
  }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  const std::set<std::int32_t>& acknowledged() const { return acknowledged_; }  // after stop()
  int refused() const { return refused_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<int> count_{0};
  std::atomic<int> refused_{0};
  std::set<std::int32_t> acknowledged_;
  std::thread thread_;
};

class StoreFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    keyspace_ = "faults_" + Uuid::random().str().substr(0, 8);
    config_ = make_config(tmp_.path + "/spool");
  }
  void TearDown() override {
    // Whatever happened, the cluster is whole again for the next test.
    for (int node = 1; node <= 3; ++node) {
      cassandra("resume", node);
      cassandra("start", node);
    }
  }

  Config make_config(const std::string& spool_dir) const {
    Config c;
    c.cassandra.enabled = true;
    c.cassandra.contact_points = canopy_test::cluster_hosts();
    c.cassandra.keyspace = keyspace_;
    c.cassandra.replication_class = "SimpleStrategy";
    c.cassandra.replication = {{"replication_factor", 3}};
    c.cassandra.consistency.write = "QUORUM";
    c.cassandra.consistency.read = "QUORUM";
    c.cassandra.pool_size = 2;
    c.cassandra.connect_timeout = 2s;
    // Above the nodes' own timeouts (2 s write, 5 s read), as the default (10 s) is:
    // a node that dies unnoticed by gossip makes a coordinator wait for them.
    c.cassandra.request_timeout = 10s;
    c.cassandra.flush_interval = 100ms;
    c.writer.retry_max = 1s;
    c.writer.spool_dir = spool_dir;
    return c;
  }

  // Every acknowledged metric is stored: the ledger says the run is complete
  // and agrees with the count, and a scan of the rows finds each step.
  void expect_all_stored(MetricsStore& store, const Uuid& run, const std::set<std::int32_t>& acknowledged) {
    ASSERT_FALSE(acknowledged.empty());
    std::set<std::int32_t> steps;
    store.scan_metrics(run, std::nullopt, std::nullopt, [&](const Metric& m) {
      steps.insert(*m.step);
      return true;
    }, 1000);
    std::size_t missing = 0;
    for (std::int32_t s : acknowledged) {
      if (!steps.count(s)) {
        if (missing++ < 5) ADD_FAILURE() << "acknowledged step " << s << " is not stored";
      }
    }
    EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged metrics";
    // The ledger agrees: every step it recorded as acknowledged is stored.
    const RunVerification v = store.verify_run(run);
    EXPECT_TRUE(v.complete()) << v.missing_steps << " acknowledged steps missing, first at "
                              << (v.missing.empty() ? -1 : v.missing.front().first);
    // A killed writer may have acknowledged a metric it had no time to report.
    EXPECT_GE(v.acknowledged_steps, acknowledged.size());
    EXPECT_EQ(v.stored_steps, steps.size());
    std::fprintf(stderr, "acknowledged %zu metrics, read back %zu, missing %zu; ledger: acknowledged steps %llu, "
                 "stored steps %llu, missing %llu\n", acknowledged.size(), steps.size(), missing,
                 (unsigned long long)v.acknowledged_steps, (unsigned long long)v.stored_steps,
                 (unsigned long long)v.missing_steps);
    written_ = acknowledged.size();
    read_back_ = steps.size();
  }

  TempDir tmp_;
  std::string keyspace_;
  Config config_;
  std::size_t written_ = 0, read_back_ = 0;
};

TEST_F(StoreFaults, OneNodeStoppedAndRestartedDuringAStream) {
  auto store = open_store(config_);
  const Uuid run = store->create_run(NewRun{});
  Producer producer(*store, run);
  producer.wait_for(3'000);
  ASSERT_EQ(cassandra("stop", 2), 0);
  producer.wait_for(3'000);  // QUORUM holds with two of three replicas
  ASSERT_EQ(cassandra("start", 2), 0);
  producer.wait_for(3'000);
  producer.stop();
  store->flush_metrics(120'000ms);
  EXPECT_EQ(producer.refused(), 0);
  expect_all_stored(*store, run, producer.acknowledged());
  store->close();
}

TEST_F(StoreFaults, TwoNodesStoppedTheWriterSpoolsAndReplays) {
  config_.writer.buffer_capacity = 2'000;  // the outage overflows it into the spool
  config_.writer.durability = Durability::kBuffered;
  auto store = open_store(config_);
  const Uuid run = store->create_run(NewRun{});
  Producer producer(*store, run);
  producer.wait_for(2'000);
  ASSERT_EQ(cassandra("stop", 2), 0);
  ASSERT_EQ(cassandra("stop", 3), 0);
  // No QUORUM now: writes fail, the buffer fills, the rest goes to the spool.
  while (store->counters().spooled == 0) std::this_thread::sleep_for(10ms);
  producer.wait_for(2'000);
  ASSERT_EQ(cassandra("start", 2), 0);
  ASSERT_EQ(cassandra("start", 3), 0);
  producer.wait_for(2'000);
  producer.stop();
  store->flush_metrics(300'000ms);
  const WriterCounters wc = store->counters();
  EXPECT_GT(wc.spooled, 0u);
  EXPECT_EQ(wc.replayed, wc.spooled) << "every spooled metric was replayed";
  EXPECT_EQ(wc.dropped, 0u);
  EXPECT_EQ(producer.refused(), 0);
  expect_all_stored(*store, run, producer.acknowledged());
  store->close();
}

TEST_F(StoreFaults, FirstContactPointKilledAndRestarted) {
  auto store = open_store(config_);
  const Uuid run = store->create_run(NewRun{});
  Producer producer(*store, run);
  producer.wait_for(3'000);
  ASSERT_EQ(cassandra("kill", 1), 0);
  producer.wait_for(3'000);
  {
    // A store opened now finds the cluster through the other contact points.
    auto second = open_store(make_config(tmp_.path + "/spool-second"));
    EXPECT_TRUE(second->get_run(run).has_value());
    second->close();
  }
  ASSERT_EQ(cassandra("start", 1), 0);
  producer.wait_for(3'000);
  producer.stop();
  store->flush_metrics(120'000ms);
  EXPECT_EQ(producer.refused(), 0);
  expect_all_stored(*store, run, producer.acknowledged());
  store->close();
}

// The writer is a child process (fork before any store thread exists) that
// stores metrics with durability spool_each and reports each acknowledged
// step through a pipe; it is SIGKILLed mid-stream. A new store on the same
// spool replays what the dead one had acknowledged.
TEST_F(StoreFaults, WriterProcessKilledMidBatchAndRestarted) {
  Config child_config = config_;
  child_config.writer.durability = Durability::kSpoolEach;
  child_config.cassandra.batch_size = 500;
  child_config.cassandra.flush_interval = 60'000ms;  // batches are in flight or queued when the kill lands
  const Uuid run = Uuid::random();
  {
    auto store = open_store(config_);
    store->create_run(run, "faults", "{}");
    store->close();
  }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    try {
      auto store = open_store(child_config);
      for (std::int32_t step = 0;; ++step) {
        Metric m;
        m.step = step;
        m.train_loss = 1.0 / (step + 1);
        store->store_metric(run, m);
        if (::write(fds[1], &step, sizeof step) != sizeof step) ::_exit(3);
      }
    } catch (...) {
      ::_exit(1);
    }
  }
  ::close(fds[1]);
  std::set<std::int32_t> acknowledged;
  std::int32_t step;
  while (acknowledged.size() < 20'000 && ::read(fds[0], &step, sizeof step) == sizeof step) acknowledged.insert(step);
  ::kill(pid, SIGKILL);
  while (::read(fds[0], &step, sizeof step) == sizeof step) acknowledged.insert(step);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer ended by itself, status " << status;
  ASSERT_GE(acknowledged.size(), 20'000u);

  auto store = open_store(config_);  // same spool: replays the dead writer's records
  store->flush_metrics(300'000ms);
  EXPECT_GT(store->counters().replayed, 0u) << "the kill landed with nothing left to replay";
  expect_all_stored(*store, run, acknowledged);
  store->close();
}

TEST_F(StoreFaults, NodeRestartedInTheMiddleOfAPagedRead) {
  auto store = open_store(config_);
  const Uuid run = store->create_run(NewRun{});
  constexpr int kRows = 20'000;
  for (std::int32_t step = 0; step < kRows; ++step) {
    Metric m;
    m.step = step;
    m.train_loss = 1.0 / (step + 1);
    store->store_metric(run, m);
  }
  store->flush_metrics(120'000ms);

  auto cursor = store->open_metric_cursor(run, std::nullopt, std::nullopt, 1'000);
  std::vector<Metric> page;
  std::set<std::int32_t> steps;
  std::size_t rows = 0;
  for (int i = 0; i < 3 && cursor->next_page(page); ++i) {
    for (const Metric& m : page) steps.insert(*m.step);
    rows += page.size();
  }
  ASSERT_EQ(rows, 3'000u);
  // Pages go round the replicas: with node 1 down the read goes on from
  // the paging state on the others, and again once it is back.
  ASSERT_EQ(cassandra("stop", 1), 0);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(cursor->next_page(page)) << "the read ended while node 1 was down";
    for (const Metric& m : page) steps.insert(*m.step);
    rows += page.size();
  }
  ASSERT_EQ(cassandra("start", 1), 0);
  while (cursor->next_page(page)) {
    for (const Metric& m : page) steps.insert(*m.step);
    rows += page.size();
  }
  EXPECT_EQ(rows, static_cast<std::size_t>(kRows)) << "pages were repeated or skipped";
  EXPECT_EQ(steps.size(), static_cast<std::size_t>(kRows));
  store->close();
}

TEST_F(StoreFaults, NodeFrozenWithSigstopNothingHangs) {
  auto store = open_store(config_);
  const Uuid run = store->create_run(NewRun{});
  Producer producer(*store, run);
  producer.wait_for(3'000);
  ASSERT_EQ(cassandra("pause", 2), 0);
  // Requests to the frozen node time out (request_timeout) and go elsewhere;
  // writes and reads go on. A hang here would end the test by ctest's timeout.
  producer.wait_for(3'000);
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(store->query_metrics(run, std::nullopt, std::nullopt, 100).empty());
    EXPECT_TRUE(store->get_run(run).has_value());
  }
  store->flush_metrics(120'000ms);  // returns while the node is still frozen
  ASSERT_EQ(cassandra("resume", 2), 0);
  producer.wait_for(1'000);
  producer.stop();
  store->flush_metrics(120'000ms);
  EXPECT_EQ(producer.refused(), 0);
  expect_all_stored(*store, run, producer.acknowledged());
  store->close();
}

}  // namespace
}  // namespace canopy
