#include "cql/result.h"

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

}  // namespace

namespace {
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

const ColumnSpec& Row::column(size_t i) const {
  if (row_ >= rs_->row_count_)
    Throw("row " + std::to_string(row_) + " out of range (" + std::to_string(rs_->row_count_) + " rows)");
  if (i >= size()) Throw("column index " + std::to_string(i) + " out of range (" + std::to_string(size()) + " columns)");
  return rs_->metadata().columns[i];
}

std::optional<std::string_view> Row::raw(size_t i) const {
  column(i);
  const ResultSet::Cell& c = rs_->cells_[row_ * size() + i];
  if (c.length < 0) return std::nullopt;
  return std::string_view(*rs_->body_).substr(static_cast<size_t>(c.offset), static_cast<size_t>(c.length));
}

bool Row::is_null(size_t i) const { return !raw(i).has_value(); }

Value Row::get_value(size_t i) const {
  auto cell = raw(i);
  if (!cell) return Value::Null();
  Value v;
  if (!DecodeCell(column(i).type, *cell, v))
    Throw("malformed " + column(i).type.to_string() + " cell in column '" + column(i).name + "'");
  return v;
}

namespace {

template <typename T, typename Accept, typename Convert>
std::optional<T> Typed(const Row& row, size_t i, const ColumnSpec& col, const char* want, Accept accept,
                       Convert convert) {
  if (!accept(col.type.is_duration() ? TypeId::kDuration : col.type.id))
    Throw(std::string("column '") + col.name + "' is " + col.type.to_string() + ", not readable as " + want);
  Value v = row.get_value(i);
  if (v.is_null()) return std::nullopt;
  return convert(v);
}

}  // namespace

std::optional<int32_t> Row::get_int32(size_t i) const {
  return Typed<int32_t>(*this, i, column(i), "int32",
      [](TypeId t) { return t == TypeId::kInt || t == TypeId::kSmallint || t == TypeId::kTinyint; },
      [](const Value& v) { return static_cast<int32_t>(v.as_int()); });
}

std::optional<int64_t> Row::get_int64(size_t i) const {
  return Typed<int64_t>(*this, i, column(i), "int64",
      [](TypeId t) {
        return t == TypeId::kBigint || t == TypeId::kCounter || t == TypeId::kTime || t == TypeId::kInt ||
               t == TypeId::kSmallint || t == TypeId::kTinyint;
      },
      [](const Value& v) { return v.as_int(); });
}

std::optional<int64_t> Row::get_timestamp(size_t i) const {
  return Typed<int64_t>(*this, i, column(i), "timestamp",
      [](TypeId t) { return t == TypeId::kTimestamp; }, [](const Value& v) { return v.as_int(); });
}

std::optional<double> Row::get_double(size_t i) const {
  return Typed<double>(*this, i, column(i), "double",
      [](TypeId t) { return t == TypeId::kDouble || t == TypeId::kFloat; },
      [](const Value& v) { return v.as_double(); });
}

std::optional<bool> Row::get_bool(size_t i) const {
  return Typed<bool>(*this, i, column(i), "bool", [](TypeId t) { return t == TypeId::kBoolean; },
                     [](const Value& v) { return v.as_bool(); });
}

std::optional<std::string> Row::get_text(size_t i) const {
  return Typed<std::string>(*this, i, column(i), "text",
      [](TypeId t) { return t == TypeId::kVarchar || t == TypeId::kAscii; },
      [](const Value& v) { return v.as_bytes(); });
}

std::optional<std::string> Row::get_blob(size_t i) const {
  auto cell = raw(i);
  if (!cell) return std::nullopt;
  return std::string(*cell);
}

std::optional<Uuid> Row::get_uuid(size_t i) const {
  return Typed<Uuid>(*this, i, column(i), "uuid",
      [](TypeId t) { return t == TypeId::kUuid || t == TypeId::kTimeuuid; },
      [](const Value& v) { return v.as_uuid(); });
}

}  // namespace cql
