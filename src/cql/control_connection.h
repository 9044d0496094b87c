// ControlConnection: the one connection the session keeps for itself. It
// reads the topology (topology.h) and hands it to the session to publish,
// receives the server's events (REGISTER for TOPOLOGY_CHANGE,
// STATUS_CHANGE, SCHEMA_CHANGE), is re-opened on another node with backoff
// when it dies, and waits for schema agreement after DDL. Its blocking
// methods run on the admin thread (or the connecting caller's), never on
// the io thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <asio.hpp>

#include "cql/admin_queue.h"
#include "cql/cluster_state.h"
#include "cql/connection.h"
#include "cql/session.h"
#include "cql/topology.h"

namespace cql {

class ControlConnection {
 public:
  // What the control connection tells the session.
  struct Listener {
    std::function<void(const Topology&)> on_topology;  // read from the system tables: publish it
    std::function<void(const HostPtr&)> on_host_up;    // STATUS_CHANGE UP for a known host
    std::function<void()> on_schema_change;            // SCHEMA_CHANGE of any kind
  };

  ControlConnection(asio::io_context& io, const SessionOptions& options, ConnectionOptions connection_options,
                    AdminQueue& admin, const ClusterStateCell& state, const std::atomic<bool>& shutting_down,
                    Listener listener);

  // Blocking: the first candidate that connects, answers the topology
  // queries and accepts REGISTER becomes the control connection. Each
  // failure is appended to failures ("ip:port: why"); refused credentials
  // stop at once (kAuth).
  Result<Ok> Open(const std::vector<asio::ip::tcp::endpoint>& candidates, std::vector<std::string>& failures);
  // Blocking: re-reads the topology on the current control connection.
  void Refresh();
  // Blocking: until every live host reports the same schema version in its
  // own system.local (asked on its pool connection: one node's system.peers
  // lags behind gossip); false on timeout (or shutdown), with why set to
  // the versions seen and by whom.
  bool WaitForSchemaAgreement(std::chrono::milliseconds timeout, std::string* why = nullptr);

  std::shared_ptr<Connection> connection() const;
  void CancelReopenTimer();  // io thread (shutdown)

 private:
  void Reopen();
  void OnEvent(const EventMessage& ev);

  asio::io_context& io_;
  const SessionOptions& options_;
  const ConnectionOptions connection_options_;  // without keyspace: USE applies to pools only
  AdminQueue& admin_;
  const ClusterStateCell& state_;
  const std::atomic<bool>& shutting_down_;
  const Listener listener_;

  mutable std::mutex mu_;  // guards conn_
  std::shared_ptr<Connection> conn_;
  std::atomic<int> reopen_attempts_{0};
  std::unique_ptr<asio::steady_timer> reopen_timer_;  // io thread only
};

}  // namespace cql
