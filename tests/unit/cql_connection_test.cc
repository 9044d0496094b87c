// Connection behaviour against a scripted in-process server
// (cql_fake_server.h): stream-id matching, coalescing, timeouts, socket
// death, malformed frames, authentication, heartbeat.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <set>
#include <thread>

#include "cql/coding.h"
#include "cql/compression.h"
#include "cql/connection.h"
#include "cql/tls.h"
#include "unit/cql_fake_server.h"

namespace {

using cql::Connection;
using cql_test::FakeServer;
using namespace std::chrono_literals;

// Runs an io_context on its own thread for the test's lifetime.
struct Io {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{asio::make_work_guard(io)};
  std::thread thread{[this] { io.run(); }};
  ~Io() {
    work.reset();
    io.stop();
    thread.join();
  }
};

std::shared_ptr<Connection> ConnectTo(Io& io, uint16_t port, cql::ConnectionOptions o = {}) {
  std::promise<cql::Result<std::shared_ptr<Connection>>> p;
  Connection::Connect(io.io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), o,
                      [&](cql::Result<std::shared_ptr<Connection>> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  if (!r.ok()) {
    ADD_FAILURE() << r.error().to_string();
    return nullptr;
  }
  return r.value();
}

std::string QueryBody(const std::string& q) {
  std::string b;
  cql::StatementOptions o;
  o.page_size = 0;
  cql::EncodeQuery(b, q, {}, o, std::nullopt);
  return b;
}

std::string QueryText(const FakeServer::Request& r) {
  std::string_view in(r.body), q;
  cql::GetLongString(in, q);
  return std::string(q);
}

std::string AnsweredText(const cql::Response& r) {
  std::string_view in = r.view(), ks;
  int32_t kind;
  cql::GetI32(in, kind);
  cql::GetString(in, ks);
  return std::string(ks);
}

TEST(CqlConnection, ResponsesOutOfOrderReachTheirOwnCaller) {
  std::mutex mu;
  std::vector<FakeServer::Request> held;
  FakeServer server([&](FakeServer& s, const FakeServer::Request& r) {
    std::lock_guard<std::mutex> lock(mu);
    held.push_back(r);
    if (held.size() == 3) {  // answer the three in reverse order
      for (auto it = held.rbegin(); it != held.rend(); ++it)
        s.Reply(it->header.stream, cql::Opcode::kResult, FakeServer::TextResult(QueryText(*it)));
    }
  });
  Io io;
  auto c = ConnectTo(io, server.port());
  ASSERT_TRUE(c);
  std::vector<std::promise<std::string>> answers(3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c->Send(cql::Opcode::kQuery, QueryBody("q" + std::to_string(i)), 5s, [&, i](cql::Result<cql::Response> r) {
      answers[i].set_value(r.ok() ? AnsweredText(r.value()) : r.error().to_string());
    }));
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(answers[i].get_future().get(), "q" + std::to_string(i));
}

TEST(CqlConnection, SharedBodiesAreWrittenInPlaceAmongCopiedOnesAndArriveWhole) {
  // Large bodies (SendShared) go out from their own buffer, small ones are
  // copied: interleaved from several threads, every query reaches the
  // server whole and in its own frame.
  FakeServer server([](FakeServer& s, const FakeServer::Request& r) {
    s.Reply(r.header.stream, cql::Opcode::kResult, FakeServer::TextResult(QueryText(r)));
  });
  Io io;
  auto c = ConnectTo(io, server.port());
  ASSERT_TRUE(c);
  std::atomic<int> right{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<void>> done;
      for (int i = 0; i < 50; ++i) {
        const bool large = (i + t) % 3 == 0;
        std::string q = "t" + std::to_string(t) + "-" + std::to_string(i) + std::string(large ? 6000 + i : 10, 'x');
        auto p = std::make_shared<std::promise<void>>();
        done.push_back(p->get_future());
        auto check = [&, p, q](cql::Result<cql::Response> r) {
          (r.ok() && AnsweredText(r.value()) == q ? right : wrong)++;
          p->set_value();
        };
        bool sent = large ? c->SendShared(cql::Opcode::kQuery, std::make_shared<const std::string>(QueryBody(q)), 10s, check)
                          : c->Send(cql::Opcode::kQuery, QueryBody(q), 10s, check);
        ASSERT_TRUE(sent);
      }
      for (auto& f : done) f.get();
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(right.load(), 200);
  EXPECT_EQ(wrong.load(), 0);
}

TEST(CqlConnection, ThousandsOfConcurrentRequestsFromManyThreadsAllComplete) {
  FakeServer server([](FakeServer& s, const FakeServer::Request& r) {
    s.Reply(r.header.stream, cql::Opcode::kResult, FakeServer::TextResult(QueryText(r)));
  });
  Io io;
  auto c = ConnectTo(io, server.port());
  ASSERT_TRUE(c);
  std::atomic<int> right{0}, wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::future<void>> done;
      for (int i = 0; i < 500; ++i) {
        auto p = std::make_shared<std::promise<void>>();
        done.push_back(p->get_future());
        std::string q = std::to_string(t) + ":" + std::to_string(i);
        while (!c->Send(cql::Opcode::kQuery, QueryBody(q), 10s, [&, p, q](cql::Result<cql::Response> r) {
          (r.ok() && AnsweredText(r.value()) == q ? right : wrong)++;
          p->set_value();
        })) {
          std::this_thread::yield();  // all stream ids busy
        }
      }
      for (auto& f : done) f.get();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(right.load(), 2000);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(c->in_flight(), 0);
}

TEST(CqlConnection, FramesQueuedDuringAWriteShareTheNextWrite) {
  FakeServer server([](FakeServer& s, const FakeServer::Request& r) {
    s.Reply(r.header.stream, cql::Opcode::kResult, FakeServer::VoidResult());
  });
  Io io;
  auto c = ConnectTo(io, server.port());
  ASSERT_TRUE(c);
  uint64_t writes_before = c->socket_writes();
  // Hold the I/O thread so that 100 requests queue up before any write starts.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  asio::post(io.io, [released] { released.wait(); });
  std::atomic<int> answered{0};
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(c->Send(cql::Opcode::kQuery, QueryBody("q"), 10s, [&](cql::Result<cql::Response> r) {
      if (r.ok()) ++answered;
    }));
  release.set_value();
  for (int i = 0; i < 500 && answered.load() < 100; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(answered.load(), 100);
  EXPECT_EQ(c->socket_writes() - writes_before, 1u) << "100 frames, one write";
}

TEST(CqlConnection, UnansweredRequestTimesOutAndItsStreamIsNotReusedUntilAnswered) {
  std::mutex mu;
  std::vector<FakeServer::Request> held;
  FakeServer server([&](FakeServer&, const FakeServer::Request& r) {
    std::lock_guard<std::mutex> lock(mu);
    held.push_back(r);
  });
  Io io;
  cql::ConnectionOptions o;
  o.max_streams = 4;
  auto c = ConnectTo(io, server.port(), o);
  ASSERT_TRUE(c);
  std::promise<cql::Error> timed_out;
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(c->Send(cql::Opcode::kQuery, QueryBody("stall"), 200ms, [&](cql::Result<cql::Response> r) {
    timed_out.set_value(r.ok() ? cql::Error{} : r.error());
  }));
  cql::Error e = timed_out.get_future().get();
  EXPECT_EQ(e.kind, cql::ErrorKind::kTimeout) << e.to_string();
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
  EXPECT_TRUE(c->is_open());
  EXPECT_EQ(c->in_flight(), 1) << "the timed-out stream stays reserved";
  // Its late answer is dropped without effect and frees the stream.
  int16_t stalled_stream;
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_EQ(held.size(), 1u);
    stalled_stream = held[0].header.stream;
  }
  server.Reply(stalled_stream, cql::Opcode::kResult, FakeServer::VoidResult());
  for (int i = 0; i < 100 && c->in_flight() != 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(c->in_flight(), 0);
}

TEST(CqlConnection, SocketDeathFailsEveryPendingRequestAndRunsCloseHandlerOnce) {
  std::atomic<int> seen{0};
  FakeServer server([&](FakeServer& s, const FakeServer::Request&) {
    if (++seen == 5) s.CloseClient();
  });
  Io io;
  auto c = ConnectTo(io, server.port());
  ASSERT_TRUE(c);
  std::atomic<int> closes{0};
  std::promise<void> closed;
  c->set_close_handler([&](const cql::Error&) {
    if (++closes == 1) closed.set_value();
  });
  std::vector<std::future<cql::Result<cql::Response>>> fs;
  for (int i = 0; i < 5; ++i) {
    auto p = std::make_shared<std::promise<cql::Result<cql::Response>>>();
    fs.push_back(p->get_future());
    ASSERT_TRUE(c->Send(cql::Opcode::kQuery, QueryBody("x"), 30s, [p](cql::Result<cql::Response> r) { p->set_value(std::move(r)); }));
  }
  for (auto& f : fs) {
    ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
    auto r = f.get();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, cql::ErrorKind::kConnection) << r.error().to_string();
  }
  closed.get_future().wait();
  EXPECT_FALSE(c->is_open());
  EXPECT_FALSE(c->Send(cql::Opcode::kQuery, QueryBody("after"), 1s, [](cql::Result<cql::Response>) {}));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(closes.load(), 1);
}

TEST(CqlConnection, MalformedFrameFromServerFailsTheConnectionNotTheProcess) {
  FakeServer server([](FakeServer& s, const FakeServer::Request&) {
    s.SendRaw(std::string("\x03\x00\x00\x01\x08\x00\x00\x00\x00", 9));  // protocol v3 header
  });
  Io io;
  auto c = ConnectTo(io, server.port());
  ASSERT_TRUE(c);
  std::promise<cql::Result<cql::Response>> p;
  ASSERT_TRUE(c->Send(cql::Opcode::kQuery, QueryBody("x"), 10s, [&](cql::Result<cql::Response> r) { p.set_value(std::move(r)); }));
  auto r = p.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kProtocol) << r.error().to_string();
}

TEST(CqlConnection, PasswordAuthenticationSendsSaslPlain) {
  FakeServer server([](FakeServer&, const FakeServer::Request&) {});
  server.authenticator = "org.apache.cassandra.auth.PasswordAuthenticator";
  server.expected_token = std::string("\0user\0secret", 12);
  Io io;
  cql::ConnectionOptions o;
  o.username = "user";
  o.password = "secret";
  auto ok = ConnectTo(io, server.port(), o);
  ASSERT_TRUE(ok);
  ok->Close(cql::Error{});

  o.password = "wrong";
  std::promise<cql::Result<std::shared_ptr<Connection>>> p;
  Connection::Connect(io.io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()), o,
                      [&](cql::Result<std::shared_ptr<Connection>> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kAuth);
  EXPECT_EQ(r.error().server_code, 0x0100);
}

TEST(CqlConnection, HandshakeThatNeverAnswersTimesOut) {
  // A listening socket that never answers STARTUP (like a SIGSTOPped node).
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(fd, 4);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  Io io;
  cql::ConnectionOptions o;
  o.connect_timeout = 300ms;
  std::promise<cql::Result<std::shared_ptr<Connection>>> p;
  Connection::Connect(io.io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), ntohs(a.sin_port)), o,
                      [&](cql::Result<std::shared_ptr<Connection>> r) { p.set_value(std::move(r)); });
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kTimeout) << r.error().to_string();
  ::close(fd);
}

TEST(CqlConnection, TlsHandshakeThatNeverAnswersTimesOutWithinTheConnectTimeout) {
  // A listening socket that never answers the ClientHello: the TLS handshake
  // is inside connect_timeout, so it cannot hang the caller.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::listen(fd, 4);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  Io io;
  cql::ConnectionOptions o;
  o.connect_timeout = 300ms;
  cql::TlsOptions tls;
  tls.enabled = true;  // the system's CAs: no handshake gets that far anyway
  o.tls = cql::MakeTlsContext(tls).value_or_throw();
  std::promise<cql::Result<std::shared_ptr<Connection>>> p;
  Connection::Connect(io.io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), ntohs(a.sin_port)), o,
                      [&](cql::Result<std::shared_ptr<Connection>> r) { p.set_value(std::move(r)); });
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  auto r = f.get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, cql::ErrorKind::kTimeout) << r.error().to_string();
  EXPECT_EQ(r.error().message, "connect/handshake timed out after 300 ms");
  ::close(fd);
}

TEST(CqlConnection, IdleConnectionSendsHeartbeatsAndSurvivesAnsweredOnes) {
  // The connection sends nothing else, so every OPTIONS is a heartbeat; a
  // second one is only sent once the first was answered (an unanswered one
  // closes the connection). The interval is also the heartbeat's answer
  // timeout: 1 s is far above a loopback answer, and no count of heartbeats
  // per unit of time is asserted.
  FakeServer server([](FakeServer&, const FakeServer::Request&) {});
  Io io;
  cql::ConnectionOptions o;
  o.heartbeat_interval = 1s;
  auto c = ConnectTo(io, server.port(), o);
  ASSERT_TRUE(c);
  // The bound only ends a broken test.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (server.options_seen.load() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_GE(server.options_seen.load(), 2) << "no second heartbeat within 60 s";
  EXPECT_TRUE(c->is_open());
}

TEST(CqlConnection, CompressedResponsesAreDecompressed) {
  FakeServer server([](FakeServer& s, const FakeServer::Request& r) {
    std::string z;
    cql::Lz4CompressBody(z, FakeServer::TextResult(std::string(500, 'k')));
    s.Reply(r.header.stream, cql::Opcode::kResult, z, cql::kFlagCompression);
  });
  Io io;
  cql::ConnectionOptions o;
  o.compression = true;
  auto c = ConnectTo(io, server.port(), o);
  ASSERT_TRUE(c);
  std::promise<std::string> p;
  ASSERT_TRUE(c->Send(cql::Opcode::kQuery, QueryBody("x"), 5s, [&](cql::Result<cql::Response> r) {
    p.set_value(r.ok() ? AnsweredText(r.value()) : r.error().to_string());
  }));
  EXPECT_EQ(p.get_future().get(), std::string(500, 'k'));
}

}  // namespace
