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
#include <string_view>
#include <vector>

#include "cql/consistency.h"
#include "cql/row_writer.h"
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
    // AddRow: the values are encoded_values[encoded_begin, encoded_end) instead.
    bool encoded = false;
    size_t encoded_begin = 0;
    size_t encoded_end = 0;
  };
  std::vector<Entry> entries;
  std::string encoded_values;  // the values of every AddRow entry, in wire form
  void Add(Prepared p, std::vector<Value> values) { entries.push_back({std::move(p), {}, std::move(values)}); }
  void Add(std::string q, std::vector<Value> values) { entries.push_back({nullptr, std::move(q), std::move(values)}); }
  // Adds a prepared statement whose values write(RowWriter&) binds straight
  // into their wire form (row_writer.h): no Value per column. A value that
  // does not fit its column, or too few or too many, is returned as the
  // error, and nothing is added.
  template <typename Write>
  std::optional<Error> AddRow(Prepared p, Write&& write) {
    const size_t begin = encoded_values.size();
    RowWriter w(*p, encoded_values);
    write(w);
    if (auto err = w.Finish()) {
      encoded_values.resize(begin);
      return err;
    }
    // The first row tells the size of the rest: room for as many as entries
    // has room for (callers that reserve entries get one allocation, not a
    // copy of every row written so far at each doubling).
    if (entries.empty() && entries.capacity() > 1)
      encoded_values.reserve(encoded_values.size() * entries.capacity());
    entries.push_back({std::move(p), {}, {}, true, begin, encoded_values.size()});
    return std::nullopt;
  }
  std::string_view EncodedOf(const Entry& e) const {
    return std::string_view(encoded_values).substr(e.encoded_begin, e.encoded_end - e.encoded_begin);
  }
};

}  // namespace cql
