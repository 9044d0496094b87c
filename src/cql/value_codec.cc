#include "cql/value_codec.h"

#include <cstring>
#include <limits>

#include "cql/coding.h"

namespace cql {

namespace {

using K = Value::Kind;

constexpr int kMaxDepth = 32;

TypeId EffectiveId(const DataType& t) { return t.is_duration() ? TypeId::kDuration : t.id; }

bool IsIntegerKind(K k) {
  return k == K::kTinyint || k == K::kSmallint || k == K::kInt || k == K::kBigint ||
         k == K::kCounter || k == K::kTime;
}

std::string Mismatch(const Value& v, const DataType& t) {
  return std::string("cannot encode a ") + KindName(v.kind()) + " value as " + t.to_string();
}

std::optional<std::string> PutInteger(std::string& out, int64_t i, int width) {
  int64_t lo = width == 8 ? std::numeric_limits<int64_t>::min() : -(int64_t{1} << (8 * width - 1));
  int64_t hi = width == 8 ? std::numeric_limits<int64_t>::max() : (int64_t{1} << (8 * width - 1)) - 1;
  if (i < lo || i > hi) return "integer " + std::to_string(i) + " out of range for " + std::to_string(width) + " bytes";
  for (int s = width - 1; s >= 0; --s) out.push_back(static_cast<char>(static_cast<uint64_t>(i) >> (8 * s)));
  return std::nullopt;
}

std::optional<std::string> PutElements(std::string& out, const std::vector<Value>& items,
                                       const DataType& elem) {
  PutI32(out, static_cast<int32_t>(items.size()));
  for (const Value& item : items) {
    if (item.is_null() || item.is_unset()) return std::string("collections cannot hold null or unset elements");
    if (auto err = PutValue(out, item, &elem)) return err;
  }
  return std::nullopt;
}

}  // namespace

DataType NaturalType(const Value& v) {
  DataType t;
  switch (v.kind()) {
    case K::kNull: case K::kUnset: case K::kBlob: t.id = TypeId::kBlob; break;
    case K::kBoolean: t.id = TypeId::kBoolean; break;
    case K::kTinyint: t.id = TypeId::kTinyint; break;
    case K::kSmallint: t.id = TypeId::kSmallint; break;
    case K::kInt: t.id = TypeId::kInt; break;
    case K::kBigint: t.id = TypeId::kBigint; break;
    case K::kCounter: t.id = TypeId::kCounter; break;
    case K::kVarint: t.id = TypeId::kVarint; break;
    case K::kFloat: t.id = TypeId::kFloat; break;
    case K::kDouble: t.id = TypeId::kDouble; break;
    case K::kDecimal: t.id = TypeId::kDecimal; break;
    case K::kAscii: t.id = TypeId::kAscii; break;
    case K::kText: t.id = TypeId::kVarchar; break;
    case K::kUuid: t.id = TypeId::kUuid; break;
    case K::kTimeuuid: t.id = TypeId::kTimeuuid; break;
    case K::kInet: t.id = TypeId::kInet; break;
    case K::kTimestamp: t.id = TypeId::kTimestamp; break;
    case K::kDate: t.id = TypeId::kDate; break;
    case K::kTime: t.id = TypeId::kTime; break;
    case K::kDuration: t.id = TypeId::kDuration; break;
    case K::kList: case K::kSet:
      t.id = v.kind() == K::kList ? TypeId::kList : TypeId::kSet;
      t.children.push_back(v.items().empty() ? DataType{} : NaturalType(v.items()[0]));
      break;
    case K::kMap:
      t.id = TypeId::kMap;
      if (v.entries().empty()) {
        t.children = {DataType{}, DataType{}};
      } else {
        t.children = {NaturalType(v.entries()[0].first), NaturalType(v.entries()[0].second)};
      }
      break;
    case K::kTuple:
      t.id = TypeId::kTuple;
      for (const Value& i : v.items()) t.children.push_back(NaturalType(i));
      break;
    case K::kUdt:
      t.id = TypeId::kUdt;
      for (const auto& [name, fv] : v.fields()) {
        t.field_names.push_back(name);
        t.children.push_back(NaturalType(fv));
      }
      break;
  }
  return t;
}

std::optional<std::string> PutValue(std::string& out, const Value& v, const DataType* type) {
  if (v.is_null()) {
    PutNullBytes(out);
    return std::nullopt;
  }
  if (v.is_unset()) {
    PutUnsetValue(out);
    return std::nullopt;
  }
  size_t len_pos = out.size();
  PutI32(out, 0);
  if (auto err = PutCell(out, v, type)) return err;
  OverwriteI32(out, len_pos, static_cast<int32_t>(out.size() - len_pos - 4));
  return std::nullopt;
}

std::optional<std::string> PutCell(std::string& out, const Value& v, const DataType* type) {
  if (type == nullptr) {
    DataType natural = NaturalType(v);
    return PutCell(out, v, &natural);
  }
  const DataType& t = *type;
  const K k = v.kind();
  if (k == K::kNull || k == K::kUnset) return std::string("null/unset is not a cell value");
  switch (EffectiveId(t)) {
    case TypeId::kBoolean:
      if (k != K::kBoolean) return Mismatch(v, t);
      out.push_back(v.as_bool() ? 1 : 0);
      return std::nullopt;
    case TypeId::kTinyint:
      if (!IsIntegerKind(k)) return Mismatch(v, t);
      return PutInteger(out, v.as_int(), 1);
    case TypeId::kSmallint:
      if (!IsIntegerKind(k)) return Mismatch(v, t);
      return PutInteger(out, v.as_int(), 2);
    case TypeId::kInt:
      if (!IsIntegerKind(k)) return Mismatch(v, t);
      return PutInteger(out, v.as_int(), 4);
    case TypeId::kBigint:
    case TypeId::kCounter:
    case TypeId::kTime:
      if (!IsIntegerKind(k)) return Mismatch(v, t);
      return PutInteger(out, v.as_int(), 8);
    case TypeId::kTimestamp:
      if (!IsIntegerKind(k) && k != K::kTimestamp) return Mismatch(v, t);
      return PutInteger(out, v.as_int(), 8);
    case TypeId::kDate: {
      if (k != K::kDate) return Mismatch(v, t);
      PutU32(out, static_cast<uint32_t>(v.as_int() + (int64_t{1} << 31)));
      return std::nullopt;
    }
    case TypeId::kVarint:
      if (k == K::kVarint) {
        if (v.as_bytes().empty()) return std::string("empty varint");
        out += v.as_bytes();
        return std::nullopt;
      }
      if (!IsIntegerKind(k)) return Mismatch(v, t);
      out += Varint::FromInt64(v.as_int()).bytes;
      return std::nullopt;
    case TypeId::kFloat: {
      if (k != K::kFloat && k != K::kDouble) return Mismatch(v, t);
      float f = static_cast<float>(v.as_double());
      uint32_t u;
      std::memcpy(&u, &f, 4);
      PutU32(out, u);
      return std::nullopt;
    }
    case TypeId::kDouble: {
      if (k != K::kFloat && k != K::kDouble) return Mismatch(v, t);
      double d = v.as_double();
      int64_t u;
      std::memcpy(&u, &d, 8);
      PutI64(out, u);
      return std::nullopt;
    }
    case TypeId::kDecimal:
      if (k != K::kDecimal) return Mismatch(v, t);
      out += v.as_bytes();
      return std::nullopt;
    case TypeId::kAscii:
      if (k != K::kAscii && k != K::kText) return Mismatch(v, t);
      for (unsigned char c : v.as_bytes())
        if (c > 127) return std::string("non-ASCII byte in an ascii value");
      out += v.as_bytes();
      return std::nullopt;
    case TypeId::kVarchar:
      if (k != K::kAscii && k != K::kText) return Mismatch(v, t);
      out += v.as_bytes();
      return std::nullopt;
    case TypeId::kBlob:
    case TypeId::kCustom:
      if (k != K::kBlob) return Mismatch(v, t);
      out += v.as_bytes();
      return std::nullopt;
    case TypeId::kUuid:
    case TypeId::kTimeuuid:
      if (k != K::kUuid && k != K::kTimeuuid) return Mismatch(v, t);
      out.append(reinterpret_cast<const char*>(v.as_uuid().bytes.data()), 16);
      return std::nullopt;
    case TypeId::kInet:
      if (k != K::kInet) return Mismatch(v, t);
      if (v.as_bytes().size() != 4 && v.as_bytes().size() != 16)
        return std::string("inet address must be 4 or 16 bytes");
      out += v.as_bytes();
      return std::nullopt;
    case TypeId::kDuration: {
      if (k != K::kDuration) return Mismatch(v, t);
      const Duration& d = v.as_duration();
      PutSignedVInt(out, d.months);
      PutSignedVInt(out, d.days);
      PutSignedVInt(out, d.nanoseconds);
      return std::nullopt;
    }
    case TypeId::kList:
    case TypeId::kSet:
      if ((k != K::kList && k != K::kSet) || t.children.size() != 1) return Mismatch(v, t);
      return PutElements(out, v.items(), t.children[0]);
    case TypeId::kMap:
      if (k != K::kMap || t.children.size() != 2) return Mismatch(v, t);
      PutI32(out, static_cast<int32_t>(v.entries().size()));
      for (const auto& [key, val] : v.entries()) {
        if (key.is_null() || key.is_unset() || val.is_null() || val.is_unset())
          return std::string("maps cannot hold null or unset keys or values");
        if (auto err = PutValue(out, key, &t.children[0])) return err;
        if (auto err = PutValue(out, val, &t.children[1])) return err;
      }
      return std::nullopt;
    case TypeId::kTuple:
      if (k != K::kTuple) return Mismatch(v, t);
      if (v.items().size() > t.children.size())
        return "tuple has " + std::to_string(v.items().size()) + " components, type " + t.to_string() +
               " has " + std::to_string(t.children.size());
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (v.items()[i].is_unset()) return std::string("tuple components cannot be unset");
        if (auto err = PutValue(out, v.items()[i], &t.children[i])) return err;
      }
      return std::nullopt;
    case TypeId::kUdt: {
      if (k != K::kUdt) return Mismatch(v, t);
      const auto& fields = v.fields();
      // Write the type's fields in declared order, looking each up by name.
      size_t matched = 0;
      for (size_t i = 0; i < t.children.size(); ++i) {
        const Value* fv = nullptr;
        for (const auto& [name, val] : fields)
          if (i < t.field_names.size() && name == t.field_names[i]) fv = &val;
        if (fv == nullptr) {
          PutNullBytes(out);
          continue;
        }
        ++matched;
        if (fv->is_unset()) return std::string("UDT fields cannot be unset");
        if (auto err = PutValue(out, *fv, &t.children[i])) return err;
      }
      if (matched != fields.size()) return "UDT value has fields not in " + t.to_string();
      return std::nullopt;
    }
  }
  return Mismatch(v, t);
}

bool DecodeCell(const DataType& t, std::string_view cell, Value& out, int depth) {
  if (depth > kMaxDepth) return false;
  const char* p = cell.data();
  const size_t n = cell.size();
  auto fixed = [&](size_t want) { return n == want; };
  switch (EffectiveId(t)) {
    case TypeId::kBoolean:
      if (n == 0) { out = Value::Null(); return true; }
      if (!fixed(1)) return false;
      out = Value::Boolean(p[0] != 0);
      return true;
    case TypeId::kTinyint:
      if (n == 0) { out = Value::Null(); return true; }
      if (!fixed(1)) return false;
      out = Value::Tinyint(static_cast<int8_t>(p[0]));
      return true;
    case TypeId::kSmallint:
      if (n == 0) { out = Value::Null(); return true; }
      if (!fixed(2)) return false;
      out = Value::Smallint(static_cast<int16_t>(ReadBigEndian(p, 2)));
      return true;
    case TypeId::kInt:
      if (n == 0) { out = Value::Null(); return true; }
      if (!fixed(4)) return false;
      out = Value::Int(static_cast<int32_t>(ReadBigEndian(p, 4)));
      return true;
    case TypeId::kBigint:
    case TypeId::kCounter:
    case TypeId::kTimestamp:
    case TypeId::kTime: {
      if (n == 0) { out = Value::Null(); return true; }
      if (!fixed(8)) return false;
      int64_t i = ReadBigEndian(p, 8);
      TypeId id = EffectiveId(t);
      out = id == TypeId::kBigint ? Value::Bigint(i)
            : id == TypeId::kCounter ? Value::Counter(i)
            : id == TypeId::kTimestamp ? Value::Timestamp(i)
                                       : Value::Time(i);
      return true;
    }
    case TypeId::kDate: {
      if (n == 0) { out = Value::Null(); return true; }
      if (!fixed(4)) return false;
      uint32_t u = static_cast<uint32_t>(ReadBigEndian(p, 4));
      out = Value::Date(static_cast<int32_t>(static_cast<int64_t>(u) - (int64_t{1} << 31)));
      return true;
    }
    case TypeId::kVarint:
      if (n == 0) { out = Value::Null(); return true; }
      out = Value::VarintOf(Varint{std::string(cell)});
      return true;
    case TypeId::kFloat: {
      if (n == 0) { out = Value::Null(); return true; }
      if (!fixed(4)) return false;
      uint32_t u = static_cast<uint32_t>(ReadBigEndian(p, 4));
      float f;
      std::memcpy(&f, &u, 4);
      out = Value::Float(f);
      return true;
    }
    case TypeId::kDouble: {
      if (n == 0) { out = Value::Null(); return true; }
      if (!fixed(8)) return false;
      int64_t u = ReadBigEndian(p, 8);
      double d;
      std::memcpy(&d, &u, 8);
      out = Value::Double(d);
      return true;
    }
    case TypeId::kDecimal: {
      if (n == 0) { out = Value::Null(); return true; }
      if (n < 5) return false;
      out = Value::DecimalOf(Decimal{static_cast<int32_t>(ReadBigEndian(p, 4)), Varint{std::string(cell.substr(4))}});
      return true;
    }
    case TypeId::kAscii: out = Value::Ascii(std::string(cell)); return true;
    case TypeId::kVarchar: out = Value::Text(std::string(cell)); return true;
    case TypeId::kBlob:
    case TypeId::kCustom: out = Value::Blob(std::string(cell)); return true;
    case TypeId::kUuid:
    case TypeId::kTimeuuid: {
      if (n == 0) { out = Value::Null(); return true; }
      if (!fixed(16)) return false;
      Uuid u;
      std::memcpy(u.bytes.data(), p, 16);
      out = EffectiveId(t) == TypeId::kUuid ? Value::UuidOf(u) : Value::Timeuuid(u);
      return true;
    }
    case TypeId::kInet:
      if (n == 0) { out = Value::Null(); return true; }
      if (n != 4 && n != 16) return false;
      out = Value::Inet(std::string(cell));
      return true;
    case TypeId::kDuration: {
      if (n == 0) { out = Value::Null(); return true; }
      std::string_view in = cell;
      int64_t months, days, nanos;
      if (!GetSignedVInt(in, months) || !GetSignedVInt(in, days) || !GetSignedVInt(in, nanos) || !in.empty())
        return false;
      if (months < INT32_MIN || months > INT32_MAX || days < INT32_MIN || days > INT32_MAX) return false;
      out = Value::DurationOf(Duration{static_cast<int32_t>(months), static_cast<int32_t>(days), nanos});
      return true;
    }
    case TypeId::kList:
    case TypeId::kSet:
    case TypeId::kMap: {
      if (n == 0) { out = Value::Null(); return true; }
      const bool is_map = EffectiveId(t) == TypeId::kMap;
      if (t.children.size() != (is_map ? 2u : 1u)) return false;
      std::string_view in = cell;
      int32_t count;
      if (!GetI32(in, count) || count < 0) return false;
      // Every element needs at least its 4-byte length: bound count before reserving.
      size_t per = is_map ? 8 : 4;
      if (static_cast<size_t>(count) > in.size() / per) return false;
      std::vector<Value> items;
      std::vector<std::pair<Value, Value>> entries;
      for (int32_t i = 0; i < count; ++i) {
        Value parts[2];
        for (int part = 0; part < (is_map ? 2 : 1); ++part) {
          std::string_view b;
          bool is_null;
          if (!GetBytes(in, b, is_null)) return false;
          if (!is_null && !DecodeCell(t.children[static_cast<size_t>(part)], b, parts[part], depth + 1))
            return false;
        }
        if (is_map) {
          entries.emplace_back(std::move(parts[0]), std::move(parts[1]));
        } else {
          items.push_back(std::move(parts[0]));
        }
      }
      if (!in.empty()) return false;
      if (is_map) {
        out = Value::Map(std::move(entries));
      } else {
        out = EffectiveId(t) == TypeId::kList ? Value::List(std::move(items)) : Value::Set(std::move(items));
      }
      return true;
    }
    case TypeId::kTuple:
    case TypeId::kUdt: {
      if (n == 0 && EffectiveId(t) == TypeId::kTuple) { out = Value::Null(); return true; }
      std::string_view in = cell;
      std::vector<Value> items;
      std::vector<std::pair<std::string, Value>> fields;
      for (size_t i = 0; i < t.children.size(); ++i) {
        Value item;
        if (!in.empty()) {  // trailing components may be missing (added UDT fields)
          std::string_view b;
          bool is_null;
          if (!GetBytes(in, b, is_null)) return false;
          if (!is_null && !DecodeCell(t.children[i], b, item, depth + 1)) return false;
        }
        if (EffectiveId(t) == TypeId::kUdt) {
          fields.emplace_back(i < t.field_names.size() ? t.field_names[i] : std::to_string(i), std::move(item));
        } else {
          items.push_back(std::move(item));
        }
      }
      if (!in.empty()) return false;
      out = EffectiveId(t) == TypeId::kUdt ? Value::Udt(std::move(fields)) : Value::Tuple(std::move(items));
      return true;
    }
  }
  return false;
}

}  // namespace cql
