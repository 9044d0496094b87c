// Shared helpers of the CQL client's integration tests: a session factory
// for the test node (integration/test_hosts.h) and a scratch keyspace.
#pragma once

#include <string>

#include "cql/session.h"
#include "integration/test_hosts.h"

namespace cql_test {

inline cql::SessionOptions TestOptions() {
  cql::SessionOptions o;
  o.contact_points = canopy_test::test_hosts();
  o.pool_size = 2;
  o.connect_timeout = std::chrono::seconds(10);
  o.request_timeout = std::chrono::seconds(12);  // above the server's 2 s write timeout
  return o;
}

// Creates keyspace `name` (SimpleStrategy, RF rf) on construction and drops it on destruction.
class ScratchKeyspace {
 public:
  ScratchKeyspace(cql::Session& s, std::string name, int rf = 1)
      : ScratchKeyspace(s, std::move(name),
                        "{'class': 'SimpleStrategy', 'replication_factor': " + std::to_string(rf) + "}") {}
  // replication: a CQL map literal, e.g. {'class': 'NetworkTopologyStrategy', 'datacenter1': 2}.
  ScratchKeyspace(cql::Session& s, std::string name, const std::string& replication) : s_(s), name_(std::move(name)) {
    s_.Query("DROP KEYSPACE IF EXISTS " + name_);
    s_.Query("CREATE KEYSPACE " + name_ + " WITH replication = " + replication);
  }
  ~ScratchKeyspace() {
    try {
      s_.Query("DROP KEYSPACE IF EXISTS " + name_);
    } catch (...) {
    }
  }
  const std::string& name() const { return name_; }

 private:
  cql::Session& s_;
  std::string name_;
};

}  // namespace cql_test
