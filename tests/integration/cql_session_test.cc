// The CQL client against the real single node (CANOPY_TEST_HOSTS, default
// 127.0.0.1): every type round-trips, paging, batches, re-prepare,
// consistency and client timestamps, async requests, counters.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <future>
#include <set>

#include "cql/session.h"
#include "cql/token_ring.h"
#include "cql/value_codec.h"
#include "integration/cql_test_env.h"

namespace {

using cql::Value;

class CqlSession : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    session_ = cql::Session::Connect(cql_test::TestOptions()).release();
    ks_ = new cql_test::ScratchKeyspace(*session_, "cql_test_session");
  }
  static void TearDownTestSuite() {
    delete ks_;
    delete session_;
  }
  static cql::Session* session_;
  static cql_test::ScratchKeyspace* ks_;
  cql::Session& s() { return *session_; }
};
cql::Session* CqlSession::session_ = nullptr;
cql_test::ScratchKeyspace* CqlSession::ks_ = nullptr;

TEST_F(CqlSession, DiscoversTheNodeAndCountsRequests) {
  auto hosts = s().host_counters();
  ASSERT_FALSE(hosts.empty());
  EXPECT_FALSE(hosts[0].datacenter.empty());
  auto before = s().counters().requests;
  auto rs = s().Query("SELECT release_version FROM system.local");
  ASSERT_EQ(rs.row_count(), 1u);
  EXPECT_EQ(rs[0].get_text("release_version")->rfind("5.0", 0), 0u);
  EXPECT_EQ(s().counters().requests, before + 1);
  uint64_t sent = 0;
  for (const auto& h : s().host_counters()) sent += h.requests_sent;
  EXPECT_GT(sent, 0u);
}

TEST_F(CqlSession, EveryTypeRoundTripsIncludingNullAndCollections) {
  s().Query("CREATE TYPE IF NOT EXISTS cql_test_session.point (x int, y text)");
  s().Query(
      "CREATE TABLE IF NOT EXISTS cql_test_session.all_types (k int PRIMARY KEY, a ascii, t text, b blob, "
      "bo boolean, ti tinyint, si smallint, i int, bi bigint, vi varint, de decimal, f float, d double, "
      "ts timestamp, da date, tm time, du duration, u uuid, tu timeuuid, ip inet, "
      "l list<int>, st set<text>, m map<text, bigint>, tp tuple<int, text>, p frozen<point>)");
  auto ins = s().Prepare(
      "INSERT INTO cql_test_session.all_types (k, a, t, b, bo, ti, si, i, bi, vi, de, f, d, ts, da, tm, du, u, tu, "
      "ip, l, st, m, tp, p) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  cql::Uuid u = cql::Uuid::Random();
  cql::Uuid tu = *cql::Uuid::Parse("e3e7b0f0-ca5b-11ee-8080-808080808080");  // version 1
  std::vector<Value> row = {
      Value::Int(1),
      Value::Ascii("plain ascii"),
      Value::Text("héllo wörld ✓"),
      Value::Blob(std::string("\x00\x01\xff", 3)),
      Value::Boolean(true),
      Value::Tinyint(-128),
      Value::Smallint(32767),
      Value::Int(-2147483647 - 1),
      Value::Bigint(9223372036854775807LL),
      Value::VarintOf(*cql::Varint::FromInt64(-123456789012345LL).ToInt64() ? cql::Varint::FromInt64(-123456789012345LL)
                                                                           : cql::Varint{}),
      Value::DecimalOf({3, cql::Varint::FromInt64(123456)}),  // 123.456
      Value::Float(1.5f),
      Value::Double(-0.1),
      Value::Timestamp(1732550400123),
      Value::Date(-1),
      Value::Time(86399999999999),
      Value::DurationOf({1, 2, 3000000000}),
      Value::UuidOf(u),
      Value::Timeuuid(tu),
      Value::Inet(std::string("\x7f\x00\x00\x01", 4)),
      Value::List({Value::Int(3), Value::Int(1), Value::Int(2)}),
      Value::Set({Value::Text("a"), Value::Text("b")}),
      Value::Map({{Value::Text("x"), Value::Bigint(1)}, {Value::Text("y"), Value::Bigint(-1)}}),
      Value::Tuple({Value::Int(7), Value::Text("seven")}),
      Value::Udt({{"x", Value::Int(4)}, {"y", Value::Text("four")}}),
  };
  s().Execute(ins, row);
  auto rs = s().Query("SELECT k, a, t, b, bo, ti, si, i, bi, vi, de, f, d, ts, da, tm, du, u, tu, ip, l, st, m, tp, p "
                      "FROM cql_test_session.all_types WHERE k = 1");
  ASSERT_EQ(rs.row_count(), 1u);
  for (size_t i = 0; i < row.size(); ++i) EXPECT_EQ(rs[0].get_value(i), row[i]) << "column " << rs.columns()[i].name;
  EXPECT_EQ(rs[0].get_uuid("u"), u);
  EXPECT_EQ(rs[0].get_timestamp("ts"), 1732550400123);
  EXPECT_EQ(rs[0].get_double("f"), 1.5);
  EXPECT_EQ(rs[0].get_bool("bo"), true);

  // NULL creates a null cell; UNSET leaves the existing value alone.
  auto upd = s().Prepare("UPDATE cql_test_session.all_types SET t = ?, i = ? WHERE k = ?");
  s().Execute(upd, {Value::Null(), Value::Unset(), Value::Int(1)});
  auto after = s().Query("SELECT t, i FROM cql_test_session.all_types WHERE k = 1");
  EXPECT_TRUE(after[0].is_null("t"));
  EXPECT_EQ(after[0].get_text("t"), std::nullopt);
  EXPECT_EQ(after[0].get_int32("i"), -2147483647 - 1);
}

TEST_F(CqlSession, Murmur3TokenMatchesTheServer) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.tokens (k text, n int, v int, PRIMARY KEY ((k, n)))");
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.kv (k int PRIMARY KEY, v text)");
  for (int i = 0; i < 50; ++i) {
    std::string key(static_cast<size_t>(i), static_cast<char>('a' + i % 26));
    key += "\xc3\xa9";  // bytes above 0x7f exercise Cassandra's signed-byte tail
    s().Query("INSERT INTO cql_test_session.tokens (k, n, v) VALUES (?, ?, 1)", {Value::Text(key), Value::Int(i)});
    s().Query("INSERT INTO cql_test_session.kv (k, v) VALUES (?, 'x')", {Value::Int(i * 7919)});
    auto composite = s().Query("SELECT token(k, n) FROM cql_test_session.tokens WHERE k = ? AND n = ?",
                               {Value::Text(key), Value::Int(i)});
    std::string n;
    cql::PutCell(n, Value::Int(i), nullptr);
    EXPECT_EQ(composite[0].get_int64(0), cql::Murmur3Token(cql::CompositeRoutingKey({key, n}))) << i;
    auto single = s().Query("SELECT token(k) FROM cql_test_session.kv WHERE k = ?", {Value::Int(i * 7919)});
    std::string k;
    cql::PutCell(k, Value::Int(i * 7919), nullptr);
    EXPECT_EQ(single[0].get_int64(0), cql::Murmur3Token(k)) << i;
  }
}

TEST_F(CqlSession, PreparingTheSameQueryTwiceUsesTheCache) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.kv (k int PRIMARY KEY, v text)");
  auto a = s().Prepare("SELECT v FROM cql_test_session.kv WHERE k = ?");
  auto hits = s().counters().prepare_cache_hits;
  auto b = s().Prepare("SELECT v FROM cql_test_session.kv WHERE k = ?");
  EXPECT_EQ(a, b);
  EXPECT_EQ(s().counters().prepare_cache_hits, hits + 1);
}

TEST_F(CqlSession, TypedAccessorRefusesWrongType) {
  auto rs = s().Query("SELECT release_version FROM system.local");
  EXPECT_THROW(rs[0].get_int32(0), cql::CqlError);
  EXPECT_THROW(rs[0].get_text("no_such_column"), cql::CqlError);
}

TEST_F(CqlSession, BindingAnIncompatibleValueIsAnInvalidArgument) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.kv (k int PRIMARY KEY, v text)");
  auto ins = s().Prepare("INSERT INTO cql_test_session.kv (k, v) VALUES (?, ?)");
  try {
    s().Execute(ins, {Value::Int(1), Value::Double(2.0)});
    FAIL() << "expected CqlError";
  } catch (const cql::CqlError& e) {
    EXPECT_EQ(e.error().kind, cql::ErrorKind::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("'v'"), std::string::npos) << e.what();
  }
}

TEST_F(CqlSession, ServerErrorsCarryCodeMessageAndHost) {
  try {
    s().Query("SELEC nonsense");
    FAIL();
  } catch (const cql::CqlError& e) {
    EXPECT_TRUE(e.error().is_server(cql::ServerCode::kSyntaxError)) << e.what();
    EXPECT_FALSE(e.error().retryable);
    EXPECT_FALSE(e.error().host.empty());
  }
  auto r = s().QueryAsync("SELECT * FROM cql_test_session.no_such_table").get();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().is_server(cql::ServerCode::kInvalid)) << r.error().to_string();
}

TEST_F(CqlSession, PagingVisitsAllTenThousandRowsOnce) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.paged (p int, c int, PRIMARY KEY (p, c))");
  auto ins = s().Prepare("INSERT INTO cql_test_session.paged (p, c) VALUES (?, ?)");
  std::vector<std::future<cql::Result<cql::ResultSet>>> pending;
  for (int i = 0; i < 10000; ++i) {
    pending.push_back(s().ExecuteAsync(ins, {Value::Int(i % 7), Value::Int(i)}, {.idempotent = true}));
    if (pending.size() == 256) {
      for (auto& f : pending) ASSERT_TRUE(f.get().ok());
      pending.clear();
    }
  }
  for (auto& f : pending) ASSERT_TRUE(f.get().ok());

  auto pages = s().Pages("SELECT c FROM cql_test_session.paged", {}, {.page_size = 777});
  std::set<int> seen;
  int page_count = 0, rows = 0;
  while (pages.Next()) {
    ++page_count;
    EXPECT_LE(pages.page().row_count(), 777u);
    for (cql::Row r : pages.page()) {
      seen.insert(*r.get_int32(0));
      ++rows;
    }
  }
  EXPECT_EQ(rows, 10000);
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_GE(page_count, 13);

  // A prepared statement pages too, with a bound value.
  auto sel = s().Prepare("SELECT c FROM cql_test_session.paged WHERE p = ?");
  int in_partition = 0;
  s().Pages(sel, {Value::Int(3)}, {.page_size = 100}).ForEachRow([&](const cql::Row&) { ++in_partition; });
  int expected = 0;
  for (int i = 0; i < 10000; ++i) expected += i % 7 == 3;
  EXPECT_EQ(in_partition, expected);
}

TEST_F(CqlSession, LoggedAndUnloggedBatchesApplyEveryStatement) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.batched (p int, c int, v text, PRIMARY KEY (p, c))");
  auto ins = s().Prepare("INSERT INTO cql_test_session.batched (p, c, v) VALUES (?, ?, ?)");
  for (auto type : {cql::BatchType::kLogged, cql::BatchType::kUnlogged}) {
    int p = type == cql::BatchType::kLogged ? 1 : 2;
    cql::Batch b;
    b.type = type;
    for (int c = 0; c < 100; ++c) b.Add(ins, {Value::Int(p), Value::Int(c), Value::Text("v" + std::to_string(c))});
    b.Add("INSERT INTO cql_test_session.batched (p, c, v) VALUES (?, ?, ?)",
          {Value::Int(p), Value::Int(1000), Value::Text("unprepared")});
    s().ExecuteBatch(b, {.consistency = cql::Consistency::kQuorum});
    auto rs = s().Query("SELECT count(*) FROM cql_test_session.batched WHERE p = ?", {Value::Int(p)});
    EXPECT_EQ(rs[0].get_int64(0), 101);
  }
}

TEST_F(CqlSession, ClientTimestampIsTheWriteTime) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.kv (k int PRIMARY KEY, v text)");
  auto ins = s().Prepare("INSERT INTO cql_test_session.kv (k, v) VALUES (?, ?)");
  s().Execute(ins, {Value::Int(42), Value::Text("new")}, {.timestamp_us = 2'000'000'000'000'000});
  // An older timestamp loses, whatever the arrival order.
  s().Execute(ins, {Value::Int(42), Value::Text("old")}, {.timestamp_us = 1'000'000'000'000'000});
  auto rs = s().Query("SELECT v, writetime(v) FROM cql_test_session.kv WHERE k = 42");
  EXPECT_EQ(rs[0].get_text(0), "new");
  EXPECT_EQ(rs[0].get_int64(1), 2'000'000'000'000'000);
}

TEST_F(CqlSession, ConsistencyLevelIsSentToTheServer) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.kv (k int PRIMARY KEY, v text)");
  // RF 1 on one node: THREE cannot be met, the server says UNAVAILABLE.
  auto r = s().QueryAsync("INSERT INTO cql_test_session.kv (k, v) VALUES (1, 'x')", {},
                          {.consistency = cql::Consistency::kThree}).get();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().to_string().find("UNAVAILABLE"), std::string::npos) << r.error().to_string();
  EXPECT_TRUE(s().QueryAsync("SELECT * FROM cql_test_session.kv", {}, {.consistency = cql::Consistency::kAll}).get().ok());
}

TEST_F(CqlSession, LightweightTransactionUsesSerialConsistency) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.kv (k int PRIMARY KEY, v text)");
  cql::StatementOptions o{.serial_consistency = cql::Consistency::kLocalSerial};
  auto first = s().Query("INSERT INTO cql_test_session.kv (k, v) VALUES (77, 'a') IF NOT EXISTS", {}, o);
  auto second = s().Query("INSERT INTO cql_test_session.kv (k, v) VALUES (77, 'b') IF NOT EXISTS", {}, o);
  EXPECT_EQ(first[0].get_bool("[applied]"), true);
  EXPECT_EQ(second[0].get_bool("[applied]"), false);
}

TEST_F(CqlSession, ReprepareAfterAlterTableIsTransparent) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.evolving (k int PRIMARY KEY, a int)");
  auto sel = s().Prepare("SELECT * FROM cql_test_session.evolving WHERE k = ?");
  s().Query("INSERT INTO cql_test_session.evolving (k, a) VALUES (1, 10)");
  EXPECT_EQ(s().Execute(sel, {Value::Int(1)})[0].size(), 2u);
  s().Query("ALTER TABLE cql_test_session.evolving ADD b text");
  s().Query("UPDATE cql_test_session.evolving SET b = 'new' WHERE k = 1");
  auto rs = s().Execute(sel, {Value::Int(1)});
  ASSERT_EQ(rs.row_count(), 1u);
  EXPECT_EQ(rs[0].get_text("b"), "new");
  EXPECT_EQ(rs[0].get_int32("a"), 10);
}

TEST_F(CqlSession, ManyAsyncRequestsFromManyThreads) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.kv (k int PRIMARY KEY, v text)");
  auto ins = s().Prepare("INSERT INTO cql_test_session.kv (k, v) VALUES (?, ?)");
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<cql::Result<cql::ResultSet>>> fs;
      for (int i = 0; i < 500; ++i)
        fs.push_back(s().ExecuteAsync(ins, {Value::Int(1000 + t * 500 + i), Value::Text("x")}));
      for (auto& f : fs) (f.get().ok() ? ok : failed)++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 2000);
  EXPECT_EQ(failed.load(), 0);
  auto rs = s().Query("SELECT count(*) FROM cql_test_session.kv WHERE k >= 1000 AND k < 3000 ALLOW FILTERING");
  EXPECT_EQ(rs[0].get_int64(0), 2000);
}

TEST_F(CqlSession, CompressedSessionWorks) {
  auto o = cql_test::TestOptions();
  o.compression = true;
  o.pool_size = 1;
  auto z = cql::Session::Connect(o);
  auto rs = z->Query("SELECT keyspace_name FROM system_schema.keyspaces");
  EXPECT_GT(rs.row_count(), 3u);
}

TEST_F(CqlSession, KeyspaceOptionAppliesToEveryPooledConnection) {
  s().Query("CREATE TABLE IF NOT EXISTS cql_test_session.kv (k int PRIMARY KEY, v text)");
  s().Query("INSERT INTO cql_test_session.kv (k, v) VALUES (5, 'five')");
  auto o = cql_test::TestOptions();
  o.keyspace = "cql_test_session";
  o.pool_size = 3;
  auto k = cql::Session::Connect(o);
  ASSERT_EQ(k->host_counters()[0].open_connections, 3);
  auto frames_before = k->host_counters()[0].frames;
  for (int i = 0; i < 9; ++i) {  // idle connections are taken in turn: each one has the keyspace
    auto rs = k->Query("SELECT v FROM kv WHERE k = 5");
    ASSERT_EQ(rs.row_count(), 1u);
    EXPECT_EQ(rs[0].get_text(0), "five");
  }
  EXPECT_EQ(k->host_counters()[0].frames, frames_before + 9);
}

TEST_F(CqlSession, SchemaAgreementIsReached) { EXPECT_TRUE(s().WaitForSchemaAgreement()); }

TEST(CqlConnect, UnreachableContactPointsListEachHost) {
  cql::SessionOptions o;
  o.contact_points = {"127.0.0.1"};
  o.port = 1;  // nothing listens
  o.connect_timeout = std::chrono::seconds(2);
  try {
    cql::Session::Connect(o);
    FAIL();
  } catch (const cql::CqlError& e) {
    EXPECT_EQ(e.error().kind, cql::ErrorKind::kNoHostAvailable);
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:1"), std::string::npos) << e.what();
  }
}

}  // namespace
