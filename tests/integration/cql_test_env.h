// Shared helpers of the CQL client's integration tests: hosts from the
// environment (see scripts/test), a session factory and a scratch keyspace.
#pragma once

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cql/session.h"

namespace cql_test {

inline std::vector<std::string> HostsFromEnv(const char* var, const char* fallback) {
  const char* v = std::getenv(var);
  std::string s = v && *v ? v : fallback;
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string h; std::getline(ss, h, ',');)
    if (!h.empty()) out.push_back(h);
  return out;
}

inline cql::SessionOptions TestOptions() {
  cql::SessionOptions o;
  o.contact_points = HostsFromEnv("CANOPY_TEST_HOSTS", "127.0.0.1");
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
