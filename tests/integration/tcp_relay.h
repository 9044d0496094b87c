// A TCP relay for tests: listens on one address and copies the bytes of each
// accepted connection to and from a target address, untouched. The TLS tests
// reach the real node through it at an address its certificate does not name
// (as a client behind NAT or a load balancer would), so the certificate the
// client checks is the node's own.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace canopy_test {

class TcpRelay {
 public:
  // Listens on listen_ip:port and relays to target_ip:port; throws when the
  // address cannot be bound.
  TcpRelay(const std::string& listen_ip, const std::string& target_ip, uint16_t port)
      : target_(Address(target_ip, port)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a = Address(listen_ip, port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0) {
      std::string why = std::strerror(errno);
      ::close(listen_fd_);
      throw std::runtime_error("relay cannot listen on " + listen_ip + ":" + std::to_string(port) + ": " + why);
    }
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~TcpRelay() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    accept_thread_.join();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : pumps_) t.join();
    for (int fd : fds_) ::close(fd);
  }

  int connections() const { return connections_.load(); }

 private:
  static sockaddr_in Address(const std::string& ip, uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    return a;
  }

  void AcceptLoop() {
    while (!stop_) {
      int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) return;  // shut down
      int server = ::socket(AF_INET, SOCK_STREAM, 0);
      if (::connect(server, reinterpret_cast<const sockaddr*>(&target_), sizeof target_) != 0) {
        ::close(server);
        ::close(client);
        continue;
      }
      ++connections_;
      std::lock_guard<std::mutex> lock(mu_);
      fds_.push_back(client);
      fds_.push_back(server);
      pumps_.emplace_back([client, server] { Pump(client, server); });
      pumps_.emplace_back([client, server] { Pump(server, client); });
    }
  }

  // Copies from → to until either side closes, then ends both directions.
  static void Pump(int from, int to) {
    char buf[16384];
    for (;;) {
      ssize_t n = ::read(from, buf, sizeof buf);
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = ::send(to, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
        if (w <= 0) {
          n = -1;
          break;
        }
        off += w;
      }
      if (n < 0) break;
    }
    ::shutdown(to, SHUT_RDWR);
    ::shutdown(from, SHUT_RDWR);
  }

  sockaddr_in target_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread accept_thread_;
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> pumps_;
};

}  // namespace canopy_test
