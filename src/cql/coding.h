// Primitive encodings of the native protocol v4 (spec section 3): big-endian
// integers, [string], [long string], [bytes], [short bytes], [value],
// [string list], [string map], [string multimap], [bytes map], [inet],
// [consistency]. LevelDB coding.h shape: Put… appends to a std::string;
// Get… parses from the front of a std::string_view, advances it, and
// returns false (leaving the output unspecified) on short or malformed
// input. No I/O, no allocation beyond the outputs; never reads past the view.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cql {

void PutU8(std::string& out, uint8_t v);
void PutU16(std::string& out, uint16_t v);
void PutI32(std::string& out, int32_t v);
void PutU32(std::string& out, uint32_t v);
void PutI64(std::string& out, int64_t v);
void PutString(std::string& out, std::string_view s);      // [short n][n bytes]
void PutLongString(std::string& out, std::string_view s);  // [int n][n bytes]
void PutBytes(std::string& out, std::string_view b);       // [int n][n bytes]
void PutNullBytes(std::string& out);                       // [int -1]
void PutUnsetValue(std::string& out);                      // [int -2] (v4 [value])
void PutShortBytes(std::string& out, std::string_view b);  // [short n][n bytes]
void PutStringList(std::string& out, const std::vector<std::string>& l);
void PutStringMap(std::string& out, const std::map<std::string, std::string>& m);
// Overwrites 4 bytes at pos with v (for length prefixes written afterwards).
void OverwriteI32(std::string& out, size_t pos, int32_t v);

bool GetU8(std::string_view& in, uint8_t& v);
bool GetU16(std::string_view& in, uint16_t& v);
bool GetI16(std::string_view& in, int16_t& v);
bool GetI32(std::string_view& in, int32_t& v);
bool GetU32(std::string_view& in, uint32_t& v);
bool GetI64(std::string_view& in, int64_t& v);
bool GetRaw(std::string_view& in, size_t n, std::string_view& v);
bool GetString(std::string_view& in, std::string_view& s);
bool GetLongString(std::string_view& in, std::string_view& s);
// [bytes]: is_null set for a negative length (null), v empty then.
bool GetBytes(std::string_view& in, std::string_view& v, bool& is_null);
bool GetShortBytes(std::string_view& in, std::string_view& v);
bool GetStringList(std::string_view& in, std::vector<std::string>& l);
bool GetStringMap(std::string_view& in, std::map<std::string, std::string>& m);
bool GetStringMultimap(std::string_view& in, std::map<std::string, std::vector<std::string>>& m);
bool GetBytesMap(std::string_view& in, std::map<std::string, std::string>& m);
// [inet]: [byte n][n address bytes][int port]; address n must be 4 or 16.
bool GetInet(std::string_view& in, std::string& address, int32_t& port);

// Decodes big-endian fixed-width values from exactly-sized cells.
int64_t ReadBigEndian(const char* p, size_t n);  // sign-extends

// Cassandra's unsigned variable-length integer (vint, used by duration):
// the count of leading 1 bits of the first byte is the count of extra bytes.
void PutUnsignedVInt(std::string& out, uint64_t v);
bool GetUnsignedVInt(std::string_view& in, uint64_t& v);
void PutSignedVInt(std::string& out, int64_t v);  // zigzag
bool GetSignedVInt(std::string_view& in, int64_t& v);

// "1.2.3.4" / IPv6 text ↔ 4/16 address bytes.
std::string InetToString(std::string_view address_bytes);

}  // namespace cql
