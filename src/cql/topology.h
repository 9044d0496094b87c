// Topology: the cluster as its system tables describe it: every node's
// address, datacenter, rack and tokens (system.local, then system.peers_v2
// or, on older servers, system.peers) and each keyspace's replication
// (system_schema.keyspaces). Read by the control connection; turned into a
// ClusterState by cluster_state.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cql/connection.h"
#include "cql/errors.h"
#include "cql/token_ring.h"

namespace cql {

struct NodeInfo {
  std::string ip;
  uint16_t port = 0;
  std::string datacenter;
  std::string rack;
  std::vector<int64_t> tokens;
};

struct Topology {
  std::vector<NodeInfo> nodes;  // the node answering first (its datacenter is the default local one)
  std::optional<std::map<std::string, Replication>> keyspaces;  // none: could not be read
};

// Blocking (never on the io thread). default_port: the native port of
// nodes whose table does not say (system.local, system.peers).
Result<Topology> ReadTopology(Connection& c, uint16_t default_port, std::chrono::milliseconds timeout);

}  // namespace cql
