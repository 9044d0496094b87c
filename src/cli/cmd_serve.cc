// canopy-store serve: the read API over HTTP (docs/http.md).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/context.h"
#include "http/server.h"

namespace canopy::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  int threads = 8;
  int max_streams = 256;
  int poll_interval_ms = 250;
  int keepalive_s = 15;
  std::string max_body = "16MiB";
  bool allow_writes = false;
  std::string token_file;
  bool quiet = false;
};

// HOST:PORT, [IPv6]:PORT or :PORT (loopback).
void parse_listen(const std::string& text, http::ServerOptions& o) {
  auto fail = [&] {
    throw CliError("--listen: '" + text + "' is not HOST:PORT (e.g. 127.0.0.1:8080; port 0 picks a free one)",
                   kExitUsage);
  };
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) fail();
  std::string host = text.substr(0, colon);
  const std::string port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  if (host.find_first_of(" /[]") != std::string::npos) fail();
  int value = -1;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 0 || value > 65535) fail();
  o.host = host;
  o.port = value;
}

// Bytes with an optional KiB/MiB/GiB (or K/M/G) suffix.
std::size_t parse_size(const std::string& text, const char* flag) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  std::string unit(end, text.data() + text.size());
  std::uint64_t scale = unit.empty() || unit == "B" ? 1
                        : unit == "K" || unit == "KiB" ? 1ull << 10
                        : unit == "M" || unit == "MiB" ? 1ull << 20
                        : unit == "G" || unit == "GiB" ? 1ull << 30
                                                       : 0;
  if (ec != std::errc() || end == text.data() || scale == 0 || n == 0 || n > (1ull << 40) / scale)
    throw CliError(std::string(flag) + ": '" + text + "' is not a size (e.g. 16MiB, 512KiB, 1048576)", kExitUsage);
  return static_cast<std::size_t>(n * scale);
}

std::string read_token(const std::string& path) {
  if (path.empty()) throw CliError("--allow-writes needs --token-file FILE (the bearer token writers send)", kExitUsage);
  std::ifstream file(path);
  if (!file) throw CliError("--token-file: cannot read '" + path + "'", kExitUsage);
  std::stringstream content;
  content << file.rdbuf();
  std::string token = content.str();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front()))) token.erase(0, 1);
  if (token.empty()) throw CliError("--token-file: '" + path + "' is empty (write the token in it)", kExitUsage);
  if (token.find_first_of("\r\n") != std::string::npos)
    throw CliError("--token-file: '" + path + "' holds more than one line", kExitUsage);
  return token;
}

void serve(const GlobalOptions& g, const ServeOptions& o) {
  http::ServerOptions options;
  parse_listen(o.listen, options);
  options.threads = o.threads;
  options.max_streams = o.max_streams;
  options.poll_interval = std::chrono::milliseconds(o.poll_interval_ms);
  options.keepalive = std::chrono::seconds(o.keepalive_s);
  options.max_body = parse_size(o.max_body, "--max-body");
  options.access_log = !o.quiet;
  if (!o.token_file.empty() && !o.allow_writes)
    throw CliError("--token-file is only used with --allow-writes", kExitUsage);
  if (o.allow_writes) {
    options.allow_writes = true;
    options.token = read_token(o.token_file);
  }

  // SIGINT/SIGTERM are taken by one thread (sigwait), so every thread started
  // from here on (the store's, the server's) leaves them to it.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto store = open_configured_store(g);
  int port = 0;
  {
    http::Server server(*store, options);
    try {
      port = server.bind();
    } catch (const http::ListenError& e) {
      throw CliError(std::string("--listen: ") + e.what(), kExitFailure);
    }
    std::atomic<bool> done{false};
    std::thread watcher([&] {
      int sig = 0;
      sigwait(&signals, &sig);
      if (!done) {
        std::cerr << "canopy-store serve: " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
                  << ", shutting down" << std::endl;
        server.shutdown();
      }
    });
    const std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
    std::cerr << "canopy-store serve: " << store->describe() << ", writes "
              << (options.allow_writes ? "on (bearer token)" : "off") << std::endl;
    std::cout << "serving http://" << host << ":" << port << std::endl;
    server.run();
    done = true;
    pthread_kill(watcher.native_handle(), SIGTERM);  // wakes sigwait when no signal came
    watcher.join();
    server.shutdown();
  }
  close_store(*store);  // flushes what writes over HTTP stored
  std::cerr << "canopy-store serve: stopped" << std::endl;
}

}  // namespace

void add_serve_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve the read API over HTTP (docs/http.md)");
  cmd->footer(
      "Serves the store named by --config/--backend/--set: JSON endpoints under /api/\n"
      "(runs, metrics, series, summary, compare, export, live events, health; the\n"
      "OpenAPI document at /api/openapi.json) and the web page at /.\n"
      "Binds loopback unless --listen says otherwise and prints 'serving http://HOST:PORT'\n"
      "on stdout once it accepts connections. One access-log line per request on stderr:\n"
      "METHOD TARGET STATUS BYTES MS. SIGINT/SIGTERM: event streams end, requests in flight\n"
      "finish, the store is closed (the writer flushes), exit 0.\n"
      "Writes (POST /api/runs, /api/runs/ID/metrics, /api/runs/ID/complete) are off unless\n"
      "--allow-writes --token-file FILE; clients send 'Authorization: Bearer <token>'.");
  cmd->add_option("--listen", o->listen, "Address to listen on, HOST:PORT (port 0: a free port)")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Worker threads for ordinary requests")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--max-streams", o->max_streams,
                  "Concurrent event streams (each holds a thread); more get 503")
      ->check(CLI::Range(0, 10'000))
      ->capture_default_str();
  cmd->add_option("--poll-interval", o->poll_interval_ms,
                  "How often (ms) the event hub reads each watched run from the store")
      ->check(CLI::Range(10, 60'000))
      ->capture_default_str();
  cmd->add_option("--keepalive", o->keepalive_s, "Seconds between keepalive comments on an idle event stream")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--max-body", o->max_body, "Largest request body accepted (larger: 413), e.g. 16MiB")
      ->type_name("SIZE")
      ->capture_default_str();
  cmd->add_flag("--allow-writes", o->allow_writes, "Accept the POST endpoints (needs --token-file)");
  cmd->add_option("--token-file", o->token_file, "File holding the bearer token for writes (read once)")
      ->type_name("FILE");
  cmd->add_flag("--quiet", o->quiet, "No access log");
  cmd->callback([&g, o] { serve(g, *o); });
}

}  // namespace canopy::cli
