// RowWriter's fast paths cover the column types a value of each Put… maps
// to without conversion or range check; everything else takes the Value
// path (value_codec.h), so both write the same bytes and the same errors.
#include "cql/row_writer.h"

#include <cstring>

#include "cql/coding.h"
#include "cql/statement.h"
#include "cql/value_codec.h"

namespace cql {

namespace {

// [int 4][4 bytes big-endian] / [int 8][8 bytes big-endian].
void Put4(char* p, uint32_t v) {
  const char len[4] = {0, 0, 0, 4};
  v = __builtin_bswap32(v);
  std::memcpy(p, len, 4);
  std::memcpy(p + 4, &v, 4);
}

void Put8(char* p, uint64_t v) {
  const char len[4] = {0, 0, 0, 8};
  v = __builtin_bswap64(v);
  std::memcpy(p, len, 4);
  std::memcpy(p + 4, &v, 8);
}

void PutLength(char* p, int32_t n) {
  const uint32_t v = __builtin_bswap32(static_cast<uint32_t>(n));
  std::memcpy(p, &v, 4);
}

}  // namespace

RowWriter::RowWriter(const PreparedStatement& p, std::string& out) : p_(p), out_(out) {}

// Inline: every Put… starts here (it was a call per value).
inline const DataType* RowWriter::Next() {
  size_t i = next_++;
  return i < p_.bind_columns.size() ? &p_.bind_columns[i].type : nullptr;
}

inline char* RowWriter::Room(size_t n) {
  if (kGather - gathered_ < n) Flush();
  char* p = gather_ + gathered_;
  gathered_ += n;
  return p;
}

void RowWriter::Flush() const {
  if (gathered_ == 0) return;
  out_.append(gather_, gathered_);
  gathered_ = 0;
}

// [int n][n bytes]: gathered when it fits, else appended after what is.
void RowWriter::PutSized(std::string_view bytes) {
  if (bytes.size() + 4 <= kGather) {
    char* p = Room(bytes.size() + 4);
    PutLength(p, static_cast<int32_t>(bytes.size()));
    if (!bytes.empty()) std::memcpy(p + 4, bytes.data(), bytes.size());
    return;
  }
  Flush();
  PutI32(out_, static_cast<int32_t>(bytes.size()));
  out_.append(bytes);
}

RowWriter& RowWriter::Slow(const DataType& type, const Value& v) {
  Flush();  // the Value encoder appends to out itself
  if (auto err = cql::PutValue(out_, v, &type); err && error_.empty())
    error_ = "bind column '" + p_.bind_columns[next_ - 1].name + "': " + *err;
  return *this;
}

RowWriter& RowWriter::PutNull() {
  if (Next()) PutLength(Room(4), -1);
  return *this;
}

RowWriter& RowWriter::PutUnset() {
  if (Next()) PutLength(Room(4), -2);
  return *this;
}

RowWriter& RowWriter::PutInt(int32_t v) {
  const DataType* t = Next();
  if (!t) return *this;
  switch (t->id) {
    case TypeId::kInt: Put4(Room(8), static_cast<uint32_t>(v)); return *this;
    case TypeId::kBigint:
    case TypeId::kCounter:
    case TypeId::kTime:
    case TypeId::kTimestamp: Put8(Room(12), static_cast<uint64_t>(int64_t{v})); return *this;
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
    case TypeId::kTimestamp: Put8(Room(12), static_cast<uint64_t>(v)); return *this;
    default: return Slow(*t, Value::Bigint(v));
  }
}

RowWriter& RowWriter::PutTimestamp(int64_t ms) {
  const DataType* t = Next();
  if (!t) return *this;
  if (t->id == TypeId::kTimestamp) {
    Put8(Room(12), static_cast<uint64_t>(ms));
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
    Put8(Room(12), u);
    return *this;
  }
  return Slow(*t, Value::Double(v));
}

RowWriter& RowWriter::PutText(std::string_view v) {
  const DataType* t = Next();
  if (!t) return *this;
  if (t->id == TypeId::kVarchar) {
    PutSized(v);
    return *this;
  }
  return Slow(*t, Value::Text(std::string(v)));
}

RowWriter& RowWriter::PutBlob(std::string_view v) {
  const DataType* t = Next();
  if (!t) return *this;
  if (t->id == TypeId::kBlob) {
    PutSized(v);
    return *this;
  }
  return Slow(*t, Value::Blob(std::string(v)));
}

RowWriter& RowWriter::PutUuid(const Uuid& v) {
  const DataType* t = Next();
  if (!t) return *this;
  if (t->id == TypeId::kUuid || t->id == TypeId::kTimeuuid) {
    PutSized(std::string_view(reinterpret_cast<const char*>(v.bytes.data()), 16));
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
  Flush();
  if (next_ != p_.bind_columns.size()) {
    return MakeError(ErrorKind::kInvalidArgument, "statement has " + std::to_string(p_.bind_columns.size()) +
                                                      " bind markers, got " + std::to_string(next_) + " values");
  }
  if (!error_.empty()) return MakeError(ErrorKind::kInvalidArgument, error_);
  return std::nullopt;
}

}  // namespace cql
