#include "cql/load_balancing.h"

#include <algorithm>
#include <chrono>

namespace cql {

namespace {

void RotateBy(Host** first, Host** last, uint64_t turn) {
  if (first != last) std::rotate(first, first + static_cast<long>(turn % static_cast<uint64_t>(last - first)), last);
}

bool Contains(const HostPlan& plan, const Host* h) { return std::find(plan.begin(), plan.end(), h) != plan.end(); }

// Moves the replicas of token among plan[0, local) to the front, in replica
// order rotated by turn; the other hosts keep their order behind them.
void ReplicasFirst(const ClusterState& state, const ReplicaTable& table, int64_t token, uint64_t turn,
                   HostPlan& plan, size_t local) {
  HostPlan replicas;
  for (uint32_t n : table.At(state.ring->RangeOf(token))) {
    Host* h = n < state.ring_hosts.size() ? state.ring_hosts[n] : nullptr;
    if (h && std::find(plan.begin(), plan.begin() + local, h) != plan.begin() + local) replicas.push_back(h);
  }
  if (replicas.empty()) return;
  RotateBy(replicas.begin(), replicas.end(), turn);
  // The others to the back of [0, local), order kept; then the replicas before them.
  size_t back = local;
  for (size_t i = local; i-- > 0;)
    if (!Contains(replicas, plan[i])) plan.begin()[--back] = plan[i];
  std::copy(replicas.begin(), replicas.end(), plan.begin());
}

}  // namespace

bool IsDcLocal(Consistency c) {
  return c == Consistency::kLocalOne || c == Consistency::kLocalQuorum || c == Consistency::kLocalSerial;
}

HostPlan DcAwareTokenAwarePolicy::QueryPlan(const ClusterState& state, const RequestRouting& request) {
  const auto now =
      (request.now == std::chrono::steady_clock::time_point{} ? std::chrono::steady_clock::now() : request.now)
          .time_since_epoch()
          .count();
  const uint64_t turn = turn_.fetch_add(1);
  HostPlan plan;  // healthy local hosts, then healthy remote ones
  HostPlan bad;   // the others, local ones first
  for (Host* h : state.local_hosts) (h->healthy(now) ? plan : bad).push_back(h);
  const size_t local = plan.size();
  if (!request.local_only)
    for (Host* h : state.remote_hosts) (h->healthy(now) ? plan : bad).push_back(h);
  RotateBy(plan.begin(), plan.begin() + local, turn);
  RotateBy(plan.begin() + local, plan.end(), turn);
  if (token_aware_ && request.token && !request.keyspace.empty()) {
    auto it = state.replicas.find(request.keyspace);
    if (it != state.replicas.end()) ReplicasFirst(state, *it->second, *request.token, turn, plan, local);
  }
  for (Host* h : bad) plan.push_back(h);
  return plan;
}

}  // namespace cql
