// The Cassandra nodes the tests talk to, from the environment scripts/test
// sets. Every C++ test reads them here, so the variables, their defaults and
// their parsing live in one place.
//   CANOPY_TEST_HOSTS     the single node (default 127.0.0.1)
//   CANOPY_AUTH_HOST      the node with PasswordAuthenticator (default 127.0.0.11)
//   CANOPY_CLUSTER_HOSTS  the three-node cluster (default 127.0.0.1,127.0.0.2,127.0.0.3)
//   CANOPY_TLS_HOST       the node started with scripts/cassandra --tls-client-auth
//                         (default 127.0.0.21)
//   CANOPY_TLS_DIR        the certificates of that node's cluster (the folder
//                         scripts/cassandra start --tls prints; no default)
//   CANOPY_DC_HOSTS       the three-node cluster in two datacenters, dc1 (first
//                         two) and dc2 (scripts/cassandra --dcs 2; default
//                         127.0.0.1,127.0.0.2,127.0.0.3)
// Each *_HOST(S) holds comma-separated addresses; unset or empty means the default.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

namespace canopy_test {

// "a, b,,c" → {"a", "b", "c"} (host names hold no spaces).
inline std::vector<std::string> split_hosts(const std::string& text) {
  std::vector<std::string> hosts;
  std::string host;
  for (char c : text + ",") {
    if (c == ',') {
      if (!host.empty()) hosts.push_back(host);
      host.clear();
    } else if (c != ' ') {
      host += c;
    }
  }
  return hosts;
}

// The hosts `variable` names; `fallback` when it is unset or names none.
inline std::vector<std::string> hosts_from_env(const char* variable, const char* fallback) {
  const char* set = std::getenv(variable);
  std::vector<std::string> hosts = split_hosts(set ? set : "");
  return hosts.empty() ? split_hosts(fallback) : hosts;
}

inline std::vector<std::string> test_hosts() { return hosts_from_env("CANOPY_TEST_HOSTS", "127.0.0.1"); }
inline std::string first_test_host() { return test_hosts().front(); }
inline std::vector<std::string> auth_hosts() { return hosts_from_env("CANOPY_AUTH_HOST", "127.0.0.11"); }
inline std::vector<std::string> cluster_hosts() {
  return hosts_from_env("CANOPY_CLUSTER_HOSTS", "127.0.0.1,127.0.0.2,127.0.0.3");
}
inline std::string tls_host() { return hosts_from_env("CANOPY_TLS_HOST", "127.0.0.21").front(); }
// "" when unset: the TLS tests then fail, saying to set it.
inline std::string tls_dir() {
  const char* set = std::getenv("CANOPY_TLS_DIR");
  return set ? set : "";
}

inline std::vector<std::string> dc_hosts() { return hosts_from_env("CANOPY_DC_HOSTS", "127.0.0.1,127.0.0.2,127.0.0.3"); }

}  // namespace canopy_test
