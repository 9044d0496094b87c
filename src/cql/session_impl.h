// Internal: Session::Impl, the state behind cql::Session. Split from
// session.cc so the pieces (hosts and pools, control connection, request
// execution) read one at a time. Not part of the public API.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <asio.hpp>

#include "cql/connection.h"
#include "cql/session.h"
#include "cql/token_ring.h"

namespace cql {

// One node: its pool of connections and counters.
struct Host {
  std::string ip;       // address text
  std::string address;  // "ip:port"
  asio::ip::tcp::endpoint endpoint;
  std::string datacenter;
  std::string rack;
  std::vector<int64_t> tokens;

  std::atomic<bool> up{true};
  std::atomic<bool> removed{false};
  std::atomic<int> consecutive_timeouts{0};
  // steady_clock ticks until which the host is tried last (after timeouts).
  std::atomic<int64_t> suspect_until{0};
  std::atomic<uint64_t> requests_sent{0};
  std::atomic<uint64_t> errors{0};
  std::atomic<uint64_t> timeouts{0};

  // Guarded by mu: conns, next_conn, filling, first_fill_done, reconnect_attempts, last_error.
  std::mutex mu;
  std::vector<std::shared_ptr<Connection>> conns;
  size_t next_conn = 0;
  bool filling = false;
  bool first_fill_done = false;
  int reconnect_attempts = 0;
  std::string last_error;
  std::unique_ptr<asio::steady_timer> reconnect_timer;  // io thread only

  // The open connection with the fewest requests in flight, or null.
  std::shared_ptr<Connection> PickConnection();
  int OpenConnections();
};

using HostPtr = std::shared_ptr<Host>;

struct RequestState;

struct Session::Impl {
  explicit Impl(const SessionOptions& o);
  ~Impl();

  SessionOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread io_thread;
  std::atomic<bool> shutting_down{false};
  std::string local_dc;

  // Guarded by mu: hosts, ring, keyspaces, control, control_host, prepared_cache.
  mutable std::mutex mu;
  std::map<std::string, HostPtr> hosts;  // by ip
  std::shared_ptr<const TokenRing> ring;
  std::map<std::string, Replication> keyspaces;
  std::shared_ptr<Connection> control;
  HostPtr control_host;
  // Prepared statements by query text; cleared on every schema change so a
  // statement is re-prepared (fresh bind metadata) after DDL.
  std::map<std::string, Prepared> prepared_cache;

  std::atomic<uint64_t> rr{0};
  std::atomic<uint64_t> n_prepare_cache_hits{0};
  std::atomic<uint64_t> n_requests{0}, n_completed{0}, n_failed{0}, n_retries{0}, n_reprepares{0},
      n_timeouts{0}, n_reconnects{0};
  std::atomic<int> control_attempts{0};
  std::atomic<bool> pools_started{false};
  std::atomic<int64_t> last_timestamp{0};
  std::unique_ptr<asio::steady_timer> control_timer;  // io thread only

  // The admin thread runs blocking maintenance (topology refresh, control
  // reconnection, schema agreement) so the io thread never blocks.
  std::thread admin_thread;
  std::mutex admin_mu;  // guards admin_tasks, admin_stop
  std::condition_variable admin_cv;
  std::deque<std::function<void()>> admin_tasks;
  bool admin_stop = false;
  void AdminPost(std::function<void()> task);
  void AdminLoop();

  ConnectionOptions ConnOptions() const;

  // Discovery and pools (session.cc). *Blocking: never on the io thread.
  void ConnectBlocking();
  Result<std::shared_ptr<Connection>> OpenBlocking(const asio::ip::tcp::endpoint& ep);
  Result<Ok> RefreshTopology(const std::shared_ptr<Connection>& c);
  Result<Ok> OpenControl(const std::vector<asio::ip::tcp::endpoint>& candidates, std::vector<std::string>& failures);
  void ReopenControl();
  void RefreshTopologyAsync();
  void OnEvent(const EventMessage& ev);
  void FillPool(const HostPtr& h);
  void ScheduleReconnect(const HostPtr& h);
  void OnConnectionClosed(const HostPtr& h, const std::shared_ptr<Connection>& c, const Error& e);
  std::vector<HostPtr> QueryPlan(const std::string& keyspace, const std::optional<std::string>& routing_key);
  std::vector<HostPtr> HostList() const;

  // Request execution (request.cc).
  void Submit(std::shared_ptr<RequestState> st);
  void Attempt(std::shared_ptr<RequestState> st);
  void OnResponse(std::shared_ptr<RequestState> st, HostPtr host, std::shared_ptr<Connection> conn,
                  Result<Response> r);
  void Reprepare(std::shared_ptr<RequestState> st, HostPtr host, std::shared_ptr<Connection> conn,
                 const std::string& id);
  void Finish(std::shared_ptr<RequestState> st, Result<ResultSet> r);
  void ClearPreparedCache();
  bool WaitSchemaAgreementBlocking(std::chrono::milliseconds timeout);
  int64_t NextTimestamp();
  static bool msg_is_keyspace_change(const ResultSet& rs);
};

}  // namespace cql
