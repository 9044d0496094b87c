// RowWriter's fast paths cover the column types a value of each Put… maps
// to without conversion or range check; everything else takes the Value
// path (value_codec.h), so both write the same bytes and the same errors.
#include "cql/row_writer.h"

#include <algorithm>
#include <cstring>

#include "cql/coding.h"
#include "cql/statement.h"
#include "cql/value_codec.h"

namespace cql {

namespace {

// [int 4][4 bytes big-endian] / [int 8][8 bytes big-endian], in one append.
void Put4(std::string& out, uint32_t v) {
  char b[8] = {0, 0, 0, 4};
  v = __builtin_bswap32(v);
  std::memcpy(b + 4, &v, 4);
  out.append(b, 8);
}

void Put8(std::string& out, uint64_t v) {
  char b[12] = {0, 0, 0, 8};
  v = __builtin_bswap64(v);
  std::memcpy(b + 4, &v, 8);
  out.append(b, 12);
}

void PutSized(std::string& out, std::string_view bytes) {
  PutI32(out, static_cast<int32_t>(bytes.size()));
  out.append(bytes);
}

}  // namespace

RowWriter::RowWriter(const PreparedStatement& p, std::string& out) : p_(p), out_(out) {
  // Room for a row of fixed-size columns at once: one allocation, not one
  // per doubling. Growth stays geometric for a batch's rows, one after another.
  const size_t want = out.size() + 12 * p.bind_columns.size();
  if (want > out.capacity()) out.reserve(std::max(want, 2 * out.capacity()));
}

// Inline: every Put… starts here (it was a call per value).
inline const DataType* RowWriter::Next() {
  size_t i = next_++;
  return i < p_.bind_columns.size() ? &p_.bind_columns[i].type : nullptr;
}

RowWriter& RowWriter::Slow(const DataType& type, const Value& v) {
  if (auto err = cql::PutValue(out_, v, &type); err && error_.empty())
    error_ = "bind column '" + p_.bind_columns[next_ - 1].name + "': " + *err;
  return *this;
}

RowWriter& RowWriter::PutNull() {
  if (Next()) PutNullBytes(out_);
  return *this;
}

RowWriter& RowWriter::PutUnset() {
  if (Next()) PutUnsetValue(out_);
  return *this;
}

RowWriter& RowWriter::PutInt(int32_t v) {
  const DataType* t = Next();
  if (!t) return *this;
  switch (t->id) {
    case TypeId::kInt: Put4(out_, static_cast<uint32_t>(v)); return *this;
    case TypeId::kBigint:
    case TypeId::kCounter:
    case TypeId::kTime:
    case TypeId::kTimestamp: Put8(out_, static_cast<uint64_t>(int64_t{v})); return *this;
    default: return Slow(*t, Value::Int(v));
  }
}

RowWriter& RowWriter::PutBigint(int64_t v) {
  const DataType* t = Next();
  if (!t) return *this;
  switch (t->id) {
    case TypeId::kBigint:
    case TypeId::kCounter:
    case TypeId::kTime:
    case TypeId::kTimestamp: Put8(out_, static_cast<uint64_t>(v)); return *this;
    default: return Slow(*t, Value::Bigint(v));
  }
}

RowWriter& RowWriter::PutTimestamp(int64_t ms) {
  const DataType* t = Next();
  if (!t) return *this;
  if (t->id == TypeId::kTimestamp) {
    Put8(out_, static_cast<uint64_t>(ms));
    return *this;
  }
  return Slow(*t, Value::Timestamp(ms));
}

RowWriter& RowWriter::PutDouble(double v) {
  const DataType* t = Next();
  if (!t) return *this;
  if (t->id == TypeId::kDouble) {
    uint64_t u;
    std::memcpy(&u, &v, 8);
    Put8(out_, u);
    return *this;
  }
  return Slow(*t, Value::Double(v));
}

RowWriter& RowWriter::PutText(std::string_view v) {
  const DataType* t = Next();
  if (!t) return *this;
  if (t->id == TypeId::kVarchar) {
    PutSized(out_, v);
    return *this;
  }
  return Slow(*t, Value::Text(std::string(v)));
}

RowWriter& RowWriter::PutBlob(std::string_view v) {
  const DataType* t = Next();
  if (!t) return *this;
  if (t->id == TypeId::kBlob) {
    PutSized(out_, v);
    return *this;
  }
  return Slow(*t, Value::Blob(std::string(v)));
}

RowWriter& RowWriter::PutUuid(const Uuid& v) {
  const DataType* t = Next();
  if (!t) return *this;
  if (t->id == TypeId::kUuid || t->id == TypeId::kTimeuuid) {
    PutSized(out_, std::string_view(reinterpret_cast<const char*>(v.bytes.data()), 16));
    return *this;
  }
  return Slow(*t, Value::UuidOf(v));
}

RowWriter& RowWriter::PutValue(const Value& v) {
  const DataType* t = Next();
  if (!t) return *this;
  return Slow(*t, v);
}

std::optional<Error> RowWriter::Finish() const {
  if (next_ != p_.bind_columns.size()) {
    return MakeError(ErrorKind::kInvalidArgument, "statement has " + std::to_string(p_.bind_columns.size()) +
                                                      " bind markers, got " + std::to_string(next_) + " values");
  }
  if (!error_.empty()) return MakeError(ErrorKind::kInvalidArgument, error_);
  return std::nullopt;
}

}  // namespace cql
