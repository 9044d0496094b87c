// Token-aware routing: Cassandra's Murmur3 partitioner token of a routing
// key, and the replicas of a token given the ring and a keyspace's
// replication (SimpleStrategy, NetworkTopologyStrategy; others: none known).
// Pure data structure; built by the session from system tables.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cql {

// Murmur3Partitioner.getToken: MurmurHash3_x64_128 (seed 0, Cassandra's
// sign-extending tail) first half; Long.MIN_VALUE maps to Long.MAX_VALUE.
int64_t Murmur3Token(std::string_view key);

// Routing key from the serialized partition key components: one component
// as is; several as <short len><bytes><0x00> each (CompositeType).
std::string CompositeRoutingKey(const std::vector<std::string>& components);

struct Replication {
  enum class Strategy { kSimple, kNetworkTopology, kLocal, kOther };
  Strategy strategy = Strategy::kOther;
  int replication_factor = 0;           // kSimple
  std::map<std::string, int> dc_factors;  // kNetworkTopology
  // Parses system_schema.keyspaces.replication ({"class": ..., ...}).
  static Replication FromMap(const std::map<std::string, std::string>& m);
};

class TokenRing {
 public:
  struct Node {
    std::string host;  // an id the caller chose (the session uses "ip:port")
    std::string datacenter;
    std::string rack;
  };
  // tokens[i] are node i's tokens.
  TokenRing(std::vector<Node> nodes, const std::vector<std::vector<int64_t>>& tokens);
  TokenRing() = default;

  bool empty() const { return ring_.empty(); }
  // Indexes (into nodes()) of the replicas of token, primary first.
  std::vector<size_t> Replicas(int64_t token, const Replication& r) const;
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  std::vector<Node> nodes_;
  std::vector<std::pair<int64_t, size_t>> ring_;  // sorted by token
  std::map<std::string, size_t> racks_per_dc_;
};

}  // namespace cql
