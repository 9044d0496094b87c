// Session: lifecycle (connect, shut down) and counters. The parts it wires
// together are described in session_impl.h; the request API is in
// session_requests.cc, request execution in request.cc.
#include "cql/session.h"

#include <algorithm>
#include <future>
#include <map>

#include "cql/session_impl.h"
#include "cql/tls.h"

namespace cql {

// --- Impl: lifecycle ---------------------------------------------------------

namespace {

// The TLS context of the options, or null when TLS is off; throws CqlError
// (kInvalidArgument) when a file cannot be loaded.
std::shared_ptr<asio::ssl::context> TlsContextOrThrow(const TlsOptions& tls) {
  if (!tls.enabled) return nullptr;
  return MakeTlsContext(tls).value_or_throw();
}

}  // namespace

Session::Impl::Impl(const SessionOptions& o)
    : options(o),
      work(asio::make_work_guard(io)),
      tls_context(TlsContextOrThrow(o.tls)),
      pools(io, options, tls_context, shutting_down),
      control(io, options, pools.connection_options(), admin, state, shutting_down,
              ControlConnection::Listener{
                  .on_topology = [this](const Topology& t) { ApplyTopology(t); },
                  .on_host_up = [this](const HostPtr& h) { pools.OnHostUp(h); },
                  .on_schema_change = [this] { prepared_cache.Clear(); },
              }),
      policy(std::make_unique<DcAwareTokenAwarePolicy>(o.token_aware)),
      prepared_cache(static_cast<size_t>(std::max(1, o.prepared_cache_size))) {
  io_thread = std::thread([this] { io.run(); });
}

Session::Impl::~Impl() {
  shutting_down = true;
  admin.Stop();
  Error bye = MakeError(ErrorKind::kShutdown, "session closed");
  std::vector<std::shared_ptr<Connection>> all;
  if (auto c = control.connection()) all.push_back(c);
  ClusterStatePtr last = state.Load();
  for (const auto& [ip, n] : last->nodes) {
    std::lock_guard<std::mutex> hl(n.host->pool.mu);
    for (auto& c : n.host->pool.conns) all.push_back(c);
  }
  std::promise<void> closed;
  asio::post(io, [&] {
    for (auto& c : all) c->Close(bye);
    asio::post(io, [&] {
      for (const auto& [ip, n] : last->nodes) Pools::CancelRefill(n.host);
      control.CancelReopenTimer();
      closed.set_value();
    });
  });
  closed.get_future().wait();
  work.reset();
  io.stop();
  if (io_thread.joinable()) io_thread.join();
}

// --- Connecting --------------------------------------------------------------

void Session::Impl::ApplyTopology(const Topology& t) {
  ClusterStateCell::Change change = state.Apply(t, options.local_datacenter);
  if (pools.started)
    for (auto& h : change.added) pools.Fill(h);
  for (auto& h : change.removed)
    pools.CloseAll(h, MakeError(ErrorKind::kConnection, "node left the cluster", h->address, true));
}

void Session::Impl::ConnectBlocking() {
  std::vector<std::string> failures;
  std::vector<asio::ip::tcp::endpoint> candidates;
  asio::ip::tcp::resolver resolver(io);
  for (const auto& cp : options.contact_points) {
    asio::error_code ec;
    auto results = resolver.resolve(cp, std::to_string(options.port), ec);
    if (ec || results.empty()) {
      failures.push_back(cp + ": cannot resolve: " + ec.message());
      continue;
    }
    candidates.push_back(results.begin()->endpoint());
  }
  auto r = control.Open(candidates, failures);
  if (!r.ok()) {
    if (r.error().kind == ErrorKind::kAuth) throw CqlError(r.error());
    std::string msg = "cannot connect to any contact point:";
    for (const auto& f : failures) msg += "\n  " + f;
    throw CqlError(MakeError(ErrorKind::kNoHostAvailable, msg));
  }
  CheckLocalDatacenter();
  pools.started = true;
  auto hosts = state.Load()->Hosts();
  for (auto& h : hosts) pools.Fill(h);
  // Wait until every pool has finished its first fill (success or failure).
  pools.WaitFirstFill(hosts, std::chrono::steady_clock::now() + options.connect_timeout + std::chrono::milliseconds(500));
  std::string why;
  int usable = 0;
  for (auto& h : hosts) {
    usable += h->OpenConnections() > 0;
    std::lock_guard<std::mutex> lock(h->pool.mu);
    if (!h->pool.last_error.empty()) why += "\n  " + h->address + ": " + h->pool.last_error;
  }
  if (usable == 0) throw CqlError(MakeError(ErrorKind::kNoHostAvailable, "no host accepted a pool connection:" + why));
}

void Session::Impl::CheckLocalDatacenter() {
  if (options.local_datacenter.empty()) return;
  std::map<std::string, int> seen;  // datacenter → nodes
  for (const auto& [ip, n] : state.Load()->nodes) ++seen[n.datacenter];
  if (seen.count(options.local_datacenter)) return;
  std::string list;
  for (const auto& [dc, count] : seen)
    list += (list.empty() ? "" : ", ") + dc + " (" + std::to_string(count) + (count == 1 ? " node)" : " nodes)");
  throw CqlError(MakeError(ErrorKind::kInvalidArgument,
                           "local_datacenter \"" + options.local_datacenter +
                               "\" is not the datacenter of any node; datacenters seen: " +
                               (list.empty() ? "none" : list)));
}

// --- Public Session ------------------------------------------------------------

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

std::unique_ptr<Session> Session::Connect(const SessionOptions& options) {
  if (options.prepared_cache_size < 1)
    throw CqlError(MakeError(ErrorKind::kInvalidArgument,
                             "prepared_cache_size must be at least 1, got " + std::to_string(options.prepared_cache_size)));
  auto impl = std::make_unique<Impl>(options);
  impl->ConnectBlocking();
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

const SessionOptions& Session::options() const { return impl_->options; }

void Session::Impl::CheckNotIoThread(const char* call) const {
  if (OnIoThread())
    throw CqlError(MakeError(ErrorKind::kInvalidArgument, std::string("blocking cql::Session::") + call +
                                                              " from a callback (the I/O thread) would deadlock"));
}

bool Session::WaitForSchemaAgreement(std::optional<std::chrono::milliseconds> timeout) {
  impl_->CheckNotIoThread("WaitForSchemaAgreement");
  return impl_->control.WaitForSchemaAgreement(timeout.value_or(impl_->options.schema_agreement_timeout));
}

std::vector<HostCounters> Session::host_counters() const {
  std::vector<HostCounters> out;
  ClusterStatePtr state = impl_->state.Load();
  for (const auto& [ip, n] : state->nodes) {
    const HostPtr& h = n.host;
    if (h->removed) continue;
    HostCounters c;
    c.address = h->address;
    c.datacenter = n.datacenter;
    c.rack = n.rack;
    c.up = h->up;
    c.open_connections = h->OpenConnections();
    c.requests_sent = h->requests_sent;
    c.errors = h->errors;
    c.timeouts = h->timeouts;
    {
      std::lock_guard<std::mutex> lock(h->pool.mu);
      for (const auto& conn : h->pool.conns) {
        c.frames += conn->frames_queued();
        c.socket_writes += conn->socket_writes();
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

SessionCounters Session::counters() const {
  const RequestCounters& n = impl_->counters;
  SessionCounters c;
  c.requests = n.requests;
  c.completed = n.completed;
  c.failed = n.failed;
  c.retries = n.retries;
  c.reprepares = n.reprepares;
  c.timeouts = n.timeouts;
  c.reconnects = impl_->pools.reconnects();
  c.prepare_cache_hits = n.prepare_cache_hits;
  c.prepared_cached = impl_->prepared_cache.size();
  c.callback_exceptions = n.callback_exceptions;
  for (const auto& h : impl_->state.Load()->Hosts()) {
    std::lock_guard<std::mutex> lock(h->pool.mu);
    for (auto& conn : h->pool.conns) c.in_flight += static_cast<uint64_t>(conn->in_flight());
  }
  return c;
}

LatencySnapshot Session::request_latency() const { return impl_->latency.Snapshot(); }

}  // namespace cql
