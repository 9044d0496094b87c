// Session-level guarantees against the scripted fake cluster
// (cql_fake_cluster.h): shutdown fails queued admin work with the shutdown
// error, a throwing callback does not end the I/O thread, blocking calls
// from a callback throw, the prepared-statement cache is bounded, and a DDL
// statement whose schema the nodes never agree on fails saying so.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <mutex>
#include <thread>

#include "unit/cql_fake_cluster.h"

namespace {

using cql::Opcode;
using cql_test::FakeCluster;
using cql_test::FakeServer;
using namespace std::chrono_literals;

// Waits until pred() holds. The bound only ends a broken test.
template <typename Pred>
bool Eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Answers DDL with a schema change, PREPARE with a statement, other queries
// with a result naming the node.
void DdlOrText(FakeCluster&, int node, FakeServer& s, const FakeServer::Request& r) {
  if (r.header.opcode == Opcode::kPrepare) return s.Reply(r, Opcode::kResult, cql_test::PreparedResult("p"));
  if (r.header.opcode != Opcode::kQuery) return;
  std::string q = cql_test::QueryText(r);
  if (q.starts_with("CREATE")) return s.Reply(r, Opcode::kResult, cql_test::SchemaChangeResult("ks", "t"));
  s.Reply(r, Opcode::kResult, FakeServer::TextResult("node" + std::to_string(node)));
}

TEST(CqlSessionReliability, ShutdownFailsQueuedAdminWorkWithTheShutdownError) {
  // One node whose schema_version query fails: the schema agreement wait
  // after the first DDL keeps the admin thread busy, so the second DDL's wait
  // is still queued when the session closes.
  std::atomic<int> version_queries{0};
  FakeCluster cluster({"dc1"}, [&](FakeCluster& c, int node, FakeServer& s, const FakeServer::Request& r) {
    DdlOrText(c, node, s, r);
  });
  ASSERT_TRUE(cluster.ok());
  cluster.SetSchemaVersion(0, "");  // answered with an ERROR: never agreed
  auto o = cluster.Options();
  o.schema_agreement_timeout = 600s;
  auto s = cql::Session::Connect(o);
  auto first = s->QueryAsync("CREATE TABLE ks.a (k int PRIMARY KEY)");
  ASSERT_TRUE(Eventually([&] { return cluster.schema_version_queries.load() > 0; }));
  auto second = s->QueryAsync("CREATE TABLE ks.b (k int PRIMARY KEY)");
  // One connection per node: once this later answer is in, the second
  // DDL's answer was handled and its wait queued behind the first.
  ASSERT_TRUE(s->QueryAsync("SELECT marker").get().ok());
  s.reset();
  for (auto* f : {&second, &first}) {  // the queued one first
    cql::Result<cql::ResultSet> r = cql::Error{};
    ASSERT_NO_THROW(r = f->get()) << "a request's future must never be abandoned (broken_promise)";
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, cql::ErrorKind::kShutdown) << r.error().to_string();
  }
}

TEST(CqlSessionReliability, ThrowingCallbackDoesNotEndTheIoThread) {
  FakeCluster cluster({"dc1", "dc1"}, DdlOrText);
  ASSERT_TRUE(cluster.ok());
  auto s = cql::Session::Connect(cluster.Options());
  std::promise<void> ran;
  s->QueryAsync("SELECT v", {}, {}, [&](cql::Result<cql::ResultSet>) {
    ran.set_value();
    throw std::runtime_error("bug in a user callback");
  });
  ran.get_future().wait();
  s->QueryAsync("SELECT v", {}, {}, [](cql::Result<cql::ResultSet>) { throw 42; });  // not a std::exception
  s->PrepareAsync("SELECT v FROM ks.t WHERE k = ?", [](cql::Result<cql::Prepared>) { throw std::logic_error("bug"); });
  ASSERT_TRUE(Eventually([&] { return s->counters().callback_exceptions == 3; }));
  // The I/O thread still serves requests.
  for (int i = 0; i < 20; ++i) {
    auto r = s->QueryAsync("SELECT v").get();
    ASSERT_TRUE(r.ok()) << r.error().to_string();
  }
  EXPECT_EQ(s->counters().callback_exceptions, 3u);
}

TEST(CqlSessionReliability, BlockingCallsFromACallbackThrowInsteadOfDeadlocking) {
  FakeCluster cluster({"dc1", "dc1"}, DdlOrText);
  ASSERT_TRUE(cluster.ok());
  auto s = cql::Session::Connect(cluster.Options());
  std::promise<std::vector<std::string>> thrown;
  s->QueryAsync("SELECT v", {}, {}, [&](cql::Result<cql::ResultSet>) {
    std::vector<std::string> what;
    try {
      s->WaitForSchemaAgreement();
      what.push_back("WaitForSchemaAgreement returned");
    } catch (const cql::CqlError& e) {
      what.push_back(e.what());
    }
    try {
      s->Query("SELECT v");
      what.push_back("Query returned");
    } catch (const cql::CqlError& e) {
      what.push_back(e.what());
    }
    thrown.set_value(what);
  });
  auto f = thrown.get_future();
  ASSERT_EQ(f.wait_for(60s), std::future_status::ready) << "deadlocked";
  auto what = f.get();
  ASSERT_EQ(what.size(), 2u);
  for (const auto& w : what) EXPECT_NE(w.find("would deadlock"), std::string::npos) << w;
  EXPECT_NE(what[0].find("WaitForSchemaAgreement"), std::string::npos) << what[0];
}

// Counts PREPAREs; each query text gets its own id.
struct Prepares {
  Prepares()
      : cluster({"dc1", "dc1"}, [this](FakeCluster&, int, FakeServer& s, const FakeServer::Request& r) {
          if (r.header.opcode == Opcode::kPrepare) {
            ++prepares;
            return s.Reply(r, Opcode::kResult, cql_test::PreparedResult("id:" + cql_test::QueryText(r)));
          }
          s.Reply(r, Opcode::kResult, FakeServer::VoidResult());
        }) {}
  std::atomic<int> prepares{0};
  FakeCluster cluster;
};

std::string Q(int i) { return "SELECT v FROM ks.t WHERE k = ? -- " + std::to_string(i); }

TEST(CqlSessionReliability, PreparedCacheIsBoundedAndEvictsTheLeastRecentlyUsed) {
  Prepares f;
  ASSERT_TRUE(f.cluster.ok());
  auto o = f.cluster.Options();
  o.prepared_cache_size = 3;
  auto s = cql::Session::Connect(o);
  auto first = s->Prepare(Q(0));
  s->Prepare(Q(1));
  s->Prepare(Q(2));
  EXPECT_EQ(f.prepares.load(), 3);
  s->Prepare(Q(0));  // a hit: Q(0) becomes the most recently used
  EXPECT_EQ(f.prepares.load(), 3);
  for (int i = 3; i < 50; ++i) s->Prepare(Q(i));
  EXPECT_EQ(s->counters().prepared_cached, 3u);
  EXPECT_EQ(f.prepares.load(), 50);
  s->Prepare(Q(49));  // still cached
  EXPECT_EQ(f.prepares.load(), 50);
  s->Prepare(Q(1));  // evicted long ago: prepared again
  EXPECT_EQ(f.prepares.load(), 51);
  // A statement evicted from the cache stays valid for whoever holds it.
  auto r = s->ExecuteAsync(first, {cql::Value::Int(1)}).get();
  EXPECT_TRUE(r.ok()) << r.error().to_string();
}

TEST(CqlSessionReliability, PreparedCacheSizeBelowOneIsRefused) {
  Prepares f;
  ASSERT_TRUE(f.cluster.ok());
  auto o = f.cluster.Options();
  o.prepared_cache_size = 0;
  try {
    cql::Session::Connect(o);
    FAIL() << "connected";
  } catch (const cql::CqlError& e) {
    EXPECT_EQ(e.error().kind, cql::ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("prepared_cache_size"), std::string::npos) << e.what();
  }
}

TEST(CqlSessionReliability, DdlWhoseSchemaTheNodesNeverAgreeOnFailsSayingSo) {
  FakeCluster cluster({"dc1", "dc1"}, DdlOrText);
  ASSERT_TRUE(cluster.ok());
  cluster.SetSchemaVersion(1, "5a1f0000-0000-4000-8000-0000000000ff");
  auto o = cluster.Options();
  o.schema_agreement_timeout = 300ms;
  auto s = cql::Session::Connect(o);
  auto r = s->QueryAsync("CREATE TABLE ks.t (k int PRIMARY KEY)").get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kSchemaAgreement) << r.error().to_string();
  EXPECT_NE(r.error().message.find("schema agreement not reached within 300 ms"), std::string::npos)
      << r.error().to_string();
  EXPECT_NE(r.error().message.find("2 schema versions"), std::string::npos) << r.error().to_string();
  EXPECT_FALSE(s->WaitForSchemaAgreement(100ms));
  // Once they agree, DDL succeeds.
  cluster.SetSchemaVersion(1, "5a1f0000-0000-4000-8000-000000000001");
  auto ok = s->QueryAsync("CREATE TABLE ks.u (k int PRIMARY KEY)").get();
  EXPECT_TRUE(ok.ok()) << ok.error().to_string();
}

}  // namespace
