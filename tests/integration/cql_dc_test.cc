// Datacenter awareness against a real 3-node cluster in two datacenters
// (CANOPY_DC_HOSTS, default 127.0.0.1-3; `scripts/cassandra start --nodes 3
// --dcs 2`: dc1 = the first two nodes, dc2 = the third; label `dcs`). With
// local_datacenter set, requests at LOCAL_ONE / LOCAL_QUORUM reach only that
// datacenter's nodes, proven by the per-node request counters; an unknown
// local_datacenter is refused at connect.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cql/session.h"
#include "integration/cql_test_env.h"

namespace {

using cql::Consistency;
using cql::Value;

cql::SessionOptions DcOptions(const std::string& local_dc) {
  cql::SessionOptions o;
  o.contact_points = canopy_test::dc_hosts();
  o.pool_size = 1;
  o.request_timeout = std::chrono::seconds(12);
  o.local_datacenter = local_dc;
  return o;
}

// requests_sent by datacenter.
std::map<std::string, uint64_t> SentByDc(cql::Session& s) {
  std::map<std::string, uint64_t> m;
  for (const auto& h : s.host_counters()) m[h.datacenter] += h.requests_sent;
  return m;
}

class CqlDc : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto admin = cql::Session::Connect(DcOptions(""));
    std::map<std::string, int> nodes;
    for (const auto& h : admin->host_counters()) ++nodes[h.datacenter];
    ASSERT_EQ(nodes, (std::map<std::string, int>{{"dc1", 2}, {"dc2", 1}}))
        << "CANOPY_DC_HOSTS must name a cluster started with scripts/cassandra --nodes 3 --dcs 2";
    admin->Query("DROP KEYSPACE IF EXISTS dc_test");
    admin->Query("CREATE KEYSPACE dc_test WITH replication = {'class': 'NetworkTopologyStrategy', 'dc1': 2, 'dc2': 1}");
    admin->Query("CREATE TABLE dc_test.kv (k int PRIMARY KEY, v text)");
  }
  static void TearDownTestSuite() {
    try {
      cql::Session::Connect(DcOptions(""))->Query("DROP KEYSPACE IF EXISTS dc_test");
    } catch (...) {
    }
  }

  // Many writes and reads at LOCAL_QUORUM and LOCAL_ONE (prepared, so
  // token-aware, and simple statements) from a session local to dc; returns
  // requests_sent by datacenter during them.
  static std::map<std::string, uint64_t> Load(const std::string& dc) {
    auto s = cql::Session::Connect(DcOptions(dc));
    auto before = SentByDc(*s);
    auto insert = s->Prepare("INSERT INTO dc_test.kv (k, v) VALUES (?, ?)");
    auto select = s->Prepare("SELECT v FROM dc_test.kv WHERE k = ?");
    for (int k = 0; k < 200; ++k) {
      auto cl = k % 2 ? Consistency::kLocalQuorum : Consistency::kLocalOne;
      s->Execute(insert, {Value::Int(k), Value::Text(dc + std::to_string(k))}, {.consistency = cl, .idempotent = true});
      auto rs = s->Execute(select, {Value::Int(k)}, {.consistency = Consistency::kLocalQuorum});
      EXPECT_EQ(rs.row_count(), 1u);
    }
    for (int k = 0; k < 50; ++k) {
      s->Query("UPDATE dc_test.kv SET v = 'simple' WHERE k = " + std::to_string(k), {},
               {.consistency = Consistency::kLocalQuorum});
      s->Query("SELECT v FROM dc_test.kv WHERE k = " + std::to_string(k), {}, {.consistency = Consistency::kLocalOne});
    }
    auto after = SentByDc(*s);
    std::map<std::string, uint64_t> delta;
    for (const auto& [d, n] : after) delta[d] = n - before[d];
    return delta;
  }
};

TEST_F(CqlDc, LocalConsistencyWithDc1LocalSendsNothingToDc2) {
  auto sent = Load("dc1");
  EXPECT_GE(sent["dc1"], 500u);
  EXPECT_EQ(sent["dc2"], 0u);
}

TEST_F(CqlDc, LocalConsistencyWithDc2LocalSendsNothingToDc1) {
  auto sent = Load("dc2");
  EXPECT_GE(sent["dc2"], 500u);
  EXPECT_EQ(sent["dc1"], 0u);
}

TEST_F(CqlDc, UnknownLocalDatacenterIsRefusedAtConnect) {
  try {
    cql::Session::Connect(DcOptions("dc3"));
    FAIL() << "connected";
  } catch (const cql::CqlError& e) {
    EXPECT_EQ(e.error().kind, cql::ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("datacenters seen: dc1 (2 nodes), dc2 (1 node)"), std::string::npos)
        << e.what();
  }
}

}  // namespace
