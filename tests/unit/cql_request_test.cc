// The request layer (src/cql/request.cc) against a scripted 3-node fake
// cluster (cql_fake_cluster.h): the retry rules of docs/cql-client.md
// ("Retries") for each failure a real node will not produce on demand,
// re-prepare with a new statement id for EXECUTE and BATCH, a node lost
// after a BATCH was sent, and the total deadline across attempts.
//
// Query plans rotate round robin, so scripts act on "the first node that
// gets the request" rather than on a fixed node.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>

#include "unit/cql_fake_cluster.h"

namespace {

using cql::Opcode;
using cql::ServerCode;
using cql_test::FakeCluster;
using cql_test::FakeServer;
using namespace std::chrono_literals;

// What the script saw: the data requests (not discovery), by node.
struct Seen {
  std::mutex mu;
  std::vector<int> nodes;             // node of each data request, in arrival order
  std::vector<std::string> ids;       // EXECUTE ids and BATCH entry ids, in order
  int Count() {
    std::lock_guard<std::mutex> lock(mu);
    return static_cast<int>(nodes.size());
  }
  // Records a request; returns its 0-based arrival index.
  int Add(int node) {
    std::lock_guard<std::mutex> lock(mu);
    nodes.push_back(node);
    return static_cast<int>(nodes.size()) - 1;
  }
  std::set<int> Distinct() {
    std::lock_guard<std::mutex> lock(mu);
    return {nodes.begin(), nodes.end()};
  }
};

std::string WriteTimeoutBody() {
  std::string b = FakeServer::ErrorBody(ServerCode::kWriteTimeout, "Operation timed out - received only 0 responses.");
  cql::PutU16(b, static_cast<uint16_t>(cql::Consistency::kQuorum));
  cql::PutI32(b, 0);
  cql::PutI32(b, 2);
  cql::PutString(b, "SIMPLE");
  return b;
}

std::string UnavailableBody() {
  std::string b = FakeServer::ErrorBody(ServerCode::kUnavailable, "Cannot achieve consistency level QUORUM");
  cql::PutU16(b, static_cast<uint16_t>(cql::Consistency::kQuorum));
  cql::PutI32(b, 2);
  cql::PutI32(b, 1);
  return b;
}

std::string UnpreparedBody(const std::string& id) {
  std::string b = FakeServer::ErrorBody(ServerCode::kUnprepared, "Prepared query with ID not found");
  cql::PutShortBytes(b, id);
  return b;
}

// A cluster whose first data QUERY gets `first` (nothing when empty: no
// answer) and every later one a result naming the node.
struct FirstFails {
  explicit FirstFails(std::string first_body, bool close_instead = false)
      : cluster({"dc1", "dc1", "dc1"}, [this, first_body, close_instead](FakeCluster&, int node, FakeServer& s,
                                                                        const FakeServer::Request& r) {
          if (r.header.opcode != Opcode::kQuery && r.header.opcode != Opcode::kBatch) return;
          if (seen.Add(node) == 0) {
            if (close_instead) return s.CloseConnection(r.conn);
            if (!first_body.empty()) s.Reply(r, Opcode::kError, first_body);
            return;  // empty: never answered
          }
          s.Reply(r, Opcode::kResult, FakeServer::TextResult("node" + std::to_string(node)));
        }) {}
  Seen seen;
  FakeCluster cluster;
};

cql::Result<cql::ResultSet> RunQuery(cql::Session& s, bool idempotent, std::chrono::milliseconds timeout = 30s) {
  return s.QueryAsync("SELECT v FROM ks.t", {}, {.idempotent = idempotent, .timeout = timeout}).get();
}

TEST(CqlRequest, FakeClusterIsDiscovered) {
  FakeCluster cluster({"dc1", "dc1", "dc1"}, [](FakeCluster&, int, FakeServer&, const FakeServer::Request&) {});
  ASSERT_TRUE(cluster.ok());
  auto s = cql::Session::Connect(cluster.Options());
  auto hosts = s->host_counters();
  ASSERT_EQ(hosts.size(), 3u);
  for (const auto& h : hosts) {
    EXPECT_NE(cluster.NodeOf(h.address), -1) << h.address;
    EXPECT_EQ(h.open_connections, 1) << h.address;
  }
}

TEST(CqlRequest, ClientTimeoutOfAnIdempotentRequestIsRetriedOnTheNextHost) {
  FirstFails f("");  // the first attempt is never answered
  ASSERT_TRUE(f.cluster.ok());
  auto s = cql::Session::Connect(f.cluster.Options());
  auto r = RunQuery(*s, true, 300ms);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(f.seen.Count(), 2);
  EXPECT_EQ(f.seen.Distinct().size(), 2u) << "the retry went to another node";
  EXPECT_EQ(s->counters().retries, 1u);
}

TEST(CqlRequest, ClientTimeoutOfANonIdempotentRequestIsNotRetriedAndMayHaveBeenApplied) {
  FirstFails f("");
  ASSERT_TRUE(f.cluster.ok());
  auto s = cql::Session::Connect(f.cluster.Options());
  auto r = RunQuery(*s, false, 300ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kTimeout) << r.error().to_string();
  EXPECT_TRUE(r.error().possibly_applied);
  EXPECT_NE(r.error().message.find("may have been applied"), std::string::npos) << r.error().to_string();
  EXPECT_EQ(f.seen.Count(), 1);
  EXPECT_EQ(s->counters().retries, 0u);
}

TEST(CqlRequest, WriteTimeoutIsRetriedOnTheNextHostOnlyWhenIdempotent) {
  {
    FirstFails f(WriteTimeoutBody());
    ASSERT_TRUE(f.cluster.ok());
    auto s = cql::Session::Connect(f.cluster.Options());
    auto r = RunQuery(*s, true);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(f.seen.Distinct().size(), 2u);
  }
  {
    FirstFails f(WriteTimeoutBody());
    auto s = cql::Session::Connect(f.cluster.Options());
    auto r = RunQuery(*s, false);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().is_server(ServerCode::kWriteTimeout)) << r.error().to_string();
    EXPECT_TRUE(r.error().possibly_applied);
    EXPECT_EQ(f.seen.Count(), 1);
  }
}

TEST(CqlRequest, OverloadedMovesToTheNextHostWhenIdempotent) {
  {
    FirstFails f(FakeServer::ErrorBody(ServerCode::kOverloaded, "Server is in overloaded state"));
    ASSERT_TRUE(f.cluster.ok());
    auto s = cql::Session::Connect(f.cluster.Options());
    auto r = RunQuery(*s, true);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(f.seen.Distinct().size(), 2u);
  }
  {  // docs/cql-client.md: OVERLOADED is retried only for idempotent requests
    FirstFails f(FakeServer::ErrorBody(ServerCode::kOverloaded, "Server is in overloaded state"));
    auto s = cql::Session::Connect(f.cluster.Options());
    auto r = RunQuery(*s, false);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().is_server(ServerCode::kOverloaded)) << r.error().to_string();
    EXPECT_EQ(f.seen.Count(), 1);
  }
}

TEST(CqlRequest, UnavailableIsRetriedEvenWhenNotIdempotent) {
  FirstFails f(UnavailableBody());
  ASSERT_TRUE(f.cluster.ok());
  auto s = cql::Session::Connect(f.cluster.Options());
  auto r = RunQuery(*s, false);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(f.seen.Distinct().size(), 2u);
}

TEST(CqlRequest, InvalidQueryIsNeverRetried) {
  FirstFails f(FakeServer::ErrorBody(ServerCode::kInvalid, "unconfigured table t"));
  ASSERT_TRUE(f.cluster.ok());
  auto s = cql::Session::Connect(f.cluster.Options());
  auto r = RunQuery(*s, true);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is_server(ServerCode::kInvalid)) << r.error().to_string();
  EXPECT_FALSE(r.error().possibly_applied);
  EXPECT_EQ(f.seen.Count(), 1);
}

TEST(CqlRequest, RetriesStopAfterMaxRetriesWithEveryAttemptListed) {
  Seen seen;
  FakeCluster cluster({"dc1", "dc1", "dc1"}, [&](FakeCluster&, int node, FakeServer& s, const FakeServer::Request& r) {
    if (r.header.opcode != Opcode::kQuery) return;
    seen.Add(node);
    s.Reply(r, Opcode::kError, FakeServer::ErrorBody(ServerCode::kOverloaded, "overloaded"));
  });
  ASSERT_TRUE(cluster.ok());
  auto o = cluster.Options();
  o.max_retries = 1;
  auto s = cql::Session::Connect(o);
  auto r = RunQuery(*s, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(seen.Count(), 2) << "one attempt and max_retries = 1 retry";
  EXPECT_NE(r.error().message.find("after 2 attempts"), std::string::npos) << r.error().to_string();
}

// A cluster that knows one statement, "INSERT INTO ks.t (k) VALUES (?)": its
// first PREPARE gets id "old", every later one "new"; anything sent with
// "old" once the statement was prepared a second time gets UNPREPARED, as a
// node that restarted would answer.
struct Reprepares {
  Reprepares()
      : cluster({"dc1", "dc1", "dc1"}, [this](FakeCluster&, int node, FakeServer& s, const FakeServer::Request& r) {
          std::lock_guard<std::mutex> lock(mu);
          if (r.header.opcode == Opcode::kPrepare) {
            ++prepares;
            return s.Reply(r, Opcode::kResult, cql_test::PreparedResult(prepares == 1 ? "old" : "new"));
          }
          std::vector<std::string> used;
          if (r.header.opcode == Opcode::kExecute) used = {cql_test::ExecuteId(r)};
          if (r.header.opcode == Opcode::kBatch) used = cql_test::BatchIds(r);
          if (used.empty()) return;
          sent.push_back(used);
          nodes.push_back(node);
          for (const auto& id : used)
            if (id == "old" && forgotten) return s.Reply(r, Opcode::kError, UnpreparedBody("old"));
          s.Reply(r, Opcode::kResult, FakeServer::VoidResult());
        }) {}
  std::mutex mu;
  int prepares = 0;
  bool forgotten = false;  // the nodes no longer know "old"
  std::vector<std::vector<std::string>> sent;  // ids of each EXECUTE/BATCH
  std::vector<int> nodes;
  FakeCluster cluster;
};

TEST(CqlRequest, UnpreparedExecuteIsRepreparedAndResentWithTheNewId) {
  Reprepares f;
  ASSERT_TRUE(f.cluster.ok());
  auto s = cql::Session::Connect(f.cluster.Options());
  auto p = s->Prepare("INSERT INTO ks.t (k) VALUES (?)");
  ASSERT_EQ(p->id, "old");
  f.forgotten = true;
  auto r = s->ExecuteAsync(p, {cql::Value::Int(7)}).get();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::lock_guard<std::mutex> lock(f.mu);
  ASSERT_EQ(f.sent.size(), 2u);
  EXPECT_EQ(f.sent[0], std::vector<std::string>{"old"});
  EXPECT_EQ(f.sent[1], std::vector<std::string>{"new"});
  EXPECT_EQ(f.nodes[0], f.nodes[1]) << "re-prepared and re-executed on the node that answered UNPREPARED";
  EXPECT_EQ(s->counters().reprepares, 1u);
}

TEST(CqlRequest, UnpreparedBatchIsRepreparedAndResentWithTheNewId) {
  Reprepares f;
  ASSERT_TRUE(f.cluster.ok());
  auto s = cql::Session::Connect(f.cluster.Options());
  auto p = s->Prepare("INSERT INTO ks.t (k) VALUES (?)");
  ASSERT_EQ(p->id, "old");
  f.forgotten = true;
  cql::Batch b;
  b.Add(p, {cql::Value::Int(1)});
  b.Add(p, {cql::Value::Int(2)});
  b.Add("INSERT INTO ks.t (k) VALUES (3)", {});
  auto r = s->ExecuteBatchAsync(b).get();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::lock_guard<std::mutex> lock(f.mu);
  ASSERT_EQ(f.sent.size(), 2u);
  EXPECT_EQ(f.sent[0], (std::vector<std::string>{"old", "old", "INSERT INTO ks.t (k) VALUES (3)"}));
  EXPECT_EQ(f.sent[1], (std::vector<std::string>{"new", "new", "INSERT INTO ks.t (k) VALUES (3)"}));
  EXPECT_EQ(s->counters().reprepares, 1u);
}

cql::Batch TwoInserts() {
  cql::Batch b;
  b.Add("INSERT INTO ks.t (k) VALUES (1)", {});
  b.Add("INSERT INTO ks.t (k) VALUES (2)", {});
  return b;
}

TEST(CqlRequest, NodeLostAfterAnIdempotentBatchWasSentIsRetriedOnAnotherNode) {
  FirstFails f("", /*close_instead=*/true);
  ASSERT_TRUE(f.cluster.ok());
  auto s = cql::Session::Connect(f.cluster.Options());
  auto r = s->ExecuteBatchAsync(TwoInserts(), {.idempotent = true}).get();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(f.seen.Count(), 2);
  EXPECT_EQ(f.seen.Distinct().size(), 2u);
}

TEST(CqlRequest, NodeLostAfterANonIdempotentBatchWasSentIsReportedAsPossiblyApplied) {
  FirstFails f("", /*close_instead=*/true);
  ASSERT_TRUE(f.cluster.ok());
  auto s = cql::Session::Connect(f.cluster.Options());
  auto r = s->ExecuteBatchAsync(TwoInserts(), {.idempotent = false}).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kConnection) << r.error().to_string();
  EXPECT_TRUE(r.error().possibly_applied);
  EXPECT_NE(r.error().message.find("may have been applied"), std::string::npos) << r.error().to_string();
  EXPECT_EQ(f.seen.Count(), 1) << "not sent again";
}

TEST(CqlRequest, TotalDeadlineEndsAnUnansweredRequestBeforeItsAttemptTimeout) {
  FirstFails f("");  // the first attempt is never answered
  ASSERT_TRUE(f.cluster.ok());
  auto o = f.cluster.Options();
  o.request_timeout = 60s;                // per attempt: far above the deadline
  o.request_deadline = 300ms;             // across attempts
  auto s = cql::Session::Connect(o);
  auto r = s->QueryAsync("SELECT v FROM ks.t", {}, {.idempotent = true}).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kTimeout) << r.error().to_string();
  EXPECT_NE(r.error().message.find("request_deadline"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().message.find("after 1 attempt"), std::string::npos) << r.error().to_string();
  EXPECT_EQ(f.seen.Count(), 1);
}

TEST(CqlRequest, TotalDeadlineCountsEveryAttempt) {
  // First attempt: OVERLOADED at once; second: never answered.
  Seen seen;
  FakeCluster cluster({"dc1", "dc1", "dc1"}, [&](FakeCluster&, int node, FakeServer& s, const FakeServer::Request& r) {
    if (r.header.opcode != Opcode::kQuery) return;
    if (seen.Add(node) == 0) s.Reply(r, Opcode::kError, FakeServer::ErrorBody(ServerCode::kOverloaded, "overloaded"));
  });
  ASSERT_TRUE(cluster.ok());
  auto o = cluster.Options();
  o.request_timeout = 60s;
  o.request_deadline = 300ms;
  auto s = cql::Session::Connect(o);
  auto r = s->QueryAsync("SELECT v FROM ks.t", {}, {.idempotent = true}).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kTimeout) << r.error().to_string();
  EXPECT_NE(r.error().message.find("request_deadline"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().message.find("after 2 attempts"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().message.find("OVERLOADED"), std::string::npos) << "the attempts are listed: " << r.error().to_string();
  EXPECT_EQ(seen.Count(), 2);
}

}  // namespace
