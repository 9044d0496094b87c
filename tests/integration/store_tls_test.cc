// The store over TLS against the node of `scripts/cassandra start
// --tls-client-auth` (CANOPY_TLS_HOST, CANOPY_TLS_DIR): the
// backend.cassandra.ssl.* keys, loaded like any configuration, reach the
// CQL client; metrics written are read back; a TLS file that cannot be read
// fails open_store naming the key and the path.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "canopy/config.h"
#include "canopy/errors.h"
#include "canopy/metrics_store.h"
#include "canopy/uuid.h"
#include "cql/session.h"
#include "integration/test_hosts.h"

namespace canopy {
namespace {

class StoreTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(canopy_test::tls_dir().empty())
        << "set CANOPY_TLS_DIR to the folder `scripts/cassandra start --first-ip K --tls-client-auth` prints";
    scratch_ = std::filesystem::temp_directory_path() / ("store_tls_" + Uuid::random().str().substr(0, 8));
    std::filesystem::create_directories(scratch_);
    keyspace_ = "store_tls_" + Uuid::random().str().substr(0, 8);
  }
  void TearDown() override {
    std::filesystem::remove_all(scratch_);
    try {
      cql::SessionOptions o;
      o.contact_points = {canopy_test::tls_host()};
      o.pool_size = 1;
      o.tls.enabled = true;
      o.tls.ca_file = file("ca.pem");
      o.tls.cert_file = file("client.pem");
      o.tls.key_file = file("client-key.pem");
      cql::Session::Connect(o)->Query("DROP KEYSPACE IF EXISTS " + keyspace_);
    } catch (const std::exception&) {
      // Best effort: a leftover keyspace does not affect other tests.
    }
  }

  static std::string file(const std::string& name) { return canopy_test::tls_dir() + "/" + name; }

  // The configuration as a user writes it: through the config keys.
  Config config(std::vector<std::string> overrides = {}) {
    std::vector<std::string> all = {
        "backend.cassandra.enabled=true",
        "backend.cassandra.contact_points=" + canopy_test::tls_host(),
        "backend.cassandra.keyspace=" + keyspace_,
        "backend.cassandra.replication={class: SimpleStrategy, replication_factor: 1}",
        "backend.cassandra.pool_size=1",
        "backend.cassandra.flush_interval=50ms",
        "backend.cassandra.ssl.enabled=true",
        "backend.cassandra.ssl.ca_file=" + file("ca.pem"),
        "backend.cassandra.ssl.cert_file=" + file("client.pem"),
        "backend.cassandra.ssl.key_file=" + file("client-key.pem"),
        "backend.embedded.path=" + (scratch_ / "unused.db").string(),
        "writer.spool_dir=" + (scratch_ / "spool").string(),
    };
    all.insert(all.end(), overrides.begin(), overrides.end());
    return load_config({.file = std::nullopt, .environment = Environment{}, .overrides = all});
  }

  std::filesystem::path scratch_;
  std::string keyspace_;
};

TEST_F(StoreTls, MetricsWrittenOverTlsAreReadBack) {
  auto store = open_store(config());
  NewRun new_run;
  new_run.dataset_name = "tls";
  Uuid run = store->create_run(new_run);
  for (int epoch = 1; epoch <= 5; ++epoch) {
    Metric m;
    m.epoch = epoch;
    m.train_loss = 1.0 / epoch;
    store->store_metric(run, m);
  }
  store->flush_metrics();
  std::vector<Metric> metrics = store->query_metrics(run);
  ASSERT_EQ(metrics.size(), 5u);
  std::set<int> epochs;
  for (const Metric& m : metrics) {
    epochs.insert(*m.epoch);
    EXPECT_DOUBLE_EQ(*m.train_loss, 1.0 / *m.epoch);
  }
  EXPECT_EQ(epochs, (std::set<int>{1, 2, 3, 4, 5}));
  ASSERT_TRUE(store->get_run(run).has_value());
}

TEST_F(StoreTls, AnUnreadableTlsFileFailsOpenNamingTheKeyAndPath) {
  const std::string missing = file("missing-ca.pem");
  try {
    open_store(config({"backend.cassandra.ssl.ca_file=" + missing}));
    FAIL() << "opened with a missing CA file";
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()),
              "backend.cassandra.ssl.ca_file: cannot read " + missing + ": No such file or directory");
  }
}

TEST_F(StoreTls, WithoutTlsTheStoreCannotOpenOnTheTlsNode) {
  try {
    open_store(config({"backend.cassandra.ssl.enabled=false"}));
    FAIL() << "opened a plaintext store on a TLS-only node";
  } catch (const Unavailable& e) {
    EXPECT_NE(std::string(e.what()).find("a node that requires TLS closes plaintext connections"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace canopy
