#include "http/server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "canopy/errors.h"
#include "http/api.h"
#include "http/api_error.h"
#include "http/event_hub.h"

namespace canopy::http {

namespace {

// Per request, on the worker thread that answers it (httplib answers a
// request, streams its body and logs it on one thread).
struct RequestStats {
  std::chrono::steady_clock::time_point start{};
  std::size_t streamed = 0;
  bool counted = false;  // in Impl::in_flight
};
thread_local RequestStats t_request;

std::string allow_header(const std::vector<std::string>& methods) {
  std::string allow;
  for (const auto& m : methods) allow += (allow.empty() ? "" : ", ") + m;
  return allow;
}

void send_error(httplib::Response& res, const ApiError& e) {
  send_json(res, e.status(), error_json(e));
}

}  // namespace

void send_json(httplib::Response& res, int status, const json::Json& body) {
  res.status = status;
  // Text from clients or the store may be invalid UTF-8: replaced, never a throw.
  res.set_content(body.dump(-1, ' ', false, json::Json::error_handler_t::replace), "application/json");
}

void note_streamed(std::size_t bytes) { t_request.streamed += bytes; }

Run require_run(ApiContext& api, const Call& call) {
  const std::string& text = call.path.at("run_id");
  Uuid id = run_id_value(text, "run_id");
  auto run = api.store.get_run(id);
  if (!run) throw run_not_found(id.str());
  return *run;
}

struct Server::Impl {
  MetricsStore& store;
  ServerOptions options;
  EventHub hub;
  Router router;
  ApiContext api;
  httplib::Server http;
  std::atomic<bool> draining{false};
  std::atomic<int> in_flight{0};
  std::mutex shutdown_mutex;
  bool bound = false;

  Impl(MetricsStore& s, ServerOptions o)
      : store(s), options(std::move(o)), hub(s, options.poll_interval), api{s, options, hub, router} {
    add_read_routes(router, api);
    add_export_routes(router, api);
    add_event_routes(router, api);
    add_write_routes(router, api);
    add_meta_routes(router, api);
    configure();
  }

  void configure() {
    const std::size_t workers = static_cast<std::size_t>(options.threads + options.max_streams);
    http.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
    // Only SO_REUSEADDR: httplib's default SO_REUSEPORT would let a second
    // server bind a port already in use.
    http.set_socket_options([](int sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    http.set_payload_max_length(options.max_body);
    http.set_keep_alive_timeout(2);  // idle keep-alive connections hold shutdown this long at most
    // httplib writes headers and body separately: without TCP_NODELAY the
    // body waits for the client's delayed ACK (40 ms a small answer).
    http.set_tcp_nodelay(true);
    http.set_read_timeout(10, 0);
    http.set_write_timeout(10, 0);
    // Every request goes to dispatch(), which routes it itself (404 vs 405).
    // Methods that may carry a body get httplib's content reader, so the
    // body is read here, bounded by max_body.
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res, nullptr); };
    auto with_body = [this](const httplib::Request& req, httplib::Response& res,
                            const httplib::ContentReader& reader) { dispatch(req, res, &reader); };
    http.Get(".*", handler);
    http.Options(".*", handler);
    http.Post(".*", with_body);
    http.Put(".*", with_body);
    http.Patch(".*", with_body);
    http.Delete(".*", with_body);
    // Answers httplib makes itself (400 unparsable request, 413, 414) get
    // the error shape too; ours already have a body.
    http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      const char* what = res.status == 413   ? "request body too large"
                         : res.status == 414 ? "request URI too long"
                                             : "malformed request";
      send_error(res, ApiError(res.status, res.status == 413 ? "body_too_large" : "bad_request", what));
      return httplib::Server::HandlerResponse::Handled;
    }));
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      send_error(res, ApiError(500, "internal", "internal error"));
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) { log(req, res); });
  }

  void dispatch(const httplib::Request& req, httplib::Response& res, const httplib::ContentReader* reader) {
    t_request = RequestStats{std::chrono::steady_clock::now(), 0, true};
    ++in_flight;
    prefer_gzip(req);
    Call call{req, res, {}, {}};
    try {
      if (draining) {
        res.set_header("Connection", "close");
        throw ApiError(503, "shutting_down", "the server is shutting down");
      }
      // Without a length or chunked encoding there is no body (reading one
      // would wait for the client to close the connection).
      if (reader && (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")))
        read_body(*reader, res, call.body);
      RouteMatch m = router.match(req.method, req.path);
      if (!m.route) {
        if (m.allowed.empty()) throw ApiError(404, "no_route", "no such path: " + req.path, "", "Not Found");
        res.set_header("Allow", allow_header(m.allowed));
        throw ApiError(405, "method_not_allowed",
                       req.method + " " + req.path + ": allowed " + allow_header(m.allowed), "",
                       "Method Not Allowed");
      }
      call.path = std::move(m.path_params);
      if (req.path.rfind("/api/", 0) == 0) check_known(req.params, m.route->query);
      m.route->handler(call);
    } catch (const ApiError& e) {
      send_error(res, e);
    } catch (const Error& e) {
      send_error(res, from_store_error(e));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "canopy-store serve: %s %s: %s\n", req.method.c_str(), req.path.c_str(), e.what());
      send_error(res, ApiError(500, "internal", "internal error"));
    }
  }

  // httplib answers `Accept-Encoding: br` (every browser sends it) with
  // Brotli at quality 11: 0.5 s for a 110 KB series, against 20-40 ms for
  // gzip. Dropping br from the request before httplib looks at it makes it
  // answer gzip. (The Request is httplib's own non-const object.)
  static void prefer_gzip(const httplib::Request& req) {
    auto& headers = const_cast<httplib::Request&>(req).headers;
    for (auto it = headers.find("Accept-Encoding"); it != headers.end() && it->first == "Accept-Encoding"; ++it) {
      if (it->second.find("br") == std::string::npos) continue;
      it->second = it->second.find("gzip") != std::string::npos ? "gzip" : "identity";
    }
  }

  // Reads the body into `body`, at most max_body bytes (also for chunked
  // uploads, which httplib does not limit itself).
  void read_body(const httplib::ContentReader& reader, httplib::Response& res, std::string& body) {
    bool too_large = false;
    const bool ok = reader([&](const char* data, std::size_t n) {
      if (body.size() + n > options.max_body) {
        too_large = true;
        return false;
      }
      body.append(data, n);
      return true;
    });
    if (too_large || res.status == 413) {
      res.set_header("Connection", "close");  // the rest of the body is not read
      throw ApiError(413, "body_too_large",
                     "request body above " + std::to_string(options.max_body) + " bytes (serve --max-body)",
                     "body");
    }
    if (!ok) {
      res.set_header("Connection", "close");
      throw ApiError(400, "bad_body", "the request body could not be read", "body");
    }
  }

  void log(const httplib::Request& req, const httplib::Response& res) {
    RequestStats stats = t_request;
    t_request = RequestStats{};
    if (stats.counted) --in_flight;
    if (!options.access_log) return;
    const double ms = stats.counted
                          ? std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - stats.start).count()
                          : 0.0;
    const std::size_t bytes = res.body.size() + stats.streamed;
    const std::string& target = req.target.empty() ? req.path : req.target;
    std::fprintf(stderr, "%s %s %d %zu %.1fms\n", req.method.empty() ? "-" : req.method.c_str(),
                 target.empty() ? "-" : target.c_str(), res.status, bytes, ms);
  }
};

Server::Server(MetricsStore& store, ServerOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {}

Server::~Server() { shutdown(); }

int Server::bind() {
  const ServerOptions& o = impl_->options;
  const std::string address = o.host + ":" + std::to_string(o.port);
  int port = o.port;
  errno = 0;
  if (o.port == 0) {
    port = impl_->http.bind_to_any_port(o.host);
  } else if (!impl_->http.bind_to_port(o.host, o.port)) {
    port = -1;
  }
  if (port < 0) {
    const int err = errno;
    std::string why = err == EADDRINUSE      ? "address already in use"
                      : err == EADDRNOTAVAIL ? "address not available on this machine"
                      : err == EACCES        ? "permission denied"
                      : err != 0             ? std::strerror(err)
                                             : "cannot resolve or bind";
    throw ListenError("cannot listen on " + address + ": " + why);
  }
  impl_->bound = true;
  return port;
}

void Server::run() {
  if (!impl_->bound) throw ListenError("Server::run() before bind()");
  impl_->http.listen_after_bind();
}

void Server::shutdown() {
  Impl& s = *impl_;
  std::lock_guard lock(s.shutdown_mutex);
  if (s.draining.exchange(true)) return;
  // Streams end first (they would never finish on their own), then the
  // requests in flight get up to drain_timeout, then the listener closes.
  s.hub.shutdown();
  const auto deadline = std::chrono::steady_clock::now() + s.options.drain_timeout;
  while (s.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (s.bound) {
    // stop() before listen_after_bind() started would be lost: wait for it.
    for (int i = 0; i < 200 && !s.http.is_running(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    s.http.stop();
  }
}

}  // namespace canopy::http
