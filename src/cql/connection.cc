#include "cql/connection.h"

#include <algorithm>
#include <cstring>

#include "cql/coding.h"
#include "cql/compression.h"
#include "cql/tls.h"

namespace cql {

namespace {

constexpr std::chrono::milliseconds kSweepInterval{50};
constexpr size_t kInitialReadBuffer = 64 * 1024;

// Decodes an ERROR response into an Error; other opcodes → kProtocol.
Error ErrorFromResponse(const Response& r, const std::string& host, const char* expected) {
  if (r.header.opcode == Opcode::kError) {
    ErrorMessage m;
    if (DecodeError(r.view(), m)) return ToError(m, host);
    return MakeError(ErrorKind::kProtocol, "malformed ERROR body", host, false);
  }
  return MakeError(ErrorKind::kProtocol,
                   std::string("expected ") + expected + ", got opcode " +
                       std::to_string(static_cast<int>(r.header.opcode)),
                   host, false);
}

}  // namespace

Connection::Connection(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint,
                       const ConnectionOptions& options)
    : io_(io), socket_(io), sweep_timer_(io), connect_timer_(io), options_(options) {
  address_ = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  int streams = std::max(1, std::min(options_.max_streams, 32768));
  slots_.resize(static_cast<size_t>(streams));
  free_ids_.reserve(static_cast<size_t>(streams));
  for (int i = streams - 1; i >= 0; --i) free_ids_.push_back(static_cast<int16_t>(i));
  read_buf_.resize(kInitialReadBuffer);
  last_activity_ = Clock::now();
  if (options_.tls) tls_ = std::make_unique<TlsStream>(socket_, *options_.tls);
}

Connection::~Connection() = default;

void Connection::Connect(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint,
                         const ConnectionOptions& options, ConnectHandler done) {
  std::shared_ptr<Connection> c(new Connection(io, endpoint, options));
  // done runs exactly once: whichever of success, failure or timeout comes first.
  auto once = std::make_shared<ConnectHandler>(std::move(done));
  auto finish = [once](Result<std::shared_ptr<Connection>> r) {
    if (*once) {
      auto f = std::move(*once);
      *once = nullptr;
      f(std::move(r));
    }
  };
  c->connect_timer_.expires_after(options.connect_timeout);
  c->connect_timer_.async_wait([c, finish](const asio::error_code& ec) {
    if (ec) return;  // cancelled: handshake finished
    Error e = MakeError(ErrorKind::kTimeout,
                        "connect/handshake timed out after " +
                            std::to_string(c->options_.connect_timeout.count()) + " ms",
                        c->address_, true);
    c->Fail(e);
    finish(e);
  });
  // After TCP connect (and the TLS handshake): the CQL handshake.
  auto start = [c, finish] {
    c->last_activity_ = Clock::now();
    c->StartRead();
    c->ArmSweep();
    c->Handshake([c, finish](Result<std::shared_ptr<Connection>> r) {
      c->connect_timer_.cancel();
      if (r.ok()) {
        c->ready_ = true;
      } else {
        c->Fail(r.error());
      }
      finish(std::move(r));
    });
  };
  c->socket_.async_connect(endpoint, [c, finish, start, ip = endpoint.address().to_string()](const asio::error_code& ec) {
    if (ec) {
      Error e = MakeError(ErrorKind::kConnection, "connect failed: " + ec.message(), c->address_, true);
      c->Fail(e);
      finish(e);
      return;
    }
    asio::error_code ignored;
    c->socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
    if (!c->tls_) return start();
    if (c->options_.verify_hostname) RequirePeerAddress(*c->tls_, ip);
    c->tls_->async_handshake(asio::ssl::stream_base::client, [c, finish, start](const asio::error_code& hec) {
      if (!hec) return start();
      const bool verify_failed = SSL_get_verify_result(c->tls_->native_handle()) != X509_V_OK;
      Error e = MakeError(ErrorKind::kConnection,
                          "TLS handshake with " + c->address_ + " failed: " + DescribeTlsError(hec, *c->tls_),
                          c->address_, !verify_failed);
      c->Fail(e);
      finish(e);
    });
  });
}

void Connection::Handshake(ConnectHandler done) {
  std::map<std::string, std::string> startup{{"CQL_VERSION", "3.0.0"}, {"DRIVER_NAME", "canopy-cql"}};
  if (options_.compression) startup["COMPRESSION"] = "lz4";
  std::string body;
  EncodeStartup(body, startup);
  auto self = shared_from_this();
  bool sent = Send(Opcode::kStartup, body, options_.connect_timeout,
                   [self, done](Result<Response> r) { self->OnStartupReply(std::move(r), done); });
  if (!sent) done(MakeError(ErrorKind::kConnection, "connection closed before STARTUP", address_, true));
}

void Connection::OnStartupReply(Result<Response> r, ConnectHandler done) {
  if (!r.ok()) return done(r.error());
  const Response& resp = r.value();
  auto self = shared_from_this();
  switch (resp.header.opcode) {
    case Opcode::kReady:
      return FinishHandshake(done);
    case Opcode::kAuthenticate: {
      std::string authenticator;
      DecodeAuthenticate(resp.view(), authenticator);
      if (options_.username.empty())
        return done(MakeError(ErrorKind::kAuth,
                              "server requires authentication (" + authenticator + ") but no username is configured",
                              address_, false));
      std::string body;
      EncodeAuthResponse(body, PlainAuthToken(options_.username, options_.password));
      bool sent = Send(Opcode::kAuthResponse, body, options_.connect_timeout, [self, done](Result<Response> a) {
        if (!a.ok()) return done(a.error());
        if (a.value().header.opcode == Opcode::kAuthSuccess) return self->FinishHandshake(done);
        Error e = ErrorFromResponse(a.value(), self->address_, "AUTH_SUCCESS");
        if (a.value().header.opcode == Opcode::kAuthChallenge) e.message = "unexpected SASL challenge for PLAIN";
        e.kind = ErrorKind::kAuth;
        e.retryable = false;
        done(e);
      });
      if (!sent) done(MakeError(ErrorKind::kConnection, "connection closed during authentication", address_, true));
      return;
    }
    default:
      return done(ErrorFromResponse(resp, address_, "READY or AUTHENTICATE"));
  }
}

void Connection::FinishHandshake(ConnectHandler done) {
  auto self = shared_from_this();
  if (options_.keyspace.empty()) return done(self);
  std::string body;
  StatementOptions o;
  o.page_size = 0;
  std::string q = "USE \"" + options_.keyspace + "\"";
  EncodeQuery(body, q, {}, o, std::nullopt);
  bool sent = Send(Opcode::kQuery, body, options_.connect_timeout, [self, done](Result<Response> r) {
    if (!r.ok()) return done(r.error());
    if (r.value().header.opcode != Opcode::kResult) return done(ErrorFromResponse(r.value(), self->address_, "RESULT"));
    done(self);
  });
  if (!sent) done(MakeError(ErrorKind::kConnection, "connection closed before USE", address_, true));
}

bool Connection::Send(Opcode op, std::string_view body, std::chrono::milliseconds timeout, ResponseHandler&& handler,
                      Clock::time_point now) {
  return Queue(op, body, nullptr, timeout, std::move(handler), now);
}

bool Connection::SendShared(Opcode op, std::shared_ptr<const std::string> body, std::chrono::milliseconds timeout,
                            ResponseHandler&& handler, Clock::time_point now) {
  const std::string_view view(*body);
  if (view.size() < kShareAbove || options_.compression) body = nullptr;  // copied
  return Queue(op, view, std::move(body), timeout, std::move(handler), now);
}

bool Connection::Queue(Opcode op, std::string_view body, std::shared_ptr<const std::string> shared,
                       std::chrono::milliseconds timeout, ResponseHandler&& handler, Clock::time_point now) {
  bool start_write = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_.load() || free_ids_.empty()) return false;
    int16_t id = free_ids_.back();
    free_ids_.pop_back();
    Slot& s = slots_[static_cast<size_t>(id)];
    s.handler = std::move(handler);
    s.deadline = (now == Clock::time_point{} ? Clock::now() : now) + timeout;
    s.busy = true;
    high_water_ = std::max(high_water_, static_cast<size_t>(id) + 1);
    in_flight_.fetch_add(1);
    if (shared) {
      FrameHeader h;
      h.stream = id;
      h.opcode = op;
      h.length = static_cast<uint32_t>(body.size());
      PutFrameHeader(pending_, h);
      pending_shared_.push_back({pending_.size(), std::move(shared)});
    } else {
      AppendFrame(pending_, op, id, body, options_.compression);
    }
    frames_queued_.fetch_add(1, std::memory_order_relaxed);
    if (!writing_) {
      writing_ = true;
      start_write = true;
    }
  }
  if (start_write) asio::post(io_, [self = shared_from_this()] { self->Flush(); });
  return true;
}

void Connection::Flush() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    writing_buf_.clear();
    writing_buf_.swap(pending_);
    writing_shared_.clear();
    writing_shared_.swap(pending_shared_);
  }
  if (closed_.load()) {
    writing_shared_.clear();
    return;
  }
  socket_writes_.fetch_add(1, std::memory_order_relaxed);
  auto on_written = [self = shared_from_this()](const asio::error_code& ec, size_t) {
    self->writing_shared_.clear();  // written (or failed): the bodies are no longer needed
    if (ec) {
      self->Fail(MakeError(ErrorKind::kConnection, self->DescribeSocketError("write", ec), self->address_, true));
      return;
    }
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      if (self->pending_.empty()) {
        self->writing_ = false;
        return;
      }
    }
    self->Flush();
  };
  if (writing_shared_.empty()) {
    WithStream([&](auto& stream) { asio::async_write(stream, asio::buffer(writing_buf_), std::move(on_written)); });
    return;
  }
  // Frame bytes and shared bodies in order, in one gathered write.
  writing_seq_.clear();
  size_t from = 0;
  for (const SharedBody& s : writing_shared_) {
    if (s.at > from) writing_seq_.push_back(asio::buffer(writing_buf_.data() + from, s.at - from));
    writing_seq_.push_back(asio::buffer(*s.body));
    from = s.at;
  }
  if (writing_buf_.size() > from) writing_seq_.push_back(asio::buffer(writing_buf_.data() + from, writing_buf_.size() - from));
  WithStream([&](auto& stream) { asio::async_write(stream, writing_seq_, std::move(on_written)); });
}

void Connection::StartRead() {
  if (read_len_ == read_buf_.size()) read_buf_.resize(read_buf_.size() * 2);
  auto on_read = [self = shared_from_this()](const asio::error_code& ec, size_t n) {
    if (ec) {
      self->Fail(MakeError(ErrorKind::kConnection, self->DescribeSocketError("read", ec), self->address_, true));
      return;
    }
    self->OnRead(n);
  };
  WithStream([&](auto& stream) {
    stream.async_read_some(asio::buffer(read_buf_.data() + read_len_, read_buf_.size() - read_len_),
                           std::move(on_read));
  });
}

std::string Connection::DescribeSocketError(const char* what, const asio::error_code& ec) {
  const bool closed = ec == asio::error::eof || ec == asio::error::connection_reset ||
                      ec == asio::ssl::error::stream_truncated;
  std::string why;
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    why = "closed by the server";
  } else if (tls_ && IsTlsError(ec)) {
    why = std::string(what) + " failed: TLS: " + DescribeTlsError(ec, *tls_);
  } else {
    why = std::string(what) + " failed: " + ec.message();
  }
  if (ready_ || !closed) return why;
  if (!tls_) return why + " during the CQL handshake (a node that requires TLS closes plaintext connections: is TLS on in the client?)";
  if (!SSL_get_certificate(tls_->native_handle()))
    return why + " after the TLS handshake (does the node require a client certificate? set cert_file and key_file)";
  return why + " after the TLS handshake";
}

void Connection::OnRead(size_t n) {
  read_len_ += n;
  last_activity_ = Clock::now();
  size_t pos = 0;
  while (read_len_ - pos >= kHeaderSize) {
    std::string_view in(read_buf_.data() + pos, read_len_ - pos);
    FrameHeader h;
    if (!GetFrameHeader(in, h) || !(h.version & kResponseFlag)) {
      Fail(MakeError(ErrorKind::kProtocol, "malformed frame header from server", address_, true));
      return;
    }
    size_t frame_size = kHeaderSize + h.length;
    if (read_len_ - pos < frame_size) {
      if (frame_size > read_buf_.size()) {
        // Make room for the whole frame after compaction below.
        if (pos > 0) {
          std::memmove(read_buf_.data(), read_buf_.data() + pos, read_len_ - pos);
          read_len_ -= pos;
          pos = 0;
        }
        read_buf_.resize(frame_size);
      }
      break;
    }
    std::string body(read_buf_.data() + pos + kHeaderSize, h.length);
    pos += frame_size;
    if (h.flags & kFlagCompression) {
      std::string plain;
      if (!Lz4DecompressBody(body, plain, kMaxBodySize)) {
        Fail(MakeError(ErrorKind::kProtocol, "malformed LZ4 body from server", address_, true));
        return;
      }
      body.swap(plain);
    }
    Dispatch(h, std::move(body));
    if (closed_.load()) return;
  }
  if (pos > 0) {
    std::memmove(read_buf_.data(), read_buf_.data() + pos, read_len_ - pos);
    read_len_ -= pos;
  }
  StartRead();
}

void Connection::Dispatch(const FrameHeader& h, std::string&& body) {
  Result<Response> out = Response();  // built in place: handed on without a move more
  Response& r = out.value();
  r.header = h;
  std::string_view view(body);
  bool prefix_ok = StripResponsePrefix(view, h.flags, &r.warnings);
  r.offset = body.size() - view.size();
  r.body = std::move(body);
  if (h.stream < 0) {
    EventMessage ev;
    EventHandler handler;
    {
      std::lock_guard<std::mutex> lock(mu_);
      handler = event_handler_;
    }
    if (prefix_ok && h.opcode == Opcode::kEvent && DecodeEvent(r.view(), ev) && handler) handler(ev);
    return;
  }
  ResponseHandler handler;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (static_cast<size_t>(h.stream) >= slots_.size() || !slots_[static_cast<size_t>(h.stream)].busy) return;
    Slot& s = slots_[static_cast<size_t>(h.stream)];
    handler = std::move(s.handler);
    s.handler = nullptr;
    s.busy = false;
    if (!handler) --orphans_;
    free_ids_.push_back(h.stream);
  }
  in_flight_.fetch_sub(1);
  if (!handler) return;  // answer to a request that already timed out
  if (!prefix_ok) {
    handler(MakeError(ErrorKind::kProtocol, "malformed response prefix (tracing/warnings/payload)", address_, false));
    return;
  }
  handler(std::move(out));
}

void Connection::ArmSweep() {
  sweep_timer_.expires_after(kSweepInterval);
  sweep_timer_.async_wait([self = shared_from_this()](const asio::error_code& ec) {
    if (ec || self->closed_.load()) return;
    self->OnSweep();
  });
}

void Connection::OnSweep() {
  auto now = Clock::now();
  std::vector<ResponseHandler> expired;
  bool too_many_orphans = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t id = 0; id < high_water_ && in_flight_.load() > 0; ++id) {
      Slot& s = slots_[id];
      if (s.busy && s.handler && s.deadline <= now) {
        expired.push_back(std::move(s.handler));
        s.handler = nullptr;  // stays busy: the id is reused only after the late answer
        ++orphans_;
      }
    }
    too_many_orphans = orphans_ > static_cast<int>(slots_.size()) / 2;
  }
  for (auto& h : expired)
    h(MakeError(ErrorKind::kTimeout, "no response within the request timeout", address_, true));
  if (too_many_orphans) {
    Fail(MakeError(ErrorKind::kConnection, "too many requests timed out; connection considered dead", address_, true));
    return;
  }
  if (options_.heartbeat_interval.count() > 0 && !heartbeat_pending_ &&
      now - last_activity_ >= options_.heartbeat_interval) {
    heartbeat_pending_ = true;
    auto self = shared_from_this();
    Send(Opcode::kOptions, {}, options_.heartbeat_interval, [self](Result<Response> r) {
      self->heartbeat_pending_ = false;
      if (!r.ok()) {
        Error e = r.error();
        e.message = "heartbeat failed: " + e.message;
        self->Fail(e);
      }
    });
  }
  if (!closed_.load()) ArmSweep();
}

void Connection::Close(const Error& reason) {
  asio::post(io_, [self = shared_from_this(), reason] { self->Fail(reason); });
}

void Connection::Fail(const Error& reason) {
  if (closed_.exchange(true)) return;
  std::vector<ResponseHandler> pending;
  CloseHandler on_close;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (Slot& s : slots_) {
      if (s.busy && s.handler) pending.push_back(std::move(s.handler));
      s.handler = nullptr;
      s.busy = false;
    }
    in_flight_.store(0);
    pending_shared_.clear();  // never to be written: let the requests go
    on_close = std::move(close_handler_);
    close_handler_ = nullptr;
    event_handler_ = nullptr;
  }
  asio::error_code ignored;
  socket_.close(ignored);
  sweep_timer_.cancel();
  Error e = reason;
  if (e.host.empty()) e.host = address_;
  for (auto& h : pending) h(e);
  if (on_close) on_close(e);
}

void Connection::set_event_handler(EventHandler h) {
  std::lock_guard<std::mutex> lock(mu_);
  event_handler_ = std::move(h);
}

void Connection::set_close_handler(CloseHandler h) {
  std::lock_guard<std::mutex> lock(mu_);
  close_handler_ = std::move(h);
}

}  // namespace cql
