// A scripted in-process CQL server for connection tests (in the spirit of the
// DataStax driver's mockssandra): listens on 127.0.0.1 on an ephemeral port,
// accepts connections, answers STARTUP with READY and hands every other
// request frame to the test's script. Used for behaviours a real node will
// not produce on demand (stalls, out-of-order or malformed answers); never a
// stand-in for Cassandra in integration tests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
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
  };
  // Called on the server thread for every request but STARTUP (and OPTIONS
  // when answer_options is set).
  using Script = std::function<void(FakeServer&, const Request&)>;

  explicit FakeServer(Script script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listen_fd_, 16);
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~FakeServer() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    CloseClient();
    thread_.join();
  }

  uint16_t port() const { return port_; }

  // Sends a response frame (thread-safe).
  void Reply(int16_t stream, cql::Opcode op, const std::string& body, uint8_t flags = 0) {
    std::string out;
    cql::FrameHeader h;
    h.version = 0x84;
    h.flags = flags;
    h.stream = stream;
    h.opcode = op;
    h.length = static_cast<uint32_t>(body.size());
    cql::PutFrameHeader(out, h);
    out += body;
    SendRaw(out);
  }
  void SendRaw(const std::string& bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (client_fd_ >= 0) (void)!::write(client_fd_, bytes.data(), bytes.size());
  }
  // Ends the client's connection (the server thread closes the descriptor).
  void CloseClient() {
    std::lock_guard<std::mutex> lock(mu_);
    if (client_fd_ >= 0) ::shutdown(client_fd_, SHUT_RDWR);
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

  std::atomic<int> requests{0};
  std::atomic<int> options_seen{0};
  std::string authenticator;  // non-empty: answer STARTUP with AUTHENTICATE
  std::string expected_token; // AUTH_RESPONSE token that gets AUTH_SUCCESS

 private:
  void Serve() {
    while (!stop_) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      {
        std::lock_guard<std::mutex> lock(mu_);
        client_fd_ = fd;
      }
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
          Request r{h, std::string(in.substr(0, h.length))};
          buf.erase(0, cql::kHeaderSize + h.length);
          Handle(r);
        }
      }
      std::lock_guard<std::mutex> lock(mu_);
      ::close(fd);
      client_fd_ = -1;
    }
  }

  void Handle(const Request& r) {
    if (r.header.opcode == cql::Opcode::kStartup) {
      if (authenticator.empty()) {
        Reply(r.header.stream, cql::Opcode::kReady, "");
      } else {
        std::string b;
        cql::PutString(b, authenticator);
        Reply(r.header.stream, cql::Opcode::kAuthenticate, b);
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
        Reply(r.header.stream, cql::Opcode::kAuthSuccess, b);
      } else {
        std::string b;
        cql::PutI32(b, 0x0100);
        cql::PutString(b, "Provided username and/or password are incorrect");
        Reply(r.header.stream, cql::Opcode::kError, b);
      }
      return;
    }
    if (r.header.opcode == cql::Opcode::kOptions) {
      ++options_seen;
      std::string b;
      cql::PutU16(b, 0);
      Reply(r.header.stream, cql::Opcode::kSupported, b);
      return;
    }
    ++requests;
    script_(*this, r);
  }

  Script script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::mutex mu_;
  int client_fd_ = -1;  // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace cql_test
