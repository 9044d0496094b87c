// cql::Session: the client's front object. Connects to a Cassandra cluster
// over native protocol v4, discovers its nodes, keeps pool_size connections
// per node, routes each request (token-aware when the partition key is
// bound, otherwise datacenter-aware round robin), retries idempotent
// requests on the next host, re-prepares transparently, and reconnects with
// exponential backoff.
//
// Thread safety: every method may be called from any thread concurrently.
// Callbacks of the *_async methods run on the session's I/O thread: they
// must not block and must not call the blocking methods (deadlock); they may
// call other *_async methods. Futures may be waited on from any thread
// other than the I/O thread.
//
// Errors: async methods deliver Result<T> (an Error tagged retryable or
// fatal, with server code, message and host). Blocking methods return the
// value or throw CqlError carrying the same Error. When no host can serve a
// request the error is kNoHostAvailable and its message lists every host
// tried and why it failed.
//
// Client timestamps: every write carries one client timestamp (µs since the
// epoch) chosen once per logical request — the caller's
// StatementOptions::timestamp_us, or else one generated at submission — so a
// retry on another host is byte-identical to the first attempt.
//
// Example:
//   auto session = cql::Session::Connect({.contact_points = {"127.0.0.1"}});
//   auto insert = session->Prepare("INSERT INTO ks.t (k, v) VALUES (?, ?)");
//   session->Execute(insert, {cql::Value::Int(1), cql::Value::Text("a")},
//                    {.consistency = cql::Consistency::kQuorum, .idempotent = true});
//   for (cql::Row row : session->Query("SELECT k, v FROM ks.t")) { ... }
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cql/consistency.h"
#include "cql/errors.h"
#include "cql/latency.h"
#include "cql/result.h"
#include "cql/row_writer.h"
#include "cql/statement.h"
#include "cql/types.h"
#include "cql/value.h"

namespace cql {

// TLS to the nodes (Cassandra's client_encryption_options). Verification is
// always on: the node's certificate must chain to ca_file, and with
// verify_hostname it must also name the address the client connects to (an IP
// SAN: nodes are reached at the addresses they advertise in system.peers).
struct TlsOptions {
  bool enabled = false;
  std::string ca_file{};    // PEM CA certificate(s) the nodes' certificates chain to; empty: the system's CAs
  std::string cert_file{};  // PEM client certificate (chain) for mutual TLS; empty: none
  std::string key_file{};   // PEM private key of cert_file, unencrypted; set with cert_file
  bool verify_hostname = true;  // the certificate must name the node's address
};

struct SessionOptions {
  std::vector<std::string> contact_points{"127.0.0.1"};  // IPv4/IPv6 literals or host names
  uint16_t port = 9042;
  int pool_size = 2;  // connections per host
  std::chrono::milliseconds connect_timeout{10'000};  // TCP connect + handshake, per connection
  std::chrono::milliseconds request_timeout{10'000};  // per attempt; default for statements
  // Total time a request may take across its attempts, retries and
  // re-prepares (each attempt's timeout is cut to what is left); 0 = none.
  std::chrono::milliseconds request_deadline{30'000};
  std::string username{};  // non-empty: PasswordAuthenticator (SASL PLAIN)
  std::string password{};  // never logged
  std::string local_datacenter{};  // empty: the datacenter of the first contact point that answers
  std::string keyspace{};        // optional: USE <keyspace> on every connection (a USE sent
                                 // through Query would change one pooled connection only)
  bool compression = false;      // LZ4 frame body compression
  bool token_aware = true;       // route to replicas when the routing key is known
  int max_retries = 2;           // extra attempts (on the next host) for retryable failures
  std::chrono::milliseconds heartbeat_interval{30'000};  // OPTIONS after this long idle; 0 = off
  std::chrono::milliseconds reconnect_base_delay{500};   // first reconnection delay, doubles
  std::chrono::milliseconds reconnect_max_delay{30'000}; // reconnection delay cap
  std::chrono::milliseconds schema_agreement_timeout{10'000};  // after DDL
  bool wait_for_schema_agreement = true;  // after each successful DDL statement
  int max_in_flight_per_connection = 2048;  // stream ids used per connection (≤ 32768)
  TlsOptions tls{};  // off by default; a file that cannot be loaded fails Connect (kInvalidArgument)
  // Prepared statements the session remembers by query text (least recently
  // used evicted first; an evicted one is prepared again by the next
  // Prepare() of its query). At least 1.
  int prepared_cache_size = 1000;
};

struct HostCounters {
  std::string address;     // "ip:port"
  std::string datacenter;
  std::string rack;
  bool up = false;
  int open_connections = 0;
  uint64_t requests_sent = 0;   // request frames written to this host (incl. retries)
  uint64_t errors = 0;          // attempts that ended in an error (server, timeout, socket)
  uint64_t timeouts = 0;        // attempts that timed out on the client
  // Over the currently open connections: frames queued and the socket writes
  // that carried them (frames / writes = how well writes are coalesced).
  uint64_t frames = 0;
  uint64_t socket_writes = 0;
};

struct SessionCounters {
  uint64_t requests = 0;     // logical requests submitted
  uint64_t completed = 0;    // logical requests that succeeded
  uint64_t failed = 0;       // logical requests that failed after every retry
  uint64_t retries = 0;      // extra attempts made
  uint64_t reprepares = 0;   // UNPREPARED answers handled
  uint64_t timeouts = 0;     // attempts that timed out
  uint64_t reconnects = 0;   // connections re-established after a failure
  uint64_t prepare_cache_hits = 0;  // Prepare() answered from the session's cache
  uint64_t prepared_cached = 0;     // statements in that cache now (≤ prepared_cache_size)
  uint64_t callback_exceptions = 0; // exceptions thrown by async callbacks (caught and logged)
  uint64_t in_flight = 0;    // requests currently awaiting a response
};

class Session;

// Pages through a statement's results, fetching each page when needed.
// Not thread-safe (one consumer). Blocking; throws CqlError.
class PageIterator {
 public:
  // Fetches the next page; false when there is none left.
  bool Next();
  const ResultSet& page() const { return page_; }
  // Calls fn(row) for every row of every remaining page.
  template <typename Fn>
  void ForEachRow(Fn&& fn) {
    while (Next()) for (Row r : page_) fn(r);
  }

 private:
  friend class Session;
  Session* session_ = nullptr;
  Prepared prepared_;
  std::string query_;
  std::vector<Value> values_;
  StatementOptions options_;
  ResultSet page_;
  bool started_ = false;
  bool done_ = false;
};

class Session {
 public:
  using Callback = std::function<void(Result<ResultSet>)>;
  using PrepareCallback = std::function<void(Result<Prepared>)>;

  // Connects to the first contact point that answers, discovers the cluster
  // (system.local, system.peers_v2 or system.peers), opens the pools and
  // subscribes to server events. Throws CqlError (kNoHostAvailable listing
  // every contact point and why; kAuth on refused credentials).
  static std::unique_ptr<Session> Connect(const SessionOptions& options);
  // Closes every connection and joins the I/O thread; pending requests fail
  // with kShutdown. Must not run on the I/O thread (inside a callback).
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Blocking API: results or CqlError.
  // Prepare answers from the session's cache when the same query text was
  // prepared before (the cache is cleared on every schema change).
  Prepared Prepare(const std::string& query);
  ResultSet Execute(const Prepared& p, std::vector<Value> values = {},
                    const StatementOptions& options = {});
  ResultSet Query(const std::string& query, std::vector<Value> values = {},
                  const StatementOptions& options = {});
  ResultSet ExecuteBatch(const Batch& batch, const StatementOptions& options = {});

  // Async API.
  void PrepareAsync(const std::string& query, PrepareCallback cb);
  std::future<Result<Prepared>> PrepareAsync(const std::string& query);
  void ExecuteAsync(const Prepared& p, std::vector<Value> values, const StatementOptions& options,
                    Callback cb);
  std::future<Result<ResultSet>> ExecuteAsync(const Prepared& p, std::vector<Value> values,
                                              const StatementOptions& options = {});
  // Execute with values a RowWriter wrote (row_writer.h): no Value per column.
  void ExecuteRowAsync(const Prepared& p, EncodedValues values, const StatementOptions& options, Callback cb);
  std::future<Result<ResultSet>> ExecuteRowAsync(const Prepared& p, EncodedValues values,
                                                 const StatementOptions& options = {});
  void QueryAsync(const std::string& query, std::vector<Value> values,
                  const StatementOptions& options, Callback cb);
  std::future<Result<ResultSet>> QueryAsync(const std::string& query, std::vector<Value> values = {},
                                            const StatementOptions& options = {});
  // A batch given as an rvalue is moved into the request, not copied.
  void ExecuteBatchAsync(const Batch& batch, const StatementOptions& options, Callback cb);
  void ExecuteBatchAsync(Batch&& batch, const StatementOptions& options, Callback cb);
  std::future<Result<ResultSet>> ExecuteBatchAsync(const Batch& batch,
                                                   const StatementOptions& options = {});
  std::future<Result<ResultSet>> ExecuteBatchAsync(Batch&& batch, const StatementOptions& options = {});

  // Iterates over every page of a statement (options.page_size rows each).
  PageIterator Pages(const Prepared& p, std::vector<Value> values = {},
                     const StatementOptions& options = {});
  PageIterator Pages(const std::string& query, std::vector<Value> values = {},
                     const StatementOptions& options = {});

  // Waits until every live node reports the same schema version; false on
  // timeout (default: SessionOptions::schema_agreement_timeout).
  bool WaitForSchemaAgreement(std::optional<std::chrono::milliseconds> timeout = {});

  // Snapshot of per-host and session-wide counters.
  std::vector<HostCounters> host_counters() const;
  SessionCounters counters() const;
  // Latency of the requests that succeeded (PREPARE aside), from submission
  // to the answer, retries included; since the session opened. Subtract an
  // earlier snapshot for a phase: request_latency().Since(before).
  LatencySnapshot request_latency() const;
  const SessionOptions& options() const;

  struct Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cql
