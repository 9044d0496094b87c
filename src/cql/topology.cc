#include "cql/topology.h"

#include "cql/blocking_call.h"
#include "cql/coding.h"

namespace cql {

namespace {

std::optional<std::string> TextCell(const Row& row, const char* column) {
  try {
    Value v = row.get_value(column);
    if (v.is_null()) return std::nullopt;
    if (v.kind() == Value::Kind::kInet) return InetToString(v.as_bytes());
    if (v.kind() == Value::Kind::kText || v.kind() == Value::Kind::kAscii) return v.as_bytes();
    if (v.kind() == Value::Kind::kUuid || v.kind() == Value::Kind::kTimeuuid) return v.as_uuid().ToString();
  } catch (const CqlError&) {
  }
  return std::nullopt;
}

std::vector<int64_t> TokensCell(const Row& row) {
  std::vector<int64_t> out;
  try {
    Value v = row.get_value("tokens");
    if (v.is_null()) return out;
    for (const Value& t : v.items()) {
      try {
        out.push_back(std::stoll(t.as_bytes()));
      } catch (...) {
      }
    }
  } catch (const CqlError&) {
  }
  return out;
}

}  // namespace

Result<Topology> ReadTopology(Connection& c, uint16_t default_port, std::chrono::milliseconds timeout) {
  auto local = QueryBlocking(c, "SELECT data_center, rack, tokens FROM system.local WHERE key='local'", timeout);
  if (!local.ok()) return local.error();
  Topology t;
  std::string control_ip = c.address().substr(0, c.address().rfind(':'));
  if (!local.value().empty()) {
    Row r = local.value()[0];
    t.nodes.push_back({control_ip, default_port, TextCell(r, "data_center").value_or(""),
                       TextCell(r, "rack").value_or(""), TokensCell(r)});
  }
  auto peers = QueryBlocking(
      c, "SELECT peer, native_address, native_port, data_center, rack, tokens FROM system.peers_v2", timeout);
  bool v2 = peers.ok();
  if (!v2) peers = QueryBlocking(c, "SELECT peer, rpc_address, data_center, rack, tokens FROM system.peers", timeout);
  if (!peers.ok()) return peers.error();
  for (Row r : peers.value()) {
    auto addr = TextCell(r, v2 ? "native_address" : "rpc_address");
    if (!addr || *addr == "0.0.0.0" || *addr == "::") addr = TextCell(r, "peer");
    if (!addr) continue;
    uint16_t port = default_port;
    if (v2) {
      if (auto p = r.get_int32("native_port")) port = static_cast<uint16_t>(*p);
    }
    t.nodes.push_back({*addr, port, TextCell(r, "data_center").value_or(""), TextCell(r, "rack").value_or(""),
                       TokensCell(r)});
  }
  auto ks = QueryBlocking(c, "SELECT keyspace_name, replication FROM system_schema.keyspaces", timeout);
  if (ks.ok()) {
    std::map<std::string, Replication> repl;
    for (Row r : ks.value()) {
      auto name = r.get_text("keyspace_name");
      Value m = r.get_value("replication");
      std::map<std::string, std::string> mm;
      if (m.kind() == Value::Kind::kMap)
        for (const auto& [k, v] : m.entries()) mm[k.as_bytes()] = v.as_bytes();
      if (name) repl[*name] = Replication::FromMap(mm);
    }
    t.keyspaces = std::move(repl);
  }
  return t;
}

}  // namespace cql
