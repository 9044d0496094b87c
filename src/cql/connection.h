// Connection: one TCP connection to one node, many requests in flight.
//
// Each request gets a free stream id; responses are matched back by stream
// id. Frames sent from many threads are appended to one pending buffer and
// written with as few socket writes as possible (one async_write drains
// everything queued while the previous write was in progress). TCP_NODELAY
// is set. A sweep timer fails requests whose deadline passed (kTimeout) and
// sends a heartbeat (OPTIONS) when the connection has been idle for the
// heartbeat interval; a heartbeat that gets no answer closes the
// connection. When the socket fails or closes every pending request fails
// with kConnection and the close handler runs once.
//
// TLS (ConnectionOptions::tls set): asio's ssl::stream over the same socket;
// the TLS handshake runs after TCP connect and before STARTUP, within
// connect_timeout. Without TLS every read and write goes straight to the
// socket: the only cost of the option is one pointer test per read or write.
//
// Threading: Send, Close and the accessors are thread-safe. Every handler
// (responses, events, close) runs on the io_context's thread; the io_context
// must be run by exactly one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <asio.hpp>
#include <asio/ssl.hpp>

#include "cql/errors.h"
#include "cql/frame.h"
#include "cql/inline_function.h"

namespace cql {

struct ConnectionOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds heartbeat_interval{30'000};  // 0 = off
  bool compression = false;
  std::string username;  // non-empty: answer AUTHENTICATE with SASL PLAIN
  std::string password;
  std::string keyspace;  // non-empty: USE it after the handshake
  int max_streams = 2048;
  // Set: TLS with this context (tls.h). verify_hostname: the certificate
  // must name the address connected to.
  std::shared_ptr<asio::ssl::context> tls;
  bool verify_hostname = true;
};

// A response frame: header and its body (prefix already stripped: body
// starts at offset), warnings if the server sent any. The body is owned,
// not shared: only a decoded rows result shares it (SharedBody), and most
// answers (to writes) are not rows.
struct Response {
  FrameHeader header;
  std::string body;
  size_t offset = 0;
  std::vector<std::string> warnings;
  std::string_view view() const { return std::string_view(body).substr(offset); }
  // The body for DecodeResult; moved out (the response is spent).
  std::shared_ptr<const std::string> SharedBody() { return std::make_shared<const std::string>(std::move(body)); }
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using Clock = std::chrono::steady_clock;
  // Move-only, in place up to 48 bytes: a request's handler costs no heap block.
  using ResponseHandler = InlineFunction<void(Result<Response>)>;
  using EventHandler = std::function<void(const EventMessage&)>;
  using CloseHandler = std::function<void(const Error&)>;
  using ConnectHandler = std::function<void(Result<std::shared_ptr<Connection>>)>;

  // Connects, handshakes (STARTUP, optional auth, optional USE) and calls
  // done on the io thread with the ready connection or the failure.
  static void Connect(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint,
                      const ConnectionOptions& options, ConnectHandler done);

  ~Connection();

  // Queues a request. False (handler not called) when the connection is
  // closed or all stream ids are busy: the request never left the client.
  // Otherwise the handler runs exactly once: response, timeout or failure.
  // (The handler by rvalue reference: moved once, into the request's slot.
  // now: when the timeout starts, if the caller has just read the clock.)
  bool Send(Opcode op, std::string_view body, std::chrono::milliseconds timeout, ResponseHandler&& handler,
            Clock::time_point now = {});
  // The same with a shared body: one of kShareAbove bytes or more is
  // written from where it is (held until written), not copied into the
  // connection's buffer; a smaller one, or any with compression, is copied.
  static constexpr size_t kShareAbove = 4096;
  bool SendShared(Opcode op, std::shared_ptr<const std::string> body, std::chrono::milliseconds timeout,
                  ResponseHandler&& handler, Clock::time_point now = {});

  // Fails every pending request with reason and closes the socket.
  void Close(const Error& reason);

  void set_event_handler(EventHandler h);  // for STREAM -1 (after REGISTER)
  void set_close_handler(CloseHandler h);

  bool is_open() const { return !closed_.load(); }
  int in_flight() const { return in_flight_.load(); }
  const std::string& address() const { return address_; }  // "ip:port"
  // Frames queued and socket writes (async_write calls) made so far: frames
  // queued while a write is in progress share the next write.
  uint64_t frames_queued() const { return frames_queued_.load(); }
  uint64_t socket_writes() const { return socket_writes_.load(); }

  struct Impl;

 private:
  Connection(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint, const ConnectionOptions& options);
  void StartRead();
  void OnRead(size_t n);
  void Dispatch(const FrameHeader& h, std::string&& body);
  bool Queue(Opcode op, std::string_view body, std::shared_ptr<const std::string> shared,
             std::chrono::milliseconds timeout, ResponseHandler&& handler, Clock::time_point now);
  void Flush();
  void OnSweep();
  void ArmSweep();
  void Fail(const Error& reason);
  void Handshake(ConnectHandler done);
  void OnStartupReply(Result<Response> r, ConnectHandler done);
  void FinishHandshake(ConnectHandler done);
  // Calls f(stream) with the TLS stream when TLS is on, else with the socket.
  template <typename F>
  void WithStream(F&& f) {
    if (tls_) {
      f(*tls_);
    } else {
      f(socket_);
    }
  }
  // Why the socket failed, in words; hints at a TLS mismatch when the server
  // hangs up before the CQL handshake is done.
  std::string DescribeSocketError(const char* what, const asio::error_code& ec);

  asio::io_context& io_;
  asio::ip::tcp::socket socket_;
  using TlsStream = asio::ssl::stream<asio::ip::tcp::socket&>;
  std::unique_ptr<TlsStream> tls_;  // over socket_ when TLS is on (declared after it: destroyed first)
  asio::steady_timer sweep_timer_;
  asio::steady_timer connect_timer_;
  ConnectionOptions options_;
  std::string address_;
  std::atomic<bool> closed_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<uint64_t> frames_queued_{0};
  std::atomic<uint64_t> socket_writes_{0};

  struct Slot {
    ResponseHandler handler;
    Clock::time_point deadline;
    bool busy = false;  // in use (an orphan when handler is empty after a timeout)
  };
  // A body written from its own buffer: it follows the frame bytes before
  // offset `at` of the buffer it goes with.
  struct SharedBody {
    size_t at;
    std::shared_ptr<const std::string> body;
  };
  // Guarded by mu_: pending_, pending_shared_, writing_, slots_, free_ids_, orphans_, high_water_, handlers.
  std::mutex mu_;
  std::string pending_;   // frames waiting for the next write (for a shared body, its header)
  std::vector<SharedBody> pending_shared_;
  // io thread only: what is being written.
  std::string writing_buf_;
  std::vector<SharedBody> writing_shared_;
  std::vector<asio::const_buffer> writing_seq_;
  bool writing_ = false;
  std::vector<Slot> slots_;
  std::vector<int16_t> free_ids_;
  int orphans_ = 0;
  size_t high_water_ = 0;  // 1 + the highest stream id ever used: the sweep scans below it
  EventHandler event_handler_;
  CloseHandler close_handler_;

  // io thread only.
  std::vector<char> read_buf_;
  size_t read_len_ = 0;
  Clock::time_point last_activity_;
  bool heartbeat_pending_ = false;
  bool ready_ = false;  // the CQL handshake finished
};

}  // namespace cql
