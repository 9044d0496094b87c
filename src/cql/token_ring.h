// Token-aware routing: Cassandra's Murmur3 partitioner token of a routing
// key, and the replicas of a token given the ring and a keyspace's
// replication (SimpleStrategy, NetworkTopologyStrategy; others: none known).
// Pure data structure; built by the session from system tables.
#pragma once

#include <cstdint>
#include <map>
#include <span>
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
  bool operator==(const Replication&) const = default;
};

// The replicas of every ring range for one replication, placed once per
// topology: routing a request is then a binary search, not a placement.
struct ReplicaTable {
  std::vector<uint32_t> begin;  // range i's replicas: nodes[begin[i], begin[i + 1])
  std::vector<uint32_t> nodes;  // node indexes (TokenRing::nodes()), primary first
  std::span<const uint32_t> At(size_t range) const {
    return std::span<const uint32_t>(nodes).subspan(begin[range], begin[range + 1] - begin[range]);
  }
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
  // The ring range that owns token: that of the first ring token >= token,
  // wrapping. The ring must not be empty.
  size_t RangeOf(int64_t token) const;
  size_t ranges() const { return ring_.size(); }
  // Replicas(token, r) for every range: At(RangeOf(token)).
  ReplicaTable Table(const Replication& r) const;
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  std::vector<size_t> ReplicasFrom(size_t range, const Replication& r) const;

  std::vector<Node> nodes_;
  std::vector<std::pair<int64_t, size_t>> ring_;  // sorted by token
  std::map<std::string, size_t> racks_per_dc_;
  std::map<std::string, size_t> nodes_per_dc_;
};

}  // namespace cql
