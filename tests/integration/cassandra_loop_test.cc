// Proves the loop of scripts/test: a real Cassandra node answers on
// 127.0.0.1:9042. Uses a minimal hand-written native-protocol v4 exchange
// (STARTUP, then QUERY) with plain sockets, independent of src/cql, so that
// a bug in our client cannot hide a broken node or vice versa.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

void put_u16(Bytes& b, uint16_t v) { b.push_back(v >> 8); b.push_back(v & 0xff); }
void put_u32(Bytes& b, uint32_t v) { for (int s = 24; s >= 0; s -= 8) b.push_back((v >> s) & 0xff); }
void put_string(Bytes& b, const std::string& s) { put_u16(b, s.size()); b.insert(b.end(), s.begin(), s.end()); }
void put_long_string(Bytes& b, const std::string& s) { put_u32(b, s.size()); b.insert(b.end(), s.begin(), s.end()); }
uint32_t get_u32(const uint8_t* p) { return uint32_t(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
uint16_t get_u16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }

Bytes frame(uint8_t opcode, const Bytes& body) {
  Bytes f{0x04, 0x00, 0x00, 0x01, opcode};  // v4 request, no flags, stream 1
  put_u32(f, body.size());
  f.insert(f.end(), body.begin(), body.end());
  return f;
}

struct Response { uint8_t opcode = 0; Bytes body; };

bool read_exact(int fd, uint8_t* p, size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r <= 0) return false;
    p += r; n -= r;
  }
  return true;
}

Response round_trip(int fd, const Bytes& request) {
  EXPECT_EQ(::write(fd, request.data(), request.size()), ssize_t(request.size()));
  uint8_t header[9];
  Response r;
  if (!read_exact(fd, header, 9)) { ADD_FAILURE() << "connection closed"; return r; }
  EXPECT_EQ(header[0], 0x84) << "response version byte";
  r.opcode = header[4];
  r.body.resize(get_u32(header + 5));
  EXPECT_TRUE(read_exact(fd, r.body.data(), r.body.size()));
  return r;
}

TEST(CassandraLoop, NodeAnswersReleaseVersion) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(9042);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0)
      << "no Cassandra on 127.0.0.1:9042 - start it with scripts/cassandra start";

  Bytes startup;
  put_u16(startup, 1);  // string map with one entry
  put_string(startup, "CQL_VERSION");
  put_string(startup, "3.0.0");
  Response ready = round_trip(fd, frame(0x01, startup));
  ASSERT_EQ(ready.opcode, 0x02) << "expected READY";

  Bytes query;
  put_long_string(query, "SELECT release_version FROM system.local");
  put_u16(query, 0x0001);  // consistency ONE
  query.push_back(0x00);   // no flags
  Response result = round_trip(fd, frame(0x07, query));
  ::close(fd);
  ASSERT_EQ(result.opcode, 0x08) << "expected RESULT";

  // Rows result: kind, metadata flags, column count, global table spec,
  // one column spec, row count, then the value.
  const uint8_t* p = result.body.data();
  const uint8_t* end = p + result.body.size();
  ASSERT_EQ(get_u32(p), 2u) << "kind Rows";
  uint32_t flags = get_u32(p + 4);
  uint32_t columns = get_u32(p + 8);
  ASSERT_EQ(columns, 1u);
  p += 12;
  ASSERT_TRUE(flags & 0x0001) << "global table spec expected";
  for (int i = 0; i < 2; ++i) p += 2 + get_u16(p);  // keyspace, table
  p += 2 + get_u16(p);                               // column name
  p += 2;                                            // type id (varchar)
  ASSERT_EQ(get_u32(p), 1u) << "one row";
  p += 4;
  uint32_t len = get_u32(p);
  p += 4;
  ASSERT_LE(p + len, end);
  std::string version(reinterpret_cast<const char*>(p), len);
  EXPECT_EQ(version.rfind("5.0.", 0), 0u) << "release_version " << version;
}

}  // namespace
