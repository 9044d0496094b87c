// Frames and message bodies of native protocol v4 (spec sections 2 and 4).
// Pure functions over bytes: Encode… appends a request body (or a whole
// frame) to a std::string; Decode… parses a response body and returns
// false / an Error on malformed or truncated input without reading past it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cql/consistency.h"
#include "cql/errors.h"
#include "cql/result.h"
#include "cql/statement.h"
#include "cql/types.h"
#include "cql/value.h"

namespace cql {

constexpr uint8_t kProtocolVersion = 0x04;
constexpr uint8_t kResponseFlag = 0x80;
constexpr size_t kHeaderSize = 9;
// Largest body we accept (the server's default native_transport_max_frame_size is 16 MiB;
// we accept up to 256 MiB so a misconfigured server is an error, not an OOM).
constexpr uint32_t kMaxBodySize = 256u << 20;

enum class Opcode : uint8_t {
  kError = 0x00,
  kStartup = 0x01,
  kReady = 0x02,
  kAuthenticate = 0x03,
  kOptions = 0x05,
  kSupported = 0x06,
  kQuery = 0x07,
  kResult = 0x08,
  kPrepare = 0x09,
  kExecute = 0x0A,
  kRegister = 0x0B,
  kEvent = 0x0C,
  kBatch = 0x0D,
  kAuthChallenge = 0x0E,
  kAuthResponse = 0x0F,
  kAuthSuccess = 0x10,
};

enum FrameFlags : uint8_t {
  kFlagCompression = 0x01,
  kFlagTracing = 0x02,
  kFlagCustomPayload = 0x04,
  kFlagWarning = 0x08,
  kFlagBeta = 0x10,
};

struct FrameHeader {
  uint8_t version = kProtocolVersion;  // 0x04 request, 0x84 response
  uint8_t flags = 0;
  int16_t stream = 0;
  Opcode opcode = Opcode::kOptions;
  uint32_t length = 0;
};

void PutFrameHeader(std::string& out, const FrameHeader& h);
// Parses 9 header bytes. False on short input, a version other than v4
// (request or response), or a length above kMaxBodySize.
bool GetFrameHeader(std::string_view& in, FrameHeader& h);

// Appends a complete request frame: header + body (compressed with LZ4 and
// flagged when compress is true and the opcode allows it).
void AppendFrame(std::string& out, Opcode op, int16_t stream, std::string_view body, bool compress);

// --- Request bodies -------------------------------------------------------

void EncodeStartup(std::string& out, const std::map<std::string, std::string>& options);
void EncodeAuthResponse(std::string& out, std::string_view token);
// SASL PLAIN token: "\0user\0password".
std::string PlainAuthToken(std::string_view user, std::string_view password);
void EncodePrepare(std::string& out, std::string_view query);
void EncodeRegister(std::string& out, const std::vector<std::string>& events);

// <query_parameters>. bind_types, when non-null, are the statement's bind
// columns used to convert values (see value.h); values.size() must equal
// their count. Returns an kInvalidArgument Error naming the bad value.
std::optional<Error> EncodeQueryParameters(std::string& out, const std::vector<Value>& values,
                                           const std::vector<ColumnSpec>* bind_types,
                                           const StatementOptions& options,
                                           std::optional<int64_t> timestamp_us);
std::optional<Error> EncodeQuery(std::string& out, std::string_view query,
                                 const std::vector<Value>& values, const StatementOptions& options,
                                 std::optional<int64_t> timestamp_us);
std::optional<Error> EncodeExecute(std::string& out, const PreparedStatement& p,
                                   const std::vector<Value>& values, const StatementOptions& options,
                                   std::optional<int64_t> timestamp_us);
// EXECUTE with values a RowWriter wrote (checked to be one [value] per bind marker).
std::optional<Error> EncodeExecute(std::string& out, const PreparedStatement& p, const EncodedValues& values,
                                   const StatementOptions& options, std::optional<int64_t> timestamp_us);
std::optional<Error> EncodeBatch(std::string& out, const Batch& batch,
                                 const StatementOptions& options, std::optional<int64_t> timestamp_us);

// --- Response bodies ------------------------------------------------------

// Strips the optional tracing id, warnings and custom payload that precede a
// response body when the header flags say so.
bool StripResponsePrefix(std::string_view& body, uint8_t flags, std::vector<std::string>* warnings);

// ERROR: code, message and the code-specific fields.
struct ErrorMessage {
  int32_t code = 0;
  std::string message;
  Consistency consistency = Consistency::kOne;  // unavailable, timeouts, failures
  int32_t required = 0;       // unavailable
  int32_t alive = 0;          // unavailable
  int32_t received = 0;       // timeouts, failures
  int32_t block_for = 0;      // timeouts, failures
  int32_t num_failures = 0;   // failures
  bool data_present = false;  // read timeout/failure
  std::string write_type;     // write timeout/failure
  std::string keyspace;       // already exists, function failure
  std::string table;          // already exists
  std::string function;       // function failure
  std::vector<std::string> arg_types;  // function failure
  std::string unprepared_id;  // unprepared
};
bool DecodeError(std::string_view body, ErrorMessage& e);

bool DecodeAuthenticate(std::string_view body, std::string& authenticator);
bool DecodeAuthToken(std::string_view body, std::optional<std::string>& token);  // CHALLENGE/SUCCESS
bool DecodeSupported(std::string_view body, std::map<std::string, std::vector<std::string>>& options);

struct SchemaChange {
  std::string change;  // CREATED, UPDATED, DROPPED
  std::string target;  // KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE
  std::string keyspace;
  std::string name;    // table/type/function/aggregate name
  std::vector<std::string> arg_types;  // function/aggregate
};
bool DecodeSchemaChangeBody(std::string_view& in, SchemaChange& sc);

// RESULT. For kRows the ResultSet owns a copy of (or shares) the body.
struct ResultMessage {
  int32_t kind = 0;  // 1 void, 2 rows, 3 set_keyspace, 4 prepared, 5 schema_change
  ResultSet rows;    // kind 1, 2, 3, 5 (void, rows, keyspace/schema text in info())
  PreparedStatement prepared;  // kind 4 (query is left empty)
  SchemaChange schema_change;  // kind 5
  std::string keyspace;        // kind 3
};
// body must outlive nothing: the decoder copies what it keeps.
bool DecodeResult(std::shared_ptr<const std::string> body, size_t offset, ResultMessage& r);

struct EventMessage {
  std::string type;    // TOPOLOGY_CHANGE, STATUS_CHANGE, SCHEMA_CHANGE
  std::string change;  // NEW_NODE, REMOVED_NODE, MOVED_NODE, UP, DOWN (or schema change kind)
  std::string address; // 4/16 bytes (topology/status)
  int32_t port = 0;
  SchemaChange schema_change;
};
bool DecodeEvent(std::string_view body, EventMessage& e);

// [option] type: depth-limited (nested types deeper than 32 are malformed).
bool GetDataType(std::string_view& in, DataType& t, int depth = 0);
void PutDataType(std::string& out, const DataType& t);  // for tests and fuzz seeds
// Rows/prepared metadata.
bool GetRowsMetadata(std::string_view& in, RowsMetadata& m, bool& no_metadata);

// Maps a decoded ERROR to an Error (kind kServer, retryable per code).
Error ToError(const ErrorMessage& e, const std::string& host);

}  // namespace cql
