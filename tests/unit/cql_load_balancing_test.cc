// Datacenter awareness (docs/cql-client.md, "Routing"): the query plans of
// DcAwareTokenAwarePolicy for DC-local and other consistency levels, and a
// session against a 2-datacenter fake cluster (cql_fake_cluster.h): LOCAL_*
// requests never reach the other datacenter, even when every local node
// fails; other levels fall back to it; an unknown local_datacenter is
// refused at connect naming the datacenters seen.
#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "cql/cluster_state.h"
#include "cql/load_balancing.h"
#include "unit/cql_fake_cluster.h"

namespace {

using cql::Consistency;
using cql::Opcode;
using cql_test::FakeCluster;
using cql_test::FakeServer;

// Nodes .1 and .2 in dc1, .3 in dc2; the local datacenter is dc1.
cql::ClusterStatePtr TwoDcs(cql::ClusterStateCell& cell) {
  cql::Topology t;
  t.nodes = {{"127.0.0.1", 9042, "dc1", "r1", {-100}},
             {"127.0.0.2", 9042, "dc1", "r1", {0}},
             {"127.0.0.3", 9042, "dc2", "r1", {100}}};
  t.keyspaces = std::map<std::string, cql::Replication>{};
  cell.Apply(t, "dc1");
  return cell.Load();
}

std::set<std::string> Ips(const cql::HostPlan& plan) {
  std::set<std::string> out;
  for (const auto& h : plan) out.insert(h->ip);
  return out;
}

TEST(CqlLoadBalancing, DcLocalLevelsAreTheLocalOnes) {
  for (auto c : {Consistency::kLocalOne, Consistency::kLocalQuorum, Consistency::kLocalSerial})
    EXPECT_TRUE(cql::IsDcLocal(c)) << cql::ConsistencyName(c);
  for (auto c : {Consistency::kAny, Consistency::kOne, Consistency::kTwo, Consistency::kThree, Consistency::kQuorum,
                 Consistency::kAll, Consistency::kEachQuorum, Consistency::kSerial})
    EXPECT_FALSE(cql::IsDcLocal(c)) << cql::ConsistencyName(c);
}

TEST(CqlLoadBalancing, LocalOnlyPlansHoldOnlyLocalNodes) {
  cql::ClusterStateCell cell;
  auto state = TwoDcs(cell);
  cql::DcAwareTokenAwarePolicy policy(true);
  for (int i = 0; i < 10; ++i) {
    auto plan = policy.QueryPlan(*state, {.local_only = true});
    EXPECT_EQ(Ips(plan), (std::set<std::string>{"127.0.0.1", "127.0.0.2"}));
    EXPECT_EQ(plan.size(), 2u);
  }
  // Local nodes down: still tried (last resort), the remote one never.
  for (const auto& h : state->Hosts())
    if (h->ip != "127.0.0.3") h->up = false;
  auto plan = policy.QueryPlan(*state, {.local_only = true});
  EXPECT_EQ(Ips(plan), (std::set<std::string>{"127.0.0.1", "127.0.0.2"}));
}

TEST(CqlLoadBalancing, OtherLevelsTryRemoteNodesAfterTheLocalOnes) {
  cql::ClusterStateCell cell;
  auto state = TwoDcs(cell);
  cql::DcAwareTokenAwarePolicy policy(true);
  for (int i = 0; i < 10; ++i) {
    auto plan = policy.QueryPlan(*state, {});
    ASSERT_EQ(plan.size(), 3u);
    EXPECT_EQ(plan[2]->ip, "127.0.0.3");
  }
  // A local node down goes after the remote one (healthy nodes first).
  state->FindHost("127.0.0.1")->up = false;
  auto plan = policy.QueryPlan(*state, {});
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0]->ip, "127.0.0.2");
  EXPECT_EQ(plan[1]->ip, "127.0.0.3");
  EXPECT_EQ(plan[2]->ip, "127.0.0.1");
}

TEST(CqlLoadBalancing, TokenAwarePlansStartWithTheHealthyLocalReplicasInTurn) {
  cql::ClusterStateCell cell;
  cql::Topology t;
  t.nodes = {{"127.0.0.1", 9042, "dc1", "r1", {-100}},
             {"127.0.0.2", 9042, "dc1", "r1", {0}},
             {"127.0.0.3", 9042, "dc1", "r1", {100}}};
  cql::Replication rf2;
  rf2.strategy = cql::Replication::Strategy::kSimple;
  rf2.replication_factor = 2;
  t.keyspaces = std::map<std::string, cql::Replication>{{"ks", rf2}};
  cell.Apply(t, "dc1");
  auto state = cell.Load();
  cql::DcAwareTokenAwarePolicy policy(true);
  // Token 50 is owned by .3 (token 100), then .1 (the ring wraps).
  std::set<std::string> first;
  for (int i = 0; i < 10; ++i) {
    auto plan = policy.QueryPlan(*state, {.keyspace = "ks", .token = 50});
    ASSERT_EQ(plan.size(), 3u);
    EXPECT_EQ(Ips(plan), (std::set<std::string>{"127.0.0.1", "127.0.0.2", "127.0.0.3"}));
    EXPECT_EQ((std::set<std::string>{plan[0]->ip, plan[1]->ip}), (std::set<std::string>{"127.0.0.1", "127.0.0.3"}));
    first.insert(plan[0]->ip);
  }
  EXPECT_EQ(first.size(), 2u) << "the replicas take turns";
  // Another keyspace (replication unknown): no replica goes first for sure.
  std::set<std::string> any_first;
  for (int i = 0; i < 10; ++i) any_first.insert(policy.QueryPlan(*state, {.keyspace = "other", .token = 50})[0]->ip);
  EXPECT_EQ(any_first.size(), 3u);
  // A replica down: the other one first, the down one last.
  state->FindHost("127.0.0.3")->up = false;
  for (int i = 0; i < 4; ++i) {
    auto plan = policy.QueryPlan(*state, {.keyspace = "ks", .token = 50});
    ASSERT_EQ(plan.size(), 3u);
    EXPECT_EQ(plan[0]->ip, "127.0.0.1");
    EXPECT_EQ(plan[1]->ip, "127.0.0.2");
    EXPECT_EQ(plan[2]->ip, "127.0.0.3");
  }
}

TEST(CqlLoadBalancing, TheReplicaTableOfOneStateIsNeverUsedForAnother) {
  // Same keyspace name, one state knowing its replication, one not: plans
  // alternating between them route each by its own state.
  auto topology = [](bool with_keyspace) {
    cql::Topology t;
    t.nodes = {{"127.0.0.1", 9042, "dc1", "r1", {-100}},
               {"127.0.0.2", 9042, "dc1", "r1", {0}},
               {"127.0.0.3", 9042, "dc1", "r1", {100}}};
    cql::Replication rf1;
    rf1.strategy = cql::Replication::Strategy::kSimple;
    rf1.replication_factor = 1;
    t.keyspaces = std::map<std::string, cql::Replication>{};
    if (with_keyspace) (*t.keyspaces)["ks"] = rf1;
    return t;
  };
  cql::ClusterStateCell known_cell, unknown_cell;
  known_cell.Apply(topology(true), "dc1");
  unknown_cell.Apply(topology(false), "dc1");
  auto known = known_cell.Load(), unknown = unknown_cell.Load();
  cql::DcAwareTokenAwarePolicy policy(true);
  std::set<std::string> unknown_first;
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(policy.QueryPlan(*known, {.keyspace = "ks", .token = 50})[0]->ip, "127.0.0.3");
    unknown_first.insert(policy.QueryPlan(*unknown, {.keyspace = "ks", .token = 50})[0]->ip);
  }
  EXPECT_EQ(unknown_first.size(), 3u);
}

TEST(CqlLoadBalancing, PlansLargerThanTheInlineRoomKeepEveryHost) {
  cql::ClusterStateCell cell;
  cql::Topology t;
  for (int i = 1; i <= 20; ++i)
    t.nodes.push_back({"127.0.0." + std::to_string(i), 9042, i <= 12 ? "dc1" : "dc2", "r1", {i * 10}});
  t.keyspaces = std::map<std::string, cql::Replication>{};
  cell.Apply(t, "dc1");
  auto state = cell.Load();
  cql::DcAwareTokenAwarePolicy policy(true);
  auto plan = policy.QueryPlan(*state, {});
  ASSERT_EQ(plan.size(), 20u);
  EXPECT_EQ(Ips(plan).size(), 20u);
  for (size_t i = 0; i < 12; ++i) EXPECT_EQ(state->nodes.at(plan[i]->ip).datacenter, "dc1") << i;
  EXPECT_EQ(policy.QueryPlan(*state, {.local_only = true}).size(), 12u);
}

// Every data request is answered OVERLOADED; records which nodes got one.
struct AllOverloaded {
  AllOverloaded()
      : cluster({"dc1", "dc1", "dc2"}, [this](FakeCluster&, int node, FakeServer& s, const FakeServer::Request& r) {
          if (r.header.opcode != Opcode::kQuery) return;
          {
            std::lock_guard<std::mutex> lock(mu);
            nodes.insert(node);
            ++count;
          }
          s.Reply(r, Opcode::kError, FakeServer::ErrorBody(cql::ServerCode::kOverloaded, "overloaded"));
        }) {}
  std::mutex mu;
  std::set<int> nodes;
  int count = 0;
  FakeCluster cluster;
};

TEST(CqlLoadBalancing, LocalConsistencyNeverLeavesTheLocalDatacenterEvenWhenItFails) {
  AllOverloaded f;
  ASSERT_TRUE(f.cluster.ok());
  auto o = f.cluster.Options();
  o.local_datacenter = "dc1";
  auto s = cql::Session::Connect(o);
  for (auto c : {Consistency::kLocalOne, Consistency::kLocalQuorum}) {
    auto r = s->QueryAsync("SELECT v FROM ks.t", {}, {.consistency = c, .idempotent = true}).get();
    EXPECT_FALSE(r.ok());
  }
  auto r = s->QueryAsync("SELECT v FROM ks.t", {},
                         {.consistency = Consistency::kOne, .serial_consistency = Consistency::kLocalSerial,
                          .idempotent = true})
               .get();
  EXPECT_FALSE(r.ok());
  std::lock_guard<std::mutex> lock(f.mu);
  EXPECT_EQ(f.nodes, (std::set<int>{0, 1})) << "dc2 (node 2) got a request";
  EXPECT_EQ(f.count, 6) << "each request tried both dc1 nodes, nothing else";
}

TEST(CqlLoadBalancing, OtherConsistencyFallsBackToTheRemoteDatacenterAfterTheLocalOne) {
  AllOverloaded f;
  ASSERT_TRUE(f.cluster.ok());
  auto o = f.cluster.Options();
  o.local_datacenter = "dc1";
  auto s = cql::Session::Connect(o);
  auto r = s->QueryAsync("SELECT v FROM ks.t", {}, {.consistency = Consistency::kQuorum, .idempotent = true}).get();
  EXPECT_FALSE(r.ok());
  std::lock_guard<std::mutex> lock(f.mu);
  EXPECT_EQ(f.nodes, (std::set<int>{0, 1, 2}));
}

TEST(CqlLoadBalancing, RemoteLocalDatacenterServesLocalRequestsAlone) {
  std::mutex mu;
  std::set<int> nodes;
  FakeCluster cluster({"dc1", "dc1", "dc2"}, [&](FakeCluster&, int node, FakeServer& s, const FakeServer::Request& r) {
    if (r.header.opcode != Opcode::kQuery) return;
    {
      std::lock_guard<std::mutex> lock(mu);
      nodes.insert(node);
    }
    s.Reply(r, Opcode::kResult, FakeServer::VoidResult());
  });
  ASSERT_TRUE(cluster.ok());
  auto o = cluster.Options();
  o.local_datacenter = "dc2";  // not the contact point's
  auto s = cql::Session::Connect(o);
  for (int i = 0; i < 30; ++i) {
    auto r = s->QueryAsync("SELECT v FROM ks.t", {}, {.consistency = Consistency::kLocalQuorum}).get();
    ASSERT_TRUE(r.ok()) << r.error().to_string();
  }
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(nodes, (std::set<int>{2}));
  for (const auto& h : s->host_counters())
    EXPECT_EQ(h.requests_sent, h.datacenter == "dc2" ? 30u : 0u) << h.address << " " << h.datacenter;
}

TEST(CqlLoadBalancing, UnknownLocalDatacenterIsRefusedAtConnectNamingTheDatacentersSeen) {
  FakeCluster cluster({"dc1", "dc1", "dc2"}, [](FakeCluster&, int, FakeServer&, const FakeServer::Request&) {});
  ASSERT_TRUE(cluster.ok());
  auto o = cluster.Options();
  o.local_datacenter = "dc9";
  try {
    cql::Session::Connect(o);
    FAIL() << "connected";
  } catch (const cql::CqlError& e) {
    EXPECT_EQ(e.error().kind, cql::ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("local_datacenter \"dc9\" is not the datacenter of any node"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("dc1 (2 nodes), dc2 (1 node)"), std::string::npos) << e.what();
  }
}

}  // namespace
