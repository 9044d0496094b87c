#include "cql/load_balancing.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace cql {

namespace {

void RotateBy(Host** first, Host** last, uint64_t turn) {
  if (first != last) std::rotate(first, first + static_cast<long>(turn % static_cast<uint64_t>(last - first)), last);
}

// The replica table of keyspace in state, or null. The last answer is kept
// per thread: requests come in runs of one statement, and hashing the
// keyspace cost as much as the rest of the plan. Keyed by the state's
// generation (unique per state), so a table never outlives its state's use.
const ReplicaTable* TableOf(const ClusterState& state, std::string_view keyspace) {
  struct Last {
    uint64_t generation = 0;
    size_t size = 0;
    char name[48] = {};  // Cassandra's longest keyspace name
    const ReplicaTable* table = nullptr;
  };
  static thread_local Last last;
  if (last.generation == state.generation && last.size == keyspace.size() &&
      std::memcmp(last.name, keyspace.data(), keyspace.size()) == 0)
    return last.table;
  auto it = state.replicas.find(keyspace);
  const ReplicaTable* table = it == state.replicas.end() ? nullptr : it->second.get();
  if (keyspace.size() <= sizeof last.name) {
    last.generation = state.generation;
    last.size = keyspace.size();
    std::memcpy(last.name, keyspace.data(), keyspace.size());
    last.table = table;
  }
  return table;
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
    if (const ReplicaTable* table = TableOf(state, request.keyspace))
      ReplicasFirst(state, *table, *request.token, turn, plan, local);
  }
  for (Host* h : bad) plan.push_back(h);
  return plan;
}

}  // namespace cql
