#include "cql/cluster_state.h"

#include <algorithm>

namespace cql {

HostPtr ClusterState::FindHost(const std::string& ip) const {
  auto it = nodes.find(ip);
  return it == nodes.end() ? nullptr : it->second.host;
}

std::vector<HostPtr> ClusterState::Hosts() const {
  std::vector<HostPtr> out;
  for (const auto& [ip, n] : nodes)
    if (!n.host->removed) out.push_back(n.host);
  return out;
}

uint64_t ClusterState::NextGeneration() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

void ClusterState::Derive() {
  local_hosts.clear();
  remote_hosts.clear();
  for (const auto& [ip, n] : nodes)
    (local_dc.empty() || n.datacenter == local_dc ? local_hosts : remote_hosts).push_back(n.host.get());
  ring_hosts.clear();
  replicas.clear();
  if (!ring || ring->empty()) return;
  for (const auto& rn : ring->nodes()) {
    auto it = nodes.find(rn.host);
    ring_hosts.push_back(it == nodes.end() ? nullptr : it->second.host.get());
  }
  std::vector<std::pair<const Replication*, std::shared_ptr<const ReplicaTable>>> made;
  for (const auto& [name, repl] : keyspaces) {
    auto same = std::find_if(made.begin(), made.end(), [&](const auto& m) { return *m.first == repl; });
    if (same == made.end()) {
      made.emplace_back(&repl, std::make_shared<const ReplicaTable>(ring->Table(repl)));
      same = made.end() - 1;
    }
    replicas.emplace(name, same->second);
  }
}

ClusterStateCell::Change ClusterStateCell::Apply(const Topology& topology, const std::string& configured_local_dc) {
  std::lock_guard<std::mutex> lock(write_mu_);
  ClusterStatePtr prev = Load();
  auto next = std::make_shared<ClusterState>();
  Change change;
  for (const NodeInfo& i : topology.nodes) {
    HostPtr h = prev->FindHost(i.ip);
    if (!h) {
      asio::error_code ec;
      auto a = asio::ip::make_address(i.ip, ec);
      if (ec) continue;
      h = std::make_shared<Host>(i.ip, asio::ip::tcp::endpoint(a, i.port));
      change.added.push_back(h);
    }
    next->nodes[i.ip] = ClusterState::Node{h, i.datacenter, i.rack};
  }
  for (const auto& [ip, n] : prev->nodes)
    if (!next->nodes.count(ip)) change.removed.push_back(n.host);

  std::map<std::string, const NodeInfo*> info;  // by ip, the last row for an ip wins (as for nodes)
  for (const NodeInfo& i : topology.nodes)
    if (next->nodes.count(i.ip)) info[i.ip] = &i;
  std::vector<TokenRing::Node> ring_nodes;
  std::vector<std::vector<int64_t>> tokens;
  for (const auto& [ip, i] : info) {
    ring_nodes.push_back({ip, i->datacenter, i->rack});
    tokens.push_back(i->tokens);
  }
  next->ring = std::make_shared<const TokenRing>(std::move(ring_nodes), tokens);
  next->keyspaces = topology.keyspaces ? *topology.keyspaces : prev->keyspaces;
  if (!prev->local_dc.empty()) next->local_dc = prev->local_dc;
  else if (!configured_local_dc.empty()) next->local_dc = configured_local_dc;
  else if (!topology.nodes.empty()) next->local_dc = topology.nodes[0].datacenter;
  next->Derive();

  current_.store(std::move(next), std::memory_order_release);
  for (auto& h : change.removed) h->removed = true;
  return change;
}

}  // namespace cql
