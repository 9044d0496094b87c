// The store (not only the CQL client) against the node with
// PasswordAuthenticator (CANOPY_AUTH_HOST, default 127.0.0.11; user
// cassandra / cassandra): it records and reads back a run with the right
// credentials, and refuses to open with a clear error otherwise — naming
// the node and the config key, never the password.
#include <gtest/gtest.h>

#include <string>

#include "canopy/errors.h"
#include "canopy/metrics_store.h"
#include "cql/session.h"
#include "integration/test_hosts.h"

namespace canopy {
namespace {

using namespace std::chrono_literals;

class StoreAuth : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.cassandra.enabled = true;
    config_.cassandra.contact_points = canopy_test::auth_hosts();
    config_.cassandra.keyspace = "store_auth_" + Uuid::random().str().substr(0, 8);
    config_.cassandra.replication_class = "SimpleStrategy";
    config_.cassandra.replication = {{"replication_factor", 1}};
    config_.cassandra.pool_size = 1;
    config_.cassandra.flush_interval = 100ms;
    config_.cassandra.auth_provider.enabled = true;
    config_.cassandra.auth_provider.username = "cassandra";
    config_.cassandra.auth_provider.password = "cassandra";
    config_.writer.durability = Durability::kBuffered;
    config_.writer.spool_dir = ::testing::TempDir() + "/store-auth-spool-" + config_.cassandra.keyspace;
  }
  void TearDown() override {
    try {
      cql::SessionOptions o;
      o.contact_points = canopy_test::auth_hosts();
      o.username = "cassandra";
      o.password = "cassandra";
      cql::Session::Connect(o)->Query("DROP KEYSPACE IF EXISTS " + config_.cassandra.keyspace);
    } catch (const std::exception&) {
    }
  }
  std::string open_error() {
    try {
      open_store(config_)->close();
    } catch (const Error& e) {
      return e.what();
    }
    ADD_FAILURE() << "the store opened";
    return "";
  }

  Config config_;
};

TEST_F(StoreAuth, RecordsAndReadsBackARunWithTheRightCredentials) {
  auto store = open_store(config_);
  const Uuid run = store->create_run(Uuid::random(), "auth", "{}");
  for (int step = 0; step < 1'000; ++step) {
    Metric m;
    m.step = step;
    m.train_loss = 1.0 / (step + 1);
    store->store_metric(run, m);
  }
  store->flush_metrics(60'000ms);
  EXPECT_EQ(store->scan_metrics(run, std::nullopt, std::nullopt, [](const Metric&) { return true; }), 1'000u);
  ASSERT_TRUE(store->get_run(run).has_value());
  EXPECT_EQ(store->get_run(run)->dataset_name, "auth");
  store->close();
}

TEST_F(StoreAuth, AWrongPasswordIsAClearErrorWithoutThePassword) {
  config_.cassandra.auth_provider.password = "not-the-password";
  const std::string e = open_error();
  EXPECT_NE(e.find(canopy_test::auth_hosts().front()), std::string::npos) << e;
  EXPECT_NE(e.find("incorrect"), std::string::npos) << e;
  EXPECT_NE(e.find("backend.cassandra.auth_provider"), std::string::npos) << e;
  EXPECT_EQ(e.find("not-the-password"), std::string::npos) << "password leaked: " << e;
}

TEST_F(StoreAuth, MissingCredentialsNameTheConfigKey) {
  config_.cassandra.auth_provider.enabled = false;
  const std::string e = open_error();
  EXPECT_NE(e.find("requires authentication"), std::string::npos) << e;
  EXPECT_NE(e.find("backend.cassandra.auth_provider"), std::string::npos) << e;
}

}  // namespace
}  // namespace canopy
