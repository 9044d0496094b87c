// The client against a 3-node cluster (CANOPY_CLUSTER_HOSTS, default
// 127.0.0.1,127.0.0.2,127.0.0.3; label `cluster`): token-aware routing sends
// each single-partition write to a replica, proven with per-host request
// counters against the replica set computed from the server's own token()
// and its system tables; a stopped (SIGSTOP) node is routed around.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <cstdlib>
#include <map>
#include <set>

#include "cql/session.h"
#include "integration/cql_test_env.h"

namespace {

using cql::Value;

std::vector<std::string> ClusterHosts() { return canopy_test::cluster_hosts(); }

cql::SessionOptions ClusterOptions() {
  cql::SessionOptions o;
  o.contact_points = ClusterHosts();
  o.pool_size = 1;
  o.request_timeout = std::chrono::seconds(12);
  return o;
}

std::string Ip(const std::string& address) { return address.substr(0, address.rfind(':')); }

std::map<std::string, uint64_t> SentByIp(cql::Session& s) {
  std::map<std::string, uint64_t> m;
  for (const auto& h : s.host_counters()) m[Ip(h.address)] = h.requests_sent;
  return m;
}

// Replicas of a token for SimpleStrategy RF n (and NetworkTopologyStrategy with
// one datacenter and one rack, as here): the owner of the first ring
// token >= token, then the next distinct nodes clockwise.
std::vector<std::string> ExpectedReplicas(const std::map<int64_t, std::string>& ring, int64_t token, size_t rf) {
  std::vector<std::string> out;
  auto it = ring.lower_bound(token);
  for (size_t step = 0; step < ring.size() && out.size() < rf; ++step, ++it) {
    if (it == ring.end()) it = ring.begin();
    if (std::find(out.begin(), out.end(), it->second) == out.end()) out.push_back(it->second);
  }
  return out;
}

TEST(CqlCluster, DiscoversEveryNode) {
  auto s = cql::Session::Connect(ClusterOptions());
  auto hosts = s->host_counters();
  ASSERT_EQ(hosts.size(), ClusterHosts().size());
  for (const auto& h : hosts) {
    EXPECT_TRUE(h.up) << h.address;
    EXPECT_EQ(h.open_connections, 1) << h.address;
    EXPECT_EQ(h.datacenter, "datacenter1");
  }
}

struct Strategy {
  const char* name;
  const char* replication;
  int rf;
};

class TokenAware : public ::testing::TestWithParam<Strategy> {};

TEST_P(TokenAware, EachSinglePartitionWriteGoesToAReplica) {
  const int rf = GetParam().rf;
  auto s = cql::Session::Connect(ClusterOptions());
  std::string ks = std::string("cql_test_cluster_") + GetParam().name;
  cql_test::ScratchKeyspace scratch(*s, ks, GetParam().replication);
  s->Query("CREATE TABLE " + ks + ".t (k int, c int, v int, PRIMARY KEY ((k, c)))");
  ASSERT_TRUE(s->WaitForSchemaAgreement());
  auto ins = s->Prepare("INSERT INTO " + ks + ".t (k, c, v) VALUES (?, ?, ?)");

  // The ring from the server: every node's own tokens (system.local), asked of each
  // node in turn (round robin over the hosts, token-aware routing off).
  std::map<int64_t, std::string> ring;
  std::set<std::string> answered;
  {
    cql::SessionOptions o = ClusterOptions();
    o.token_aware = false;
    auto rr = cql::Session::Connect(o);
    for (size_t attempt = 0; attempt < 3 * ClusterHosts().size(); ++attempt) {
      auto rs = rr->Query("SELECT broadcast_address, tokens FROM system.local");
      std::string a = rs[0].get_value("broadcast_address").as_bytes();
      ASSERT_EQ(a.size(), 4u);
      std::string ip = std::to_string((unsigned char)a[0]) + "." + std::to_string((unsigned char)a[1]) + "." +
                       std::to_string((unsigned char)a[2]) + "." + std::to_string((unsigned char)a[3]);
      EXPECT_EQ(Ip(rs.host()), ip) << "system.local answers for the coordinator";
      answered.insert(ip);
      for (const Value& t : rs[0].get_value("tokens").items()) ring[std::stoll(t.as_bytes())] = ip;
    }
  }
  ASSERT_EQ(answered.size(), ClusterHosts().size());
  ASSERT_GE(ring.size(), ClusterHosts().size()) << "every node's tokens";

  int checked = 0;
  std::set<std::string> coordinators;
  for (int k = 0; k < 60; ++k) {
    auto before = SentByIp(*s);
    // ALL: the token() read below finds the row on whichever replica answers.
    s->Execute(ins, {Value::Int(k), Value::Int(k * 31), Value::Int(1)},
               {.consistency = cql::Consistency::kAll, .idempotent = true});
    auto after = SentByIp(*s);
    std::string sent_to;
    int hosts_used = 0;
    for (const auto& [ip, n] : after)
      if (n != before[ip]) {
        sent_to = ip;
        ++hosts_used;
      }
    ASSERT_EQ(hosts_used, 1) << "one request, one host";
    auto tok = s->Query("SELECT token(k, c) FROM " + ks + ".t WHERE k = ? AND c = ?", {Value::Int(k), Value::Int(k * 31)});
    ASSERT_EQ(tok.row_count(), 1u);
    auto replicas = ExpectedReplicas(ring, *tok[0].get_int64(0), static_cast<size_t>(rf));
    EXPECT_NE(std::find(replicas.begin(), replicas.end(), sent_to), replicas.end())
        << "key " << k << " token " << *tok[0].get_int64(0) << " sent to " << sent_to << ", replicas: " << replicas[0];
    coordinators.insert(sent_to);
    ++checked;
  }
  EXPECT_EQ(checked, 60);
  // 60 keys spread over the ring: every node coordinates some of them.
  EXPECT_EQ(coordinators.size(), ClusterHosts().size());
}

INSTANTIATE_TEST_SUITE_P(
    Replication, TokenAware,
    ::testing::Values(Strategy{"simple1", "{'class': 'SimpleStrategy', 'replication_factor': 1}", 1},
                      Strategy{"simple2", "{'class': 'SimpleStrategy', 'replication_factor': 2}", 2},
                      Strategy{"nts2", "{'class': 'NetworkTopologyStrategy', 'datacenter1': 2}", 2}),
    [](const ::testing::TestParamInfo<Strategy>& p) { return std::string(p.param.name); });

int NodeScript(const std::string& command, int node) {
  std::string first = ClusterHosts()[0];
  std::string k = first.substr(first.rfind('.') + 1);
  std::string cmd = std::string(CANOPY_SOURCE_DIR) + "/scripts/cassandra " + command + " --first-ip " + k +
                    " --node " + std::to_string(node);
  return std::system(cmd.c_str());
}

TEST(CqlCluster, StoppedNodeIsRoutedAround) {
  auto o = ClusterOptions();
  o.request_timeout = std::chrono::milliseconds(1000);
  o.heartbeat_interval = std::chrono::milliseconds(0);
  auto s = cql::Session::Connect(o);
  cql_test::ScratchKeyspace scratch(*s, "cql_test_cluster_down", 3);
  s->Query("CREATE TABLE cql_test_cluster_down.t (k int PRIMARY KEY, v int)");
  ASSERT_TRUE(s->WaitForSchemaAgreement());
  auto ins = s->Prepare("INSERT INTO cql_test_cluster_down.t (k, v) VALUES (?, ?)");
  std::string paused_ip = ClusterHosts()[1];
  struct Resume {
    ~Resume() { NodeScript("resume", 2); }
  } resume;
  ASSERT_EQ(NodeScript("pause", 2), 0);
  auto before = SentByIp(*s);
  int ok = 0;
  const int kWrites = 300;
  for (int k = 0; k < kWrites; ++k) {
    auto r = s->ExecuteAsync(ins, {Value::Int(k), Value::Int(k)}, {.idempotent = true}).get();
    if (r.ok()) {
      ++ok;
    } else {
      ADD_FAILURE() << r.error().to_string();
    }
  }
  auto after = SentByIp(*s);
  EXPECT_EQ(ok, kWrites) << "every idempotent write succeeds on another replica";
  uint64_t to_paused = after[paused_ip] - before[paused_ip];
  uint64_t total = 0;
  for (const auto& [ip, n] : after) total += n - before[ip];
  // Attempts at the stalled node time out and are retried elsewhere; after two in a
  // row the node is tried last, so it sees only a few of the attempts.
  EXPECT_LT(to_paused * 10, total) << to_paused << " of " << total << " attempts went to the paused node";
  EXPECT_GE(s->counters().retries, to_paused > 0 ? 1u : 0u);
}

TEST(CqlCluster, NodeRestartLosesNoIdempotentWriteAndThePoolIsRefilled) {
  auto o = ClusterOptions();
  o.request_timeout = std::chrono::seconds(3);
  o.reconnect_base_delay = std::chrono::milliseconds(100);
  o.reconnect_max_delay = std::chrono::milliseconds(2000);
  auto s = cql::Session::Connect(o);
  cql_test::ScratchKeyspace scratch(*s, "cql_test_cluster_restart", 3);
  s->Query("CREATE TABLE cql_test_cluster_restart.t (k int PRIMARY KEY, v int)");
  auto ins = s->Prepare("INSERT INTO cql_test_cluster_restart.t (k, v) VALUES (?, ?)");
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::string last_error;
  std::mutex mu;
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      auto r = s->ExecuteAsync(ins, {Value::Int(i), Value::Int(i)}, {.idempotent = true}).get();
      if (r.ok()) {
        ++ok;
      } else {
        ++failed;
        std::lock_guard<std::mutex> lock(mu);
        last_error = r.error().to_string();
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int rc = NodeScript("restart", 3);
  std::string restarted = ClusterHosts()[2];
  // After the restart the node is up again with a full pool and takes requests.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool back = false;
  uint64_t sent_at_return = 0;
  for (const auto& h : s->host_counters())
    if (Ip(h.address) == restarted) sent_at_return = h.requests_sent;
  while (!back && std::chrono::steady_clock::now() < deadline) {
    for (const auto& h : s->host_counters())
      if (Ip(h.address) == restarted && h.up && h.open_connections == o.pool_size && h.requests_sent > sent_at_return + 10)
        back = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  writer.join();
  ASSERT_EQ(rc, 0);
  EXPECT_TRUE(back) << restarted << " did not come back into the pool";
  EXPECT_GT(ok.load(), 100);
  EXPECT_EQ(failed.load(), 0) << "last error: " << last_error;
}

}  // namespace
