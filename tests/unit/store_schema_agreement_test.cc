// apply_schema against a scripted 2-node fake cluster (cql_fake_cluster.h)
// whose nodes never agree on a schema version: the store must not call the
// schema ready; it throws SchemaError naming
// backend.cassandra.schema_agreement_timeout. (The real-node behaviour is
// store_schema_test.)
#include <gtest/gtest.h>

#include "canopy/errors.h"
#include "store/cassandra_schema.h"
#include "unit/cql_fake_cluster.h"

namespace {

using cql_test::FakeCluster;
using cql_test::FakeServer;

TEST(StoreSchemaAgreement, SchemaTheNodesNeverAgreeOnIsNotReady) {
  FakeCluster cluster({"dc1", "dc1"}, [](FakeCluster&, int, FakeServer& s, const FakeServer::Request& r) {
    if (r.header.opcode != cql::Opcode::kQuery) return;
    if (cql_test::QueryText(r).starts_with("CREATE"))
      return s.Reply(r, cql::Opcode::kResult, cql_test::SchemaChangeResult("cascor", "t"));
    s.Reply(r, cql::Opcode::kResult, FakeServer::VoidResult());
  });
  ASSERT_TRUE(cluster.ok());
  cluster.SetSchemaVersion(1, "5a1f0000-0000-4000-8000-0000000000ff");
  canopy::Config config;
  config.cassandra.schema_agreement_timeout = std::chrono::milliseconds(200);
  auto o = cluster.Options();
  o.schema_agreement_timeout = config.cassandra.schema_agreement_timeout;  // as the backend passes it
  auto session = cql::Session::Connect(o);
  try {
    canopy::store::apply_schema(*session, config);
    FAIL() << "the schema was reported ready";
  } catch (const canopy::SchemaError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("the schema is not ready"), std::string::npos) << m;
    EXPECT_NE(m.find("within 200 ms (backend.cassandra.schema_agreement_timeout"), std::string::npos) << m;
    EXPECT_NE(m.find("2 schema versions"), std::string::npos) << m;
  }
}

}  // namespace
