// Pools: opens and keeps SessionOptions::pool_size connections to each host.
// Fills run on the io thread. A fill that fails, or a connection that dies,
// schedules a refill with exponential backoff (reconnect_base_delay doubling
// up to reconnect_max_delay, ±20 % jitter); a host with no open connection
// is marked down until a fill succeeds.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <asio.hpp>

#include "cql/connection.h"
#include "cql/host.h"
#include "cql/session.h"

namespace cql {

class Pools {
 public:
  // tls: the session's TLS context, null when TLS is off.
  Pools(asio::io_context& io, const SessionOptions& options, std::shared_ptr<asio::ssl::context> tls,
        const std::atomic<bool>& shutting_down)
      : io_(io), options_(options), tls_(std::move(tls)), shutting_down_(shutting_down) {}

  // What every connection of the session is opened with.
  ConnectionOptions connection_options() const;

  // Opens the missing connections of h (no-op while a fill is under way).
  void Fill(const HostPtr& h);
  // The server says h is up: forget the backoff and fill at once.
  void OnHostUp(const HostPtr& h);
  // Closes every connection of a host that left the cluster.
  void CloseAll(const HostPtr& h, const Error& reason);
  // Blocking: until every host's first fill is done or the deadline passes.
  void WaitFirstFill(const std::vector<HostPtr>& hosts, std::chrono::steady_clock::time_point deadline);
  // io thread: cancels the host's pending refill (shutdown).
  static void CancelRefill(const HostPtr& h);

  uint64_t reconnects() const { return reconnects_; }
  // Set once the session has connected: hosts discovered later get pools at once.
  std::atomic<bool> started{false};

 private:
  void ScheduleRefill(const HostPtr& h);
  void OnConnectionClosed(const HostPtr& h, const std::shared_ptr<Connection>& c, const Error& e);

  asio::io_context& io_;
  const SessionOptions& options_;
  const std::shared_ptr<asio::ssl::context> tls_;
  const std::atomic<bool>& shutting_down_;
  std::atomic<uint64_t> reconnects_{0};  // pools filled again after a failure
};

}  // namespace cql
