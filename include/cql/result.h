// Results of QUERY, EXECUTE and BATCH: ResultSet (rows of one page, or
// nothing for writes) and Row accessors.
//
// A ResultSet owns the response body it was decoded from; Rows are cheap
// views into it and stay valid as long as the ResultSet (it is copyable;
// copies share the body). Cells are decoded on access.
//
// Typed accessors return std::nullopt for a NULL cell and throw CqlError
// (kind kInvalidArgument) when the column's type does not match the
// accessor or the column does not exist. Accepted column types:
//   get_int32: int, smallint, tinyint       get_int64: bigint, counter, time, int, smallint, tinyint
//   get_timestamp: timestamp (ms)           get_double: double, float
//   get_bool: boolean                       get_text: text/varchar, ascii
//   get_blob: blob (and any type: raw bytes) get_uuid: uuid, timeuuid
//   get_value: any type, as a cql::Value (collections, UDTs, tuples...)
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cql/types.h"
#include "cql/value.h"

namespace cql {

struct RowsMetadata {
  std::vector<ColumnSpec> columns;
  std::optional<std::string> paging_state;  // set when more pages exist
  // Index of a column by name, or -1.
  int index_of(std::string_view name) const;
};

class ResultSet;

class Row {
 public:
  size_t size() const;
  bool is_null(size_t i) const;
  bool is_null(std::string_view column) const { return is_null(index(column)); }
  std::optional<int32_t> get_int32(size_t i) const;
  std::optional<int64_t> get_int64(size_t i) const;
  std::optional<int64_t> get_timestamp(size_t i) const;
  std::optional<double> get_double(size_t i) const;
  std::optional<bool> get_bool(size_t i) const;
  std::optional<std::string> get_text(size_t i) const;
  std::optional<std::string> get_blob(size_t i) const;
  std::optional<Uuid> get_uuid(size_t i) const;
  Value get_value(size_t i) const;  // NULL cell → Value::Null()
  // Raw cell bytes; nullopt for NULL.
  std::optional<std::string_view> raw(size_t i) const;

  std::optional<int32_t> get_int32(std::string_view c) const { return get_int32(index(c)); }
  std::optional<int64_t> get_int64(std::string_view c) const { return get_int64(index(c)); }
  std::optional<int64_t> get_timestamp(std::string_view c) const { return get_timestamp(index(c)); }
  std::optional<double> get_double(std::string_view c) const { return get_double(index(c)); }
  std::optional<bool> get_bool(std::string_view c) const { return get_bool(index(c)); }
  std::optional<std::string> get_text(std::string_view c) const { return get_text(index(c)); }
  std::optional<std::string> get_blob(std::string_view c) const { return get_blob(index(c)); }
  std::optional<Uuid> get_uuid(std::string_view c) const { return get_uuid(index(c)); }
  Value get_value(std::string_view c) const { return get_value(index(c)); }

  // Column index by name; throws CqlError if absent.
  size_t index(std::string_view column) const;

 private:
  friend class ResultSet;
  Row(const ResultSet* rs, size_t row) : rs_(rs), row_(row) {}
  // Inline (below): a metrics read takes ~10,000 cells a page.
  const ColumnSpec& column(size_t i) const;              // throws when the row or column is out of range
  std::optional<std::string_view> cell(size_t i) const;  // i already checked by column(i)
  [[noreturn]] void ThrowOutOfRange(size_t i) const;
  const ResultSet* rs_;
  size_t row_;
};

class ResultSet {
 public:
  enum class Kind { kVoid, kRows, kSetKeyspace, kSchemaChange };

  ResultSet() = default;
  Kind kind() const { return kind_; }
  const RowsMetadata& metadata() const;
  const std::vector<ColumnSpec>& columns() const { return metadata().columns; }
  size_t row_count() const { return row_count_; }
  bool empty() const { return row_count_ == 0; }
  Row row(size_t i) const { return Row(this, i); }
  Row operator[](size_t i) const { return row(i); }
  // Paging: the state to pass back for the next page; nullopt on the last page.
  const std::optional<std::string>& paging_state() const { return metadata().paging_state; }
  bool has_more_pages() const { return metadata().paging_state.has_value(); }
  // Server warnings attached to the response (e.g. batch too large).
  const std::vector<std::string>& warnings() const { return warnings_; }
  // "ip:port" of the host that answered.
  const std::string& host() const;
  // kSetKeyspace: the keyspace; kSchemaChange: "<change> <target> <keyspace>[.<name>]".
  const std::string& info() const;

  class const_iterator {
   public:
    const_iterator(const ResultSet* rs, size_t i) : rs_(rs), i_(i) {}
    Row operator*() const { return rs_->row(i_); }
    const_iterator& operator++() { ++i_; return *this; }
    bool operator!=(const const_iterator& o) const { return i_ != o.i_; }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }
   private:
    const ResultSet* rs_;
    size_t i_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, row_count_}; }

 private:
  friend class Row;
  friend struct ResultSetBuilder;
  struct Cell { int32_t offset; int32_t length; };  // length -1 = NULL
  Kind kind_ = Kind::kVoid;
  // Rows results only; null for writes, so that a result moves and dies
  // cheaply on its way to the callback. Shared by copies (immutable once decoded).
  std::shared_ptr<RowsMetadata> meta_;
  size_t row_count_ = 0;
  std::shared_ptr<const std::string> body_;
  std::vector<Cell> cells_;  // row-major, row_count_ * columns
  std::vector<std::string> warnings_;
  std::shared_ptr<const std::string> host_;  // shared with the session's host: no copy per result
  std::shared_ptr<const std::string> info_;  // rare (DDL, USE): a null pointer moves cheaper than a string
};

inline const ColumnSpec& Row::column(size_t i) const {
  const RowsMetadata* m = rs_->meta_.get();
  if (row_ >= rs_->row_count_ || m == nullptr || i >= m->columns.size()) [[unlikely]] ThrowOutOfRange(i);
  return m->columns[i];
}

inline std::optional<std::string_view> Row::cell(size_t i) const {
  const ResultSet::Cell& c = rs_->cells_[row_ * rs_->meta_->columns.size() + i];
  if (c.length < 0) return std::nullopt;
  return std::string_view(rs_->body_->data() + c.offset, static_cast<size_t>(c.length));
}

}  // namespace cql
