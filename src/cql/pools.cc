#include "cql/pools.h"

#include <algorithm>
#include <memory>
#include <random>
#include <thread>

namespace cql {

ConnectionOptions Pools::connection_options() const {
  ConnectionOptions c;
  c.connect_timeout = options_.connect_timeout;
  c.heartbeat_interval = options_.heartbeat_interval;
  c.compression = options_.compression;
  c.username = options_.username;
  c.password = options_.password;
  c.keyspace = options_.keyspace;
  c.max_streams = options_.max_in_flight_per_connection;
  c.tls = tls_;
  c.verify_hostname = options_.tls.verify_hostname;
  return c;
}

void Pools::Fill(const HostPtr& h) {
  asio::post(io_, [this, h] {
    if (shutting_down_ || h->removed) return;
    HostPool& pool = h->pool;
    int need;
    {
      std::lock_guard<std::mutex> lock(pool.mu);
      if (pool.filling) return;
      int open = 0;
      for (auto& c : pool.conns) open += c->is_open();
      need = options_.pool_size - open;
      if (need <= 0) {
        pool.first_fill_done = true;
        return;
      }
      pool.filling = true;
    }
    auto remaining = std::make_shared<int>(need);
    auto failed = std::make_shared<int>(0);
    for (int i = 0; i < need; ++i) {
      Connection::Connect(io_, h->endpoint, connection_options(),
                          [this, h, remaining, failed](Result<std::shared_ptr<Connection>> r) {
        HostPool& p = h->pool;
        if (r.ok()) {
          auto c = r.value();
          if (shutting_down_) {
            c->Close(MakeError(ErrorKind::kShutdown, "session closed"));
          } else {
            std::weak_ptr<Connection> weak = c;
            c->set_close_handler([this, h, weak](const Error& e) { OnConnectionClosed(h, weak.lock(), e); });
            std::lock_guard<std::mutex> lock(p.mu);
            p.conns.push_back(c);
          }
        } else {
          ++*failed;
          std::lock_guard<std::mutex> lock(p.mu);
          p.last_error = r.error().to_string();
        }
        if (--*remaining > 0) return;
        bool any_open;
        {
          std::lock_guard<std::mutex> lock(p.mu);
          p.filling = false;
          p.first_fill_done = true;
          p.conns.erase(std::remove_if(p.conns.begin(), p.conns.end(), [](auto& c) { return !c->is_open(); }),
                        p.conns.end());
          any_open = !p.conns.empty();
          if (*failed == 0) {
            if (p.reconnect_attempts > 0) ++reconnects_;
            p.reconnect_attempts = 0;
            p.last_error.clear();
          }
        }
        if (any_open) {
          h->up = true;
          h->consecutive_timeouts = 0;
        } else {
          h->up = false;
        }
        if (*failed > 0) ScheduleRefill(h);
      });
    }
  });
}

void Pools::OnHostUp(const HostPtr& h) {
  h->up = true;
  h->consecutive_timeouts = 0;
  {
    std::lock_guard<std::mutex> lock(h->pool.mu);
    h->pool.reconnect_attempts = 0;
  }
  Fill(h);
}

void Pools::CloseAll(const HostPtr& h, const Error& reason) {
  std::lock_guard<std::mutex> lock(h->pool.mu);
  for (auto& conn : h->pool.conns) conn->Close(reason);
}

void Pools::WaitFirstFill(const std::vector<HostPtr>& hosts, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    bool busy = false;
    for (auto& h : hosts) {
      std::lock_guard<std::mutex> lock(h->pool.mu);
      busy |= h->pool.filling || !h->pool.first_fill_done;
    }
    if (!busy || std::chrono::steady_clock::now() > deadline) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void Pools::CancelRefill(const HostPtr& h) {
  if (h->pool.reconnect_timer) h->pool.reconnect_timer->cancel();
}

void Pools::ScheduleRefill(const HostPtr& h) {
  asio::post(io_, [this, h] {
    if (shutting_down_ || h->removed) return;
    int attempt;
    {
      std::lock_guard<std::mutex> lock(h->pool.mu);
      attempt = h->pool.reconnect_attempts++;
    }
    auto delay = std::min(options_.reconnect_max_delay, options_.reconnect_base_delay * (1 << std::min(attempt, 16)));
    thread_local std::mt19937 rng{std::random_device{}()};
    // ±20 % jitter so clients do not reconnect in lockstep.
    delay = std::chrono::milliseconds(static_cast<int64_t>(
        static_cast<double>(delay.count()) * std::uniform_real_distribution<double>(0.8, 1.2)(rng)));
    if (!h->pool.reconnect_timer) h->pool.reconnect_timer = std::make_unique<asio::steady_timer>(io_);
    h->pool.reconnect_timer->expires_after(delay);
    h->pool.reconnect_timer->async_wait([this, h](const asio::error_code& ec) {
      if (!ec) Fill(h);
    });
  });
}

void Pools::OnConnectionClosed(const HostPtr& h, const std::shared_ptr<Connection>& c, const Error& e) {
  if (shutting_down_) return;
  bool empty;
  {
    std::lock_guard<std::mutex> lock(h->pool.mu);
    h->pool.conns.erase(std::remove(h->pool.conns.begin(), h->pool.conns.end(), c), h->pool.conns.end());
    h->pool.last_error = e.to_string();
    empty = true;
    for (auto& x : h->pool.conns) empty &= !x->is_open();
  }
  if (empty) h->up = false;
  ScheduleRefill(h);
}

}  // namespace cql
