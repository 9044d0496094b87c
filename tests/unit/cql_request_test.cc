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
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

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
  void Clear() {
    std::lock_guard<std::mutex> lock(mu);
    nodes.clear();
    ids.clear();
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

// What the nodes of Reprepare() know of one statement, "INSERT INTO ks.t (k)
// VALUES (?)", and what they were sent.
struct Reprepares {
  std::mutex mu;
  int prepares = 0;
  bool forgotten = false;  // the nodes no longer know "old"
  std::vector<std::vector<std::string>> sent;  // ids of each EXECUTE/BATCH
  std::vector<int> nodes;
};

// Each test's 3-node fake cluster and the session on it. The members are in
// this order so that each outlives what uses it: the scripts' records the
// cluster (its threads run the script), the cluster the session.
class CqlRequest : public ::testing::Test {
 protected:
  // Starts a cluster running `script`, after stopping the test's earlier one,
  // and connects a session through node 0 with the cluster's options as
  // `adjust` leaves them. False when the cluster found no free addresses.
  bool Start(FakeCluster::Script script, const std::function<void(cql::SessionOptions&)>& adjust = {}) {
    session_.reset();
    cluster_.reset();
    seen_.Clear();
    cluster_ = std::make_unique<FakeCluster>(std::vector<std::string>{"dc1", "dc1", "dc1"}, std::move(script));
    if (!cluster_->ok()) return false;
    cql::SessionOptions o = cluster_->Options();
    if (adjust) adjust(o);
    session_ = cql::Session::Connect(o);
    return true;
  }

  // A script whose first data QUERY or BATCH gets `first_body` (nothing when
  // empty: no answer; with close_instead, its connection closed) and every
  // later one a result naming the node; seen_ records them.
  FakeCluster::Script FirstFails(std::string first_body, bool close_instead = false) {
    return [this, first_body, close_instead](FakeCluster&, int node, FakeServer& s, const FakeServer::Request& r) {
      if (r.header.opcode != Opcode::kQuery && r.header.opcode != Opcode::kBatch) return;
      if (seen_.Add(node) == 0) {
        if (close_instead) return s.CloseConnection(r.conn);
        if (!first_body.empty()) s.Reply(r, Opcode::kError, first_body);
        return;  // empty: never answered
      }
      s.Reply(r, Opcode::kResult, FakeServer::TextResult("node" + std::to_string(node)));
    };
  }

  // A script that knows the statement of reprepares_: its first PREPARE gets
  // id "old", every later one "new"; anything sent with "old" once the
  // statement was prepared a second time gets UNPREPARED, as a node that
  // restarted would answer.
  FakeCluster::Script Reprepare() {
    return [this](FakeCluster&, int node, FakeServer& s, const FakeServer::Request& r) {
      Reprepares& f = reprepares_;
      std::lock_guard<std::mutex> lock(f.mu);
      if (r.header.opcode == Opcode::kPrepare) {
        ++f.prepares;
        return s.Reply(r, Opcode::kResult, cql_test::PreparedResult(f.prepares == 1 ? "old" : "new"));
      }
      std::vector<std::string> used;
      if (r.header.opcode == Opcode::kExecute) used = {cql_test::ExecuteId(r)};
      if (r.header.opcode == Opcode::kBatch) used = cql_test::BatchIds(r);
      if (used.empty()) return;
      f.sent.push_back(used);
      f.nodes.push_back(node);
      for (const auto& id : used)
        if (id == "old" && f.forgotten) return s.Reply(r, Opcode::kError, UnpreparedBody("old"));
      s.Reply(r, Opcode::kResult, FakeServer::VoidResult());
    };
  }

  cql::Result<cql::ResultSet> RunQuery(bool idempotent, std::chrono::milliseconds timeout = 30s) {
    return session_->QueryAsync("SELECT v FROM ks.t", {}, {.idempotent = idempotent, .timeout = timeout}).get();
  }

  Seen seen_;
  Reprepares reprepares_;
  std::unique_ptr<FakeCluster> cluster_;
  std::unique_ptr<cql::Session> session_;
};

TEST_F(CqlRequest, FakeClusterIsDiscovered) {
  ASSERT_TRUE(Start([](FakeCluster&, int, FakeServer&, const FakeServer::Request&) {}));
  auto hosts = session_->host_counters();
  ASSERT_EQ(hosts.size(), 3u);
  for (const auto& h : hosts) {
    EXPECT_NE(cluster_->NodeOf(h.address), -1) << h.address;
    EXPECT_EQ(h.open_connections, 1) << h.address;
  }
}

TEST_F(CqlRequest, ClientTimeoutOfAnIdempotentRequestIsRetriedOnTheNextHost) {
  ASSERT_TRUE(Start(FirstFails("")));  // the first attempt is never answered
  auto r = RunQuery(true, 300ms);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(seen_.Count(), 2);
  EXPECT_EQ(seen_.Distinct().size(), 2u) << "the retry went to another node";
  EXPECT_EQ(session_->counters().retries, 1u);
}

TEST_F(CqlRequest, ClientTimeoutOfANonIdempotentRequestIsNotRetriedAndMayHaveBeenApplied) {
  ASSERT_TRUE(Start(FirstFails("")));
  auto r = RunQuery(false, 300ms);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kTimeout) << r.error().to_string();
  EXPECT_TRUE(r.error().possibly_applied);
  EXPECT_NE(r.error().message.find("may have been applied"), std::string::npos) << r.error().to_string();
  EXPECT_EQ(seen_.Count(), 1);
  EXPECT_EQ(session_->counters().retries, 0u);
}

// Each case below starts a second cluster for its second half: Start()
// stops the first one.
TEST_F(CqlRequest, WriteTimeoutIsRetriedOnTheNextHostOnlyWhenIdempotent) {
  {
    ASSERT_TRUE(Start(FirstFails(WriteTimeoutBody())));
    auto r = RunQuery(true);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(seen_.Distinct().size(), 2u);
  }
  {
    ASSERT_TRUE(Start(FirstFails(WriteTimeoutBody())));
    auto r = RunQuery(false);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().is_server(ServerCode::kWriteTimeout)) << r.error().to_string();
    EXPECT_TRUE(r.error().possibly_applied);
    EXPECT_EQ(seen_.Count(), 1);
  }
}

TEST_F(CqlRequest, OverloadedMovesToTheNextHostWhenIdempotent) {
  {
    ASSERT_TRUE(Start(FirstFails(FakeServer::ErrorBody(ServerCode::kOverloaded, "Server is in overloaded state"))));
    auto r = RunQuery(true);
    ASSERT_TRUE(r.ok()) << r.error().to_string();
    EXPECT_EQ(seen_.Distinct().size(), 2u);
  }
  {  // docs/cql-client.md: OVERLOADED is retried only for idempotent requests
    ASSERT_TRUE(Start(FirstFails(FakeServer::ErrorBody(ServerCode::kOverloaded, "Server is in overloaded state"))));
    auto r = RunQuery(false);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.error().is_server(ServerCode::kOverloaded)) << r.error().to_string();
    EXPECT_EQ(seen_.Count(), 1);
  }
}

TEST_F(CqlRequest, UnavailableIsRetriedEvenWhenNotIdempotent) {
  ASSERT_TRUE(Start(FirstFails(UnavailableBody())));
  auto r = RunQuery(false);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(seen_.Distinct().size(), 2u);
}

TEST_F(CqlRequest, InvalidQueryIsNeverRetried) {
  ASSERT_TRUE(Start(FirstFails(FakeServer::ErrorBody(ServerCode::kInvalid, "unconfigured table t"))));
  auto r = RunQuery(true);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is_server(ServerCode::kInvalid)) << r.error().to_string();
  EXPECT_FALSE(r.error().possibly_applied);
  EXPECT_EQ(seen_.Count(), 1);
}

TEST_F(CqlRequest, RetriesStopAfterMaxRetriesWithEveryAttemptListed) {
  ASSERT_TRUE(Start(
      [this](FakeCluster&, int node, FakeServer& s, const FakeServer::Request& r) {
        if (r.header.opcode != Opcode::kQuery) return;
        seen_.Add(node);
        s.Reply(r, Opcode::kError, FakeServer::ErrorBody(ServerCode::kOverloaded, "overloaded"));
      },
      [](cql::SessionOptions& o) { o.max_retries = 1; }));
  auto r = RunQuery(true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(seen_.Count(), 2) << "one attempt and max_retries = 1 retry";
  EXPECT_NE(r.error().message.find("after 2 attempts"), std::string::npos) << r.error().to_string();
}

TEST_F(CqlRequest, UnpreparedExecuteIsRepreparedAndResentWithTheNewId) {
  Reprepares& f = reprepares_;
  ASSERT_TRUE(Start(Reprepare()));
  auto p = session_->Prepare("INSERT INTO ks.t (k) VALUES (?)");
  ASSERT_EQ(p->id, "old");
  f.forgotten = true;
  auto r = session_->ExecuteAsync(p, {cql::Value::Int(7)}).get();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::lock_guard<std::mutex> lock(f.mu);
  ASSERT_EQ(f.sent.size(), 2u);
  EXPECT_EQ(f.sent[0], std::vector<std::string>{"old"});
  EXPECT_EQ(f.sent[1], std::vector<std::string>{"new"});
  EXPECT_EQ(f.nodes[0], f.nodes[1]) << "re-prepared and re-executed on the node that answered UNPREPARED";
  EXPECT_EQ(session_->counters().reprepares, 1u);
}

TEST_F(CqlRequest, UnpreparedBatchIsRepreparedAndResentWithTheNewId) {
  Reprepares& f = reprepares_;
  ASSERT_TRUE(Start(Reprepare()));
  auto p = session_->Prepare("INSERT INTO ks.t (k) VALUES (?)");
  ASSERT_EQ(p->id, "old");
  f.forgotten = true;
  cql::Batch b;
  b.Add(p, {cql::Value::Int(1)});
  b.Add(p, {cql::Value::Int(2)});
  b.Add("INSERT INTO ks.t (k) VALUES (3)", {});
  auto r = session_->ExecuteBatchAsync(b).get();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  std::lock_guard<std::mutex> lock(f.mu);
  ASSERT_EQ(f.sent.size(), 2u);
  EXPECT_EQ(f.sent[0], (std::vector<std::string>{"old", "old", "INSERT INTO ks.t (k) VALUES (3)"}));
  EXPECT_EQ(f.sent[1], (std::vector<std::string>{"new", "new", "INSERT INTO ks.t (k) VALUES (3)"}));
  EXPECT_EQ(session_->counters().reprepares, 1u);
}

cql::Batch TwoInserts() {
  cql::Batch b;
  b.Add("INSERT INTO ks.t (k) VALUES (1)", {});
  b.Add("INSERT INTO ks.t (k) VALUES (2)", {});
  return b;
}

TEST_F(CqlRequest, NodeLostAfterAnIdempotentBatchWasSentIsRetriedOnAnotherNode) {
  ASSERT_TRUE(Start(FirstFails("", /*close_instead=*/true)));
  auto r = session_->ExecuteBatchAsync(TwoInserts(), {.idempotent = true}).get();
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(seen_.Count(), 2);
  EXPECT_EQ(seen_.Distinct().size(), 2u);
}

TEST_F(CqlRequest, NodeLostAfterANonIdempotentBatchWasSentIsReportedAsPossiblyApplied) {
  ASSERT_TRUE(Start(FirstFails("", /*close_instead=*/true)));
  auto r = session_->ExecuteBatchAsync(TwoInserts(), {.idempotent = false}).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kConnection) << r.error().to_string();
  EXPECT_TRUE(r.error().possibly_applied);
  EXPECT_NE(r.error().message.find("may have been applied"), std::string::npos) << r.error().to_string();
  EXPECT_EQ(seen_.Count(), 1) << "not sent again";
}

TEST_F(CqlRequest, TotalDeadlineEndsAnUnansweredRequestBeforeItsAttemptTimeout) {
  // The first attempt is never answered.
  ASSERT_TRUE(Start(FirstFails(""), [](cql::SessionOptions& o) {
    o.request_timeout = 60s;     // per attempt: far above the deadline
    o.request_deadline = 300ms;  // across attempts
  }));
  auto r = session_->QueryAsync("SELECT v FROM ks.t", {}, {.idempotent = true}).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kTimeout) << r.error().to_string();
  EXPECT_NE(r.error().message.find("request_deadline"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().message.find("after 1 attempt"), std::string::npos) << r.error().to_string();
  EXPECT_EQ(seen_.Count(), 1);
}

TEST_F(CqlRequest, TotalDeadlineCountsEveryAttempt) {
  // First attempt: OVERLOADED at once; second: never answered.
  ASSERT_TRUE(Start(
      [this](FakeCluster&, int node, FakeServer& s, const FakeServer::Request& r) {
        if (r.header.opcode != Opcode::kQuery) return;
        if (seen_.Add(node) == 0)
          s.Reply(r, Opcode::kError, FakeServer::ErrorBody(ServerCode::kOverloaded, "overloaded"));
      },
      [](cql::SessionOptions& o) {
        o.request_timeout = 60s;
        o.request_deadline = 300ms;
      }));
  auto r = session_->QueryAsync("SELECT v FROM ks.t", {}, {.idempotent = true}).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kTimeout) << r.error().to_string();
  EXPECT_NE(r.error().message.find("request_deadline"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().message.find("after 2 attempts"), std::string::npos) << r.error().to_string();
  EXPECT_NE(r.error().message.find("OVERLOADED"), std::string::npos) << "the attempts are listed: " << r.error().to_string();
  EXPECT_EQ(seen_.Count(), 2);
}

}  // namespace
