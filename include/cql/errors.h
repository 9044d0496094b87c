// Errors of the CQL client.
//
// Inside the client (and at the async API) failures are values: Result<T>
// holds either a T or an Error. An Error says what failed (kind), the
// server's error code and message when the server answered, the host that
// produced it, and whether retrying the same request can succeed
// (retryable) or not (fatal: syntax, invalid query, bad credentials...).
// The blocking API throws CqlError, which carries the same Error.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace cql {

// Error codes of the native protocol v4 ERROR message (spec section 9).
enum class ServerCode : int32_t {
  kServerError = 0x0000,
  kProtocolError = 0x000A,
  kBadCredentials = 0x0100,
  kUnavailable = 0x1000,
  kOverloaded = 0x1001,
  kIsBootstrapping = 0x1002,
  kTruncateError = 0x1003,
  kWriteTimeout = 0x1100,
  kReadTimeout = 0x1200,
  kReadFailure = 0x1300,
  kFunctionFailure = 0x1400,
  kWriteFailure = 0x1500,
  kSyntaxError = 0x2000,
  kUnauthorized = 0x2100,
  kInvalid = 0x2200,
  kConfigError = 0x2300,
  kAlreadyExists = 0x2400,
  kUnprepared = 0x2500,
};

enum class ErrorKind {
  kServer,         // the server answered ERROR; see server_code
  kTimeout,        // no response within the request timeout (outcome unknown)
  kConnection,     // the socket failed or closed (before or after sending)
  kProtocol,       // a malformed or unexpected frame (codec failure)
  kNoHostAvailable,// every host in the query plan failed; message lists each
  kAuth,           // authentication refused or misconfigured
  kInvalidArgument,// the caller's request cannot be encoded (bad value, type)
  kShutdown,       // the session was closed while the request was pending
  kSchemaAgreement,// a DDL statement was applied, but the live nodes did not
                   // report one schema version within schema_agreement_timeout
};

struct Error {
  ErrorKind kind = ErrorKind::kProtocol;
  int32_t server_code = -1;  // a ServerCode when kind == kServer, else -1
  std::string message;       // server's message or a description of the failure
  std::string host;          // "ip:port" of the host that failed, empty if none
  bool retryable = false;    // true: the same request may succeed later/elsewhere
  // true: an attempt reached a node and ended without saying whether it was
  // applied (timeouts, connection lost after sending, OVERLOADED, SERVER_ERROR...).
  // A non-idempotent request is then not retried: check before re-running it.
  bool possibly_applied = false;

  bool is_server(ServerCode c) const {
    return kind == ErrorKind::kServer && server_code == static_cast<int32_t>(c);
  }
  // One line: "<kind>[ 0x<code>] at <host>: <message>".
  std::string to_string() const;
};

// An Error raised by the client itself (no server code).
inline Error MakeError(ErrorKind kind, std::string message, std::string host = {},
                       bool retryable = false) {
  Error e;
  e.kind = kind;
  e.message = std::move(message);
  e.host = std::move(host);
  e.retryable = retryable;
  return e;
}

// Classifies a server error code: retryable are UNAVAILABLE, OVERLOADED,
// IS_BOOTSTRAPPING, READ/WRITE_TIMEOUT, SERVER_ERROR, TRUNCATE_ERROR.
bool IsRetryableServerCode(int32_t code);
const char* ServerCodeName(int32_t code);

// Exception thrown by the blocking API; what() is Error::to_string().
class CqlError : public std::runtime_error {
 public:
  explicit CqlError(Error e) : std::runtime_error(e.to_string()), error_(std::move(e)) {}
  const Error& error() const { return error_; }

 private:
  Error error_;
};

// Either a T or an Error (a small std::expected; C++20 has none).
template <typename T>
class Result {
 public:
  Result(T v) : v_(std::move(v)) {}          // NOLINT: implicit by design
  Result(Error e) : v_(std::move(e)) {}      // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  // The value, or throws CqlError.
  T& value_or_throw() & {
    if (!ok()) throw CqlError(error());
    return value();
  }
  T value_or_throw() && {
    if (!ok()) throw CqlError(error());
    return std::get<0>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};  // Result<Ok>: success without a value

}  // namespace cql
