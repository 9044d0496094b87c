// ClusterState: what the session knows of the cluster at one moment: the
// nodes (each a Host with its datacenter and rack), the token ring, each
// keyspace's replication and the local datacenter. Immutable once
// published: a topology refresh builds the next one and swaps it in
// (ClusterStateCell), so a request reads the current state with one atomic
// load and no lock, and keeps a consistent view for its whole query plan.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cql/host.h"
#include "cql/token_ring.h"
#include "cql/topology.h"

namespace cql {

// Hashes std::string and std::string_view alike: keyspaces are looked up
// by a view, without making a string.
struct KeyspaceHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct ClusterState {
  struct Node {
    HostPtr host;
    std::string datacenter;
    std::string rack;
  };
  std::map<std::string, Node> nodes;  // by ip
  std::shared_ptr<const TokenRing> ring;  // node ids are ips
  std::map<std::string, Replication> keyspaces;
  std::string local_dc;  // empty until known: every node counts as local
  // Unique per ClusterState made in this process: what a cache of anything
  // derived from one state is keyed by (load_balancing.cc).
  const uint64_t generation = NextGeneration();

  // Derived from the above when the state is made, so that a query plan
  // (load_balancing.h) needs no lookup, copy or allocation per request.
  // The pointers are to hosts of `nodes`.
  std::vector<Host*> local_hosts;   // by ip: those of local_dc
  std::vector<Host*> remote_hosts;  // by ip: the others
  std::vector<Host*> ring_hosts;    // the host of each ring->nodes() entry
  // Per keyspace with a known replication and a ring: the replicas of each
  // ring range (keyspaces that replicate alike share one table).
  std::unordered_map<std::string, std::shared_ptr<const ReplicaTable>, KeyspaceHash, std::equal_to<>> replicas;

  HostPtr FindHost(const std::string& ip) const;
  // The hosts that have not left the cluster, by ip.
  std::vector<HostPtr> Hosts() const;
  // Fills the derived fields from nodes, ring, keyspaces and local_dc.
  // Once only, before the state is published.
  void Derive();

 private:
  static uint64_t NextGeneration();
};

using ClusterStatePtr = std::shared_ptr<const ClusterState>;

// The current ClusterState. Readers never block; writers (topology
// refreshes) are serialized among themselves.
class ClusterStateCell {
 public:
  ClusterStateCell() : current_(std::make_shared<const ClusterState>()) {}

  ClusterStatePtr Load() const { return current_.load(std::memory_order_acquire); }

  struct Change {
    std::vector<HostPtr> added;    // new hosts: their pools are to be filled
    std::vector<HostPtr> removed;  // hosts that left: their connections are to be closed
  };
  // Publishes the state a freshly read topology describes. Hosts already
  // known (by ip) are kept, pools and counters included. The local
  // datacenter, once known, stays; else it is configured_local_dc, else the
  // datacenter of the first node of the topology (the one that answered).
  Change Apply(const Topology& topology, const std::string& configured_local_dc);

 private:
  std::mutex write_mu_;
  std::atomic<ClusterStatePtr> current_;
};

}  // namespace cql
