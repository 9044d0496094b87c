#include "cql/load_balancing.h"

#include <algorithm>
#include <chrono>

namespace cql {

namespace {

void RotateBy(std::vector<HostPtr>& v, uint64_t turn) {
  if (!v.empty()) std::rotate(v.begin(), v.begin() + static_cast<long>(turn % v.size()), v.end());
}

}  // namespace

bool IsDcLocal(Consistency c) {
  return c == Consistency::kLocalOne || c == Consistency::kLocalQuorum || c == Consistency::kLocalSerial;
}

std::vector<HostPtr> DcAwareTokenAwarePolicy::QueryPlan(const ClusterState& state, const RequestRouting& request) {
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::vector<HostPtr> local, remote, bad, bad_remote, plan;
  for (const auto& [ip, n] : state.nodes) {
    bool is_local = state.local_dc.empty() || n.datacenter == state.local_dc;
    if (!is_local && request.local_only) continue;
    if (!n.host->healthy(now)) (is_local ? bad : bad_remote).push_back(n.host);
    else (is_local ? local : remote).push_back(n.host);
  }
  const Replication* repl = nullptr;
  if (!request.keyspace.empty() && request.routing_key) {
    auto it = state.keyspaces.find(request.keyspace);
    if (it != state.keyspaces.end()) repl = &it->second;
  }
  uint64_t turn = turn_.fetch_add(1);
  RotateBy(local, turn);
  RotateBy(remote, turn);
  plan.reserve(local.size() + remote.size() + bad.size() + bad_remote.size());
  const auto& ring = state.ring;
  if (token_aware_ && request.routing_key && ring && !ring->empty() && repl) {
    std::vector<HostPtr> replicas;
    for (size_t i : ring->Replicas(Murmur3Token(*request.routing_key), *repl)) {
      const std::string& ip = ring->nodes()[i].host;
      for (auto& h : local)
        if (h->ip == ip) replicas.push_back(h);
    }
    RotateBy(replicas, turn);
    plan = replicas;
    for (auto& h : local)
      if (std::find(replicas.begin(), replicas.end(), h) == replicas.end()) plan.push_back(h);
  } else {
    plan = local;
  }
  plan.insert(plan.end(), remote.begin(), remote.end());
  plan.insert(plan.end(), bad.begin(), bad.end());
  plan.insert(plan.end(), bad_remote.begin(), bad_remote.end());
  return plan;
}

}  // namespace cql
