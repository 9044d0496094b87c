// Codec tests: byte vectors written from the native protocol v4 spec
// (doc/native_protocol_v4.spec in apache/cassandra), section numbers noted.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "cql/coding.h"
#include "cql/compression.h"
#include "cql/frame.h"
#include "cql/token_ring.h"
#include "cql/value_codec.h"

namespace {

using namespace cql;

std::string B(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

// --- 3. Notations ---------------------------------------------------------------

TEST(CqlCoding, IntegersAreBigEndian) {
  std::string out;
  PutU16(out, 0x0102);
  PutI32(out, -2);
  PutI64(out, 0x0102030405060708);
  EXPECT_EQ(out, B({1, 2, 0xff, 0xff, 0xff, 0xfe, 1, 2, 3, 4, 5, 6, 7, 8}));
  std::string_view in = out;
  uint16_t a;
  int32_t b;
  int64_t c;
  ASSERT_TRUE(GetU16(in, a) && GetI32(in, b) && GetI64(in, c));
  EXPECT_EQ(a, 0x0102);
  EXPECT_EQ(b, -2);
  EXPECT_EQ(c, 0x0102030405060708);
  EXPECT_TRUE(in.empty());
}

TEST(CqlCoding, StringsAndBytesCarryLengthPrefixes) {
  std::string out;
  PutString(out, "ab");
  PutLongString(out, "c");
  PutBytes(out, "d");
  PutNullBytes(out);
  PutUnsetValue(out);
  EXPECT_EQ(out, B({0, 2, 'a', 'b', 0, 0, 0, 1, 'c', 0, 0, 0, 1, 'd', 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}));
  std::string_view in = out, s;
  bool is_null;
  ASSERT_TRUE(GetString(in, s));
  EXPECT_EQ(s, "ab");
  ASSERT_TRUE(GetLongString(in, s));
  EXPECT_EQ(s, "c");
  ASSERT_TRUE(GetBytes(in, s, is_null));
  EXPECT_FALSE(is_null);
  ASSERT_TRUE(GetBytes(in, s, is_null));
  EXPECT_TRUE(is_null);
}

TEST(CqlCoding, ShortInputFailsWithoutReadingPastTheEnd) {
  std::string buf = B({0, 5, 'a', 'b'});  // [string] claims 5 bytes, has 2
  std::string_view in(buf), s;
  EXPECT_FALSE(GetString(in, s));
  std::string_view empty;
  uint8_t u8;
  int64_t i64;
  EXPECT_FALSE(GetU8(empty, u8));
  std::string seven(7, '\0');
  std::string_view sv(seven);
  EXPECT_FALSE(GetI64(sv, i64));
  std::string neg = B({0x80, 0, 0, 0});  // [long string] with negative length
  std::string_view nv(neg);
  EXPECT_FALSE(GetLongString(nv, s));
}

TEST(CqlCoding, StringMapAndMultimap) {
  std::string out;
  PutStringMap(out, {{"CQL_VERSION", "3.0.0"}});
  EXPECT_EQ(out, B({0, 1, 0, 11}) + "CQL_VERSION" + B({0, 5}) + "3.0.0");
  std::string mm = B({0, 1, 0, 1, 'K', 0, 2, 0, 1, 'a', 0, 1, 'b'});
  std::string_view in(mm);
  std::map<std::string, std::vector<std::string>> m;
  ASSERT_TRUE(GetStringMultimap(in, m));
  EXPECT_EQ(m["K"], (std::vector<std::string>{"a", "b"}));
}

TEST(CqlCoding, InetHasSizeAddressAndPort) {
  std::string buf = B({4, 127, 0, 0, 2, 0, 0, 0x23, 0x52});
  std::string_view in(buf);
  std::string addr;
  int32_t port;
  ASSERT_TRUE(GetInet(in, addr, port));
  EXPECT_EQ(InetToString(addr), "127.0.0.2");
  EXPECT_EQ(port, 9042);
  std::string bad = B({5, 1, 2, 3, 4, 5, 0, 0, 0, 0});
  std::string_view bv(bad);
  EXPECT_FALSE(GetInet(bv, addr, port));
}

TEST(CqlCoding, VIntMatchesCassandraEncoding) {
  std::string out;
  PutUnsignedVInt(out, 0);
  PutUnsignedVInt(out, 127);
  PutUnsignedVInt(out, 128);
  EXPECT_EQ(out, B({0x00, 0x7f, 0x80, 0x80}));
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1}, int64_t{300}, int64_t{-70000}, INT64_MAX, INT64_MIN}) {
    std::string e;
    PutSignedVInt(e, v);
    std::string_view in(e);
    int64_t back;
    ASSERT_TRUE(GetSignedVInt(in, back));
    EXPECT_EQ(back, v);
    EXPECT_TRUE(in.empty());
  }
}

// --- 2. Frame header ---------------------------------------------------------------

TEST(CqlFrame, HeaderIsNineBytes) {
  std::string out;
  AppendFrame(out, Opcode::kOptions, 0x0102, "", false);
  EXPECT_EQ(out, B({0x04, 0x00, 0x01, 0x02, 0x05, 0, 0, 0, 0}));
  std::string_view in(out);
  FrameHeader h;
  ASSERT_TRUE(GetFrameHeader(in, h));
  EXPECT_EQ(h.stream, 0x0102);
  EXPECT_EQ(h.opcode, Opcode::kOptions);
}

TEST(CqlFrame, HeaderRejectsOtherVersionsAndHugeBodies) {
  std::string v3 = B({0x83, 0, 0, 1, 0x08, 0, 0, 0, 0});
  std::string_view a(v3);
  FrameHeader h;
  EXPECT_FALSE(GetFrameHeader(a, h));
  std::string huge = B({0x84, 0, 0, 1, 0x08, 0x7f, 0xff, 0xff, 0xff});
  std::string_view b(huge);
  EXPECT_FALSE(GetFrameHeader(b, h));
  std::string event_stream = B({0x84, 0, 0xff, 0xff, 0x0c, 0, 0, 0, 0});
  std::string_view c(event_stream);
  ASSERT_TRUE(GetFrameHeader(c, h));
  EXPECT_EQ(h.stream, -1);
}

// --- 4.1 Requests -------------------------------------------------------------------

TEST(CqlRequest, StartupIsAStringMap) {
  std::string body;
  EncodeStartup(body, {{"CQL_VERSION", "3.0.0"}, {"COMPRESSION", "lz4"}});
  EXPECT_EQ(body, B({0, 2, 0, 11}) + "COMPRESSION" + B({0, 3}) + "lz4" + B({0, 11}) + "CQL_VERSION" + B({0, 5}) + "3.0.0");
}

TEST(CqlRequest, AuthResponseIsSaslPlainToken) {
  std::string body;
  EncodeAuthResponse(body, PlainAuthToken("cassandra", "pw"));
  EXPECT_EQ(body, B({0, 0, 0, 13, 0}) + "cassandra" + B({0}) + "pw");
}

TEST(CqlRequest, QueryWithEveryParameter) {
  StatementOptions o;
  o.consistency = Consistency::kQuorum;
  o.page_size = 100;
  o.paging_state = "PS";
  o.serial_consistency = Consistency::kLocalSerial;
  std::string body;
  ASSERT_FALSE(EncodeQuery(body, "SELECT ?", {Value::Int(7), Value::Null(), Value::Unset()}, o, int64_t{5}));
  std::string want = B({0, 0, 0, 8}) + "SELECT ?" +
                     B({0, 4,                  // consistency QUORUM
                        0x01 | 0x04 | 0x08 | 0x10 | 0x20,  // values, page size, paging state, serial, timestamp
                        0, 3,                  // 3 values
                        0, 0, 0, 4, 0, 0, 0, 7,            // int 7
                        0xff, 0xff, 0xff, 0xff,            // null
                        0xff, 0xff, 0xff, 0xfe,            // unset
                        0, 0, 0, 100,                      // page size
                        0, 0, 0, 2, 'P', 'S',              // paging state
                        0, 9,                              // LOCAL_SERIAL
                        0, 0, 0, 0, 0, 0, 0, 5});          // timestamp
  EXPECT_EQ(body, want);
}

TEST(CqlRequest, QueryWithoutParametersHasOnlyConsistencyAndFlags) {
  StatementOptions o;
  o.page_size = 0;
  std::string body;
  ASSERT_FALSE(EncodeQuery(body, "X", {}, o, std::nullopt));
  EXPECT_EQ(body, B({0, 0, 0, 1, 'X', 0, 1, 0}));
}

TEST(CqlRequest, PrepareAndRegister) {
  std::string p, r;
  EncodePrepare(p, "Q");
  EXPECT_EQ(p, B({0, 0, 0, 1, 'Q'}));
  EncodeRegister(r, {"STATUS_CHANGE"});
  EXPECT_EQ(r, B({0, 1, 0, 13}) + "STATUS_CHANGE");
}

PreparedStatement TwoColumnStatement() {
  PreparedStatement p;
  p.id = B({0xab, 0xcd});
  p.bind_columns = {{"ks", "t", "k", DataType{TypeId::kBigint, {}, {}, {}, {}, {}}},
                    {"ks", "t", "v", DataType{TypeId::kVarchar, {}, {}, {}, {}, {}}}};
  p.partition_key_indexes = {0};
  return p;
}

TEST(CqlRequest, ExecuteConvertsValuesToTheBindTypes) {
  StatementOptions o;
  o.page_size = 0;
  std::string body;
  ASSERT_FALSE(EncodeExecute(body, TwoColumnStatement(), {Value::Int(1), Value::Text("a")}, o, std::nullopt));
  EXPECT_EQ(body, B({0, 2, 0xab, 0xcd, 0, 1, 0x01, 0, 2, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 'a'}));
  std::string bad;
  auto err = EncodeExecute(bad, TwoColumnStatement(), {Value::Int(1)}, o, std::nullopt);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, ErrorKind::kInvalidArgument);
  err = EncodeExecute(bad, TwoColumnStatement(), {Value::Boolean(true), Value::Text("a")}, o, std::nullopt);
  ASSERT_TRUE(err);
  EXPECT_NE(err->message.find("'k'"), std::string::npos) << err->message;
}

TEST(CqlRequest, BatchOfPreparedAndQueryStatements) {
  Batch b;
  b.type = BatchType::kUnlogged;
  b.Add(std::make_shared<const PreparedStatement>(TwoColumnStatement()), {Value::Bigint(2), Value::Text("b")});
  b.Add(std::string("Q"), {});
  StatementOptions o;
  o.consistency = Consistency::kOne;
  std::string body;
  ASSERT_FALSE(EncodeBatch(body, b, o, int64_t{1}));
  std::string want = B({1, 0, 2,                             // unlogged, 2 statements
                        1, 0, 2, 0xab, 0xcd, 0, 2,           // prepared id, 2 values
                        0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 2,  // bigint 2
                        0, 0, 0, 1, 'b',                     // text b
                        0, 0, 0, 0, 1, 'Q', 0, 0,            // query "Q", 0 values
                        0, 1, 0x20,                          // ONE, timestamp flag
                        0, 0, 0, 0, 0, 0, 0, 1});
  EXPECT_EQ(body, want);
}

// --- 4.2 Responses -------------------------------------------------------------------

TEST(CqlResponse, ErrorsWithCodeSpecificFields) {
  ErrorMessage e;
  std::string unavailable = B({0, 0, 0x10, 0, 0, 1, 'x', 0, 4, 0, 0, 0, 3, 0, 0, 0, 1});
  ASSERT_TRUE(DecodeError(unavailable, e));
  EXPECT_EQ(e.code, 0x1000);
  EXPECT_EQ(e.consistency, Consistency::kQuorum);
  EXPECT_EQ(e.required, 3);
  EXPECT_EQ(e.alive, 1);
  Error err = ToError(e, "h:1");
  EXPECT_TRUE(err.retryable);
  EXPECT_NE(err.to_string().find("UNAVAILABLE"), std::string::npos);

  std::string write_timeout = B({0, 0, 0x11, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 6}) + "SIMPLE";
  ASSERT_TRUE(DecodeError(write_timeout, e));
  EXPECT_EQ(e.write_type, "SIMPLE");
  EXPECT_EQ(e.block_for, 1);

  std::string read_timeout = B({0, 0, 0x12, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1});
  ASSERT_TRUE(DecodeError(read_timeout, e));
  EXPECT_TRUE(e.data_present);

  std::string read_failure = B({0, 0, 0x13, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0});
  ASSERT_TRUE(DecodeError(read_failure, e));
  EXPECT_EQ(e.num_failures, 1);

  std::string write_failure = B({0, 0, 0x15, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 5}) + "BATCH";
  ASSERT_TRUE(DecodeError(write_failure, e));
  EXPECT_EQ(e.num_failures, 2);
  EXPECT_EQ(e.write_type, "BATCH");

  std::string function_failure = B({0, 0, 0x14, 0, 0, 0, 0, 2, 'k', 's', 0, 1, 'f', 0, 1, 0, 3}) + "int";
  ASSERT_TRUE(DecodeError(function_failure, e));
  EXPECT_EQ(e.function, "f");
  EXPECT_EQ(e.arg_types, (std::vector<std::string>{"int"}));

  std::string exists = B({0, 0, 0x24, 0, 0, 0, 0, 2, 'k', 's', 0, 1, 't'});
  ASSERT_TRUE(DecodeError(exists, e));
  EXPECT_EQ(e.table, "t");

  std::string unprepared = B({0, 0, 0x25, 0, 0, 0, 0, 2, 0xab, 0xcd});
  ASSERT_TRUE(DecodeError(unprepared, e));
  EXPECT_EQ(e.unprepared_id, B({0xab, 0xcd}));

  std::string bad_credentials = B({0, 0, 0x01, 0, 0, 3, 'b', 'a', 'd'});
  ASSERT_TRUE(DecodeError(bad_credentials, e));
  EXPECT_EQ(ToError(e, "").kind, ErrorKind::kAuth);

  std::string truncated = B({0, 0, 0x10, 0, 0, 0, 0, 4});
  EXPECT_FALSE(DecodeError(truncated, e));
}

TEST(CqlResponse, AuthenticateSupportedAndAuthTokens) {
  std::string name;
  ASSERT_TRUE(DecodeAuthenticate(B({0, 3, 'P', 'w', 'A'}), name));
  EXPECT_EQ(name, "PwA");
  std::optional<std::string> token;
  ASSERT_TRUE(DecodeAuthToken(B({0xff, 0xff, 0xff, 0xff}), token));
  EXPECT_FALSE(token);
  ASSERT_TRUE(DecodeAuthToken(B({0, 0, 0, 1, 'z'}), token));
  EXPECT_EQ(token, "z");
  std::map<std::string, std::vector<std::string>> opts;
  ASSERT_TRUE(DecodeSupported(B({0, 1, 0, 1, 'C', 0, 1, 0, 3, 'l', 'z', '4'}), opts));
  EXPECT_EQ(opts["C"], (std::vector<std::string>{"lz4"}));
}

std::shared_ptr<const std::string> Shared(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

TEST(CqlResponse, ResultVoidSetKeyspaceSchemaChange) {
  ResultMessage r;
  ASSERT_TRUE(DecodeResult(Shared(B({0, 0, 0, 1})), 0, r));
  EXPECT_EQ(r.rows.kind(), ResultSet::Kind::kVoid);
  ResultMessage k;
  ASSERT_TRUE(DecodeResult(Shared(B({0, 0, 0, 3, 0, 2, 'k', 's'})), 0, k));
  EXPECT_EQ(k.keyspace, "ks");
  ResultMessage sc;
  ASSERT_TRUE(DecodeResult(Shared(B({0, 0, 0, 5, 0, 7}) + "CREATED" + B({0, 5}) + "TABLE" + B({0, 2, 'k', 's', 0, 1, 't'})), 0, sc));
  EXPECT_EQ(sc.schema_change.target, "TABLE");
  EXPECT_EQ(sc.schema_change.name, "t");
  EXPECT_EQ(sc.rows.info(), "CREATED TABLE ks.t");
}

TEST(CqlResponse, ResultRowsWithGlobalSpecPagingAndNull) {
  std::string body = B({0, 0, 0, 2,            // Rows
                        0, 0, 0, 0x03,         // global table spec + has more pages
                        0, 0, 0, 2,            // 2 columns
                        0, 0, 0, 2, 'P', 'S',  // paging state
                        0, 2, 'k', 's', 0, 1, 't',
                        0, 1, 'a', 0, 0x09,            // a int
                        0, 1, 'b', 0, 0x20, 0, 0x0d,   // b list<text>
                        0, 0, 0, 2,                    // 2 rows
                        0, 0, 0, 4, 0, 0, 0, 5,        // a = 5
                        0, 0, 0, 13, 0, 0, 0, 2, 0, 0, 0, 1, 'x', 0, 0, 0, 0,  // b = ['x', '']
                        0xff, 0xff, 0xff, 0xff,        // a = null
                        0xff, 0xff, 0xff, 0xff});      // b = null
  ResultMessage r;
  ASSERT_TRUE(DecodeResult(Shared(body), 0, r));
  const ResultSet& rs = r.rows;
  ASSERT_EQ(rs.row_count(), 2u);
  EXPECT_EQ(rs.paging_state(), "PS");
  EXPECT_EQ(rs.columns()[1].type.to_string(), "list<text>");
  EXPECT_EQ(rs[0].get_int32("a"), 5);
  EXPECT_EQ(rs[0].get_value("b"), Value::List({Value::Text("x"), Value::Text("")}));
  EXPECT_TRUE(rs[1].is_null(0));
  EXPECT_EQ(rs[1].get_int32(0), std::nullopt);
  // Every strict prefix is malformed.
  for (size_t n = 0; n < body.size(); ++n) {
    ResultMessage t;
    EXPECT_FALSE(DecodeResult(Shared(body.substr(0, n)), 0, t)) << n;
  }
}

// The typed getters read fixed-width cells straight from their bytes:
// every width and sign, NULL and empty cells, a cell of the wrong width,
// and a column of another type.
TEST(CqlResponse, TypedGettersReadFixedWidthCells) {
  const auto cell = [](std::vector<int> bytes) {
    std::string c = B({0, 0, 0, static_cast<int>(bytes.size())});
    for (int b : bytes) c.push_back(static_cast<char>(b));
    return c;
  };
  const std::string kNull = B({0xff, 0xff, 0xff, 0xff});
  std::string body = B({0, 0, 0, 2, 0, 0, 0, 0x01, 0, 0, 0, 8, 0, 2, 'k', 's', 0, 1, 't',
                        0, 2, 't', 'i', 0, 0x14,   // tinyint
                        0, 2, 's', 'i', 0, 0x13,   // smallint
                        0, 1, 'i', 0, 0x09,        // int
                        0, 1, 'b', 0, 0x02,        // bigint
                        0, 1, 'f', 0, 0x08,        // float
                        0, 1, 'd', 0, 0x07,        // double
                        0, 2, 't', 's', 0, 0x0b,   // timestamp
                        0, 1, 'x', 0, 0x0d,        // text
                        0, 0, 0, 3});              // 3 rows
  // Row 0: negative and fractional values.
  body += cell({0xfe}) + cell({0xff, 0x85}) + cell({0xff, 0xff, 0xff, 0xfb}) +
          cell({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf6}) + cell({0x3f, 0xc0, 0, 0}) +
          cell({0xc0, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18}) + cell({0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0}) +
          cell({'h', 'i'});
  // Row 1: NULL cells, and empty cells (read as NULL, as DecodeCell does).
  body += kNull + cell({}) + kNull + cell({}) + kNull + cell({}) + kNull + cell({});
  // Row 2: an int cell of 3 bytes and a double cell of 4.
  body += cell({1}) + cell({0, 1}) + cell({0, 0, 1}) + cell({0, 0, 0, 0, 0, 0, 0, 1}) + cell({0, 0, 0, 0}) +
          cell({0, 0, 0, 0}) + cell({0, 0, 0, 0, 0, 0, 0, 0}) + cell({});
  ResultMessage r;
  ASSERT_TRUE(DecodeResult(Shared(body), 0, r));
  const ResultSet& rs = r.rows;
  ASSERT_EQ(rs.row_count(), 3u);
  EXPECT_EQ(rs[0].get_int32("ti"), -2);
  EXPECT_EQ(rs[0].get_int32("si"), -123);
  EXPECT_EQ(rs[0].get_int32("i"), -5);
  EXPECT_EQ(rs[0].get_int64("i"), -5);
  EXPECT_EQ(rs[0].get_int64("b"), -10);
  EXPECT_EQ(rs[0].get_double("f"), 1.5);
  EXPECT_EQ(rs[0].get_double("d"), -3.141592653589793);
  EXPECT_EQ(rs[0].get_timestamp("ts"), 1700000000000);
  for (size_t c = 0; c < 7; ++c) {
    EXPECT_EQ(rs[1].get_value(c), Value::Null()) << c;
    EXPECT_FALSE(c < 3 ? rs[1].get_int32(c).has_value() : c < 4 ? rs[1].get_int64(c).has_value()
                 : c < 6 ? rs[1].get_double(c).has_value() : rs[1].get_timestamp(c).has_value()) << c;
  }
  EXPECT_EQ(rs[2].get_int32("ti"), 1);
  EXPECT_THROW(rs[2].get_int32("i"), CqlError) << "a 3-byte int cell is malformed";
  EXPECT_THROW(rs[2].get_double("d"), CqlError) << "a 4-byte double cell is malformed";
  EXPECT_EQ(rs[2].get_double("f"), 0.0);
  EXPECT_THROW(rs[0].get_double("x"), CqlError) << "text is not readable as double";
  EXPECT_THROW(rs[0].get_int32("b"), CqlError) << "bigint is not readable as int32";
  EXPECT_THROW(rs[0].get_timestamp("b"), CqlError) << "bigint is not readable as a timestamp";
}

TEST(CqlResponse, ResultPreparedHasPartitionKeyIndexes) {
  std::string body = B({0, 0, 0, 4, 0, 2, 0xab, 0xcd,  // Prepared, id
                        0, 0, 0, 1, 0, 0, 0, 2,         // global spec, 2 bind columns
                        0, 0, 0, 1, 0, 1,               // 1 pk index: 1
                        0, 2, 'k', 's', 0, 1, 't',
                        0, 1, 'v', 0, 0x0d, 0, 1, 'k', 0, 0x02,
                        0, 0, 0, 4, 0, 0, 0, 0});       // result metadata: no metadata, 0 columns
  ResultMessage r;
  ASSERT_TRUE(DecodeResult(Shared(body), 0, r));
  EXPECT_EQ(r.prepared.id, B({0xab, 0xcd}));
  EXPECT_EQ(r.prepared.partition_key_indexes, (std::vector<uint16_t>{1}));
  EXPECT_EQ(r.prepared.keyspace, "ks");
  EXPECT_EQ(r.prepared.bind_columns[1].type.id, TypeId::kBigint);
}

TEST(CqlResponse, Events) {
  EventMessage e;
  ASSERT_TRUE(DecodeEvent(B({0, 13}) + "STATUS_CHANGE" + B({0, 4}) + "DOWN" + B({4, 127, 0, 0, 3, 0, 0, 0x23, 0x52}), e));
  EXPECT_EQ(e.change, "DOWN");
  EXPECT_EQ(InetToString(e.address), "127.0.0.3");
  ASSERT_TRUE(DecodeEvent(B({0, 15}) + "TOPOLOGY_CHANGE" + B({0, 8}) + "NEW_NODE" + B({4, 1, 2, 3, 4, 0, 0, 0, 1}), e));
  EXPECT_EQ(e.change, "NEW_NODE");
  ASSERT_TRUE(DecodeEvent(B({0, 13}) + "SCHEMA_CHANGE" + B({0, 7}) + "DROPPED" + B({0, 8}) + "KEYSPACE" + B({0, 2, 'k', 's'}), e));
  EXPECT_EQ(e.schema_change.keyspace, "ks");
  ASSERT_TRUE(DecodeEvent(B({0, 13}) + "SCHEMA_CHANGE" + B({0, 7}) + "CREATED" + B({0, 8}) + "FUNCTION" +
                              B({0, 2, 'k', 's', 0, 1, 'f', 0, 1, 0, 3}) + "int", e));
  EXPECT_EQ(e.schema_change.arg_types, (std::vector<std::string>{"int"}));
  EXPECT_FALSE(DecodeEvent(B({0, 13}) + "STATUS_CHANGE" + B({0, 2}) + "UP", e));
}

TEST(CqlResponse, PrefixWithTracingWarningsAndPayloadIsStripped) {
  std::string body = std::string(16, 'T') + B({0, 1, 0, 1, 'w', 0, 1, 0, 1, 'k', 0, 0, 0, 1, 'v'}) + B({0, 0, 0, 1});
  std::string_view v(body);
  std::vector<std::string> warnings;
  ASSERT_TRUE(StripResponsePrefix(v, kFlagTracing | kFlagWarning | kFlagCustomPayload, &warnings));
  EXPECT_EQ(warnings, (std::vector<std::string>{"w"}));
  EXPECT_EQ(v, B({0, 0, 0, 1}));
}

// --- 6. Values ---------------------------------------------------------------------------

DataType T(TypeId id, std::vector<DataType> children = {}) {
  DataType t;
  t.id = id;
  t.children = std::move(children);
  return t;
}

struct Case {
  Value value;
  DataType type;
  std::string cell;
};

TEST(CqlValues, EveryTypeEncodesPerSpecAndDecodesBack) {
  DataType udt = T(TypeId::kUdt, {T(TypeId::kInt), T(TypeId::kVarchar)});
  udt.udt_keyspace = "ks";
  udt.udt_name = "p";
  udt.field_names = {"x", "y"};
  DataType custom_duration;
  custom_duration.id = TypeId::kCustom;
  custom_duration.custom_class = "org.apache.cassandra.db.marshal.DurationType";
  Uuid u = *Uuid::Parse("00112233-4455-6677-8899-aabbccddeeff");
  std::string ub = B({0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff});
  std::vector<Case> cases = {
      {Value::Ascii("hi"), T(TypeId::kAscii), "hi"},
      {Value::Text("h\xc3\xa9"), T(TypeId::kVarchar), "h\xc3\xa9"},
      {Value::Blob(B({0, 1})), T(TypeId::kBlob), B({0, 1})},
      {Value::Boolean(true), T(TypeId::kBoolean), B({1})},
      {Value::Tinyint(-1), T(TypeId::kTinyint), B({0xff})},
      {Value::Smallint(258), T(TypeId::kSmallint), B({1, 2})},
      {Value::Int(-2), T(TypeId::kInt), B({0xff, 0xff, 0xff, 0xfe})},
      {Value::Bigint(1), T(TypeId::kBigint), B({0, 0, 0, 0, 0, 0, 0, 1})},
      {Value::Counter(2), T(TypeId::kCounter), B({0, 0, 0, 0, 0, 0, 0, 2})},
      {Value::VarintOf(Varint::FromInt64(128)), T(TypeId::kVarint), B({0x00, 0x80})},
      {Value::VarintOf(Varint::FromInt64(-129)), T(TypeId::kVarint), B({0xff, 0x7f})},
      {Value::DecimalOf({2, Varint::FromInt64(-1)}), T(TypeId::kDecimal), B({0, 0, 0, 2, 0xff})},
      {Value::Float(1.0f), T(TypeId::kFloat), B({0x3f, 0x80, 0, 0})},
      {Value::Double(2.0), T(TypeId::kDouble), B({0x40, 0, 0, 0, 0, 0, 0, 0})},
      {Value::Timestamp(1000), T(TypeId::kTimestamp), B({0, 0, 0, 0, 0, 0, 0x03, 0xe8})},
      {Value::Date(0), T(TypeId::kDate), B({0x80, 0, 0, 0})},  // epoch = 2^31
      {Value::Date(-1), T(TypeId::kDate), B({0x7f, 0xff, 0xff, 0xff})},
      {Value::Time(1), T(TypeId::kTime), B({0, 0, 0, 0, 0, 0, 0, 1})},
      {Value::DurationOf({1, -1, 2}), custom_duration, B({0x02, 0x01, 0x04})},  // zigzag vints
      {Value::UuidOf(u), T(TypeId::kUuid), ub},
      {Value::Timeuuid(u), T(TypeId::kTimeuuid), ub},
      {Value::Inet(B({10, 0, 0, 1})), T(TypeId::kInet), B({10, 0, 0, 1})},
      {Value::List({Value::Int(1)}), T(TypeId::kList, {T(TypeId::kInt)}), B({0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1})},
      {Value::Set({Value::Text("a")}), T(TypeId::kSet, {T(TypeId::kVarchar)}), B({0, 0, 0, 1, 0, 0, 0, 1, 'a'})},
      {Value::Map({{Value::Text("a"), Value::Boolean(false)}}), T(TypeId::kMap, {T(TypeId::kVarchar), T(TypeId::kBoolean)}),
       B({0, 0, 0, 1, 0, 0, 0, 1, 'a', 0, 0, 0, 1, 0})},
      {Value::Tuple({Value::Int(1), Value::Null()}), T(TypeId::kTuple, {T(TypeId::kInt), T(TypeId::kVarchar)}),
       B({0, 0, 0, 4, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff})},
      {Value::Udt({{"x", Value::Int(3)}, {"y", Value::Text("z")}}), udt, B({0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 1, 'z'})},
  };
  for (const Case& c : cases) {
    std::string cell;
    auto err = PutCell(cell, c.value, &c.type);
    ASSERT_FALSE(err) << c.type.to_string() << ": " << *err;
    EXPECT_EQ(cell, c.cell) << c.type.to_string();
    Value back;
    ASSERT_TRUE(DecodeCell(c.type, cell, back)) << c.type.to_string();
    EXPECT_EQ(back, c.value) << c.type.to_string() << " " << back.ToString() << " vs " << c.value.ToString();
    // Natural encoding (no type known) of the same value decodes back too.
    std::string natural;
    ASSERT_FALSE(PutCell(natural, c.value, nullptr));
    Value nb;
    ASSERT_TRUE(DecodeCell(NaturalType(c.value), natural, nb));
    EXPECT_EQ(nb, c.value) << c.type.to_string();
    // Truncated cells of fixed-size and composite types are refused.
    if (cell.size() > 1 && c.type.id != TypeId::kAscii && c.type.id != TypeId::kVarchar && c.type.id != TypeId::kBlob &&
        c.type.id != TypeId::kVarint && c.type.id != TypeId::kUdt && c.type.id != TypeId::kDecimal &&
        !c.type.is_duration()) {
      Value t;
      EXPECT_FALSE(DecodeCell(c.type, cell.substr(0, cell.size() - 1), t)) << c.type.to_string();
    }
  }
}

TEST(CqlValues, WideningAndRangeChecksAgainstTheColumnType) {
  std::string cell;
  EXPECT_FALSE(PutCell(cell, Value::Int(5), &(const DataType&)T(TypeId::kBigint)));
  EXPECT_EQ(cell.size(), 8u);
  cell.clear();
  EXPECT_FALSE(PutCell(cell, Value::Bigint(1700000000000), &(const DataType&)T(TypeId::kTimestamp)));
  EXPECT_TRUE(PutCell(cell, Value::Bigint(70000), &(const DataType&)T(TypeId::kSmallint)));
  EXPECT_TRUE(PutCell(cell, Value::Text("x"), &(const DataType&)T(TypeId::kInt)));
  EXPECT_TRUE(PutCell(cell, Value::Text("\xc3\xa9"), &(const DataType&)T(TypeId::kAscii)));
  EXPECT_TRUE(PutCell(cell, Value::List({Value::Null()}), &(const DataType&)T(TypeId::kList, {T(TypeId::kInt)})));
}

TEST(CqlValues, NullAndUnsetAsBoundValues) {
  std::string out;
  ASSERT_FALSE(PutValue(out, Value::Null(), nullptr));
  ASSERT_FALSE(PutValue(out, Value::Unset(), nullptr));
  EXPECT_EQ(out, B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}));
}

TEST(CqlValues, CollectionCountLargerThanTheCellIsRefused) {
  Value v;
  EXPECT_FALSE(DecodeCell(T(TypeId::kList, {T(TypeId::kInt)}), B({0x7f, 0xff, 0xff, 0xff}), v));
  EXPECT_FALSE(DecodeCell(T(TypeId::kList, {T(TypeId::kInt)}), B({0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0}), v));
}

TEST(CqlValues, UuidTextAndVarintHelpers) {
  auto u = Uuid::Parse("00112233-4455-6677-8899-AABBCCDDEEFF");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->ToString(), "00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_FALSE(Uuid::Parse("not-a-uuid"));
  EXPECT_EQ(Varint::FromInt64(0).bytes, B({0}));
  EXPECT_EQ(Varint::FromInt64(-1).bytes, B({0xff}));
  EXPECT_EQ(Varint::FromInt64(INT64_MIN).ToInt64(), INT64_MIN);
}

TEST(CqlTypes, OptionEncodingRoundTripsAndDepthIsLimited) {
  DataType m = T(TypeId::kMap, {T(TypeId::kVarchar), T(TypeId::kList, {T(TypeId::kTuple, {T(TypeId::kInt), T(TypeId::kUuid)})})});
  std::string out;
  PutDataType(out, m);
  EXPECT_EQ(out, B({0, 0x21, 0, 0x0d, 0, 0x20, 0, 0x31, 0, 2, 0, 9, 0, 0x0c}));
  std::string_view in(out);
  DataType back;
  ASSERT_TRUE(GetDataType(in, back));
  EXPECT_EQ(back, m);
  EXPECT_EQ(back.to_string(), "map<text, list<tuple<int, uuid>>>");
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += B({0, 0x20});
  deep += B({0, 9});
  std::string_view dv(deep);
  EXPECT_FALSE(GetDataType(dv, back));
}

// --- 5. Compression ----------------------------------------------------------------------

TEST(CqlCompression, Lz4BodyRoundTripsAndRejectsGarbage) {
  std::string body(1000, 'a');
  std::string z;
  Lz4CompressBody(z, body);
  EXPECT_EQ(z.substr(0, 4), B({0, 0, 0x03, 0xe8}));  // uncompressed length first
  EXPECT_LT(z.size(), body.size());
  std::string back;
  ASSERT_TRUE(Lz4DecompressBody(z, back, 1 << 20));
  EXPECT_EQ(back, body);
  EXPECT_FALSE(Lz4DecompressBody(z, back, 100));  // above max size
  EXPECT_FALSE(Lz4DecompressBody(z.substr(0, z.size() - 3), back, 1 << 20));
  std::string frame;
  AppendFrame(frame, Opcode::kQuery, 1, body, true);
  EXPECT_EQ(static_cast<uint8_t>(frame[1]), kFlagCompression);
  EXPECT_EQ(frame.size(), kHeaderSize + z.size());
}

// --- Token-aware routing ----------------------------------------------------------------

TEST(CqlTokenRing, Murmur3MatchesCassandra) {
  // Values from Cassandra's Murmur3Partitioner (SELECT token(k) with k int / text).
  std::string one = B({0, 0, 0, 1});
  EXPECT_EQ(Murmur3Token(one), -4069959284402364209LL);
}

TEST(CqlTokenRing, SimpleStrategyWalksTheRing) {
  TokenRing ring({{"a", "dc1", "r1"}, {"b", "dc1", "r1"}, {"c", "dc1", "r1"}}, {{-100}, {0}, {100}});
  Replication r;
  r.strategy = Replication::Strategy::kSimple;
  r.replication_factor = 2;
  EXPECT_EQ(ring.Replicas(-150, r), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(ring.Replicas(-100, r), (std::vector<size_t>{0, 1}));  // a token owns itself
  EXPECT_EQ(ring.Replicas(50, r), (std::vector<size_t>{2, 0}));
  EXPECT_EQ(ring.Replicas(101, r), (std::vector<size_t>{0, 1}));   // wraps
}

TEST(CqlTokenRing, NetworkTopologyCountsPerDatacenter) {
  TokenRing ring({{"a", "dc1", "r1"}, {"b", "dc2", "r1"}, {"c", "dc1", "r1"}, {"d", "dc2", "r1"}}, {{0}, {10}, {20}, {30}});
  Replication r = Replication::FromMap({{"class", "org.apache.cassandra.locator.NetworkTopologyStrategy"}, {"dc1", "1"}, {"dc2", "2"}});
  EXPECT_EQ(r.strategy, Replication::Strategy::kNetworkTopology);
  EXPECT_EQ(ring.Replicas(5, r), (std::vector<size_t>{1, 2, 3}));
}

TEST(CqlTokenRing, TableHoldsTheReplicasOfEveryRange) {
  // Two datacenters, two racks each, 8 tokens per node: every token's
  // replicas read from the table are those placed for it alone.
  std::vector<TokenRing::Node> nodes;
  std::vector<std::vector<int64_t>> tokens;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 8; ++i) {
    nodes.push_back({"n" + std::to_string(i), i < 5 ? "dc1" : "dc2", i % 2 ? "r1" : "r2"});
    tokens.emplace_back();
    for (int t = 0; t < 8; ++t) tokens.back().push_back(static_cast<int64_t>(rng()));
  }
  TokenRing ring(nodes, tokens);
  Replication simple;
  simple.strategy = Replication::Strategy::kSimple;
  simple.replication_factor = 3;
  Replication nts = Replication::FromMap(
      {{"class", "org.apache.cassandra.locator.NetworkTopologyStrategy"}, {"dc1", "3"}, {"dc2", "2"}});
  for (const Replication& r : {simple, nts}) {
    ReplicaTable table = ring.Table(r);
    ASSERT_EQ(table.begin.size(), ring.ranges() + 1);
    for (int i = 0; i < 2000; ++i) {
      int64_t token = static_cast<int64_t>(rng());
      auto range = table.At(ring.RangeOf(token));
      std::vector<size_t> got(range.begin(), range.end());
      EXPECT_EQ(got, ring.Replicas(token, r)) << token;
      EXPECT_EQ(got.size(), r.strategy == Replication::Strategy::kSimple ? 3u : 5u);
    }
  }
}

TEST(CqlTokenRing, CompositeRoutingKey) {
  EXPECT_EQ(CompositeRoutingKey({"ab"}), "ab");
  EXPECT_EQ(CompositeRoutingKey({"a", "bc"}), B({0, 1, 'a', 0, 0, 2, 'b', 'c', 0}));
}

}  // namespace
