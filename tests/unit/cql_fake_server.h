// A scripted in-process CQL server for connection and request-layer tests
// (in the spirit of the DataStax driver's mockssandra): listens on a
// loopback address (127.0.0.1 and an ephemeral port unless told otherwise),
// accepts any number of connections, answers STARTUP with READY and hands
// every other request frame to the test's script. Used for behaviours a
// real node will not produce on demand (stalls, out-of-order or malformed
// answers, UNPREPARED, OVERLOADED); never a stand-in for Cassandra in
// integration tests. Several of them make a fake cluster (cql_fake_cluster.h).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cql/coding.h"
#include "cql/frame.h"

namespace cql_test {

class FakeServer {
 public:
  struct Request {
    cql::FrameHeader header;
    std::string body;
    int conn = 0;  // which accepted connection it came on (1, 2, ...)
  };
  // Called for every request but STARTUP (and OPTIONS), on the reading
  // thread of the request's connection: with several connections open the
  // script runs on several threads at once.
  using Script = std::function<void(FakeServer&, const Request&)>;

  // address: a loopback address; port 0: an ephemeral one. Check
  // listening(): binding a given port may fail.
  explicit FakeServer(Script script, const std::string& address = "127.0.0.1", uint16_t port = 0)
      : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &a.sin_addr);
    a.sin_port = htons(port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 64) != 0) {
      ::close(listen_fd_);
      listen_fd_ = -1;
      return;
    }
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~FakeServer() {
    stop_ = true;
    if (listen_fd_ >= 0) {
      ::shutdown(listen_fd_, SHUT_RDWR);
      ::close(listen_fd_);
    }
    CloseClient();
    if (thread_.joinable()) thread_.join();
    std::vector<std::thread> readers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      readers.swap(readers_);
    }
    for (auto& t : readers) t.join();
  }

  bool listening() const { return listen_fd_ >= 0; }
  uint16_t port() const { return port_; }

  // Sends a response frame on the most recently accepted connection (thread-safe).
  void Reply(int16_t stream, cql::Opcode op, const std::string& body, uint8_t flags = 0) {
    SendRaw(Frame(stream, op, body, flags));
  }
  // Sends a response frame on the connection the request came on.
  void Reply(const Request& r, cql::Opcode op, const std::string& body, uint8_t flags = 0) {
    SendOn(r.conn, Frame(r.header.stream, op, body, flags));
  }
  void SendRaw(const std::string& bytes) {
    int last;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last = last_conn_;
    }
    SendOn(last, bytes);
  }
  // Ends every client connection (each reading thread closes its descriptor).
  void CloseClient() {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, fd] : fds_) ::shutdown(fd, SHUT_RDWR);
  }
  // Ends one client connection.
  void CloseConnection(int conn) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = fds_.find(conn);
    if (it != fds_.end()) ::shutdown(it->second, SHUT_RDWR);
  }

  static std::string VoidResult() {
    std::string b;
    cql::PutI32(b, 1);
    return b;
  }
  // A set_keyspace RESULT carrying text: lets a test see which request was answered.
  static std::string TextResult(const std::string& text) {
    std::string b;
    cql::PutI32(b, 3);
    cql::PutString(b, text);
    return b;
  }
  // An ERROR body with a code that has no extra fields (OVERLOADED, SERVER_ERROR, INVALID...).
  static std::string ErrorBody(cql::ServerCode code, const std::string& message) {
    std::string b;
    cql::PutI32(b, static_cast<int32_t>(code));
    cql::PutString(b, message);
    return b;
  }

  std::atomic<int> requests{0};
  std::atomic<int> options_seen{0};
  std::string authenticator;  // non-empty: answer STARTUP with AUTHENTICATE
  std::string expected_token; // AUTH_RESPONSE token that gets AUTH_SUCCESS

 private:
  static std::string Frame(int16_t stream, cql::Opcode op, const std::string& body, uint8_t flags) {
    std::string out;
    cql::FrameHeader h;
    h.version = 0x84;
    h.flags = flags;
    h.stream = stream;
    h.opcode = op;
    h.length = static_cast<uint32_t>(body.size());
    cql::PutFrameHeader(out, h);
    out += body;
    return out;
  }

  void SendOn(int conn, const std::string& bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = fds_.find(conn);
    if (it != fds_.end()) (void)!::write(it->second, bytes.data(), bytes.size());
  }

  void Serve() {
    while (!stop_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) {
        ::close(fd);
        return;
      }
      int id = ++next_conn_;
      fds_[id] = fd;
      last_conn_ = id;
      readers_.emplace_back([this, id, fd] { Read(id, fd); });
    }
  }

  void Read(int id, int fd) {
    std::string buf;
    char chunk[65536];
    for (;;) {
      ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
      for (;;) {
        std::string_view in(buf);
        cql::FrameHeader h;
        if (!cql::GetFrameHeader(in, h) || in.size() < h.length) break;
        Request r{h, std::string(in.substr(0, h.length)), id};
        buf.erase(0, cql::kHeaderSize + h.length);
        Handle(r);
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    ::close(fd);
    fds_.erase(id);
  }

  void Handle(const Request& r) {
    if (r.header.opcode == cql::Opcode::kStartup) {
      if (authenticator.empty()) {
        Reply(r, cql::Opcode::kReady, "");
      } else {
        std::string b;
        cql::PutString(b, authenticator);
        Reply(r, cql::Opcode::kAuthenticate, b);
      }
      return;
    }
    if (r.header.opcode == cql::Opcode::kAuthResponse) {
      std::string_view in(r.body), token;
      bool is_null;
      cql::GetBytes(in, token, is_null);
      if (token == expected_token) {
        std::string b;
        cql::PutNullBytes(b);
        Reply(r, cql::Opcode::kAuthSuccess, b);
      } else {
        Reply(r, cql::Opcode::kError,
              ErrorBody(cql::ServerCode::kBadCredentials, "Provided username and/or password are incorrect"));
      }
      return;
    }
    if (r.header.opcode == cql::Opcode::kOptions) {
      ++options_seen;
      std::string b;
      cql::PutU16(b, 0);
      Reply(r, cql::Opcode::kSupported, b);
      return;
    }
    ++requests;
    script_(*this, r);
  }

  Script script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::mutex mu_;               // guards fds_, next_conn_, last_conn_, readers_; serializes writes
  std::map<int, int> fds_;      // connection id → descriptor, while open
  int next_conn_ = 0;
  int last_conn_ = 0;
  std::vector<std::thread> readers_;
  std::atomic<bool> stop_{false};
  std::thread thread_;  // last: started once the fields above exist
};

}  // namespace cql_test
