// Host: one node as the session uses it: its address, whether it is up or
// suspect, its counters, and its pool of open connections. Where the node
// sits in the cluster (datacenter, rack, tokens) is ClusterState's, not
// the host's: it changes only with a new snapshot.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <asio.hpp>

#include "cql/connection.h"

namespace cql {

// The connections open to one node. Filled and refilled by Pools (pools.h).
struct HostPool {
  // Guarded by mu: every field but reconnect_timer.
  std::mutex mu;
  std::vector<std::shared_ptr<Connection>> conns;
  size_t next_conn = 0;        // where the next pick starts (ties go round robin)
  bool filling = false;        // a fill is under way
  bool first_fill_done = false;
  int reconnect_attempts = 0;  // failed fills since the last good one: the backoff exponent
  std::string last_error;
  std::unique_ptr<asio::steady_timer> reconnect_timer;  // io thread only
};

struct Host {
  Host(std::string ip_text, const asio::ip::tcp::endpoint& ep)
      : ip(std::move(ip_text)),
        address(ip + ":" + std::to_string(ep.port())),
        shared_address(std::make_shared<const std::string>(address)),
        endpoint(ep) {}

  const std::string ip;       // address text
  const std::string address;  // "ip:port"
  const std::shared_ptr<const std::string> shared_address;  // the same, for each ResultSet::host()
  const asio::ip::tcp::endpoint endpoint;

  std::atomic<bool> up{true};
  std::atomic<bool> removed{false};  // left the cluster: its pool is not refilled
  std::atomic<int> consecutive_timeouts{0};
  // steady_clock ticks until which the host is tried last (after timeouts).
  std::atomic<int64_t> suspect_until{0};
  std::atomic<uint64_t> requests_sent{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> timeouts{0};

  HostPool pool;

  // Up and not suspect at steady_clock tick now.
  bool healthy(int64_t now) const { return up && suspect_until.load() <= now; }
  // The open connection with the fewest requests in flight, or null.
  std::shared_ptr<Connection> PickConnection();
  int OpenConnections();
};

using HostPtr = std::shared_ptr<Host>;

}  // namespace cql
