// apply_schema against the real node (CANOPY_TEST_HOSTS, default 127.0.0.1):
// idempotent, the reference's fixes in place, replication warnings.
#include <gtest/gtest.h>

#include "canopy/cassandra_manager.h"
#include "canopy/config.h"
#include "canopy/metrics_store.h"
#include "canopy/uuid.h"
#include "cql/session.h"
#include "integration/test_hosts.h"
#include "store/cassandra_schema.h"
#include "unit/store_test_util.h"

namespace canopy::store {
namespace {

class StoreSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    cql::SessionOptions o;
    o.contact_points = {canopy_test::first_test_host()};
    o.pool_size = 1;
    session_ = cql::Session::Connect(o);
    config_.cassandra.keyspace = "store_schema_" + Uuid::random().str().substr(0, 8);
    config_.cassandra.replication_class = "SimpleStrategy";
    config_.cassandra.replication = {{"replication_factor", 1}};
  }
  void TearDown() override { session_->Query("DROP KEYSPACE IF EXISTS " + config_.cassandra.keyspace); }

  std::string clustering_order(const std::string& table, const std::string& column) {
    auto rs = session_->Query(
        "SELECT clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ? AND "
        "column_name = ?",
        {cql::Value::Text(config_.cassandra.keyspace), cql::Value::Text(table), cql::Value::Text(column)});
    return rs.empty() ? "" : rs[0].get_text(0).value_or("");
  }
  std::int32_t ttl(const std::string& table) {
    auto rs = session_->Query(
        "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
        {cql::Value::Text(config_.cassandra.keyspace), cql::Value::Text(table)});
    return rs.empty() ? -1 : rs[0].get_int32(0).value_or(-1);
  }

  std::unique_ptr<cql::Session> session_;
  Config config_;
};

TEST_F(StoreSchema, ApplyingTwiceIsHarmlessAndKeepsData) {
  EXPECT_TRUE(apply_schema(*session_, config_).empty());
  const std::string ks = config_.cassandra.keyspace;
  session_->Query("INSERT INTO " + ks + ".run_months (shard, month) VALUES (0, '2026-11')");
  EXPECT_TRUE(apply_schema(*session_, config_).empty());
  EXPECT_EQ(session_->Query("SELECT month FROM " + ks + ".run_months WHERE shard = 0").row_count(), 1u);
}

TEST_F(StoreSchema, MetricsAreClusteredNewestFirstByTimestampThenStep) {
  apply_schema(*session_, config_);
  EXPECT_EQ(clustering_order("training_metrics", "timestamp"), "desc");
  EXPECT_EQ(clustering_order("training_metrics", "step"), "desc");
  EXPECT_EQ(clustering_order("runs_by_time", "start_time"), "desc");
  EXPECT_EQ(clustering_order("network_topology", "timestamp"), "desc");
}

TEST_F(StoreSchema, TtlsFollowTheConfigAlsoForExistingTables) {
  config_.ttl.metrics_seconds = 3600;
  config_.ttl.runs_seconds = 0;
  apply_schema(*session_, config_);
  EXPECT_EQ(ttl("training_metrics"), 3600);
  EXPECT_EQ(ttl("network_topology"), 3600);
  EXPECT_EQ(ttl("training_runs"), 0);
  config_.ttl.runs_seconds = 86'400;
  apply_schema(*session_, config_);
  EXPECT_EQ(ttl("training_runs"), 86'400);
  EXPECT_EQ(ttl("runs_by_time"), 86'400);
}

TEST_F(StoreSchema, MetricsTableUsesTimeWindowCompaction) {
  apply_schema(*session_, config_);
  auto rs = session_->Query(
      "SELECT compaction FROM system_schema.tables WHERE keyspace_name = ? AND table_name = 'training_metrics'",
      {cql::Value::Text(config_.cassandra.keyspace)});
  ASSERT_FALSE(rs.empty());
  std::string cls;
  for (const auto& [k, v] : rs[0].get_value(0).entries()) {
    if (k.as_bytes() == "class") cls = v.as_bytes();
  }
  EXPECT_NE(cls.find("TimeWindowCompactionStrategy"), std::string::npos) << cls;
}

TEST_F(StoreSchema, ReplicationAboveTheLiveNodesOfADatacenterIsWarned) {
  config_.cassandra.replication_class = "NetworkTopologyStrategy";
  config_.cassandra.replication = {{"datacenter1", 3}};  // the reference's setting
  int live = 0;
  for (const auto& h : session_->host_counters()) live += h.up && h.datacenter == "datacenter1";
  auto warnings = apply_schema(*session_, config_);
  if (live >= 3) GTEST_SKIP() << "the test cluster has 3 live nodes in datacenter1";
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("datacenter1"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("replication factor 3"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(config_.cassandra.keyspace), std::string::npos) << warnings[0];
  // QUORUM of 3 needs 2 live replicas; ALL needs all 3.
  const char* fails = live < 2 ? "; QUORUM and ALL requests will fail" : "; ALL requests will fail";
  EXPECT_NE(warnings[0].find(fails), std::string::npos) << warnings[0];
}

// A Config built by hand gets the loader's checks before anything reaches
// the node. Before validate_config, "Mixed_Case" was created as mixed_case
// (Cassandra folds unquoted names) while the TTL and replication checks
// looked up "Mixed_Case" in system_schema and silently found nothing.
TEST_F(StoreSchema, AMixedCaseKeyspaceInAHandBuiltConfigIsRejectedBeforeConnecting) {
  TempDir tmp;
  Config c = config_;
  c.cassandra.enabled = true;
  c.cassandra.contact_points = {canopy_test::first_test_host()};
  c.cassandra.keyspace = "Store_Schema_Mixed";
  c.writer.spool_dir = tmp.path() + "/spool";
  try {
    auto store = open_store(c);
    FAIL() << "open_store accepted keyspace " << c.cassandra.keyspace;
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "backend.cassandra.keyspace");
    EXPECT_NE(std::string(e.what()).find("\"store_schema_mixed\""), std::string::npos) << e.what();
  }
  EXPECT_THROW(CassandraManager({{canopy_test::first_test_host()}}, c), ConfigError);
  auto rs = session_->Query("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?",
                            {cql::Value::Text("store_schema_mixed")});
  EXPECT_TRUE(rs.empty()) << "nothing was created";
}

// Identifiers are quoted in the generated CQL: a keyspace named like a CQL
// keyword works (unquoted, CREATE KEYSPACE order ... is a syntax error).
TEST_F(StoreSchema, AKeyspaceNamedLikeACqlKeywordWorksBecauseItIsQuoted) {
  TempDir tmp;
  Config c = config_;
  c.cassandra.enabled = true;
  c.cassandra.contact_points = {canopy_test::first_test_host()};
  c.cassandra.keyspace = "order";
  c.writer.spool_dir = tmp.path() + "/spool";
  session_->Query("DROP KEYSPACE IF EXISTS \"order\"");
  {
    auto store = open_store(c);
    NewRun r;
    r.dataset_name = "quoted";
    Uuid run = store->create_run(r);
    store->store_metric(run, Metric{});
    store->flush_metrics();
    EXPECT_EQ(store->query_metrics(run).size(), 1u);
    EXPECT_TRUE(store->verify_run(run).complete());
    store->close();
  }
  auto rs = session_->Query(
      "SELECT default_time_to_live FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
      {cql::Value::Text("order"), cql::Value::Text("training_metrics")});
  ASSERT_FALSE(rs.empty());
  EXPECT_EQ(rs[0].get_int32(0).value_or(-1), c.ttl.metrics_seconds);
  session_->Query("DROP KEYSPACE IF EXISTS \"order\"");
}

TEST(StoreSchemaBuckets, MonthBucketsAreUtcMonths) {
  EXPECT_EQ(month_bucket(1'767'225'600'000), "2026-01");      // 2026-01-01T00:00:00Z
  EXPECT_EQ(month_bucket(1'767'225'600'000 - 1), "2025-12");  // one ms earlier
  EXPECT_EQ(month_bucket(0), "1970-01");
}

}  // namespace
}  // namespace canopy::store
