// Writes rows with our CQL client for cql_python_crosscheck.py to read back
// with the Python cassandra-driver. Usage: cql_crosscheck_writer HOST.
// The expected values are defined twice on purpose (here and in the Python
// script): each side states independently what row i holds.
#include <cstdio>
#include <string>

#include "cql/session.h"

int main(int argc, char** argv) {
  try {
    cql::SessionOptions o;
    o.contact_points = {argc > 1 ? argv[1] : "127.0.0.1"};
    o.pool_size = 1;
    auto s = cql::Session::Connect(o);
    s->Query("DROP KEYSPACE IF EXISTS cql_test_crosscheck");
    s->Query("CREATE KEYSPACE cql_test_crosscheck WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    s->Query(
        "CREATE TABLE cql_test_crosscheck.t (k int PRIMARY KEY, t text, bi bigint, d double, f float, b blob, "
        "bo boolean, ts timestamp, u uuid, da date, tm time, ip inet, vi varint, de decimal, si smallint, ti tinyint, "
        "l list<int>, st set<text>, m map<text, double>, tp tuple<int, text>, n text, un text)");
    auto ins = s->Prepare(
        "INSERT INTO cql_test_crosscheck.t (k, t, bi, d, f, b, bo, ts, u, da, tm, ip, vi, de, si, ti, l, st, m, tp, n, un) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    // Row 0..99; the un column is first written, then overwritten with UNSET (keeps it).
    for (int i = 0; i < 100; ++i) {
      cql::Uuid u;
      for (int b = 0; b < 16; ++b) u.bytes[static_cast<size_t>(b)] = static_cast<uint8_t>(i + b);
      std::vector<cql::Value> v = {
          cql::Value::Int(i),
          cql::Value::Text("row-" + std::to_string(i) + "-\xc3\xa9\xe2\x9c\x93"),
          cql::Value::Bigint(int64_t{i} * 1'000'000'000'000),
          cql::Value::Double(i / 3.0),
          cql::Value::Float(static_cast<float>(i) + 0.5f),
          cql::Value::Blob(std::string(static_cast<size_t>(i % 5), static_cast<char>(i))),
          cql::Value::Boolean(i % 2 == 0),
          cql::Value::Timestamp(1700000000000 + i),
          cql::Value::UuidOf(u),
          cql::Value::Date(19000 + i),
          cql::Value::Time(int64_t{i} * 1'000'000'007),
          cql::Value::Inet(std::string{10, 0, 0, static_cast<char>(i)}),
          cql::Value::VarintOf(cql::Varint::FromInt64(-int64_t{i} * 123456789)),
          cql::Value::DecimalOf({2, cql::Varint::FromInt64(i * 101)}),
          cql::Value::Smallint(static_cast<int16_t>(-i)),
          cql::Value::Tinyint(static_cast<int8_t>(i)),
          cql::Value::List({cql::Value::Int(i), cql::Value::Int(i + 1)}),
          cql::Value::Set({cql::Value::Text("a" + std::to_string(i)), cql::Value::Text("b")}),
          cql::Value::Map({{cql::Value::Text("x"), cql::Value::Double(i * 0.25)}}),
          cql::Value::Tuple({cql::Value::Int(i), cql::Value::Text("t" + std::to_string(i))}),
          cql::Value::Null(),
          cql::Value::Text("kept-" + std::to_string(i)),
      };
      s->Execute(ins, v);
      v.back() = cql::Value::Unset();
      s->Execute(ins, v);
    }
    std::printf("wrote 100 rows\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cql_crosscheck_writer: %s\n", e.what());
    return 1;
  }
}
