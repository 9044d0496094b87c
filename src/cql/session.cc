// Session: connection to the cluster, discovery, pools, events, routing.
// Request execution lives in request.cc.
#include "cql/session.h"

#include <algorithm>
#include <random>
#include <set>

#include "cql/coding.h"
#include "cql/request.h"
#include "cql/result_builder.h"
#include "cql/session_impl.h"
#include "cql/value_codec.h"

namespace cql {

namespace {

std::optional<std::string> TextCell(const Row& row, const char* column) {
  try {
    Value v = row.get_value(column);
    if (v.is_null()) return std::nullopt;
    if (v.kind() == Value::Kind::kInet) return InetToString(v.as_bytes());
    if (v.kind() == Value::Kind::kText || v.kind() == Value::Kind::kAscii) return v.as_bytes();
    if (v.kind() == Value::Kind::kUuid || v.kind() == Value::Kind::kTimeuuid) return v.as_uuid().ToString();
  } catch (const CqlError&) {
  }
  return std::nullopt;
}

std::vector<int64_t> TokensCell(const Row& row) {
  std::vector<int64_t> out;
  try {
    Value v = row.get_value("tokens");
    if (v.is_null()) return out;
    for (const Value& t : v.items()) {
      try {
        out.push_back(std::stoll(t.as_bytes()));
      } catch (...) {
      }
    }
  } catch (const CqlError&) {
  }
  return out;
}

// Sends one request on a connection and waits (never call on the io thread).
Result<Response> SendBlocking(Connection& c, Opcode op, const std::string& body, std::chrono::milliseconds timeout) {
  auto p = std::make_shared<std::promise<Result<Response>>>();
  auto f = p->get_future();
  if (!c.Send(op, body, timeout, [p](Result<Response> r) { p->set_value(std::move(r)); }))
    return MakeError(ErrorKind::kConnection, "connection closed", c.address(), true);
  return f.get();
}

Result<ResultSet> ToResultSet(Result<Response> r, const std::string& host) {
  if (!r.ok()) return r.error();
  const Response& resp = r.value();
  if (resp.header.opcode == Opcode::kError) {
    ErrorMessage m;
    if (!DecodeError(resp.view(), m)) return MakeError(ErrorKind::kProtocol, "malformed ERROR", host);
    return ToError(m, host);
  }
  if (resp.header.opcode != Opcode::kResult) return MakeError(ErrorKind::kProtocol, "expected RESULT", host);
  ResultMessage msg;
  if (!DecodeResult(resp.body, resp.offset, msg)) return MakeError(ErrorKind::kProtocol, "malformed RESULT", host);
  ResultSetBuilder::SetHost(msg.rows, host);
  return std::move(msg.rows);
}

Result<ResultSet> QueryBlocking(Connection& c, const std::string& q, std::chrono::milliseconds timeout) {
  std::string body;
  StatementOptions o;
  o.page_size = 0;
  EncodeQuery(body, q, {}, o, std::nullopt);
  return ToResultSet(SendBlocking(c, Opcode::kQuery, body, timeout), c.address());
}

}  // namespace

// --- Host ------------------------------------------------------------------

std::shared_ptr<Connection> Host::PickConnection() {
  std::lock_guard<std::mutex> lock(mu);
  std::shared_ptr<Connection> best;
  // Fewest in flight; ties go round robin (the scan starts one further each time).
  size_t start = next_conn++;
  for (size_t i = 0; i < conns.size(); ++i) {
    const auto& c = conns[(start + i) % conns.size()];
    if (!c->is_open()) continue;
    if (!best || c->in_flight() < best->in_flight()) best = c;
  }
  return best;
}

int Host::OpenConnections() {
  std::lock_guard<std::mutex> lock(mu);
  int n = 0;
  for (const auto& c : conns) n += c->is_open();
  return n;
}

// --- Impl: lifecycle ---------------------------------------------------------

Session::Impl::Impl(const SessionOptions& o) : options(o), work(asio::make_work_guard(io)) {
  io_thread = std::thread([this] { io.run(); });
  admin_thread = std::thread([this] { AdminLoop(); });
}

Session::Impl::~Impl() {
  shutting_down = true;
  {
    std::lock_guard<std::mutex> lock(admin_mu);
    admin_stop = true;
  }
  admin_cv.notify_all();
  if (admin_thread.joinable()) admin_thread.join();
  Error bye = MakeError(ErrorKind::kShutdown, "session closed");
  std::vector<std::shared_ptr<Connection>> all;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (control) all.push_back(control);
    for (auto& [ip, h] : hosts) {
      std::lock_guard<std::mutex> hl(h->mu);
      for (auto& c : h->conns) all.push_back(c);
    }
  }
  std::promise<void> closed;
  asio::post(io, [&] {
    for (auto& c : all) c->Close(bye);
    asio::post(io, [&] {
      std::lock_guard<std::mutex> lock(mu);
      for (auto& [ip, h] : hosts)
        if (h->reconnect_timer) h->reconnect_timer->cancel();
      if (control_timer) control_timer->cancel();
      closed.set_value();
    });
  });
  closed.get_future().wait();
  work.reset();
  io.stop();
  if (io_thread.joinable()) io_thread.join();
}

void Session::Impl::AdminPost(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(admin_mu);
    admin_tasks.push_back(std::move(task));
  }
  admin_cv.notify_one();
}

void Session::Impl::AdminLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(admin_mu);
      admin_cv.wait(lock, [&] { return admin_stop || !admin_tasks.empty(); });
      if (admin_stop) return;
      task = std::move(admin_tasks.front());
      admin_tasks.pop_front();
    }
    task();
  }
}

ConnectionOptions Session::Impl::ConnOptions() const {
  ConnectionOptions c;
  c.connect_timeout = options.connect_timeout;
  c.heartbeat_interval = options.heartbeat_interval;
  c.compression = options.compression;
  c.username = options.username;
  c.password = options.password;
  c.keyspace = options.keyspace;
  c.max_streams = options.max_in_flight_per_connection;
  return c;
}

std::vector<HostPtr> Session::Impl::HostList() const {
  std::lock_guard<std::mutex> lock(mu);
  std::vector<HostPtr> out;
  for (const auto& [ip, h] : hosts)
    if (!h->removed) out.push_back(h);
  return out;
}

// --- Discovery ---------------------------------------------------------------

Result<std::shared_ptr<Connection>> Session::Impl::OpenBlocking(const asio::ip::tcp::endpoint& ep) {
  auto p = std::make_shared<std::promise<Result<std::shared_ptr<Connection>>>>();
  auto f = p->get_future();
  ConnectionOptions co = ConnOptions();
  co.keyspace.clear();
  Connection::Connect(io, ep, co, [p](Result<std::shared_ptr<Connection>> r) { p->set_value(std::move(r)); });
  return f.get();
}

Result<Ok> Session::Impl::RefreshTopology(const std::shared_ptr<Connection>& c) {
  auto timeout = options.request_timeout;
  auto local = QueryBlocking(*c, "SELECT data_center, rack, tokens FROM system.local WHERE key='local'", timeout);
  if (!local.ok()) return local.error();
  struct Info { std::string ip; uint16_t port; std::string dc, rack; std::vector<int64_t> tokens; };
  std::vector<Info> infos;
  std::string control_ip = c->address().substr(0, c->address().rfind(':'));
  if (!local.value().empty()) {
    Row r = local.value()[0];
    infos.push_back({control_ip, options.port, TextCell(r, "data_center").value_or(""),
                     TextCell(r, "rack").value_or(""), TokensCell(r)});
  }
  auto peers = QueryBlocking(
      *c, "SELECT peer, native_address, native_port, data_center, rack, tokens FROM system.peers_v2", timeout);
  bool v2 = peers.ok();
  if (!v2) peers = QueryBlocking(*c, "SELECT peer, rpc_address, data_center, rack, tokens FROM system.peers", timeout);
  if (!peers.ok()) return peers.error();
  for (Row r : peers.value()) {
    auto addr = TextCell(r, v2 ? "native_address" : "rpc_address");
    if (!addr || *addr == "0.0.0.0" || *addr == "::") addr = TextCell(r, "peer");
    if (!addr) continue;
    uint16_t port = options.port;
    if (v2) {
      if (auto p = r.get_int32("native_port")) port = static_cast<uint16_t>(*p);
    }
    infos.push_back({*addr, port, TextCell(r, "data_center").value_or(""), TextCell(r, "rack").value_or(""),
                     TokensCell(r)});
  }
  auto ks = QueryBlocking(*c, "SELECT keyspace_name, replication FROM system_schema.keyspaces", timeout);
  std::map<std::string, Replication> repl;
  if (ks.ok()) {
    for (Row r : ks.value()) {
      auto name = r.get_text("keyspace_name");
      Value m = r.get_value("replication");
      std::map<std::string, std::string> mm;
      if (m.kind() == Value::Kind::kMap)
        for (const auto& [k, v] : m.entries()) mm[k.as_bytes()] = v.as_bytes();
      if (name) repl[*name] = Replication::FromMap(mm);
    }
  }

  std::vector<HostPtr> added, removed;
  {
    std::lock_guard<std::mutex> lock(mu);
    std::map<std::string, HostPtr> next;
    for (const Info& i : infos) {
      HostPtr h;
      auto it = hosts.find(i.ip);
      if (it != hosts.end()) {
        h = it->second;
      } else {
        h = std::make_shared<Host>();
        h->ip = i.ip;
        asio::error_code ec;
        auto a = asio::ip::make_address(i.ip, ec);
        if (ec) continue;
        h->endpoint = asio::ip::tcp::endpoint(a, i.port);
        h->address = i.ip + ":" + std::to_string(i.port);
        added.push_back(h);
      }
      h->datacenter = i.dc;
      h->rack = i.rack;
      h->tokens = i.tokens;
      next[i.ip] = h;
    }
    for (auto& [ip, h] : hosts) {
      if (next.count(ip)) continue;
      h->removed = true;
      removed.push_back(h);
    }
    hosts = std::move(next);
    std::vector<TokenRing::Node> nodes;
    std::vector<std::vector<int64_t>> tokens;
    for (const auto& [ip, h] : hosts) {
      nodes.push_back({ip, h->datacenter, h->rack});
      tokens.push_back(h->tokens);
    }
    ring = std::make_shared<const TokenRing>(std::move(nodes), tokens);
    if (ks.ok()) keyspaces = std::move(repl);
    if (local_dc.empty() && !infos.empty()) local_dc = infos[0].dc;
  }
  if (pools_started)
    for (auto& h : added) FillPool(h);
  for (auto& h : removed) {
    std::lock_guard<std::mutex> lock(h->mu);
    for (auto& conn : h->conns) conn->Close(MakeError(ErrorKind::kConnection, "node left the cluster", h->address, true));
  }
  return Ok{};
}

Result<Ok> Session::Impl::OpenControl(const std::vector<asio::ip::tcp::endpoint>& candidates,
                                      std::vector<std::string>& failures) {
  for (const auto& ep : candidates) {
    if (shutting_down) break;
    auto r = OpenBlocking(ep);
    std::string addr = ep.address().to_string() + ":" + std::to_string(ep.port());
    if (!r.ok()) {
      if (r.error().kind == ErrorKind::kAuth) return r.error();
      failures.push_back(addr + ": " + r.error().to_string());
      continue;
    }
    auto c = r.value();
    auto topo = RefreshTopology(c);
    if (!topo.ok()) {
      failures.push_back(addr + ": topology query failed: " + topo.error().to_string());
      c->Close(MakeError(ErrorKind::kShutdown, "control connection replaced"));
      continue;
    }
    c->set_event_handler([this](const EventMessage& ev) { OnEvent(ev); });
    std::string body;
    EncodeRegister(body, {"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"});
    auto reg = SendBlocking(*c, Opcode::kRegister, body, options.request_timeout);
    if (!reg.ok() || reg.value().header.opcode != Opcode::kReady) {
      failures.push_back(addr + ": REGISTER failed");
      c->Close(MakeError(ErrorKind::kShutdown, "control connection replaced"));
      continue;
    }
    c->set_close_handler([this](const Error&) {
      if (shutting_down) return;
      AdminPost([this] { ReopenControl(); });
    });
    std::lock_guard<std::mutex> lock(mu);
    control = c;
    control_attempts = 0;
    return Ok{};
  }
  return MakeError(ErrorKind::kNoHostAvailable, "no control connection");
}

void Session::Impl::ReopenControl() {
  if (shutting_down) return;
  std::vector<asio::ip::tcp::endpoint> candidates;
  for (const auto& h : HostList())
    if (h->up) candidates.push_back(h->endpoint);
  for (const auto& h : HostList())
    if (!h->up) candidates.push_back(h->endpoint);
  std::vector<std::string> failures;
  if (OpenControl(candidates, failures).ok()) return;
  // Retry later with backoff, from the io thread's timer.
  int attempt = control_attempts++;
  auto delay = std::min(options.reconnect_max_delay, options.reconnect_base_delay * (1 << std::min(attempt, 16)));
  asio::post(io, [this, delay] {
    if (shutting_down) return;
    if (!control_timer) control_timer = std::make_unique<asio::steady_timer>(io);
    control_timer->expires_after(delay);
    control_timer->async_wait([this](const asio::error_code& ec) {
      if (!ec && !shutting_down) AdminPost([this] { ReopenControl(); });
    });
  });
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
  auto r = OpenControl(candidates, failures);
  if (!r.ok()) {
    if (r.error().kind == ErrorKind::kAuth) throw CqlError(r.error());
    std::string msg = "cannot connect to any contact point:";
    for (const auto& f : failures) msg += "\n  " + f;
    throw CqlError(MakeError(ErrorKind::kNoHostAvailable, msg));
  }
  if (!options.local_datacenter.empty()) {
    std::lock_guard<std::mutex> lock(mu);
    local_dc = options.local_datacenter;
  }
  pools_started = true;
  auto hs = HostList();
  for (auto& h : hs) FillPool(h);
  // Wait until every pool has finished its first fill (success or failure).
  auto deadline = std::chrono::steady_clock::now() + options.connect_timeout + std::chrono::milliseconds(500);
  for (;;) {
    bool busy = false;
    for (auto& h : hs) {
      std::lock_guard<std::mutex> lock(h->mu);
      busy |= h->filling || !h->first_fill_done;
    }
    if (!busy || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::string why;
  int usable = 0;
  for (auto& h : hs) {
    usable += h->OpenConnections() > 0;
    std::lock_guard<std::mutex> lock(h->mu);
    if (!h->last_error.empty()) why += "\n  " + h->address + ": " + h->last_error;
  }
  if (usable == 0) {
    Error e = MakeError(ErrorKind::kNoHostAvailable, "no host accepted a pool connection:" + why);
    throw CqlError(e);
  }
}

// --- Pools -------------------------------------------------------------------

void Session::Impl::FillPool(const HostPtr& h) {
  asio::post(io, [this, h] {
    if (shutting_down || h->removed) return;
    int need;
    {
      std::lock_guard<std::mutex> lock(h->mu);
      if (h->filling) return;
      int open = 0;
      for (auto& c : h->conns) open += c->is_open();
      need = options.pool_size - open;
      if (need <= 0) {
        h->first_fill_done = true;
        return;
      }
      h->filling = true;
    }
    auto remaining = std::make_shared<int>(need);
    auto failed = std::make_shared<int>(0);
    for (int i = 0; i < need; ++i) {
      Connection::Connect(io, h->endpoint, ConnOptions(), [this, h, remaining, failed](Result<std::shared_ptr<Connection>> r) {
        if (r.ok()) {
          auto c = r.value();
          if (shutting_down) {
            c->Close(MakeError(ErrorKind::kShutdown, "session closed"));
          } else {
            std::weak_ptr<Connection> weak = c;
            c->set_close_handler([this, h, weak](const Error& e) { OnConnectionClosed(h, weak.lock(), e); });
            std::lock_guard<std::mutex> lock(h->mu);
            h->conns.push_back(c);
          }
        } else {
          ++*failed;
          std::lock_guard<std::mutex> lock(h->mu);
          h->last_error = r.error().to_string();
        }
        if (--*remaining > 0) return;
        bool any_open;
        {
          std::lock_guard<std::mutex> lock(h->mu);
          h->filling = false;
          h->first_fill_done = true;
          h->conns.erase(std::remove_if(h->conns.begin(), h->conns.end(), [](auto& c) { return !c->is_open(); }),
                         h->conns.end());
          any_open = !h->conns.empty();
          if (*failed == 0) {
            if (h->reconnect_attempts > 0) ++n_reconnects;
            h->reconnect_attempts = 0;
            h->last_error.clear();
          }
        }
        if (any_open) {
          h->up = true;
          h->consecutive_timeouts = 0;
        } else {
          h->up = false;
        }
        if (*failed > 0) ScheduleReconnect(h);
      });
    }
  });
}

void Session::Impl::ScheduleReconnect(const HostPtr& h) {
  asio::post(io, [this, h] {
    if (shutting_down || h->removed) return;
    int attempt;
    {
      std::lock_guard<std::mutex> lock(h->mu);
      attempt = h->reconnect_attempts++;
    }
    auto delay = std::min(options.reconnect_max_delay, options.reconnect_base_delay * (1 << std::min(attempt, 16)));
    thread_local std::mt19937 rng{std::random_device{}()};
    // ±20 % jitter so clients do not reconnect in lockstep.
    delay = std::chrono::milliseconds(static_cast<int64_t>(
        static_cast<double>(delay.count()) * std::uniform_real_distribution<double>(0.8, 1.2)(rng)));
    if (!h->reconnect_timer) h->reconnect_timer = std::make_unique<asio::steady_timer>(io);
    h->reconnect_timer->expires_after(delay);
    h->reconnect_timer->async_wait([this, h](const asio::error_code& ec) {
      if (!ec) FillPool(h);
    });
  });
}

void Session::Impl::OnConnectionClosed(const HostPtr& h, const std::shared_ptr<Connection>& c, const Error& e) {
  if (shutting_down) return;
  bool empty;
  {
    std::lock_guard<std::mutex> lock(h->mu);
    h->conns.erase(std::remove(h->conns.begin(), h->conns.end(), c), h->conns.end());
    h->last_error = e.to_string();
    empty = true;
    for (auto& x : h->conns) empty &= !x->is_open();
  }
  if (empty) h->up = false;
  ScheduleReconnect(h);
}

// --- Events ------------------------------------------------------------------

void Session::Impl::OnEvent(const EventMessage& ev) {
  if (shutting_down) return;
  if (ev.type == "STATUS_CHANGE") {
    std::string ip = InetToString(ev.address);
    HostPtr h;
    {
      std::lock_guard<std::mutex> lock(mu);
      auto it = hosts.find(ip);
      if (it != hosts.end()) h = it->second;
    }
    if (!h) {
      AdminPost([this] { RefreshTopologyAsync(); });
      return;
    }
    if (ev.change == "UP") {
      h->up = true;
      h->consecutive_timeouts = 0;
      {
        std::lock_guard<std::mutex> lock(h->mu);
        h->reconnect_attempts = 0;
      }
      FillPool(h);
    } else if (ev.change == "DOWN") {
      h->up = false;
    }
  } else if (ev.type == "TOPOLOGY_CHANGE") {
    AdminPost([this] { RefreshTopologyAsync(); });
  } else if (ev.type == "SCHEMA_CHANGE") {
    ClearPreparedCache();
    if (ev.schema_change.target == "KEYSPACE") AdminPost([this] { RefreshTopologyAsync(); });
  }
}

void Session::Impl::RefreshTopologyAsync() {
  std::shared_ptr<Connection> c;
  {
    std::lock_guard<std::mutex> lock(mu);
    c = control;
  }
  if (c && c->is_open()) RefreshTopology(c);
}

// --- Routing -----------------------------------------------------------------

std::vector<HostPtr> Session::Impl::QueryPlan(const std::string& keyspace,
                                              const std::optional<std::string>& routing_key) {
  std::shared_ptr<const TokenRing> r;
  const Replication* repl = nullptr;
  Replication repl_copy;
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  auto good = [&](const HostPtr& h) { return h->up && h->suspect_until.load() <= now; };
  std::vector<HostPtr> local, remote, bad, plan;
  {
    // Host datacenters are written under mu by RefreshTopology: classify under it.
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [ip, h] : hosts) {
      if (!good(h)) bad.push_back(h);
      else if (local_dc.empty() || h->datacenter == local_dc) local.push_back(h);
      else remote.push_back(h);
    }
    r = ring;
    if (!keyspace.empty() && routing_key) {
      auto it = keyspaces.find(keyspace);
      if (it != keyspaces.end()) {
        repl_copy = it->second;
        repl = &repl_copy;
      }
    }
  }
  const size_t total = local.size() + remote.size() + bad.size();
  uint64_t turn = rr.fetch_add(1);
  if (!local.empty()) std::rotate(local.begin(), local.begin() + static_cast<long>(turn % local.size()), local.end());
  if (!remote.empty()) std::rotate(remote.begin(), remote.begin() + static_cast<long>(turn % remote.size()), remote.end());
  plan.reserve(total);
  if (options.token_aware && routing_key && r && !r->empty() && repl) {
    std::vector<size_t> idx = r->Replicas(Murmur3Token(*routing_key), *repl);
    std::vector<HostPtr> replicas;
    for (size_t i : idx) {
      const std::string& ip = r->nodes()[i].host;
      for (auto& h : local)
        if (h->ip == ip) replicas.push_back(h);
    }
    if (!replicas.empty())
      std::rotate(replicas.begin(), replicas.begin() + static_cast<long>(turn % replicas.size()), replicas.end());
    plan = replicas;
    for (auto& h : local)
      if (std::find(replicas.begin(), replicas.end(), h) == replicas.end()) plan.push_back(h);
  } else {
    plan = local;
  }
  plan.insert(plan.end(), remote.begin(), remote.end());
  plan.insert(plan.end(), bad.begin(), bad.end());
  return plan;
}

// --- Public Session ------------------------------------------------------------

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::~Session() = default;

std::unique_ptr<Session> Session::Connect(const SessionOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  impl->ConnectBlocking();
  return std::unique_ptr<Session>(new Session(std::move(impl)));
}

const SessionOptions& Session::options() const { return impl_->options; }

std::vector<HostCounters> Session::host_counters() const {
  std::vector<HostCounters> out;
  for (const auto& h : impl_->HostList()) {
    HostCounters c;
    c.address = h->address;
    {
      std::lock_guard<std::mutex> lock(impl_->mu);  // guards datacenter and rack
      c.datacenter = h->datacenter;
      c.rack = h->rack;
    }
    c.up = h->up;
    c.open_connections = h->OpenConnections();
    c.requests_sent = h->requests_sent;
    c.errors = h->errors;
    c.timeouts = h->timeouts;
    {
      std::lock_guard<std::mutex> lock(h->mu);
      for (const auto& conn : h->conns) {
        c.frames += conn->frames_queued();
        c.socket_writes += conn->socket_writes();
      }
    }
    out.push_back(std::move(c));
  }
  return out;
}

SessionCounters Session::counters() const {
  SessionCounters c;
  c.requests = impl_->n_requests;
  c.completed = impl_->n_completed;
  c.failed = impl_->n_failed;
  c.retries = impl_->n_retries;
  c.reprepares = impl_->n_reprepares;
  c.timeouts = impl_->n_timeouts;
  c.reconnects = impl_->n_reconnects;
  c.prepare_cache_hits = impl_->n_prepare_cache_hits;
  for (const auto& h : impl_->HostList()) {
    std::lock_guard<std::mutex> lock(h->mu);
    for (auto& conn : h->conns) c.in_flight += static_cast<uint64_t>(conn->in_flight());
  }
  return c;
}

}  // namespace cql

namespace cql {

bool Session::Impl::WaitSchemaAgreementBlocking(std::chrono::milliseconds timeout) {
  // Every live node is asked for its own schema version (system.local), on
  // one of its pool connections: a node's system.peers view of the others
  // lags behind gossip, so asking one node is not enough.
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::set<std::string> versions;
    bool complete = true;
    for (const auto& h : HostList()) {
      if (!h->up) continue;
      auto c = h->PickConnection();
      if (!c) continue;  // no connection: not live for us
      auto rs = QueryBlocking(*c, "SELECT schema_version FROM system.local WHERE key='local'", options.request_timeout);
      if (!rs.ok() || rs.value().empty()) {
        complete = false;
        continue;
      }
      if (auto v = rs.value()[0].get_uuid(0)) versions.insert(v->ToString());
    }
    if (complete && versions.size() <= 1) return true;
    if (std::chrono::steady_clock::now() >= deadline || shutting_down) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

bool Session::WaitForSchemaAgreement(std::optional<std::chrono::milliseconds> timeout) {
  return impl_->WaitSchemaAgreementBlocking(timeout.value_or(impl_->options.schema_agreement_timeout));
}

}  // namespace cql
