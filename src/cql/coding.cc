#include "cql/coding.h"

#include <arpa/inet.h>

#include <cstring>

namespace cql {

void PutU8(std::string& out, uint8_t v) { out.push_back(static_cast<char>(v)); }

void PutU16(std::string& out, uint16_t v) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 2);
}

void PutU32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
               static_cast<char>(v)};
  out.append(b, 4);
}

void PutI32(std::string& out, int32_t v) { PutU32(out, static_cast<uint32_t>(v)); }

void PutI64(std::string& out, int64_t v) {
  uint64_t u = __builtin_bswap64(static_cast<uint64_t>(v));
  char b[8];
  std::memcpy(b, &u, 8);
  out.append(b, 8);
}

void PutString(std::string& out, std::string_view s) {
  PutU16(out, static_cast<uint16_t>(s.size()));
  out.append(s);
}

void PutLongString(std::string& out, std::string_view s) {
  PutI32(out, static_cast<int32_t>(s.size()));
  out.append(s);
}

void PutBytes(std::string& out, std::string_view b) { PutLongString(out, b); }
void PutNullBytes(std::string& out) { PutI32(out, -1); }
void PutUnsetValue(std::string& out) { PutI32(out, -2); }
void PutShortBytes(std::string& out, std::string_view b) { PutString(out, b); }

void PutStringList(std::string& out, const std::vector<std::string>& l) {
  PutU16(out, static_cast<uint16_t>(l.size()));
  for (const auto& s : l) PutString(out, s);
}

void PutStringMap(std::string& out, const std::map<std::string, std::string>& m) {
  PutU16(out, static_cast<uint16_t>(m.size()));
  for (const auto& [k, v] : m) {
    PutString(out, k);
    PutString(out, v);
  }
}

void OverwriteI32(std::string& out, size_t pos, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  out[pos] = static_cast<char>(u >> 24);
  out[pos + 1] = static_cast<char>(u >> 16);
  out[pos + 2] = static_cast<char>(u >> 8);
  out[pos + 3] = static_cast<char>(u);
}

int64_t ReadBigEndian(const char* p, size_t n) {
  if (n == 0) return 0;
  uint64_t u = static_cast<uint8_t>(p[0]) & 0x80 ? ~uint64_t{0} : 0;
  for (size_t i = 0; i < n; ++i) u = (u << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int64_t>(u);
}

static uint64_t ReadUnsigned(const char* p, size_t n) {
  uint64_t u = 0;
  for (size_t i = 0; i < n; ++i) u = (u << 8) | static_cast<uint8_t>(p[i]);
  return u;
}

bool GetU8(std::string_view& in, uint8_t& v) {
  if (in.size() < 1) return false;
  v = static_cast<uint8_t>(in[0]);
  in.remove_prefix(1);
  return true;
}

bool GetU16(std::string_view& in, uint16_t& v) {
  if (in.size() < 2) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  v = static_cast<uint16_t>(p[0] << 8 | p[1]);
  in.remove_prefix(2);
  return true;
}

bool GetI16(std::string_view& in, int16_t& v) {
  uint16_t u;
  if (!GetU16(in, u)) return false;
  v = static_cast<int16_t>(u);
  return true;
}

bool GetU32(std::string_view& in, uint32_t& v) {
  if (in.size() < 4) return false;
  // Spelled out (not ReadUnsigned's loop): the compiler makes it one load and a byte swap.
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  v = uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
  in.remove_prefix(4);
  return true;
}

bool GetI32(std::string_view& in, int32_t& v) {
  uint32_t u;
  if (!GetU32(in, u)) return false;
  v = static_cast<int32_t>(u);
  return true;
}

bool GetI64(std::string_view& in, int64_t& v) {
  if (in.size() < 8) return false;
  v = static_cast<int64_t>(ReadUnsigned(in.data(), 8));
  in.remove_prefix(8);
  return true;
}

bool GetRaw(std::string_view& in, size_t n, std::string_view& v) {
  if (in.size() < n) return false;
  v = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

bool GetString(std::string_view& in, std::string_view& s) {
  uint16_t n;
  return GetU16(in, n) && GetRaw(in, n, s);
}

bool GetLongString(std::string_view& in, std::string_view& s) {
  int32_t n;
  if (!GetI32(in, n) || n < 0) return false;
  return GetRaw(in, static_cast<size_t>(n), s);
}

bool GetBytes(std::string_view& in, std::string_view& v, bool& is_null) {
  int32_t n;
  if (!GetI32(in, n)) return false;
  if (n < 0) {
    is_null = true;
    v = {};
    return true;
  }
  is_null = false;
  return GetRaw(in, static_cast<size_t>(n), v);
}

bool GetShortBytes(std::string_view& in, std::string_view& v) { return GetString(in, v); }

bool GetStringList(std::string_view& in, std::vector<std::string>& l) {
  uint16_t n;
  if (!GetU16(in, n)) return false;
  l.clear();
  for (uint16_t i = 0; i < n; ++i) {
    std::string_view s;
    if (!GetString(in, s)) return false;
    l.emplace_back(s);
  }
  return true;
}

bool GetStringMap(std::string_view& in, std::map<std::string, std::string>& m) {
  uint16_t n;
  if (!GetU16(in, n)) return false;
  m.clear();
  for (uint16_t i = 0; i < n; ++i) {
    std::string_view k, v;
    if (!GetString(in, k) || !GetString(in, v)) return false;
    m[std::string(k)] = std::string(v);
  }
  return true;
}

bool GetStringMultimap(std::string_view& in, std::map<std::string, std::vector<std::string>>& m) {
  uint16_t n;
  if (!GetU16(in, n)) return false;
  m.clear();
  for (uint16_t i = 0; i < n; ++i) {
    std::string_view k;
    std::vector<std::string> l;
    if (!GetString(in, k) || !GetStringList(in, l)) return false;
    m[std::string(k)] = std::move(l);
  }
  return true;
}

bool GetBytesMap(std::string_view& in, std::map<std::string, std::string>& m) {
  uint16_t n;
  if (!GetU16(in, n)) return false;
  m.clear();
  for (uint16_t i = 0; i < n; ++i) {
    std::string_view k, v;
    bool is_null;
    if (!GetString(in, k) || !GetBytes(in, v, is_null)) return false;
    m[std::string(k)] = std::string(v);
  }
  return true;
}

bool GetInet(std::string_view& in, std::string& address, int32_t& port) {
  uint8_t n;
  std::string_view a;
  if (!GetU8(in, n) || (n != 4 && n != 16) || !GetRaw(in, n, a) || !GetI32(in, port)) return false;
  address.assign(a);
  return true;
}

void PutUnsignedVInt(std::string& out, uint64_t v) {
  // Number of significant bits decides the total size (1..9 bytes).
  int bits = 64 - (v == 0 ? 63 : __builtin_clzll(v));
  int extra = bits <= 7 ? 0 : (bits - 1) / 7;  // each extra byte adds 7 bits of room
  if (extra > 8) extra = 8;
  if (extra == 8) {
    PutU8(out, 0xFF);
    for (int i = 7; i >= 0; --i) PutU8(out, static_cast<uint8_t>(v >> (8 * i)));
    return;
  }
  char buf[9];
  for (int i = extra; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  buf[0] = static_cast<char>(static_cast<uint8_t>(buf[0]) | static_cast<uint8_t>(~(0xFF >> extra)));
  out.append(buf, static_cast<size_t>(extra + 1));
}

bool GetUnsignedVInt(std::string_view& in, uint64_t& v) {
  uint8_t first;
  if (!GetU8(in, first)) return false;
  int extra = 0;
  while (extra < 8 && (first & (0x80 >> extra))) ++extra;
  if (in.size() < static_cast<size_t>(extra)) return false;
  v = extra == 8 ? 0 : static_cast<uint64_t>(first & (0xFF >> (extra + 1)));
  for (int i = 0; i < extra; ++i) v = (v << 8) | static_cast<uint8_t>(in[static_cast<size_t>(i)]);
  in.remove_prefix(static_cast<size_t>(extra));
  return true;
}

void PutSignedVInt(std::string& out, int64_t v) {
  PutUnsignedVInt(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

bool GetSignedVInt(std::string_view& in, int64_t& v) {
  uint64_t u;
  if (!GetUnsignedVInt(in, u)) return false;
  v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

std::string InetToString(std::string_view a) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (a.size() == 4) {
    ::inet_ntop(AF_INET, a.data(), buf, sizeof buf);
  } else if (a.size() == 16) {
    ::inet_ntop(AF_INET6, a.data(), buf, sizeof buf);
  } else {
    return "<bad inet>";
  }
  return buf;
}

}  // namespace cql
