#include "cql/control_connection.h"

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "cql/blocking_call.h"
#include "cql/coding.h"
#include "cql/frame.h"

namespace cql {

ControlConnection::ControlConnection(asio::io_context& io, const SessionOptions& options,
                                     ConnectionOptions connection_options, AdminQueue& admin,
                                     const ClusterStateCell& state, const std::atomic<bool>& shutting_down,
                                     Listener listener)
    : io_(io),
      options_(options),
      connection_options_([&] {
        connection_options.keyspace.clear();
        return connection_options;
      }()),
      admin_(admin),
      state_(state),
      shutting_down_(shutting_down),
      listener_(std::move(listener)) {}

std::shared_ptr<Connection> ControlConnection::connection() const {
  std::lock_guard<std::mutex> lock(mu_);
  return conn_;
}

Result<Ok> ControlConnection::Open(const std::vector<asio::ip::tcp::endpoint>& candidates,
                                   std::vector<std::string>& failures) {
  for (const auto& ep : candidates) {
    if (shutting_down_) break;
    auto r = OpenBlocking(io_, ep, connection_options_);
    std::string addr = ep.address().to_string() + ":" + std::to_string(ep.port());
    if (!r.ok()) {
      if (r.error().kind == ErrorKind::kAuth) return r.error();
      failures.push_back(addr + ": " + r.error().to_string());
      continue;
    }
    auto c = r.value();
    auto topology = ReadTopology(*c, options_.port, options_.request_timeout);
    if (!topology.ok()) {
      failures.push_back(addr + ": topology query failed: " + topology.error().to_string());
      c->Close(MakeError(ErrorKind::kShutdown, "control connection replaced"));
      continue;
    }
    listener_.on_topology(topology.value());
    c->set_event_handler([this](const EventMessage& ev) { OnEvent(ev); });
    std::string body;
    EncodeRegister(body, {"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"});
    auto reg = SendBlocking(*c, Opcode::kRegister, body, options_.request_timeout);
    if (!reg.ok() || reg.value().header.opcode != Opcode::kReady) {
      failures.push_back(addr + ": REGISTER failed");
      c->Close(MakeError(ErrorKind::kShutdown, "control connection replaced"));
      continue;
    }
    c->set_close_handler([this](const Error&) {
      if (shutting_down_) return;
      admin_.Post([this] { Reopen(); });
    });
    std::lock_guard<std::mutex> lock(mu_);
    conn_ = c;
    reopen_attempts_ = 0;
    return Ok{};
  }
  return MakeError(ErrorKind::kNoHostAvailable, "no control connection");
}

void ControlConnection::Reopen() {
  if (shutting_down_) return;
  // Hosts believed up first.
  std::vector<asio::ip::tcp::endpoint> candidates;
  auto hosts = state_.Load()->Hosts();
  for (const auto& h : hosts)
    if (h->up) candidates.push_back(h->endpoint);
  for (const auto& h : hosts)
    if (!h->up) candidates.push_back(h->endpoint);
  std::vector<std::string> failures;
  if (Open(candidates, failures).ok()) return;
  // Retry later with backoff, from the io thread's timer.
  int attempt = reopen_attempts_++;
  auto delay = std::min(options_.reconnect_max_delay, options_.reconnect_base_delay * (1 << std::min(attempt, 16)));
  asio::post(io_, [this, delay] {
    if (shutting_down_) return;
    if (!reopen_timer_) reopen_timer_ = std::make_unique<asio::steady_timer>(io_);
    reopen_timer_->expires_after(delay);
    reopen_timer_->async_wait([this](const asio::error_code& ec) {
      if (!ec && !shutting_down_) admin_.Post([this] { Reopen(); });
    });
  });
}

void ControlConnection::CancelReopenTimer() {
  if (reopen_timer_) reopen_timer_->cancel();
}

void ControlConnection::Refresh() {
  auto c = connection();
  if (!c || !c->is_open()) return;
  auto topology = ReadTopology(*c, options_.port, options_.request_timeout);
  if (topology.ok()) listener_.on_topology(topology.value());
}

void ControlConnection::OnEvent(const EventMessage& ev) {
  if (shutting_down_) return;
  if (ev.type == "STATUS_CHANGE") {
    HostPtr h = state_.Load()->FindHost(InetToString(ev.address));
    if (!h) {
      admin_.Post([this] { Refresh(); });
      return;
    }
    if (ev.change == "UP") {
      listener_.on_host_up(h);
    } else if (ev.change == "DOWN") {
      h->up = false;
    }
  } else if (ev.type == "TOPOLOGY_CHANGE") {
    admin_.Post([this] { Refresh(); });
  } else if (ev.type == "SCHEMA_CHANGE") {
    listener_.on_schema_change();
    if (ev.schema_change.target == "KEYSPACE") admin_.Post([this] { Refresh(); });
  }
}

bool ControlConnection::WaitForSchemaAgreement(std::chrono::milliseconds timeout, std::string* why) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::map<std::string, std::vector<std::string>> versions;  // version → hosts reporting it
    std::vector<std::string> silent;                           // hosts that did not answer
    int asked = 0;
    for (const auto& h : state_.Load()->Hosts()) {
      if (!h->up) continue;
      auto c = h->PickConnection();
      if (!c) continue;  // no connection: not live for us
      ++asked;
      auto rs = QueryBlocking(*c, "SELECT schema_version FROM system.local WHERE key='local'", options_.request_timeout);
      if (!rs.ok() || rs.value().empty()) {
        silent.push_back(h->address);
        continue;
      }
      if (auto v = rs.value()[0].get_uuid(0)) versions[v->ToString()].push_back(h->address);
    }
    if (silent.empty() && versions.size() <= 1) return true;
    if (std::chrono::steady_clock::now() >= deadline || shutting_down_) {
      if (why) {
        *why = std::to_string(versions.size()) + " schema versions among " + std::to_string(asked) + " live nodes";
        for (const auto& [v, hosts] : versions) {
          *why += "; " + v + ":";
          for (const auto& a : hosts) *why += " " + a;
        }
        if (!silent.empty()) {
          *why += "; no answer from";
          for (const auto& a : silent) *why += " " + a;
        }
      }
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace cql
