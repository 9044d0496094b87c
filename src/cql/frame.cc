#include "cql/frame.h"

#include <cstring>

#include "cql/coding.h"
#include "cql/compression.h"
#include "cql/result_builder.h"
#include "cql/value_codec.h"

namespace cql {

namespace {
constexpr int kMaxTypeDepth = 32;
}

void PutFrameHeader(std::string& out, const FrameHeader& h) {
  // One append of the 9 bytes: a header precedes every request.
  const auto stream = static_cast<uint16_t>(h.stream);
  const char b[kHeaderSize] = {static_cast<char>(h.version),      static_cast<char>(h.flags),
                               static_cast<char>(stream >> 8),    static_cast<char>(stream),
                               static_cast<char>(h.opcode),       static_cast<char>(h.length >> 24),
                               static_cast<char>(h.length >> 16), static_cast<char>(h.length >> 8),
                               static_cast<char>(h.length)};
  out.append(b, kHeaderSize);
}

bool GetFrameHeader(std::string_view& in, FrameHeader& h) {
  if (in.size() < kHeaderSize) return false;
  // Read in place: every response passes here.
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  h.version = p[0];
  h.flags = p[1];
  h.stream = static_cast<int16_t>(static_cast<uint16_t>(p[2] << 8 | p[3]));
  h.opcode = static_cast<Opcode>(p[4]);
  h.length = uint32_t{p[5]} << 24 | uint32_t{p[6]} << 16 | uint32_t{p[7]} << 8 | uint32_t{p[8]};
  in.remove_prefix(kHeaderSize);
  if ((h.version & 0x7F) != kProtocolVersion) return false;
  return h.length <= kMaxBodySize;
}

void AppendFrame(std::string& out, Opcode op, int16_t stream, std::string_view body, bool compress) {
  FrameHeader h;
  h.stream = stream;
  h.opcode = op;
  // STARTUP and OPTIONS are never compressed (compression is negotiated by STARTUP).
  if (compress && op != Opcode::kStartup && op != Opcode::kOptions) {
    h.flags = kFlagCompression;
    size_t header_at = out.size();
    PutFrameHeader(out, h);
    size_t body_at = out.size();
    Lz4CompressBody(out, body);
    OverwriteI32(out, header_at + 5, static_cast<int32_t>(out.size() - body_at));
    return;
  }
  h.length = static_cast<uint32_t>(body.size());
  PutFrameHeader(out, h);
  out.append(body);
}

void EncodeStartup(std::string& out, const std::map<std::string, std::string>& options) {
  PutStringMap(out, options);
}

void EncodeAuthResponse(std::string& out, std::string_view token) { PutBytes(out, token); }

std::string PlainAuthToken(std::string_view user, std::string_view password) {
  std::string t;
  t.push_back('\0');
  t.append(user);
  t.push_back('\0');
  t.append(password);
  return t;
}

void EncodePrepare(std::string& out, std::string_view query) { PutLongString(out, query); }

void EncodeRegister(std::string& out, const std::vector<std::string>& events) { PutStringList(out, events); }

namespace {

enum QueryFlags : uint8_t {
  kValues = 0x01,
  kSkipMetadata = 0x02,
  kPageSize = 0x04,
  kWithPagingState = 0x08,
  kWithSerialConsistency = 0x10,
  kWithDefaultTimestamp = 0x20,
  kWithNamesForValues = 0x40,
};

std::optional<Error> InvalidArgument(std::string msg) {
  Error e;
  e.kind = ErrorKind::kInvalidArgument;
  e.message = std::move(msg);
  return e;
}

std::optional<Error> PutValues(std::string& out, const std::vector<Value>& values,
                               const std::vector<ColumnSpec>* bind_types) {
  if (values.size() > 65535) return InvalidArgument("more than 65535 bound values");
  if (bind_types && bind_types->size() != values.size())
    return InvalidArgument("statement has " + std::to_string(bind_types->size()) + " bind markers, got " +
                           std::to_string(values.size()) + " values");
  PutU16(out, static_cast<uint16_t>(values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    const DataType* t = bind_types ? &(*bind_types)[i].type : nullptr;
    if (auto err = PutValue(out, values[i], t)) {
      std::string where = bind_types ? "column '" + (*bind_types)[i].name + "'" : "value " + std::to_string(i);
      return InvalidArgument("bind " + where + ": " + *err);
    }
  }
  return std::nullopt;
}

// A statement id ([short bytes]) into p: 2 + id.size() bytes. The usual id
// (MD5, 16 bytes) is a fixed-size copy, which the compiler does in place.
size_t PutIdAt(char* p, std::string_view id) {
  p[0] = static_cast<char>(id.size() >> 8);
  p[1] = static_cast<char>(id.size());
  if (id.size() == 16) {
    std::memcpy(p + 2, id.data(), 16);
  } else if (!id.empty()) {
    std::memcpy(p + 2, id.data(), id.size());
  }
  return 2 + id.size();
}

// The longest id written in place (longer ones are appended on their own).
constexpr size_t kMaxInlineId = 32;
// Room for what goes before a statement's values: kind, id, consistency,
// flags and the values' count.
constexpr size_t kHeadRoom = 1 + 2 + kMaxInlineId + 3 + 2;

// Values a RowWriter wrote: checked to be bind_count whole [value]s (the
// struct is public: its bytes may come from elsewhere), copied as they are
// after head[0, head_size) and their count, which is written into head
// (room for 2 more bytes): one append for both.
std::optional<Error> PutEncodedValues(std::string& out, char* head, size_t head_size, std::string_view bytes,
                                      size_t bind_count) {
  // Every row of every batch passes here: the lengths are read in place.
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* const end = p + bytes.size();
  size_t n = 0;
  while (end - p >= 4) {
    const auto len = static_cast<int32_t>(uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3]);
    p += 4;
    ++n;
    if (len > 0) {
      if (end - p < len) return InvalidArgument("malformed encoded values (not made by RowWriter?)");
      p += len;
    } else if (len < -2) {
      return InvalidArgument("malformed encoded values (not made by RowWriter?)");
    }
  }
  if (p != end) return InvalidArgument("malformed encoded values (not made by RowWriter?)");
  if (n != bind_count)
    return InvalidArgument("statement has " + std::to_string(bind_count) + " bind markers, got " +
                           std::to_string(n) + " values");
  head[head_size] = static_cast<char>(n >> 8);
  head[head_size + 1] = static_cast<char>(n);
  out.append(head, head_size + 2);
  out.append(bytes);
  return std::nullopt;
}

// <query_parameters> after head[0, head_size) (what precedes them: an
// EXECUTE's id; room for kHeadRoom bytes), around the values
// put_values(head, size) writes (has_values: there are some to write): it
// gets the head with the consistency and flags, to append with the values'
// count.
template <typename PutValuesFn>
std::optional<Error> QueryParameters(std::string& out, char* head, size_t head_size, bool has_values,
                                     PutValuesFn&& put_values, const std::vector<ColumnSpec>* bind_types,
                                     const StatementOptions& o, std::optional<int64_t> timestamp_us) {
  uint8_t flags = 0;
  if (has_values) flags |= kValues;
  if (o.page_size > 0) flags |= kPageSize;
  if (o.paging_state) flags |= kWithPagingState;
  if (o.serial_consistency) flags |= kWithSerialConsistency;
  if (timestamp_us) flags |= kWithDefaultTimestamp;
  const auto consistency = static_cast<uint16_t>(o.consistency);
  head[head_size] = static_cast<char>(consistency >> 8);
  head[head_size + 1] = static_cast<char>(consistency);
  head[head_size + 2] = static_cast<char>(flags);
  head_size += 3;
  if (flags & kValues) {
    if (auto err = put_values(head, head_size)) return err;
  } else if (bind_types && !bind_types->empty()) {
    return InvalidArgument("statement has " + std::to_string(bind_types->size()) + " bind markers, got 0 values");
  } else {
    out.append(head, head_size);
  }
  // The fixed-size fields after the values in one append (every request
  // has some), the paging state, when there is one, in between.
  char tail[14];
  size_t n = 0;
  if (flags & kPageSize) {
    const uint32_t v = __builtin_bswap32(static_cast<uint32_t>(o.page_size));
    std::memcpy(tail + n, &v, 4);
    n += 4;
  }
  if (flags & kWithPagingState) {
    out.append(tail, n);
    n = 0;
    PutBytes(out, *o.paging_state);
  }
  if (flags & kWithSerialConsistency) {
    const uint16_t v = __builtin_bswap16(static_cast<uint16_t>(*o.serial_consistency));
    std::memcpy(tail + n, &v, 2);
    n += 2;
  }
  if (flags & kWithDefaultTimestamp) {
    const uint64_t v = __builtin_bswap64(static_cast<uint64_t>(*timestamp_us));
    std::memcpy(tail + n, &v, 8);
    n += 8;
  }
  out.append(tail, n);
  return std::nullopt;
}

}  // namespace

std::optional<Error> EncodeQueryParameters(std::string& out, const std::vector<Value>& values,
                                           const std::vector<ColumnSpec>* bind_types,
                                           const StatementOptions& o, std::optional<int64_t> timestamp_us) {
  char head[kHeadRoom];
  return QueryParameters(
      out, head, 0, !values.empty(),
      [&](const char* h, size_t n) {
        out.append(h, n);
        return PutValues(out, values, bind_types);
      },
      bind_types, o, timestamp_us);
}

std::optional<Error> EncodeQuery(std::string& out, std::string_view query, const std::vector<Value>& values,
                                 const StatementOptions& options, std::optional<int64_t> timestamp_us) {
  PutLongString(out, query);
  return EncodeQueryParameters(out, values, nullptr, options, timestamp_us);
}

std::optional<Error> EncodeExecute(std::string& out, const PreparedStatement& p, const std::vector<Value>& values,
                                   const StatementOptions& options, std::optional<int64_t> timestamp_us) {
  PutShortBytes(out, p.id);
  return EncodeQueryParameters(out, values, &p.bind_columns, options, timestamp_us);
}

std::optional<Error> EncodeExecute(std::string& out, const PreparedStatement& p, const EncodedValues& values,
                                   const StatementOptions& options, std::optional<int64_t> timestamp_us) {
  // The id, the parameters' head and the values' count in one append.
  char head[kHeadRoom];
  size_t head_size = 0;
  if (p.id.size() <= kMaxInlineId) {
    head_size = PutIdAt(head, p.id);
  } else {
    PutShortBytes(out, p.id);
  }
  return QueryParameters(
      out, head, head_size, !values.bytes.empty(),
      [&](char* h, size_t n) { return PutEncodedValues(out, h, n, values.bytes, p.bind_columns.size()); },
      &p.bind_columns, options, timestamp_us);
}

std::optional<Error> EncodeBatch(std::string& out, const Batch& batch, const StatementOptions& o,
                                 std::optional<int64_t> timestamp_us) {
  if (batch.entries.empty()) return InvalidArgument("empty batch");
  if (batch.entries.size() > 65535) return InvalidArgument("more than 65535 statements in a batch");
  PutU8(out, static_cast<uint8_t>(batch.type));
  PutU16(out, static_cast<uint16_t>(batch.entries.size()));
  for (size_t i = 0; i < batch.entries.size(); ++i) {
    const Batch::Entry& e = batch.entries[i];
    std::optional<Error> err;
    if (e.encoded && e.prepared) {
      // <kind 1><short bytes id><values>: the entry's head goes with the values' count.
      const std::string& id = e.prepared->id;
      char head[kHeadRoom];
      size_t head_size = 0;
      if (id.size() <= kMaxInlineId) {
        head[0] = 1;
        head_size = 1 + PutIdAt(head + 1, id);
      } else {
        PutU8(out, 1);
        PutShortBytes(out, id);
      }
      err = PutEncodedValues(out, head, head_size, batch.EncodedOf(e), e.prepared->bind_columns.size());
    } else {
      if (e.prepared) {
        PutU8(out, 1);
        PutShortBytes(out, e.prepared->id);
      } else {
        PutU8(out, 0);
        PutLongString(out, e.query);
      }
      err = PutValues(out, e.values, e.prepared ? &e.prepared->bind_columns : nullptr);
    }
    if (err) {
      err->message = "batch statement " + std::to_string(i) + ": " + err->message;
      return err;
    }
  }
  uint8_t flags = 0;
  if (o.serial_consistency) flags |= kWithSerialConsistency;
  if (timestamp_us) flags |= kWithDefaultTimestamp;
  PutU16(out, static_cast<uint16_t>(o.consistency));
  PutU8(out, flags);
  if (flags & kWithSerialConsistency) PutU16(out, static_cast<uint16_t>(*o.serial_consistency));
  if (flags & kWithDefaultTimestamp) PutI64(out, *timestamp_us);
  return std::nullopt;
}

bool StripResponsePrefix(std::string_view& body, uint8_t flags, std::vector<std::string>* warnings) {
  if (flags & kFlagTracing) {
    std::string_view id;
    if (!GetRaw(body, 16, id)) return false;
  }
  if (flags & kFlagWarning) {
    std::vector<std::string> w;
    if (!GetStringList(body, w)) return false;
    if (warnings) *warnings = std::move(w);
  }
  if (flags & kFlagCustomPayload) {
    std::map<std::string, std::string> payload;
    if (!GetBytesMap(body, payload)) return false;
  }
  return true;
}

bool DecodeError(std::string_view in, ErrorMessage& e) {
  std::string_view msg;
  if (!GetI32(in, e.code) || !GetString(in, msg)) return false;
  e.message.assign(msg);
  uint16_t cl;
  std::string_view s;
  switch (static_cast<ServerCode>(e.code)) {
    case ServerCode::kUnavailable:
      if (!GetU16(in, cl) || !GetI32(in, e.required) || !GetI32(in, e.alive)) return false;
      e.consistency = static_cast<Consistency>(cl);
      return true;
    case ServerCode::kWriteTimeout:
      if (!GetU16(in, cl) || !GetI32(in, e.received) || !GetI32(in, e.block_for) || !GetString(in, s)) return false;
      e.consistency = static_cast<Consistency>(cl);
      e.write_type.assign(s);
      return true;
    case ServerCode::kReadTimeout: {
      uint8_t present;
      if (!GetU16(in, cl) || !GetI32(in, e.received) || !GetI32(in, e.block_for) || !GetU8(in, present))
        return false;
      e.consistency = static_cast<Consistency>(cl);
      e.data_present = present != 0;
      return true;
    }
    case ServerCode::kReadFailure: {
      uint8_t present;
      if (!GetU16(in, cl) || !GetI32(in, e.received) || !GetI32(in, e.block_for) ||
          !GetI32(in, e.num_failures) || !GetU8(in, present))
        return false;
      e.consistency = static_cast<Consistency>(cl);
      e.data_present = present != 0;
      return true;
    }
    case ServerCode::kWriteFailure:
      if (!GetU16(in, cl) || !GetI32(in, e.received) || !GetI32(in, e.block_for) ||
          !GetI32(in, e.num_failures) || !GetString(in, s))
        return false;
      e.consistency = static_cast<Consistency>(cl);
      e.write_type.assign(s);
      return true;
    case ServerCode::kFunctionFailure: {
      std::string_view ks, fn;
      if (!GetString(in, ks) || !GetString(in, fn) || !GetStringList(in, e.arg_types)) return false;
      e.keyspace.assign(ks);
      e.function.assign(fn);
      return true;
    }
    case ServerCode::kAlreadyExists: {
      std::string_view ks, t;
      if (!GetString(in, ks) || !GetString(in, t)) return false;
      e.keyspace.assign(ks);
      e.table.assign(t);
      return true;
    }
    case ServerCode::kUnprepared:
      if (!GetShortBytes(in, s)) return false;
      e.unprepared_id.assign(s);
      return true;
    default:
      return true;
  }
}

bool DecodeAuthenticate(std::string_view in, std::string& authenticator) {
  std::string_view s;
  if (!GetString(in, s)) return false;
  authenticator.assign(s);
  return true;
}

bool DecodeAuthToken(std::string_view in, std::optional<std::string>& token) {
  std::string_view b;
  bool is_null;
  if (!GetBytes(in, b, is_null)) return false;
  token = is_null ? std::nullopt : std::optional<std::string>(std::string(b));
  return true;
}

bool DecodeSupported(std::string_view in, std::map<std::string, std::vector<std::string>>& options) {
  return GetStringMultimap(in, options);
}

bool GetDataType(std::string_view& in, DataType& t, int depth) {
  if (depth > kMaxTypeDepth) return false;
  uint16_t id;
  if (!GetU16(in, id)) return false;
  t = DataType{};
  t.id = static_cast<TypeId>(id);
  std::string_view s;
  switch (t.id) {
    case TypeId::kCustom:
      if (!GetString(in, s)) return false;
      t.custom_class.assign(s);
      return true;
    case TypeId::kAscii: case TypeId::kBigint: case TypeId::kBlob: case TypeId::kBoolean:
    case TypeId::kCounter: case TypeId::kDecimal: case TypeId::kDouble: case TypeId::kFloat:
    case TypeId::kInt: case TypeId::kTimestamp: case TypeId::kUuid: case TypeId::kVarchar:
    case TypeId::kVarint: case TypeId::kTimeuuid: case TypeId::kInet: case TypeId::kDate:
    case TypeId::kTime: case TypeId::kSmallint: case TypeId::kTinyint: case TypeId::kDuration:
      return true;
    case TypeId::kList:
    case TypeId::kSet:
      t.children.resize(1);
      return GetDataType(in, t.children[0], depth + 1);
    case TypeId::kMap:
      t.children.resize(2);
      return GetDataType(in, t.children[0], depth + 1) && GetDataType(in, t.children[1], depth + 1);
    case TypeId::kUdt: {
      std::string_view ks, name;
      uint16_t n;
      if (!GetString(in, ks) || !GetString(in, name) || !GetU16(in, n)) return false;
      t.udt_keyspace.assign(ks);
      t.udt_name.assign(name);
      if (n > in.size() / 4) return false;  // each field needs >= 4 bytes
      for (uint16_t i = 0; i < n; ++i) {
        std::string_view field;
        DataType ft;
        if (!GetString(in, field) || !GetDataType(in, ft, depth + 1)) return false;
        t.field_names.emplace_back(field);
        t.children.push_back(std::move(ft));
      }
      return true;
    }
    case TypeId::kTuple: {
      uint16_t n;
      if (!GetU16(in, n)) return false;
      if (n > in.size() / 2) return false;
      for (uint16_t i = 0; i < n; ++i) {
        DataType ct;
        if (!GetDataType(in, ct, depth + 1)) return false;
        t.children.push_back(std::move(ct));
      }
      return true;
    }
  }
  return false;  // unknown type id
}

void PutDataType(std::string& out, const DataType& t) {
  PutU16(out, static_cast<uint16_t>(t.id));
  switch (t.id) {
    case TypeId::kCustom: PutString(out, t.custom_class); break;
    case TypeId::kList: case TypeId::kSet: case TypeId::kMap:
      for (const auto& c : t.children) PutDataType(out, c);
      break;
    case TypeId::kUdt:
      PutString(out, t.udt_keyspace);
      PutString(out, t.udt_name);
      PutU16(out, static_cast<uint16_t>(t.children.size()));
      for (size_t i = 0; i < t.children.size(); ++i) {
        PutString(out, i < t.field_names.size() ? t.field_names[i] : "");
        PutDataType(out, t.children[i]);
      }
      break;
    case TypeId::kTuple:
      PutU16(out, static_cast<uint16_t>(t.children.size()));
      for (const auto& c : t.children) PutDataType(out, c);
      break;
    default: break;
  }
}

namespace {

enum MetadataFlags : int32_t { kGlobalTableSpec = 0x01, kHasMorePages = 0x02, kNoMetadata = 0x04 };

bool GetColumnSpecs(std::string_view& in, int32_t flags, int32_t count, std::vector<ColumnSpec>& cols) {
  std::string_view ks, table;
  if ((flags & kGlobalTableSpec) && (!GetString(in, ks) || !GetString(in, table))) return false;
  if (static_cast<size_t>(count) > in.size() / 4) return false;  // name + type need >= 4 bytes
  cols.resize(static_cast<size_t>(count));
  for (auto& c : cols) {
    if (!(flags & kGlobalTableSpec)) {
      if (!GetString(in, ks) || !GetString(in, table)) return false;
    }
    std::string_view name;
    if (!GetString(in, name) || !GetDataType(in, c.type)) return false;
    c.keyspace.assign(ks);
    c.table.assign(table);
    c.name.assign(name);
  }
  return true;
}

}  // namespace

bool GetRowsMetadata(std::string_view& in, RowsMetadata& m, bool& no_metadata) {
  int32_t flags, count;
  if (!GetI32(in, flags) || !GetI32(in, count) || count < 0) return false;
  m.paging_state.reset();
  if (flags & kHasMorePages) {
    std::string_view state;
    bool is_null;
    if (!GetBytes(in, state, is_null)) return false;
    if (!is_null) m.paging_state.emplace(state);
  }
  no_metadata = (flags & kNoMetadata) != 0;
  if (no_metadata) {
    if (count > 65535) return false;
    m.columns.assign(static_cast<size_t>(count), ColumnSpec{});
    return true;
  }
  return GetColumnSpecs(in, flags, count, m.columns);
}

bool DecodeSchemaChangeBody(std::string_view& in, SchemaChange& sc) {
  std::string_view change, target, ks, name;
  if (!GetString(in, change) || !GetString(in, target) || !GetString(in, ks)) return false;
  sc.change.assign(change);
  sc.target.assign(target);
  sc.keyspace.assign(ks);
  if (sc.target == "KEYSPACE") return true;
  if (!GetString(in, name)) return false;
  sc.name.assign(name);
  if (sc.target == "FUNCTION" || sc.target == "AGGREGATE") return GetStringList(in, sc.arg_types);
  return true;
}

bool DecodeResult(std::shared_ptr<const std::string> body, size_t offset, ResultMessage& r) {
  if (!body || offset > body->size()) return false;
  std::string_view in(*body);
  in.remove_prefix(offset);
  if (!GetI32(in, r.kind)) return false;
  switch (r.kind) {
    case 1:
      ResultSetBuilder::SetKind(r.rows, ResultSet::Kind::kVoid);
      return true;
    case 2: {
      ResultSetBuilder::SetKind(r.rows, ResultSet::Kind::kRows);
      RowsMetadata& m = ResultSetBuilder::Metadata(r.rows);
      bool no_metadata;
      int32_t rows;
      if (!GetRowsMetadata(in, m, no_metadata) || !GetI32(in, rows) || rows < 0) return false;
      size_t columns = m.columns.size();
      if (columns == 0 && rows > 0) return false;
      // Every cell carries at least a 4-byte length: bound before reserving.
      if (columns > 0 && static_cast<size_t>(rows) > in.size() / 4 / columns) return false;
      // Each cell is [int length][bytes] (length < 0: NULL). Indexed in one
      // tight pass: a page of metrics holds ~10,000 cells.
      auto& cells = ResultSetBuilder::Cells(r.rows);
      cells.resize(static_cast<size_t>(rows) * columns);
      const char* const base = body->data();
      const char* p = in.data();
      const char* const end = p + in.size();
      for (auto& cell : cells) {
        if (end - p < 4) return false;
        uint32_t u;
        std::memcpy(&u, p, 4);
        const auto length = static_cast<int32_t>(__builtin_bswap32(u));
        p += 4;
        if (length < 0) {
          cell = {0, -1};
          continue;
        }
        if (end - p < length) return false;
        cell = {static_cast<int32_t>(p - base), length};
        p += length;
      }
      ResultSetBuilder::SetRowCount(r.rows, static_cast<size_t>(rows));
      ResultSetBuilder::SetBody(r.rows, std::move(body));
      return true;
    }
    case 3: {
      std::string_view ks;
      if (!GetString(in, ks)) return false;
      r.keyspace.assign(ks);
      ResultSetBuilder::SetKind(r.rows, ResultSet::Kind::kSetKeyspace);
      ResultSetBuilder::SetInfo(r.rows, r.keyspace);
      return true;
    }
    case 4: {
      std::string_view id;
      int32_t flags, count, pk_count;
      if (!GetShortBytes(in, id) || !GetI32(in, flags) || !GetI32(in, count) || count < 0 ||
          !GetI32(in, pk_count) || pk_count < 0)
        return false;
      r.prepared.id.assign(id);
      if (static_cast<size_t>(pk_count) > in.size() / 2) return false;
      r.prepared.partition_key_indexes.clear();
      for (int32_t i = 0; i < pk_count; ++i) {
        uint16_t idx;
        if (!GetU16(in, idx)) return false;
        if (idx >= count) return false;
        r.prepared.partition_key_indexes.push_back(idx);
      }
      if (!GetColumnSpecs(in, flags, count, r.prepared.bind_columns)) return false;
      if (!r.prepared.bind_columns.empty()) r.prepared.keyspace = r.prepared.bind_columns[0].keyspace;
      RowsMetadata result_meta;
      bool no_metadata;
      if (!GetRowsMetadata(in, result_meta, no_metadata)) return false;
      r.prepared.result_columns = std::move(result_meta.columns);
      return true;
    }
    case 5: {
      if (!DecodeSchemaChangeBody(in, r.schema_change)) return false;
      ResultSetBuilder::SetKind(r.rows, ResultSet::Kind::kSchemaChange);
      const SchemaChange& sc = r.schema_change;
      ResultSetBuilder::SetInfo(r.rows, sc.change + " " + sc.target + " " + sc.keyspace +
                                            (sc.name.empty() ? "" : "." + sc.name));
      return true;
    }
    default:
      return false;
  }
}

bool DecodeEvent(std::string_view in, EventMessage& e) {
  std::string_view type;
  if (!GetString(in, type)) return false;
  e.type.assign(type);
  if (e.type == "TOPOLOGY_CHANGE" || e.type == "STATUS_CHANGE") {
    std::string_view change;
    if (!GetString(in, change) || !GetInet(in, e.address, e.port)) return false;
    e.change.assign(change);
    return true;
  }
  if (e.type == "SCHEMA_CHANGE") {
    if (!DecodeSchemaChangeBody(in, e.schema_change)) return false;
    e.change = e.schema_change.change;
    return true;
  }
  return false;
}

Error ToError(const ErrorMessage& m, const std::string& host) {
  Error e;
  e.kind = ErrorKind::kServer;
  e.server_code = m.code;
  e.host = host;
  e.retryable = IsRetryableServerCode(m.code);
  e.message = m.message;
  switch (static_cast<ServerCode>(m.code)) {
    case ServerCode::kUnavailable:
      e.message += " (consistency " + std::string(ConsistencyName(m.consistency)) + ", required " +
                   std::to_string(m.required) + ", alive " + std::to_string(m.alive) + ")";
      break;
    case ServerCode::kWriteTimeout:
    case ServerCode::kReadTimeout:
      e.message += " (consistency " + std::string(ConsistencyName(m.consistency)) + ", received " +
                   std::to_string(m.received) + " of " + std::to_string(m.block_for) +
                   (m.write_type.empty() ? "" : ", write type " + m.write_type) + ")";
      break;
    default: break;
  }
  if (m.code == static_cast<int32_t>(ServerCode::kBadCredentials)) e.kind = ErrorKind::kAuth;
  return e;
}

}  // namespace cql
