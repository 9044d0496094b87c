#include "cql/value.h"

#include <cstdio>
#include <random>

#include "cql/coding.h"

namespace cql {

namespace {
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != 36) return std::nullopt;
  Uuid u;
  size_t b = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    int hi = HexDigit(text[i]), lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    u.bytes[b++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return u;
}

Uuid Uuid::Random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  Uuid u;
  uint64_t a = rng(), b = rng();
  for (int i = 0; i < 8; ++i) {
    u.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(a >> (8 * i));
    u.bytes[static_cast<size_t>(8 + i)] = static_cast<uint8_t>(b >> (8 * i));
  }
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0F) | 0x40);
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3F) | 0x80);
  return u;
}

std::string Uuid::ToString() const {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(kHex[bytes[i] >> 4]);
    s.push_back(kHex[bytes[i] & 0xF]);
  }
  return s;
}

Varint Varint::FromInt64(int64_t v) {
  std::string b;
  for (int i = 7; i >= 0; --i) b.push_back(static_cast<char>(static_cast<uint64_t>(v) >> (8 * i)));
  // Drop redundant sign bytes: keep the shortest two's complement form.
  size_t start = 0;
  while (start + 1 < b.size()) {
    uint8_t cur = static_cast<uint8_t>(b[start]), next = static_cast<uint8_t>(b[start + 1]);
    if ((cur == 0x00 && !(next & 0x80)) || (cur == 0xFF && (next & 0x80))) {
      ++start;
    } else {
      break;
    }
  }
  return Varint{b.substr(start)};
}

std::optional<int64_t> Varint::ToInt64() const {
  if (bytes.empty() || bytes.size() > 8) return std::nullopt;
  return ReadBigEndian(bytes.data(), bytes.size());
}

Value Value::DecimalOf(Decimal d) {
  std::string b;
  PutI32(b, d.scale);
  b += d.unscaled.bytes;
  return Value(Kind::kDecimal, std::move(b));
}

Decimal Value::as_decimal() const {
  const std::string& b = as_bytes();
  Decimal d;
  d.scale = static_cast<int32_t>(ReadBigEndian(b.data(), 4));
  d.unscaled.bytes = b.substr(4);
  return d;
}

Value Value::Udt(std::vector<std::pair<std::string, Value>> fields) {
  return Value(Kind::kUdt, std::move(fields));
}

const char* KindName(Value::Kind k) {
  switch (k) {
    case Value::Kind::kNull: return "null";
    case Value::Kind::kUnset: return "unset";
    case Value::Kind::kBoolean: return "boolean";
    case Value::Kind::kTinyint: return "tinyint";
    case Value::Kind::kSmallint: return "smallint";
    case Value::Kind::kInt: return "int";
    case Value::Kind::kBigint: return "bigint";
    case Value::Kind::kCounter: return "counter";
    case Value::Kind::kVarint: return "varint";
    case Value::Kind::kFloat: return "float";
    case Value::Kind::kDouble: return "double";
    case Value::Kind::kDecimal: return "decimal";
    case Value::Kind::kAscii: return "ascii";
    case Value::Kind::kText: return "text";
    case Value::Kind::kBlob: return "blob";
    case Value::Kind::kUuid: return "uuid";
    case Value::Kind::kTimeuuid: return "timeuuid";
    case Value::Kind::kInet: return "inet";
    case Value::Kind::kTimestamp: return "timestamp";
    case Value::Kind::kDate: return "date";
    case Value::Kind::kTime: return "time";
    case Value::Kind::kDuration: return "duration";
    case Value::Kind::kList: return "list";
    case Value::Kind::kSet: return "set";
    case Value::Kind::kMap: return "map";
    case Value::Kind::kTuple: return "tuple";
    case Value::Kind::kUdt: return "udt";
  }
  return "?";
}

std::string Value::ToString() const {
  using K = Kind;
  switch (kind_) {
    case K::kNull: return "null";
    case K::kUnset: return "unset";
    case K::kBoolean: return as_bool() ? "true" : "false";
    case K::kTinyint: case K::kSmallint: case K::kInt: case K::kBigint: case K::kCounter:
    case K::kTimestamp: case K::kDate: case K::kTime:
      return std::string(KindName(kind_)) + "(" + std::to_string(as_int()) + ")";
    case K::kFloat: case K::kDouble: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", as_double());
      return buf;
    }
    case K::kAscii: case K::kText: return "'" + as_bytes() + "'";
    case K::kBlob: case K::kVarint: case K::kDecimal: {
      std::string s = std::string(KindName(kind_)) + "(0x";
      static const char* kHex = "0123456789abcdef";
      for (unsigned char c : as_bytes()) { s.push_back(kHex[c >> 4]); s.push_back(kHex[c & 0xF]); }
      return s + ")";
    }
    case K::kInet: return InetToString(as_bytes());
    case K::kUuid: case K::kTimeuuid: return as_uuid().ToString();
    case K::kDuration: {
      const auto& d = as_duration();
      return "duration(" + std::to_string(d.months) + "mo" + std::to_string(d.days) + "d" +
             std::to_string(d.nanoseconds) + "ns)";
    }
    case K::kList: case K::kSet: case K::kTuple: {
      std::string s = kind_ == K::kList ? "[" : kind_ == K::kSet ? "{" : "(";
      for (size_t i = 0; i < items().size(); ++i) s += (i ? ", " : "") + items()[i].ToString();
      return s + (kind_ == K::kList ? "]" : kind_ == K::kSet ? "}" : ")");
    }
    case K::kMap: {
      std::string s = "{";
      for (size_t i = 0; i < entries().size(); ++i)
        s += (i ? ", " : "") + entries()[i].first.ToString() + ": " + entries()[i].second.ToString();
      return s + "}";
    }
    case K::kUdt: {
      std::string s = "{";
      for (size_t i = 0; i < fields().size(); ++i)
        s += (i ? ", " : "") + fields()[i].first + ": " + fields()[i].second.ToString();
      return s + "}";
    }
  }
  return "?";
}

}  // namespace cql
