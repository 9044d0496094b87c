#include "cql/result.h"

#include <cstring>

#include "cql/coding.h"
#include "cql/errors.h"
#include "cql/value_codec.h"

namespace cql {

namespace {

[[noreturn]] void Throw(std::string msg) {
  Error e;
  e.kind = ErrorKind::kInvalidArgument;
  e.message = std::move(msg);
  throw CqlError(std::move(e));
}

[[noreturn]] void ThrowNotReadable(const ColumnSpec& col, const char* want) {
  Throw(std::string("column '") + col.name + "' is " + col.type.to_string() + ", not readable as " + want);
}

[[noreturn]] void ThrowMalformed(const ColumnSpec& col) {
  Throw("malformed " + col.type.to_string() + " cell in column '" + col.name + "'");
}

const std::string kNone;
const RowsMetadata kNoMetadata;
}  // namespace

const std::string& ResultSet::host() const { return host_ ? *host_ : kNone; }
const RowsMetadata& ResultSet::metadata() const { return meta_ ? *meta_ : kNoMetadata; }
const std::string& ResultSet::info() const { return info_ ? *info_ : kNone; }

int RowsMetadata::index_of(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i)
    if (columns[i].name == name) return static_cast<int>(i);
  return -1;
}

size_t Row::size() const { return rs_->metadata().columns.size(); }

size_t Row::index(std::string_view column) const {
  int i = rs_->metadata().index_of(column);
  if (i < 0) Throw("no column named '" + std::string(column) + "' in the result");
  return static_cast<size_t>(i);
}

void Row::ThrowOutOfRange(size_t i) const {
  if (row_ >= rs_->row_count_)
    Throw("row " + std::to_string(row_) + " out of range (" + std::to_string(rs_->row_count_) + " rows)");
  Throw("column index " + std::to_string(i) + " out of range (" + std::to_string(size()) + " columns)");
}

std::optional<std::string_view> Row::raw(size_t i) const {
  column(i);
  return cell(i);
}

bool Row::is_null(size_t i) const { return !raw(i).has_value(); }

Value Row::get_value(size_t i) const {
  const ColumnSpec& col = column(i);
  auto bytes = cell(i);
  if (!bytes) return Value::Null();
  Value v;
  if (!DecodeCell(col.type, *bytes, v)) ThrowMalformed(col);
  return v;
}

namespace {

// The width of a fixed-width numeric type's cell, 0 for any other type.
size_t FixedWidth(TypeId t) {
  switch (t) {
    case TypeId::kTinyint: return 1;
    case TypeId::kSmallint: return 2;
    case TypeId::kInt:
    case TypeId::kFloat: return 4;
    case TypeId::kBigint:
    case TypeId::kCounter:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kDouble: return 8;
    default: return 0;
  }
}

// A fixed-width cell read straight from its bytes (the bulk of a metrics
// read: no Value in between). NULL and, as DecodeCell has it, an empty
// cell are nullopt; a cell of another width is malformed.
std::optional<int64_t> FixedCell(const ColumnSpec& col, std::optional<std::string_view> cell) {
  if (!cell || cell->empty()) return std::nullopt;
  const size_t n = cell->size();
  if (n != FixedWidth(col.type.id)) ThrowMalformed(col);
  if (n == 8) {
    uint64_t u;
    std::memcpy(&u, cell->data(), 8);
    return static_cast<int64_t>(__builtin_bswap64(u));
  }
  if (n == 4) {
    uint32_t u;
    std::memcpy(&u, cell->data(), 4);
    return static_cast<int32_t>(__builtin_bswap32(u));  // sign-extends
  }
  return ReadBigEndian(cell->data(), n);
}

bool IsInteger32(TypeId t) { return t == TypeId::kInt || t == TypeId::kSmallint || t == TypeId::kTinyint; }

}  // namespace

std::optional<int32_t> Row::get_int32(size_t i) const {
  const ColumnSpec& col = column(i);
  if (!IsInteger32(col.type.id)) ThrowNotReadable(col, "int32");
  auto v = FixedCell(col, cell(i));
  if (!v) return std::nullopt;
  return static_cast<int32_t>(*v);
}

std::optional<int64_t> Row::get_int64(size_t i) const {
  const ColumnSpec& col = column(i);
  const TypeId t = col.type.id;
  if (!(IsInteger32(t) || t == TypeId::kBigint || t == TypeId::kCounter || t == TypeId::kTime))
    ThrowNotReadable(col, "int64");
  return FixedCell(col, cell(i));
}

std::optional<int64_t> Row::get_timestamp(size_t i) const {
  const ColumnSpec& col = column(i);
  if (col.type.id != TypeId::kTimestamp) ThrowNotReadable(col, "timestamp");
  return FixedCell(col, cell(i));
}

std::optional<double> Row::get_double(size_t i) const {
  const ColumnSpec& col = column(i);
  const TypeId t = col.type.id;
  if (t != TypeId::kDouble && t != TypeId::kFloat) ThrowNotReadable(col, "double");
  auto bits = FixedCell(col, cell(i));
  if (!bits) return std::nullopt;
  if (t == TypeId::kFloat) {
    const auto u = static_cast<uint32_t>(*bits);
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  const auto u = static_cast<uint64_t>(*bits);
  double d;
  std::memcpy(&d, &u, 8);
  return d;
}

std::optional<bool> Row::get_bool(size_t i) const {
  const ColumnSpec& col = column(i);
  if (col.type.id != TypeId::kBoolean) ThrowNotReadable(col, "bool");
  auto bytes = cell(i);
  if (!bytes || bytes->empty()) return std::nullopt;
  if (bytes->size() != 1) ThrowMalformed(col);
  return (*bytes)[0] != 0;
}

std::optional<std::string> Row::get_text(size_t i) const {
  const ColumnSpec& col = column(i);
  if (col.type.id != TypeId::kVarchar && col.type.id != TypeId::kAscii) ThrowNotReadable(col, "text");
  auto bytes = cell(i);
  if (!bytes) return std::nullopt;
  return std::string(*bytes);
}

std::optional<std::string> Row::get_blob(size_t i) const {
  auto cell = raw(i);
  if (!cell) return std::nullopt;
  return std::string(*cell);
}

std::optional<Uuid> Row::get_uuid(size_t i) const {
  const ColumnSpec& col = column(i);
  if (col.type.id != TypeId::kUuid && col.type.id != TypeId::kTimeuuid) ThrowNotReadable(col, "uuid");
  auto bytes = cell(i);
  if (!bytes || bytes->empty()) return std::nullopt;  // empty reads as NULL, as DecodeCell has it
  if (bytes->size() != 16) ThrowMalformed(col);
  Uuid u;
  std::memcpy(u.bytes.data(), bytes->data(), 16);
  return u;
}

}  // namespace cql
