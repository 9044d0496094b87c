// What a request carries besides its query text: per-statement options,
// prepared statements and batches. Plain data, shared by the session (which
// sends them) and the frame encoder (which writes them), so neither needs
// the other's header.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cql/consistency.h"
#include "cql/types.h"
#include "cql/value.h"

namespace cql {

struct StatementOptions {
  Consistency consistency = Consistency::kOne;
  std::optional<Consistency> serial_consistency{};  // for lightweight transactions
  std::optional<int64_t> timestamp_us{};  // client timestamp; none: generated once per request
  int32_t page_size = 5000;             // rows per page; <= 0: no paging
  std::optional<std::string> paging_state{};  // from ResultSet::paging_state()
  bool idempotent = false;  // true: may be retried after it left the client
  std::optional<std::chrono::milliseconds> timeout{};  // per attempt; none: SessionOptions
};

// A statement prepared by the server. Immutable and shared; valid for the
// life of the Session that made it (re-prepared transparently when a node
// forgets it).
struct PreparedStatement {
  std::string query;
  std::string keyspace;  // keyspace of the bind markers' table, if any
  std::string id;        // server's statement id
  std::vector<ColumnSpec> bind_columns;
  std::vector<uint16_t> partition_key_indexes;  // bind indexes forming the routing key
  std::vector<ColumnSpec> result_columns;
};
using Prepared = std::shared_ptr<const PreparedStatement>;

enum class BatchType : uint8_t { kLogged = 0, kUnlogged = 1, kCounter = 2 };

// A batch of statements applied together. Options' consistency, serial
// consistency, timestamp and idempotence apply to the whole batch (page
// size and paging state are ignored). Routed by the first statement's
// routing key.
struct Batch {
  BatchType type = BatchType::kUnlogged;
  struct Entry {
    Prepared prepared;      // set: a prepared statement...
    std::string query;      // ...else this query string
    std::vector<Value> values;
  };
  std::vector<Entry> entries;
  void Add(Prepared p, std::vector<Value> values) { entries.push_back({std::move(p), {}, std::move(values)}); }
  void Add(std::string q, std::vector<Value> values) { entries.push_back({nullptr, std::move(q), std::move(values)}); }
};

}  // namespace cql
