// The client while its node misbehaves: a paused (SIGSTOP) node makes
// requests time out in time and the session recovers after SIGCONT; a
// restarted node is reconnected to while requests keep flowing.
// Drives scripts/cassandra pause|resume|restart on the first host of
// CANOPY_TEST_HOSTS (default 127.0.0.1); run it against your own node in
// development (CANOPY_TEST_HOSTS=127.0.0.21).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "cql/session.h"
#include "integration/cql_test_env.h"

namespace {

using Clock = std::chrono::steady_clock;
using cql::Value;

std::string FirstHost() { return canopy_test::first_test_host(); }

int NodeScript(const std::string& command) {
  std::string host = FirstHost();
  std::string k = host.substr(host.rfind('.') + 1);
  std::string cmd = std::string(CANOPY_SOURCE_DIR) + "/scripts/cassandra " + command + " --first-ip " + k + " --node 1";
  return std::system(cmd.c_str());
}

// Resumes the node even when an assertion fails.
struct ResumeGuard {
  ~ResumeGuard() { NodeScript("resume"); }
};

bool EventuallySucceeds(cql::Session& s, std::chrono::seconds within) {
  auto deadline = Clock::now() + within;
  while (Clock::now() < deadline) {
    if (s.QueryAsync("SELECT release_version FROM system.local").get().ok()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

TEST(CqlDisruption, RequestToAPausedNodeTimesOutInTimeAndSessionRecovers) {
  auto o = cql_test::TestOptions();
  o.pool_size = 1;
  o.request_timeout = std::chrono::milliseconds(1500);
  o.heartbeat_interval = std::chrono::milliseconds(0);
  auto s = cql::Session::Connect(o);
  ASSERT_TRUE(s->QueryAsync("SELECT release_version FROM system.local").get().ok());
  auto narrow_options = o;
  narrow_options.max_in_flight_per_connection = 1;
  auto narrow = cql::Session::Connect(narrow_options);
  {
    ResumeGuard guard;
    ASSERT_EQ(NodeScript("pause"), 0);
    // One stream per connection: while the first request waits for the stalled node,
    // a second one finds no host able to take it, and the error names the host and why.
    auto first = narrow->QueryAsync("SELECT release_version FROM system.local");
    auto second = narrow->QueryAsync("SELECT release_version FROM system.local").get();
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().kind, cql::ErrorKind::kNoHostAvailable) << second.error().to_string();
    EXPECT_NE(second.error().message.find(FirstHost() + ":9042: connection closed or all stream ids busy"),
              std::string::npos)
        << second.error().to_string();
    EXPECT_FALSE(first.get().ok());
    auto start = Clock::now();
    auto r = s->QueryAsync("SELECT release_version FROM system.local", {}, {.idempotent = true}).get();
    auto elapsed = Clock::now() - start;
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().kind == cql::ErrorKind::kTimeout || r.error().kind == cql::ErrorKind::kNoHostAvailable)
        << r.error().to_string();
    EXPECT_NE(r.error().to_string().find("request timeout"), std::string::npos) << r.error().to_string();
    // The 1.5 s timeout, not the server's 12 s: generous bound for a loaded machine.
    EXPECT_LT(elapsed, std::chrono::seconds(6));
    EXPECT_GE(s->counters().timeouts, 1u);
  }
  EXPECT_TRUE(EventuallySucceeds(*s, std::chrono::seconds(60)));
  EXPECT_TRUE(EventuallySucceeds(*narrow, std::chrono::seconds(60)));
}

TEST(CqlDisruption, NodeRestartedWhileRequestsFlowAndSessionRecovers) {
  auto o = cql_test::TestOptions();
  o.reconnect_base_delay = std::chrono::milliseconds(100);
  o.reconnect_max_delay = std::chrono::milliseconds(2000);
  o.request_timeout = std::chrono::seconds(3);
  auto s = cql::Session::Connect(o);
  cql_test::ScratchKeyspace ks(*s, "cql_test_restart");
  s->Query("CREATE TABLE cql_test_restart.t (k int PRIMARY KEY, v int)");
  auto ins = s->Prepare("INSERT INTO cql_test_restart.t (k, v) VALUES (?, ?)");
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      auto r = s->ExecuteAsync(ins, {Value::Int(i), Value::Int(i)}, {.idempotent = true}).get();
      (r.ok() ? ok : failed)++;
      if (!r.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int rc = NodeScript("restart");
  int ok_at_restart = ok.load();
  // Requests succeed again after the restart, on reconnected connections.
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (ok.load() < ok_at_restart + 100 && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop = true;
  writer.join();
  ASSERT_EQ(rc, 0);
  EXPECT_GE(ok.load(), ok_at_restart + 100) << "failed: " << failed.load();
  EXPECT_GE(s->counters().reconnects, 1u);
  auto hosts = s->host_counters();
  ASSERT_FALSE(hosts.empty());
  EXPECT_TRUE(hosts[0].up);
  EXPECT_GT(hosts[0].open_connections, 0);
}

}  // namespace
