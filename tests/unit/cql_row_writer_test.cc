// RowWriter (row_writer.h) must write what binding cql::Values writes: the
// same bytes for every column type, the same refusals. Values are drawn at
// random (fixed seed) besides the edge cases.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "cql/frame.h"
#include "cql/row_writer.h"
#include "cql/value_codec.h"

namespace {

using namespace cql;

DataType Type(TypeId id, std::vector<DataType> children = {}) {
  DataType t;
  t.id = id;
  t.children = std::move(children);
  return t;
}

// Every column type a value can be bound to.
std::vector<DataType> EveryType() {
  std::vector<DataType> out;
  for (TypeId id : {TypeId::kAscii, TypeId::kBigint, TypeId::kBlob, TypeId::kBoolean, TypeId::kCounter,
                    TypeId::kDecimal, TypeId::kDouble, TypeId::kFloat, TypeId::kInt, TypeId::kTimestamp,
                    TypeId::kUuid, TypeId::kVarchar, TypeId::kVarint, TypeId::kTimeuuid, TypeId::kInet,
                    TypeId::kDate, TypeId::kTime, TypeId::kSmallint, TypeId::kTinyint, TypeId::kDuration}) {
    out.push_back(Type(id));
  }
  DataType custom = Type(TypeId::kCustom);
  custom.custom_class = "org.example.SomeType";
  out.push_back(custom);
  DataType duration = Type(TypeId::kCustom);
  duration.custom_class = "org.apache.cassandra.db.marshal.DurationType";
  out.push_back(duration);
  out.push_back(Type(TypeId::kList, {Type(TypeId::kInt)}));
  out.push_back(Type(TypeId::kMap, {Type(TypeId::kVarchar), Type(TypeId::kVarchar)}));
  return out;
}

PreparedStatement OneColumn(const DataType& t) {
  PreparedStatement p;
  p.id = "id";
  p.bind_columns.push_back({"ks", "t", "c", t});
  return p;
}

// One value, written through RowWriter by `put` and through the Value path.
struct Case {
  std::string what;
  std::function<void(RowWriter&)> put;
  Value value;
};

std::vector<Case> Cases(std::mt19937_64& rng) {
  std::vector<Case> out;
  auto add = [&](std::string what, std::function<void(RowWriter&)> put, Value v) {
    out.push_back({std::move(what), std::move(put), std::move(v)});
  };
  add("null", [](RowWriter& w) { w.PutNull(); }, Value::Null());
  add("unset", [](RowWriter& w) { w.PutUnset(); }, Value::Unset());
  std::vector<int64_t> ints = {0, 1, -1, 127, 128, -128, -129, 32767, 32768, -32769,
                               std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(),
                               std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
  for (int i = 0; i < 20; ++i) ints.push_back(static_cast<int64_t>(rng()) >> (rng() % 64));
  for (int64_t i : ints) {
    auto i32 = static_cast<int32_t>(i);
    add("int " + std::to_string(i32), [i32](RowWriter& w) { w.PutInt(i32); }, Value::Int(i32));
    add("bigint " + std::to_string(i), [i](RowWriter& w) { w.PutBigint(i); }, Value::Bigint(i));
    add("timestamp " + std::to_string(i), [i](RowWriter& w) { w.PutTimestamp(i); }, Value::Timestamp(i));
  }
  std::vector<double> doubles = {0.0, -0.0, 1.5, -2.25, 1e300, std::numeric_limits<double>::infinity(),
                                 std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::denorm_min()};
  std::uniform_real_distribution<double> real(-1e6, 1e6);
  for (int i = 0; i < 20; ++i) doubles.push_back(real(rng));
  for (double d : doubles) add("double", [d](RowWriter& w) { w.PutDouble(d); }, Value::Double(d));
  std::vector<std::string> texts = {"", "a", "metric", std::string("caf\xc3\xa9"), std::string(300, 'x'),
                                    std::string("\0z", 2)};
  for (int i = 0; i < 10; ++i) {
    std::string s(rng() % 40, ' ');
    for (char& c : s) c = static_cast<char>(rng());
    texts.push_back(s);
  }
  for (const std::string& s : texts) {
    add("text", [s](RowWriter& w) { w.PutText(s); }, Value::Text(s));
    add("blob", [s](RowWriter& w) { w.PutBlob(s); }, Value::Blob(s));
  }
  for (int i = 0; i < 5; ++i) {
    Uuid u;
    for (auto& b : u.bytes) b = static_cast<uint8_t>(rng());
    add("uuid", [u](RowWriter& w) { w.PutUuid(u); }, Value::UuidOf(u));
  }
  // PutValue: whatever the Value path takes.
  for (const Value& v : {Value::Boolean(true), Value::Date(-3), Value::Float(1.5f), Value::Inet(std::string(4, '\1')),
                         Value::List({Value::Int(1), Value::Int(2)}), Value::Map({{Value::Text("k"), Value::Text("v")}}),
                         Value::DurationOf({1, 2, 3}), Value::VarintOf(Varint::FromInt64(-300)),
                         Value::Timeuuid(Uuid::Random())}) {
    add("value " + v.ToString(), [v](RowWriter& w) { w.PutValue(v); }, v);
  }
  return out;
}

TEST(CqlRowWriter, SameBytesAndRefusalsAsTheValuePathForEveryColumnType) {
  std::mt19937_64 rng(20240517);
  const auto cases = Cases(rng);
  int compared = 0, refused = 0;
  for (const DataType& t : EveryType()) {
    const PreparedStatement p = OneColumn(t);
    for (const Case& c : cases) {
      std::string want;
      auto value_err = PutValue(want, c.value, &t);
      std::string got = "prefix";  // appends, never overwrites
      RowWriter w(p, got);
      c.put(w);
      auto err = w.Finish();
      SCOPED_TRACE(c.what + " as " + t.to_string());
      ASSERT_EQ(bool(err), bool(value_err)) << (err ? err->message : *value_err);
      if (err) {
        EXPECT_EQ(err->kind, ErrorKind::kInvalidArgument);
        EXPECT_EQ(err->message, "bind column 'c': " + *value_err);
        ++refused;
        continue;
      }
      EXPECT_EQ(got, "prefix" + want);
      ++compared;
    }
  }
  EXPECT_GT(compared, 500);
  EXPECT_GT(refused, 500);
}

PreparedStatement MetricStatement() {
  PreparedStatement p;
  p.id = std::string("\xab\xcd", 2);
  for (auto [name, id] : std::vector<std::pair<std::string, TypeId>>{{"run_id", TypeId::kUuid},
                                                                     {"timestamp", TypeId::kTimestamp},
                                                                     {"step", TypeId::kInt},
                                                                     {"loss", TypeId::kDouble},
                                                                     {"note", TypeId::kVarchar},
                                                                     {"written", TypeId::kBigint}}) {
    p.bind_columns.push_back({"ks", "t", name, Type(id)});
  }
  p.partition_key_indexes = {0};
  return p;
}

TEST(CqlRowWriter, TooFewOrTooManyValuesAreRefused) {
  const PreparedStatement p = MetricStatement();
  std::string out;
  RowWriter few(p, out);
  few.PutUuid(Uuid{}).PutTimestamp(1);
  auto err = few.Finish();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "statement has 6 bind markers, got 2 values");
  RowWriter many(p, out);
  many.PutUuid(Uuid{}).PutTimestamp(1).PutInt(1).PutDouble(1).PutText("").PutBigint(1).PutInt(7);
  err = many.Finish();
  ASSERT_TRUE(err);
  EXPECT_EQ(err->message, "statement has 6 bind markers, got 7 values");
}

TEST(CqlRowWriter, ExecuteAndBatchBodiesEqualThoseOfValues) {
  auto p = std::make_shared<const PreparedStatement>(MetricStatement());
  Uuid run = *Uuid::Parse("01234567-89ab-cdef-0123-456789abcdef");
  auto values = [&](int i) {
    return std::vector<Value>{Value::UuidOf(run), Value::Timestamp(1000 + i), Value::Int(i),
                              i % 2 ? Value::Double(0.5 * i) : Value::Unset(),
                              i % 3 ? Value::Text("n" + std::to_string(i)) : Value::Null(), Value::Bigint(-i)};
  };
  auto put = [&](RowWriter& w, int i) {
    w.PutUuid(run).PutTimestamp(1000 + i).PutInt(i);
    if (i % 2) w.PutDouble(0.5 * i); else w.PutUnset();
    if (i % 3) w.PutText("n" + std::to_string(i)); else w.PutNull();
    w.PutBigint(-i);
  };
  StatementOptions o;
  o.serial_consistency = Consistency::kLocalSerial;
  for (int i = 0; i < 6; ++i) {
    std::string want, got;
    ASSERT_FALSE(EncodeExecute(want, *p, values(i), o, int64_t{42}));
    EncodedValues v;
    RowWriter w(*p, v);
    put(w, i);
    ASSERT_FALSE(w.Finish());
    ASSERT_FALSE(EncodeExecute(got, *p, v, o, int64_t{42}));
    EXPECT_EQ(got, want) << i;
  }
  // A batch mixing Value entries, query strings and AddRow entries.
  Batch by_values, mixed;
  for (int i = 0; i < 6; ++i) {
    by_values.Add(p, values(i));
    if (i == 3) {
      mixed.Add(p, values(i));
    } else {
      ASSERT_FALSE(mixed.AddRow(p, [&](RowWriter& w) { put(w, i); }));
    }
  }
  by_values.Add(std::string("Q"), {Value::Int(1)});
  mixed.Add(std::string("Q"), {Value::Int(1)});
  std::string want, got;
  ASSERT_FALSE(EncodeBatch(want, by_values, o, int64_t{7}));
  ASSERT_FALSE(EncodeBatch(got, mixed, o, int64_t{7}));
  EXPECT_EQ(got, want);
}

TEST(CqlRowWriter, RefusedRowsAddNothingToTheBatch) {
  auto p = std::make_shared<const PreparedStatement>(MetricStatement());
  Batch b;
  ASSERT_FALSE(b.AddRow(p, [](RowWriter& w) {
    w.PutUuid(Uuid{}).PutTimestamp(1).PutInt(1).PutDouble(1).PutText("a").PutBigint(1);
  }));
  const std::string before = b.encoded_values;
  auto err = b.AddRow(p, [](RowWriter& w) {
    w.PutUuid(Uuid{}).PutText("not a timestamp").PutInt(1).PutDouble(1).PutText("a").PutBigint(1);
  });
  ASSERT_TRUE(err);
  EXPECT_NE(err->message.find("'timestamp'"), std::string::npos) << err->message;
  EXPECT_EQ(b.entries.size(), 1u);
  EXPECT_EQ(b.encoded_values, before);
}

TEST(CqlRowWriter, MalformedEncodedValuesAreRefusedByTheEncoder) {
  const PreparedStatement p = MetricStatement();
  StatementOptions o;
  for (std::string bytes : {std::string("\0\0\0\x10xx", 6), std::string("\0\0", 2), std::string("\xff\xff\xff\xfd", 4),
                            std::string("\0\0\0\0", 4)}) {
    std::string body;
    auto err = EncodeExecute(body, p, EncodedValues{bytes}, o, std::nullopt);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->kind, ErrorKind::kInvalidArgument);
  }
}

}  // namespace
