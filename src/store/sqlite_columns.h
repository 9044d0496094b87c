// The column tables (canopy/columns.h) in SQLite's terms: column types for
// DDL, the upsert's merge clause, binds and row decoding. Unset optionals
// are NULL; a NaN double is stored as the text 'NaN' (SQLite binds NaN as
// NULL), ±Inf as REAL.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "canopy/columns.h"

namespace canopy::store::sqlitecol {

// SQLite turns NaN into NULL on bind; NaN is stored as the text 'NaN'
// instead (±Inf are stored as REAL and come back intact).
inline void bind_double(sqlite3_stmt* s, int i, const std::optional<double>& v) {
  if (!v) {
    sqlite3_bind_null(s, i);
  } else if (std::isnan(*v)) {
    sqlite3_bind_text(s, i, "NaN", 3, SQLITE_STATIC);
  } else {
    sqlite3_bind_double(s, i, *v);
  }
}
template <typename T>
void bind_int(sqlite3_stmt* s, int i, const std::optional<T>& v) {
  if (v) {
    sqlite3_bind_int64(s, i, static_cast<std::int64_t>(*v));
  } else {
    sqlite3_bind_null(s, i);
  }
}
inline void bind_ts(sqlite3_stmt* s, int i, const std::optional<Timestamp>& v) {
  if (v) {
    sqlite3_bind_int64(s, i, v->time_since_epoch().count());
  } else {
    sqlite3_bind_null(s, i);
  }
}
inline void bind_text(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
inline void bind_uuid(sqlite3_stmt* s, int i, const Uuid& u) { sqlite3_bind_blob(s, i, u.bytes().data(), 16, SQLITE_TRANSIENT); }
inline std::optional<double> col_double(sqlite3_stmt* s, int i) {
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL:
      return std::nullopt;
    case SQLITE_TEXT:
      return std::nan("");
    default:
      return sqlite3_column_double(s, i);
  }
}
inline std::optional<std::int32_t> col_int32(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return static_cast<std::int32_t>(sqlite3_column_int64(s, i));
}
inline std::optional<std::int64_t> col_int64(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(s, i);
}
inline std::optional<Timestamp> col_ts(sqlite3_stmt* s, int i) {
  if (sqlite3_column_type(s, i) == SQLITE_NULL) return std::nullopt;
  return Timestamp(std::chrono::milliseconds(sqlite3_column_int64(s, i)));
}
inline std::string col_text(sqlite3_stmt* s, int i) {
  auto p = sqlite3_column_text(s, i);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}
inline Uuid col_uuid(sqlite3_stmt* s, int i) {
  std::array<std::uint8_t, 16> b{};
  if (sqlite3_column_bytes(s, i) == 16) std::memcpy(b.data(), sqlite3_column_blob(s, i), 16);
  return Uuid(b);
}

template <typename T>
struct SqlType;
template <> struct SqlType<Uuid> { static constexpr const char* name = "BLOB"; };
template <> struct SqlType<Timestamp> { static constexpr const char* name = "INTEGER"; };
template <> struct SqlType<std::optional<Timestamp>> { static constexpr const char* name = "INTEGER"; };
template <> struct SqlType<std::int32_t> { static constexpr const char* name = "INTEGER"; };
template <> struct SqlType<std::optional<std::int32_t>> { static constexpr const char* name = "INTEGER"; };
template <> struct SqlType<std::int64_t> { static constexpr const char* name = "INTEGER"; };
template <> struct SqlType<std::optional<std::int64_t>> { static constexpr const char* name = "INTEGER"; };
template <> struct SqlType<std::optional<double>> { static constexpr const char* name = "REAL"; };
template <> struct SqlType<std::string> { static constexpr const char* name = "TEXT NOT NULL DEFAULT ''"; };
template <> struct SqlType<std::map<std::string, std::string>> {
  static constexpr const char* name = "TEXT NOT NULL DEFAULT '{}'";  // a JSON object
};

template <typename T>
inline constexpr bool kIsOptional = false;
template <typename T>
inline constexpr bool kIsOptional<std::optional<T>> = true;

// "name TYPE, ..." (keys NOT NULL); `skip` leaves out the first columns.
template <typename Table>
std::string definitions(const Table& table, std::size_t skip = 0) {
  std::string out;
  columns::for_each_column(table, [&](const auto& c, std::size_t i) {
    if (i < skip) return;
    if (!out.empty()) out += ", ";
    out += c.name;
    out += ' ';
    out += SqlType<typename std::decay_t<decltype(c)>::value_type>::name;
    if (c.key) out += " NOT NULL";
  });
  return out;
}

// "?first, ?first+1, ..." for every column.
template <typename Table>
std::string markers(const Table& table, int first) {
  std::string out;
  for (std::size_t i = 0; i < columns::column_count(table); ++i) {
    out += (i ? ", ?" : "?") + std::to_string(first + static_cast<int>(i));
  }
  return out;
}

// The SET list of an upsert: an optional column keeps its stored value
// when the new row leaves it out; other columns take the new value; keys
// are left alone.
template <typename Table>
std::string merge_clause(const Table& table) {
  std::string out;
  columns::for_each_column(table, [&](const auto& c, std::size_t) {
    if (c.key) return;
    if (!out.empty()) out += ", ";
    const std::string n(c.name);
    if constexpr (kIsOptional<typename std::decay_t<decltype(c)>::value_type>) {
      out += n + " = COALESCE(excluded." + n + ", " + n + ")";
    } else {
      out += n + " = excluded." + n;
    }
  });
  return out;
}

inline void bind(sqlite3_stmt* s, int i, const std::optional<double>& v) { bind_double(s, i, v); }
inline void bind(sqlite3_stmt* s, int i, const std::optional<std::int32_t>& v) { bind_int(s, i, v); }
inline void bind(sqlite3_stmt* s, int i, const std::optional<std::int64_t>& v) { bind_int(s, i, v); }
inline void bind(sqlite3_stmt* s, int i, std::int32_t v) { sqlite3_bind_int64(s, i, v); }
inline void bind(sqlite3_stmt* s, int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
inline void bind(sqlite3_stmt* s, int i, const std::optional<Timestamp>& v) { bind_ts(s, i, v); }
inline void bind(sqlite3_stmt* s, int i, const Timestamp& v) { sqlite3_bind_int64(s, i, v.time_since_epoch().count()); }
inline void bind(sqlite3_stmt* s, int i, const std::string& v) { bind_text(s, i, v); }
inline void bind(sqlite3_stmt* s, int i, const Uuid& v) { bind_uuid(s, i, v); }
inline void bind(sqlite3_stmt* s, int i, const std::map<std::string, std::string>& v) {
  bind_text(s, i, nlohmann::json(v).dump());
}

// Binds the row's columns of `table` to parameters first, first+1, ...
template <typename Table, typename Row>
void bind_row(const Table& table, sqlite3_stmt* s, int first, const Row& row) {
  columns::for_each_column(table, [&](const auto& c, std::size_t i) {
    bind(s, first + static_cast<int>(i), row.*(c.member));
  });
}

inline void read(sqlite3_stmt* s, int i, std::optional<double>& v) { v = col_double(s, i); }
inline void read(sqlite3_stmt* s, int i, std::optional<std::int32_t>& v) { v = col_int32(s, i); }
inline void read(sqlite3_stmt* s, int i, std::optional<std::int64_t>& v) { v = col_int64(s, i); }
inline void read(sqlite3_stmt* s, int i, std::int32_t& v) { v = col_int32(s, i).value_or(0); }
inline void read(sqlite3_stmt* s, int i, std::int64_t& v) { v = col_int64(s, i).value_or(0); }
inline void read(sqlite3_stmt* s, int i, std::optional<Timestamp>& v) { v = col_ts(s, i); }
inline void read(sqlite3_stmt* s, int i, Timestamp& v) { v = col_ts(s, i).value_or(Timestamp{}); }
inline void read(sqlite3_stmt* s, int i, std::string& v) { v = col_text(s, i); }
inline void read(sqlite3_stmt* s, int i, Uuid& v) { v = col_uuid(s, i); }
inline void read(sqlite3_stmt* s, int i, std::map<std::string, std::string>& v) {
  v.clear();
  auto tags = nlohmann::json::parse(col_text(s, i), nullptr, false);
  if (!tags.is_object()) return;
  for (auto& [k, x] : tags.items()) v[k] = x.is_string() ? x.get<std::string>() : x.dump();
}

// Decodes the columns of `table` (after the first `skip`) from result
// columns first, first+1, ...
template <typename Table, typename Row>
void read_row(const Table& table, sqlite3_stmt* s, Row& row, int first = 0, std::size_t skip = 0) {
  columns::for_each_column(table, [&](const auto& c, std::size_t i) {
    if (i >= skip) read(s, first + static_cast<int>(i - skip), row.*(c.member));
  });
}

}  // namespace canopy::store::sqlitecol
