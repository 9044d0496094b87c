// TLS against the real node started with `scripts/cassandra start --tls-client-auth`
// (CANOPY_TLS_HOST, default 127.0.0.21; its certificates in CANOPY_TLS_DIR):
// a session over TLS reads and writes; an untrusted CA, an address the
// certificate does not name, a plaintext client, a TLS client to a plaintext
// node (CANOPY_TEST_HOSTS) and a missing client certificate all fail at
// connect with a message naming the host and the reason, never by timing out.
// The address check binds a TCP relay on 127.0.0.K+1:9042 (K: the TLS node's
// last octet), so that address must be free.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "cql/session.h"
#include "integration/tcp_relay.h"
#include "integration/test_hosts.h"

namespace {

std::string TlsFile(const std::string& name) { return canopy_test::tls_dir() + "/" + name; }

class CqlTls : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(canopy_test::tls_dir().empty())
        << "set CANOPY_TLS_DIR to the folder `scripts/cassandra start --first-ip K --tls-client-auth` prints";
  }

  // Mutual TLS with the cluster's CA and client certificate.
  static cql::SessionOptions Options() {
    cql::SessionOptions o;
    o.contact_points = {canopy_test::tls_host()};
    o.pool_size = 1;
    o.connect_timeout = std::chrono::seconds(10);
    o.request_timeout = std::chrono::seconds(12);
    o.tls.enabled = true;
    o.tls.ca_file = TlsFile("ca.pem");
    o.tls.cert_file = TlsFile("client.pem");
    o.tls.key_file = TlsFile("client-key.pem");
    return o;
  }

  // Connect must fail; returns the error.
  static cql::Error ConnectError(const cql::SessionOptions& o) {
    try {
      cql::Session::Connect(o);
    } catch (const cql::CqlError& e) {
      std::cout << "  refused as expected: " << e.what() << "\n";  // what a user would read
      return e.error();
    }
    ADD_FAILURE() << "connected";
    return {};
  }

  static std::string Node() { return canopy_test::tls_host() + ":9042"; }
};

TEST_F(CqlTls, MutualTlsSessionWritesAndReadsARow) {
  auto s = cql::Session::Connect(Options());
  s->Query("CREATE KEYSPACE IF NOT EXISTS cql_tls_test WITH replication = "
           "{'class': 'SimpleStrategy', 'replication_factor': 1}");
  s->Query("CREATE TABLE IF NOT EXISTS cql_tls_test.t (k int PRIMARY KEY, v text)");
  auto insert = s->Prepare("INSERT INTO cql_tls_test.t (k, v) VALUES (?, ?)");
  s->Execute(insert, {cql::Value::Int(7), cql::Value::Text("over tls")});
  auto rs = s->Query("SELECT v FROM cql_tls_test.t WHERE k = 7");
  ASSERT_EQ(rs.row_count(), 1u);
  EXPECT_EQ(rs[0].get_text("v"), "over tls");
  auto hosts = s->host_counters();
  ASSERT_EQ(hosts.size(), 1u);
  EXPECT_EQ(hosts[0].address, Node());
  EXPECT_EQ(hosts[0].open_connections, 1);
  s->Query("DROP KEYSPACE cql_tls_test");
}

TEST_F(CqlTls, CertificateFromAnUntrustedCaIsRefusedNamingHostAndReason) {
  auto o = Options();
  o.tls.ca_file = TlsFile("untrusted-ca.pem");
  cql::Error e = ConnectError(o);
  EXPECT_EQ(e.kind, cql::ErrorKind::kNoHostAvailable) << e.to_string();
  // The node sends its chain (node certificate and the cluster's CA): the CA
  // is self-signed and not the one trusted.
  EXPECT_NE(e.message.find("TLS handshake with " + Node() +
                           " failed: certificate verify failed (self-signed certificate in certificate chain)"),
            std::string::npos)
      << e.to_string();
}

TEST_F(CqlTls, AddressTheCertificateDoesNotNameIsRefused) {
  // 127.0.0.K+1:9042 relays to the node, whose certificate names only 127.0.0.K.
  const std::string relay_ip = "127.0.0." + std::to_string(std::stoi(canopy_test::tls_host().substr(8)) + 1);
  canopy_test::TcpRelay relay(relay_ip, canopy_test::tls_host(), 9042);
  auto o = Options();
  o.contact_points = {relay_ip};
  cql::Error e = ConnectError(o);
  EXPECT_NE(e.message.find("TLS handshake with " + relay_ip + ":9042 failed: certificate verify failed (IP address mismatch)"),
            std::string::npos)
      << e.to_string();
  EXPECT_EQ(relay.connections(), 1);  // refused by the check, not for want of a route
}

TEST_F(CqlTls, VerifyHostnameOffAcceptsAnAddressTheCertificateDoesNotName) {
  const std::string relay_ip = "127.0.0." + std::to_string(std::stoi(canopy_test::tls_host().substr(8)) + 1);
  canopy_test::TcpRelay relay(relay_ip, canopy_test::tls_host(), 9042);
  auto o = Options();
  o.contact_points = {relay_ip};
  o.tls.verify_hostname = false;
  auto s = cql::Session::Connect(o);
  auto rs = s->Query("SELECT release_version FROM system.local");
  EXPECT_EQ(rs.row_count(), 1u);
  EXPECT_GE(relay.connections(), 1);
  // The chain is still checked: an untrusted CA is refused with the name check off.
  o.tls.ca_file = TlsFile("untrusted-ca.pem");
  cql::Error e = ConnectError(o);
  EXPECT_NE(e.message.find("certificate verify failed"), std::string::npos) << e.to_string();
}

TEST_F(CqlTls, PlaintextClientToTheTlsNodeFailsClearlyBeforeTheConnectTimeout) {
  auto o = Options();
  o.tls = {};
  cql::Error e = ConnectError(o);
  // A hang would end in "connect/handshake timed out" (kTimeout).
  EXPECT_EQ(e.message.find("timed out"), std::string::npos) << e.to_string();
  // The node closes (or resets) the connection when STARTUP is not a TLS record.
  EXPECT_NE(e.message.find(Node() + ": connection error at " + Node() + ": "), std::string::npos) << e.to_string();
  EXPECT_NE(e.message.find(" during the CQL handshake (a node that requires TLS closes plaintext connections: is "
                           "TLS on in the client?)"),
            std::string::npos)
      << e.to_string();
}

TEST_F(CqlTls, TlsClientToAPlaintextNodeFailsClearlyBeforeTheConnectTimeout) {
  auto o = Options();
  o.contact_points = {canopy_test::first_test_host()};
  cql::Error e = ConnectError(o);
  EXPECT_EQ(e.message.find("timed out"), std::string::npos) << e.to_string();
  EXPECT_NE(e.message.find("TLS handshake with " + canopy_test::first_test_host() + ":9042 failed: "),
            std::string::npos)
      << e.to_string();
  EXPECT_NE(e.message.find("the server did not answer with TLS"), std::string::npos) << e.to_string();
}

TEST_F(CqlTls, MutualTlsWithoutAClientCertificateFailsClearly) {
  auto o = Options();
  o.tls.cert_file.clear();
  o.tls.key_file.clear();
  cql::Error e = ConnectError(o);
  EXPECT_EQ(e.message.find("timed out"), std::string::npos) << e.to_string();
  EXPECT_NE(e.message.find(Node()), std::string::npos) << e.to_string();
  EXPECT_NE(e.message.find("client certificate"), std::string::npos) << e.to_string();
}

TEST_F(CqlTls, FilesThatCannotBeLoadedFailConnectNamingOptionAndPath) {
  auto o = Options();
  o.tls.ca_file = TlsFile("no-such-ca.pem");
  cql::Error e = ConnectError(o);
  EXPECT_EQ(e.kind, cql::ErrorKind::kInvalidArgument);
  EXPECT_EQ(e.message, "TLS: cannot read ca_file " + TlsFile("no-such-ca.pem") + ": No such file or directory");

  o = Options();
  o.tls.key_file = TlsFile("ca-key.pem");  // a key, but not the client certificate's
  e = ConnectError(o);
  EXPECT_EQ(e.kind, cql::ErrorKind::kInvalidArgument);
  EXPECT_EQ(e.message, "TLS: key_file " + TlsFile("ca-key.pem") + " is not the key of cert_file " +
                           TlsFile("client.pem"));

  o = Options();
  o.tls.cert_file = TlsFile("ca.pem");
  o.tls.key_file.clear();
  e = ConnectError(o);
  EXPECT_EQ(e.message, "TLS: cert_file and key_file go together (mutual TLS needs both); got only cert_file");

  o = Options();
  o.tls.ca_file = TlsFile("client-key.pem");  // not a certificate
  e = ConnectError(o);
  EXPECT_EQ(e.kind, cql::ErrorKind::kInvalidArgument);
  EXPECT_NE(e.message.find("TLS: cannot load ca_file " + TlsFile("client-key.pem") + ": "), std::string::npos)
      << e.message;
}

}  // namespace
