// canopy::http::Server — the read API over one MetricsStore (docs/http.md).
//
//   Server server(*store, options);
//   int port = server.bind();          // throws ListenError naming the address
//   std::thread t([&] { server.run(); });
//   ...; server.shutdown();            // from any thread, e.g. on SIGTERM
//
// run() serves until shutdown(): then open event streams end (each gets its
// end of stream), requests in flight finish (up to drain_timeout; new ones
// get 503), and run() returns. The store stays open; its owner closes it.
// One access-log line per request goes to stderr.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "canopy/metrics_store.h"

namespace canopy::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (bind() returns it)
  int threads = 8;  // workers for ordinary requests
  int max_streams = 256;  // concurrent event streams; more get 503
  std::chrono::milliseconds poll_interval{250};  // event hub: store polled per watched run
  std::chrono::milliseconds keepalive{15'000};    // ": keepalive" comment on an idle stream
  std::size_t max_body = 16u << 20;               // larger request bodies get 413
  bool allow_writes = false;
  std::string token;  // bearer token for writes (required when allow_writes)
  std::chrono::milliseconds drain_timeout{10'000};
  bool access_log = true;
};

class ListenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Server {
 public:
  Server(MetricsStore& store, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port (the chosen one for port 0).
  int bind();
  // Accepts and answers requests until shutdown(); call after bind().
  void run();
  // Ends streams, drains, stops run(). Thread-safe and idempotent.
  void shutdown();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace canopy::http
