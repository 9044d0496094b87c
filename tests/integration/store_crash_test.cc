// SIGKILL a writer process mid-stream (Durability::kSpoolEach), start a new
// process on the same store, and find every metric whose store_metric had
// returned. Compiled once per backend (STORE_CRASH_CASSANDRA selects the
// real Cassandra node of CANOPY_TEST_HOSTS, label integration).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "canopy/metrics_store.h"
#ifdef STORE_CRASH_CASSANDRA
#include "cql/session.h"
#include "integration/test_hosts.h"
#endif
#include "unit/store_test_util.h"

namespace canopy {
namespace {

struct Child {
  pid_t pid = -1;
  int out = -1;
};

Child spawn(const std::vector<std::string>& args) {
  int fds[2];
  if (::pipe(fds) != 0) std::abort();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

class StoreCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    common_ = {"--run", run_.str(), "--spool", tmp_.path() + "/spool", "--durability", "each"};
#ifdef STORE_CRASH_CASSANDRA
    host_ = canopy_test::first_test_host();
    keyspace_ = "store_crash_" + Uuid::random().str().substr(0, 8);
    for (const std::string& s : std::vector<std::string>{"--cassandra", host_, "--keyspace", keyspace_}) common_.push_back(s);
    config_.cassandra.enabled = true;
    config_.cassandra.contact_points = {host_};
    config_.cassandra.keyspace = keyspace_;
    config_.cassandra.replication_class = "SimpleStrategy";
    config_.cassandra.replication = {{"replication_factor", 1}};
#else
    common_.push_back("--sqlite");
    common_.push_back(tmp_.path() + "/metrics.db");
    config_.embedded.path = tmp_.path() + "/metrics.db";
#endif
    config_.writer.spool_dir = tmp_.path() + "/verify-spool";
  }
  void TearDown() override {
#ifdef STORE_CRASH_CASSANDRA
    try {
      cql::SessionOptions o;
      o.contact_points = {host_};
      o.pool_size = 1;
      cql::Session::Connect(o)->Query("DROP KEYSPACE IF EXISTS " + keyspace_);
    } catch (const std::exception&) {
    }
#endif
  }
  std::vector<std::string> args(const std::string& mode) {
    std::vector<std::string> a{STORE_CRASH_WRITER, mode};
    a.insert(a.end(), common_.begin(), common_.end());
    return a;
  }

  store::TempDir tmp_;
  Uuid run_ = Uuid::random();
  std::vector<std::string> common_;
  Config config_;
  std::string host_, keyspace_;
};

TEST_F(StoreCrash, EveryMetricWhoseStoreReturnedSurvivesSigkill) {
  Child w = spawn(args("write"));
  std::int32_t last = -1, v;
  // Kill well inside the stream, after enough metrics that some are only in the spool.
  while (last < 30'000 && ::read(w.out, &v, sizeof v) == sizeof v) last = v;
  ::kill(w.pid, SIGKILL);
  while (::read(w.out, &v, sizeof v) == sizeof v) last = v;  // acknowledged before the kill landed
  ::close(w.out);
  int st = wait_exit(w.pid);
  ASSERT_TRUE(WIFSIGNALED(st)) << "writer ended by itself, status " << st;
  ASSERT_GE(last, 30'000);

  Child r = spawn(args("replay"));
  ::close(r.out);
  st = wait_exit(r.pid);
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "replay failed, status " << st;

  auto store = open_store(config_);
  std::set<int> epochs;
  store->scan_metrics(run_, std::nullopt, std::nullopt, [&](const Metric& m) {
    epochs.insert(*m.epoch);
    return true;
  });
  for (int i = 0; i <= last; ++i) ASSERT_TRUE(epochs.count(i)) << "metric " << i << " of " << last << " lost";
  // The completeness ledger, re-derived by the replaying process from the
  // killed writer's spool, agrees: every acknowledged step is stored, and
  // at least every metric the test saw acknowledged is counted (one more
  // may have returned after the last epoch reached the pipe).
  const RunVerification ver = store->verify_run(run_);
  EXPECT_TRUE(ver.complete()) << ver.missing_steps << " acknowledged step(s) missing";
  EXPECT_EQ(ver.ledger_entries, 1u);
  EXPECT_GE(ver.acknowledged, static_cast<std::uint64_t>(last) + 1);
  EXPECT_EQ(ver.acknowledged, ver.acknowledged_steps);
  EXPECT_EQ(ver.stored, epochs.size());
  EXPECT_EQ(ver.first_step, 0);
  EXPECT_EQ(ver.duplicates, 0u);
  // The roll-ups the replaying process left agree with the raw metrics.
  const RunSummary s = store->summary(run_);
  EXPECT_EQ(s.metrics, epochs.size());
  const int max_epoch = *epochs.rbegin();
  for (const FieldSummary& f : s.fields) {
    if (f.field != "train_loss" || f.count == 0) continue;
    EXPECT_EQ(f.last_epoch, max_epoch);
  }
  Series series = store->series(run_, "train_loss", static_cast<int>(epochs.size()) + 10);
  EXPECT_TRUE(series.exact);
  std::size_t with_loss = 0;
  store->scan_metrics(run_, std::nullopt, std::nullopt, [&](const Metric& m) {
    with_loss += m.train_loss ? 1 : 0;
    return true;
  });
  EXPECT_EQ(series.values, with_loss);
  Series coarse = store->series(run_, "train_loss", 100);
  EXPECT_GT(coarse.level, 0) << "answered from roll-ups";
  EXPECT_EQ(coarse.values, with_loss) << "roll-ups cover every metric exactly once";
  store->close();
}

}  // namespace
}  // namespace canopy
