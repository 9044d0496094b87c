// The column tables (canopy/columns.h) in Cassandra's terms: CQL types for
// DDL, values to bind, and row decoding. Unset optionals are bound as
// UNSET, never NULL, so an upsert leaves what it does not know.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "canopy/columns.h"
#include "cql/result.h"
#include "cql/row_writer.h"
#include "cql/value.h"

namespace canopy::store::cqlcol {

template <typename T>
struct CqlType;
template <typename T>
struct CqlType<std::optional<T>> : CqlType<T> {};
template <> struct CqlType<Uuid> { static constexpr const char* name = "uuid"; };
template <> struct CqlType<Timestamp> { static constexpr const char* name = "timestamp"; };
template <> struct CqlType<std::int32_t> { static constexpr const char* name = "int"; };
template <> struct CqlType<std::int64_t> { static constexpr const char* name = "bigint"; };
template <> struct CqlType<double> { static constexpr const char* name = "double"; };
template <> struct CqlType<std::string> { static constexpr const char* name = "text"; };
template <> struct CqlType<std::map<std::string, std::string>> { static constexpr const char* name = "map<text, text>"; };

// "name type, name type, ...", keys included or not.
template <typename Table>
std::string definitions(const Table& table, bool with_keys) {
  std::string out;
  columns::for_each_column(table, [&](const auto& c, std::size_t) {
    if (c.key && !with_keys) return;
    if (!out.empty()) out += ", ";
    out += c.name;
    out += ' ';
    out += CqlType<typename std::decay_t<decltype(c)>::value_type>::name;
  });
  return out;
}

// "?, ?, ?" for every column of the table.
template <typename Table>
std::string markers(const Table& table) {
  std::string out;
  for (std::size_t i = 0; i < columns::column_count(table); ++i) out += i ? ", ?" : "?";
  return out;
}

inline cql::Value value_of(const Uuid& v) { return cql::Value::UuidOf(cql::Uuid{v.bytes()}); }
inline cql::Value value_of(const Timestamp& v) { return cql::Value::Timestamp(v.time_since_epoch().count()); }
inline cql::Value value_of(std::int32_t v) { return cql::Value::Int(v); }
inline cql::Value value_of(std::int64_t v) { return cql::Value::Bigint(v); }
inline cql::Value value_of(double v) { return cql::Value::Double(v); }
inline cql::Value value_of(const std::string& v) { return cql::Value::Text(v); }
inline cql::Value value_of(const std::map<std::string, std::string>& v) {
  std::vector<std::pair<cql::Value, cql::Value>> entries;
  entries.reserve(v.size());
  for (const auto& [k, x] : v) entries.emplace_back(cql::Value::Text(k), cql::Value::Text(x));
  return cql::Value::Map(std::move(entries));
}
template <typename T>
cql::Value value_of(const std::optional<T>& v) {
  return v ? value_of(*v) : cql::Value::Unset();
}

// Appends the row's columns of `table` to `out`, in table order.
template <typename Table, typename Row>
void append_values(const Table& table, const Row& row, std::vector<cql::Value>& out) {
  columns::for_each_column(table, [&](const auto& c, std::size_t) { out.push_back(value_of(row.*(c.member))); });
}

// The same values written straight into a request (cql::RowWriter): no
// cql::Value per column on the write path of every metric.
inline void put(cql::RowWriter& w, const Uuid& v) { w.PutUuid(cql::Uuid{v.bytes()}); }
inline void put(cql::RowWriter& w, const Timestamp& v) { w.PutTimestamp(v.time_since_epoch().count()); }
inline void put(cql::RowWriter& w, std::int32_t v) { w.PutInt(v); }
inline void put(cql::RowWriter& w, std::int64_t v) { w.PutBigint(v); }
inline void put(cql::RowWriter& w, double v) { w.PutDouble(v); }
inline void put(cql::RowWriter& w, const std::string& v) { w.PutText(v); }
inline void put(cql::RowWriter& w, const std::map<std::string, std::string>& v) { w.PutValue(value_of(v)); }
template <typename T>
void put(cql::RowWriter& w, const std::optional<T>& v) {
  if (v) {
    put(w, *v);
  } else {
    w.PutUnset();
  }
}

// Writes the row's columns of `table`, in table order.
template <typename Table, typename Row>
void put_values(const Table& table, const Row& row, cql::RowWriter& w) {
  columns::for_each_column(table, [&](const auto& c, std::size_t) { put(w, row.*(c.member)); });
}

inline void read(const cql::Row& r, std::size_t i, std::optional<Timestamp>& v) {
  auto ms = r.get_timestamp(i);
  v = ms ? std::optional<Timestamp>(Timestamp(std::chrono::milliseconds(*ms))) : std::nullopt;
}
inline void read(const cql::Row& r, std::size_t i, Timestamp& v) {
  v = Timestamp(std::chrono::milliseconds(r.get_timestamp(i).value_or(0)));
}
inline void read(const cql::Row& r, std::size_t i, std::optional<std::int32_t>& v) { v = r.get_int32(i); }
inline void read(const cql::Row& r, std::size_t i, std::int32_t& v) { v = r.get_int32(i).value_or(0); }
inline void read(const cql::Row& r, std::size_t i, std::optional<std::int64_t>& v) { v = r.get_int64(i); }
inline void read(const cql::Row& r, std::size_t i, std::int64_t& v) { v = r.get_int64(i).value_or(0); }
inline void read(const cql::Row& r, std::size_t i, std::optional<double>& v) { v = r.get_double(i); }
inline void read(const cql::Row& r, std::size_t i, std::string& v) { v = r.get_text(i).value_or(""); }
inline void read(const cql::Row& r, std::size_t i, Uuid& v) {
  if (auto u = r.get_uuid(i)) v = Uuid(u->bytes);
}
inline void read(const cql::Row& r, std::size_t i, std::map<std::string, std::string>& v) {
  v.clear();
  cql::Value m = r.get_value(i);
  if (m.kind() != cql::Value::Kind::kMap) return;
  for (const auto& [k, x] : m.entries()) v[k.as_bytes()] = x.is_null() ? "" : x.as_bytes();
}

// Decodes the columns of `table` from row `r`, starting at column `first`
// of the result; `skip` leaves out the table's first columns (e.g. a
// partition key the query already knows).
template <typename Table, typename Row>
void read_row(const Table& table, const cql::Row& r, Row& row, std::size_t first = 0, std::size_t skip = 0) {
  columns::for_each_column(table, [&](const auto& c, std::size_t i) {
    if (i >= skip) read(r, first + i - skip, row.*(c.member));
  });
}

}  // namespace canopy::store::cqlcol
