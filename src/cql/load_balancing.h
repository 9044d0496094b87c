// Load balancing: which hosts a request tries, in which order. A policy
// turns the cluster state and what is known of the request (its keyspace
// and routing key) into a query plan; the session asks once per request and
// retries walk the same plan. LoadBalancingPolicy is the seam for other
// policies; DcAwareTokenAwarePolicy is the session's.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

#include "cql/cluster_state.h"
#include "cql/consistency.h"
#include "cql/host_plan.h"

namespace cql {

struct RequestRouting {
  // Of the statement's table, if known. A view: of the request's prepared
  // statement, which outlives the call to QueryPlan.
  std::string_view keyspace{};
  // Murmur3 token of the serialized partition key, if every component is bound.
  std::optional<int64_t> token{};
  // The consistency is LOCAL_ONE, LOCAL_QUORUM or LOCAL_SERIAL (or the serial
  // consistency is LOCAL_SERIAL): nodes of other datacenters cannot serve it.
  bool local_only = false;
  // When hosts' health is judged; unset: the policy reads the clock.
  std::chrono::steady_clock::time_point now{};
};

// True for the levels that only the local datacenter's replicas can satisfy.
bool IsDcLocal(Consistency c);

class LoadBalancingPolicy {
 public:
  virtual ~LoadBalancingPolicy() = default;
  // Every host of state, in the order to try them. Called from any thread.
  // The plan borrows state's hosts: keep state while the plan is in use.
  virtual HostPlan QueryPlan(const ClusterState& state, const RequestRouting& request) = 0;
};

// 1. with a routing key and the keyspace's replication known (and
//    token_aware): the replicas of its token in the local datacenter,
//    rotated round robin among themselves;
// 2. the other healthy hosts of the local datacenter, round robin;
// 3. healthy hosts of other datacenters, round robin;
// 4. hosts down or suspect (two client timeouts in a row), last: local
//    ones, then the others.
// With request.local_only, hosts of other datacenters are left out (steps 3
// and the remote part of 4): a LOCAL_* request never leaves the local
// datacenter.
class DcAwareTokenAwarePolicy final : public LoadBalancingPolicy {
 public:
  explicit DcAwareTokenAwarePolicy(bool token_aware) : token_aware_(token_aware) {}
  HostPlan QueryPlan(const ClusterState& state, const RequestRouting& request) override;

 private:
  const bool token_aware_;
  std::atomic<uint64_t> turn_{0};  // round-robin position, one step per plan
};

}  // namespace cql
