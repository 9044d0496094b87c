// Session::Impl: the parts behind cql::Session, each in its own file:
//
//   io thread      runs every socket, timer and async callback (asio)
//   AdminQueue     admin_queue.h: the thread for blocking maintenance
//   ClusterState   cluster_state.h: hosts, ring, keyspaces; an immutable
//                  snapshot swapped atomically, read by requests lock-free
//   Pools          pools.h: pool_size connections per host, refilled with backoff
//   ControlConnection  control_connection.h: discovery, events, schema agreement
//   LoadBalancingPolicy  load_balancing.h: the query plan of each request
//   PreparedCache  prepared_cache.h: Prepare() answered without a round trip
//   request execution  request.cc: attempts, retries, re-prepare
//
// Not part of the public API.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <thread>

#include <asio.hpp>

#include "cql/admin_queue.h"
#include "cql/cluster_state.h"
#include "cql/latency.h"
#include "cql/control_connection.h"
#include "cql/load_balancing.h"
#include "cql/pools.h"
#include "cql/prepared_cache.h"
#include "cql/session.h"

namespace cql {

struct RequestState;

// Session-wide counters (SessionCounters), bumped lock-free from any thread.
struct RequestCounters {
  std::atomic<uint64_t> requests{0}, completed{0}, failed{0}, retries{0}, reprepares{0}, timeouts{0},
      prepare_cache_hits{0}, callback_exceptions{0};
};

struct Session::Impl {
  explicit Impl(const SessionOptions& o);
  ~Impl();

  // Declaration order is construction order: the io_context outlives
  // everything that holds handlers or timers on it.
  const SessionOptions options;
  std::atomic<bool> shutting_down{false};
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  ClusterStateCell state;
  std::shared_ptr<asio::ssl::context> tls_context;  // null when TLS is off; shared by every connection
  Pools pools;
  AdminQueue admin;
  ControlConnection control;
  std::unique_ptr<LoadBalancingPolicy> policy;
  PreparedCache prepared_cache;
  RequestCounters counters;
  LatencyHistogram latency;  // successful requests, submission to completion (retries included)
  std::atomic<int64_t> last_timestamp{0};  // client timestamps: strictly increasing
  std::thread io_thread;                   // last: started once the parts exist

  // Connecting (session.cc). Blocking: never on the io thread.
  void ConnectBlocking();
  // Throws CqlError (kInvalidArgument) when local_datacenter is set and no
  // discovered node is in it, naming the datacenters seen.
  void CheckLocalDatacenter();
  // Publishes a topology read by the control connection: pools for new hosts, none for the departed.
  void ApplyTopology(const Topology& t);

  // Request execution (request.cc).
  void Submit(std::shared_ptr<RequestState> st);
  void Attempt(std::shared_ptr<RequestState> st);
  // host: of st->plan (st->cluster owns it).
  void OnResponse(std::shared_ptr<RequestState> st, Host* host, std::shared_ptr<Connection> conn,
                  Result<Response>&& r);
  void Reprepare(std::shared_ptr<RequestState> st, Host* host, std::shared_ptr<Connection> conn,
                 const std::string& id);
  // UNPREPARED answered and the re-prepare gave a new id: the request is
  // re-encoded with it (EXECUTE, or each BATCH entry that used old_id).
  std::optional<Error> UseNewStatementId(RequestState& st, const std::string& old_id, const PreparedStatement& fresh);
  // r by reference: a result is moved only into the callback.
  void Finish(std::shared_ptr<RequestState> st, Result<ResultSet>&& r);
  // Sends st's body (shared_body when set) on c, at now.
  bool SendBody(const std::shared_ptr<RequestState>& st, Connection& c, std::chrono::steady_clock::time_point now,
                Connection::ResponseHandler&& handler);
  // Finish, on the io thread: at once when already on it, else posted.
  void FinishSoon(std::shared_ptr<RequestState> st, Error e);
  int64_t NextTimestamp();
  bool OnIoThread() const { return std::this_thread::get_id() == io_thread.get_id(); }
  // Throws CqlError when called on the io thread: `call` would wait for an
  // answer only that thread can deliver.
  void CheckNotIoThread(const char* call) const;
  // Runs a user callback on the io thread. What it throws is caught, logged
  // and counted: one faulty callback must not end the thread serving every
  // other request. A template: no std::function around every completion.
  template <typename Fn>
  void RunCallback(Fn&& fn) noexcept {
    try {
      fn();
    } catch (const std::exception& e) {
      CallbackThrew(e.what());
    } catch (...) {
      CallbackThrew(nullptr);
    }
  }
  // Logs and counts what a callback threw (what: its what(), or null).
  void CallbackThrew(const char* what) noexcept;
};

}  // namespace cql
