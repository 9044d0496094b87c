#include "cql/host.h"

namespace cql {

std::shared_ptr<Connection> Host::PickConnection() {
  std::lock_guard<std::mutex> lock(pool.mu);
  std::shared_ptr<Connection> best;
  // Fewest in flight; ties go round robin (the scan starts one further each time).
  size_t start = pool.next_conn++;
  for (size_t i = 0; i < pool.conns.size(); ++i) {
    const auto& c = pool.conns[(start + i) % pool.conns.size()];
    if (!c->is_open()) continue;
    if (!best || c->in_flight() < best->in_flight()) best = c;
  }
  return best;
}

int Host::OpenConnections() {
  std::lock_guard<std::mutex> lock(pool.mu);
  int n = 0;
  for (const auto& c : pool.conns) n += c->is_open();
  return n;
}

}  // namespace cql
