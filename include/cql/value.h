// Value: one CQL value to bind to a statement, or decoded from a row.
//
// A Value is self-describing (its kind says which CQL type it encodes as),
// and is NULL, UNSET (protocol v4: "leave this column as it is", creates no
// tombstone) or a typed value. When a statement's bind types are known (a
// prepared statement), the encoder converts compatible kinds to the column's
// type (an Int bound to a bigint column is widened; an int64 bound to a
// timestamp column is taken as milliseconds) and refuses incompatible ones
// with an kInvalidArgument error naming the column. For unprepared queries
// the value is encoded as its own kind.
//
// Example:
//   std::vector<cql::Value> v{cql::Value::Uuid(run_id), cql::Value::Timestamp(ms),
//                             cql::Value::Int(epoch), cql::Value::Unset()};
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "cql/types.h"

namespace cql {

// 16 bytes in network order (uuid and timeuuid).
struct Uuid {
  std::array<uint8_t, 16> bytes{};
  // Parses "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (case-insensitive).
  static std::optional<Uuid> Parse(std::string_view text);
  // A random (version 4) UUID.
  static Uuid Random();
  std::string ToString() const;
  friend bool operator==(const Uuid&, const Uuid&) = default;
  friend auto operator<=>(const Uuid&, const Uuid&) = default;
};

struct Duration {
  int32_t months = 0;
  int32_t days = 0;
  int64_t nanoseconds = 0;
  friend bool operator==(const Duration&, const Duration&) = default;
};

// Arbitrary-precision numbers are kept as the wire's big-endian two's
// complement bytes; helpers convert from/to int64 when they fit.
struct Varint {
  std::string bytes;  // minimal two's complement, big-endian
  static Varint FromInt64(int64_t v);
  std::optional<int64_t> ToInt64() const;
  friend bool operator==(const Varint&, const Varint&) = default;
};

struct Decimal {
  int32_t scale = 0;  // value = unscaled * 10^-scale
  Varint unscaled;
  friend bool operator==(const Decimal&, const Decimal&) = default;
};

class Value {
 public:
  enum class Kind : uint8_t {
    kNull, kUnset,
    kBoolean, kTinyint, kSmallint, kInt, kBigint, kCounter, kVarint,
    kFloat, kDouble, kDecimal,
    kAscii, kText, kBlob,
    kUuid, kTimeuuid, kInet,
    kTimestamp, kDate, kTime, kDuration,
    kList, kSet, kMap, kTuple, kUdt,
  };

  Value() = default;  // NULL
  static Value Null() { return Value(); }
  static Value Unset() { Value v; v.kind_ = Kind::kUnset; return v; }

  static Value Boolean(bool b) { return Value(Kind::kBoolean, int64_t(b)); }
  static Value Tinyint(int8_t i) { return Value(Kind::kTinyint, int64_t(i)); }
  static Value Smallint(int16_t i) { return Value(Kind::kSmallint, int64_t(i)); }
  static Value Int(int32_t i) { return Value(Kind::kInt, int64_t(i)); }
  static Value Bigint(int64_t i) { return Value(Kind::kBigint, i); }
  static Value Counter(int64_t i) { return Value(Kind::kCounter, i); }
  static Value VarintOf(Varint v) { return Value(Kind::kVarint, std::move(v.bytes)); }
  static Value Float(float f) { return Value(Kind::kFloat, double(f)); }
  static Value Double(double d) { return Value(Kind::kDouble, d); }
  static Value DecimalOf(Decimal d);
  static Value Ascii(std::string s) { return Value(Kind::kAscii, std::move(s)); }
  static Value Text(std::string s) { return Value(Kind::kText, std::move(s)); }
  static Value Blob(std::string bytes) { return Value(Kind::kBlob, std::move(bytes)); }
  static Value UuidOf(const Uuid& u) { return Value(Kind::kUuid, u); }
  static Value Timeuuid(const Uuid& u) { return Value(Kind::kTimeuuid, u); }
  // 4 (IPv4) or 16 (IPv6) address bytes in network order.
  static Value Inet(std::string address_bytes) { return Value(Kind::kInet, std::move(address_bytes)); }
  // Milliseconds since the Unix epoch.
  static Value Timestamp(int64_t ms) { return Value(Kind::kTimestamp, ms); }
  // Days since the Unix epoch (may be negative).
  static Value Date(int32_t days) { return Value(Kind::kDate, int64_t(days)); }
  // Nanoseconds since midnight.
  static Value Time(int64_t ns) { return Value(Kind::kTime, ns); }
  static Value DurationOf(Duration d) { return Value(Kind::kDuration, d); }
  static Value List(std::vector<Value> items) { return Value(Kind::kList, std::move(items)); }
  static Value Set(std::vector<Value> items) { return Value(Kind::kSet, std::move(items)); }
  static Value Map(std::vector<std::pair<Value, Value>> entries) { return Value(Kind::kMap, std::move(entries)); }
  static Value Tuple(std::vector<Value> items) { return Value(Kind::kTuple, std::move(items)); }
  // Fields in the order the UDT declares them (missing trailing fields are null).
  static Value Udt(std::vector<std::pair<std::string, Value>> fields);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_unset() const { return kind_ == Kind::kUnset; }

  // Accessors; the caller checks kind() first (wrong kind: std::bad_variant_access).
  bool as_bool() const { return std::get<int64_t>(data_) != 0; }
  int64_t as_int() const { return std::get<int64_t>(data_); }  // every integer kind, timestamp, date, time
  double as_double() const { return std::get<double>(data_); }  // float, double
  const std::string& as_bytes() const& { return std::get<std::string>(data_); }  // text, ascii, blob, inet, varint
  std::string as_bytes() && { return std::get<std::string>(std::move(data_)); }
  const Uuid& as_uuid() const { return std::get<Uuid>(data_); }
  const Duration& as_duration() const { return std::get<Duration>(data_); }
  Decimal as_decimal() const;
  Varint as_varint() const { return Varint{as_bytes()}; }
  // On a temporary (e.g. row.get_value(i).items()) these return by value, so
  // `for (auto& x : row.get_value(i).items())` does not dangle.
  const std::vector<Value>& items() const& { return std::get<std::vector<Value>>(data_); }  // list, set, tuple
  std::vector<Value> items() && { return std::get<std::vector<Value>>(std::move(data_)); }
  const std::vector<std::pair<Value, Value>>& entries() const& {  // map
    return std::get<std::vector<std::pair<Value, Value>>>(data_);
  }
  std::vector<std::pair<Value, Value>> entries() && {
    return std::get<std::vector<std::pair<Value, Value>>>(std::move(data_));
  }
  const std::vector<std::pair<std::string, Value>>& fields() const& {  // udt
    return std::get<std::vector<std::pair<std::string, Value>>>(data_);
  }
  std::vector<std::pair<std::string, Value>> fields() && {
    return std::get<std::vector<std::pair<std::string, Value>>>(std::move(data_));
  }

  friend bool operator==(const Value& a, const Value& b) = default;
  std::string ToString() const;  // for messages and tests

 private:
  using Data = std::variant<std::monostate, int64_t, double, std::string, Uuid, Duration,
                            std::vector<Value>, std::vector<std::pair<Value, Value>>,
                            std::vector<std::pair<std::string, Value>>>;
  template <typename T>
  Value(Kind k, T&& d) : kind_(k), data_(std::forward<T>(d)) {}
  Kind kind_ = Kind::kNull;
  Data data_;
};

const char* KindName(Value::Kind k);

}  // namespace cql
