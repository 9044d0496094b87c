// A scripted fake cluster for request-layer tests: N FakeServers
// (cql_fake_server.h) on distinct loopback addresses 127.0.<b>.1..N sharing
// one port, each with a datacenter. It answers what a session asks to
// discover and watch the cluster (system.local, system.peers_v2,
// system_schema.keyspaces, REGISTER, schema_version) and hands every other
// request to the test's script with the index of the node that got it.
#pragma once

#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cql/coding.h"
#include "cql/frame.h"
#include "cql/session.h"
#include "cql/value_codec.h"
#include "unit/cql_fake_server.h"

namespace cql_test {

// A RESULT rows body: one table, the given columns, each row's cells as
// Values (Value::Null() for NULL). Types are those the values encode as.
inline std::string RowsResult(const std::vector<std::pair<std::string, cql::DataType>>& columns,
                              const std::vector<std::vector<cql::Value>>& rows) {
  std::string b;
  cql::PutI32(b, 2);
  cql::PutI32(b, 0x0001);  // global table spec
  cql::PutI32(b, static_cast<int32_t>(columns.size()));
  cql::PutString(b, "system");
  cql::PutString(b, "fake");
  for (const auto& [name, type] : columns) {
    cql::PutString(b, name);
    cql::PutDataType(b, type);
  }
  cql::PutI32(b, static_cast<int32_t>(rows.size()));
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) (void)cql::PutValue(b, row[i], &columns[i].second);
  return b;
}

inline cql::DataType Type(cql::TypeId id, std::vector<cql::DataType> children = {}) {
  cql::DataType t;
  t.id = id;
  t.children = std::move(children);
  return t;
}

// A RESULT prepared body: statement id, one int bind marker that is the
// partition key of ks.t, no result metadata.
inline std::string PreparedResult(const std::string& id) {
  std::string b;
  cql::PutI32(b, 4);
  cql::PutShortBytes(b, id);
  cql::PutI32(b, 0x0001);  // global table spec
  cql::PutI32(b, 1);       // one bind marker
  cql::PutI32(b, 1);       // one partition key component
  cql::PutU16(b, 0);
  cql::PutString(b, "ks");
  cql::PutString(b, "t");
  cql::PutString(b, "k");
  cql::PutDataType(b, Type(cql::TypeId::kInt));
  cql::PutI32(b, 0x0004);  // result metadata: none
  cql::PutI32(b, 0);
  return b;
}

// A RESULT schema_change body (what a DDL statement is answered with).
inline std::string SchemaChangeResult(const std::string& keyspace, const std::string& table) {
  std::string b;
  cql::PutI32(b, 5);
  cql::PutString(b, "CREATED");
  cql::PutString(b, "TABLE");
  cql::PutString(b, keyspace);
  cql::PutString(b, table);
  return b;
}

// The query text of a QUERY or PREPARE body.
inline std::string QueryText(const FakeServer::Request& r) {
  std::string_view in(r.body), q;
  cql::GetLongString(in, q);
  return std::string(q);
}

// The statement id of an EXECUTE body.
inline std::string ExecuteId(const FakeServer::Request& r) {
  std::string_view in(r.body), id;
  cql::GetShortBytes(in, id);
  return std::string(id);
}

// The statement ids (or query texts) of a BATCH body's entries.
inline std::vector<std::string> BatchIds(const FakeServer::Request& r) {
  std::vector<std::string> out;
  std::string_view in(r.body);
  uint8_t type;
  uint16_t n;
  if (!cql::GetU8(in, type) || !cql::GetU16(in, n)) return out;
  for (uint16_t i = 0; i < n; ++i) {
    uint8_t kind;
    std::string_view s;
    if (!cql::GetU8(in, kind)) return out;
    if (kind == 1 ? !cql::GetShortBytes(in, s) : !cql::GetLongString(in, s)) return out;
    out.emplace_back(s);
    uint16_t values;
    if (!cql::GetU16(in, values)) return out;
    for (uint16_t v = 0; v < values; ++v) {
      std::string_view bytes;
      bool is_null;
      if (!cql::GetBytes(in, bytes, is_null)) return out;
    }
  }
  return out;
}

class FakeCluster {
 public:
  // node: index into the cluster (0-based). Runs on the node's connection thread.
  using Script = std::function<void(FakeCluster&, int node, FakeServer&, const FakeServer::Request&)>;

  // One node per entry of datacenters (its datacenter's name).
  FakeCluster(std::vector<std::string> datacenters, Script script)
      : datacenters_(std::move(datacenters)), script_(std::move(script)) {
    versions_.assign(datacenters_.size(), "5a1f0000-0000-4000-8000-000000000001");
    // One port on every address: the session takes the port from its options.
    // Another process may hold it on one of the addresses: try again elsewhere.
    for (int attempt = 0; attempt < 50 && servers_.empty(); ++attempt) {
      int b = 100 + static_cast<int>((::getpid() + attempt * 7) % 150);
      std::vector<std::unique_ptr<FakeServer>> servers;
      uint16_t port = 0;
      for (size_t i = 0; i < datacenters_.size(); ++i) {
        std::string ip = "127.0." + std::to_string(b) + "." + std::to_string(i + 1);
        auto s = std::make_unique<FakeServer>(
            [this, i](FakeServer& srv, const FakeServer::Request& r) { Handle(static_cast<int>(i), srv, r); }, ip,
            port);
        if (!s->listening()) break;
        port = s->port();
        servers.push_back(std::move(s));
      }
      if (servers.size() == datacenters_.size()) {
        port_ = port;
        for (size_t i = 0; i < datacenters_.size(); ++i)
          ips_.push_back("127.0." + std::to_string(b) + "." + std::to_string(i + 1));
        servers_ = std::move(servers);
      }
    }
  }

  bool ok() const { return !servers_.empty(); }
  size_t size() const { return servers_.size(); }
  const std::string& ip(int node) const { return ips_[static_cast<size_t>(node)]; }
  std::string address(int node) const { return ip(node) + ":" + std::to_string(port_); }
  FakeServer& server(int node) { return *servers_[static_cast<size_t>(node)]; }
  // Index of the node with this "ip:port", or -1.
  int NodeOf(const std::string& address) const {
    for (size_t i = 0; i < ips_.size(); ++i)
      if (address == ips_[i] + ":" + std::to_string(port_)) return static_cast<int>(i);
    return -1;
  }

  // Options that reach this cluster through node 0: one connection per node
  // (so a test knows which connection a request takes) and no heartbeats.
  cql::SessionOptions Options() const {
    cql::SessionOptions o;
    o.contact_points = {ips_.empty() ? "127.0.0.1" : ips_[0]};
    o.port = port_;
    o.pool_size = 1;
    o.connect_timeout = std::chrono::seconds(10);
    o.request_timeout = std::chrono::seconds(30);
    o.heartbeat_interval = std::chrono::milliseconds(0);
    o.reconnect_base_delay = std::chrono::milliseconds(50);
    o.reconnect_max_delay = std::chrono::milliseconds(200);
    return o;
  }

  // The schema version node reports in its system.local (all equal by
  // default; empty: the query gets an ERROR).
  void SetSchemaVersion(int node, const std::string& uuid) {
    std::lock_guard<std::mutex> lock(mu_);
    versions_[static_cast<size_t>(node)] = uuid;
  }
  std::atomic<int> schema_version_queries{0};

 private:
  void Handle(int node, FakeServer& s, const FakeServer::Request& r) {
    using cql::TypeId;
    const auto text = Type(TypeId::kVarchar);
    const auto text_set = Type(TypeId::kSet, {text});
    if (r.header.opcode == cql::Opcode::kRegister) return s.Reply(r, cql::Opcode::kReady, "");
    if (r.header.opcode == cql::Opcode::kQuery) {
      const std::string q = QueryText(r);
      if (q.starts_with("SELECT data_center, rack, tokens FROM system.local")) {
        return s.Reply(r, cql::Opcode::kResult,
                       RowsResult({{"data_center", text}, {"rack", text}, {"tokens", text_set}},
                                  {NodeRow(node, false)}));
      }
      if (q.starts_with("SELECT peer, native_address, native_port, data_center, rack, tokens FROM system.peers_v2")) {
        std::vector<std::vector<cql::Value>> rows;
        for (size_t i = 0; i < ips_.size(); ++i)
          if (static_cast<int>(i) != node) rows.push_back(NodeRow(static_cast<int>(i), true));
        const auto inet = Type(TypeId::kInet);
        return s.Reply(r, cql::Opcode::kResult,
                       RowsResult({{"peer", inet},
                                   {"native_address", inet},
                                   {"native_port", Type(TypeId::kInt)},
                                   {"data_center", text},
                                   {"rack", text},
                                   {"tokens", text_set}},
                                  rows));
      }
      if (q.starts_with("SELECT keyspace_name, replication FROM system_schema.keyspaces")) {
        cql::Value repl = cql::Value::Map({{cql::Value::Text("class"),
                                            cql::Value::Text("org.apache.cassandra.locator.SimpleStrategy")},
                                           {cql::Value::Text("replication_factor"), cql::Value::Text("1")}});
        return s.Reply(r, cql::Opcode::kResult,
                       RowsResult({{"keyspace_name", text}, {"replication", Type(TypeId::kMap, {text, text})}},
                                  {{cql::Value::Text("ks"), repl}}));
      }
      if (q.starts_with("SELECT schema_version FROM system.local")) {
        ++schema_version_queries;
        std::string v;
        {
          std::lock_guard<std::mutex> lock(mu_);
          v = versions_[static_cast<size_t>(node)];
        }
        if (v.empty())
          return s.Reply(r, cql::Opcode::kError, FakeServer::ErrorBody(cql::ServerCode::kServerError, "no version"));
        return s.Reply(r, cql::Opcode::kResult,
                       RowsResult({{"schema_version", Type(TypeId::kUuid)}},
                                  {{cql::Value::UuidOf(*cql::Uuid::Parse(v))}}));
      }
    }
    script_(*this, node, s, r);
  }

  // A system.local (peer = false) or system.peers_v2 row for node.
  std::vector<cql::Value> NodeRow(int node, bool peer) const {
    // Evenly spaced tokens: node i owns the range ending at its token.
    uint64_t step = UINT64_MAX / ips_.size();
    int64_t token = static_cast<int64_t>(static_cast<uint64_t>(INT64_MIN) + static_cast<uint64_t>(node) * step);
    std::vector<cql::Value> row;
    if (peer) {
      std::string addr(4, '\0');
      ::inet_pton(AF_INET, ips_[static_cast<size_t>(node)].c_str(), addr.data());
      row.push_back(cql::Value::Inet(addr));
      row.push_back(cql::Value::Inet(addr));
      row.push_back(cql::Value::Int(port_));
    }
    row.push_back(cql::Value::Text(datacenters_[static_cast<size_t>(node)]));
    row.push_back(cql::Value::Text("rack1"));
    row.push_back(cql::Value::Set({cql::Value::Text(std::to_string(token))}));
    return row;
  }

  std::vector<std::string> datacenters_;
  Script script_;
  std::vector<std::string> ips_;
  uint16_t port_ = 0;
  std::mutex mu_;  // guards versions_
  std::vector<std::string> versions_;
  std::vector<std::unique_ptr<FakeServer>> servers_;  // last: their threads call Handle
};

}  // namespace cql_test
