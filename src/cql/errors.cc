#include "cql/errors.h"

#include <cstdio>

namespace cql {

bool IsRetryableServerCode(int32_t code) {
  switch (static_cast<ServerCode>(code)) {
    case ServerCode::kServerError:
    case ServerCode::kUnavailable:
    case ServerCode::kOverloaded:
    case ServerCode::kIsBootstrapping:
    case ServerCode::kTruncateError:
    case ServerCode::kWriteTimeout:
    case ServerCode::kReadTimeout:
    case ServerCode::kUnprepared:
      return true;
    default:
      return false;
  }
}

const char* ServerCodeName(int32_t code) {
  switch (static_cast<ServerCode>(code)) {
    case ServerCode::kServerError: return "SERVER_ERROR";
    case ServerCode::kProtocolError: return "PROTOCOL_ERROR";
    case ServerCode::kBadCredentials: return "BAD_CREDENTIALS";
    case ServerCode::kUnavailable: return "UNAVAILABLE";
    case ServerCode::kOverloaded: return "OVERLOADED";
    case ServerCode::kIsBootstrapping: return "IS_BOOTSTRAPPING";
    case ServerCode::kTruncateError: return "TRUNCATE_ERROR";
    case ServerCode::kWriteTimeout: return "WRITE_TIMEOUT";
    case ServerCode::kReadTimeout: return "READ_TIMEOUT";
    case ServerCode::kReadFailure: return "READ_FAILURE";
    case ServerCode::kFunctionFailure: return "FUNCTION_FAILURE";
    case ServerCode::kWriteFailure: return "WRITE_FAILURE";
    case ServerCode::kSyntaxError: return "SYNTAX_ERROR";
    case ServerCode::kUnauthorized: return "UNAUTHORIZED";
    case ServerCode::kInvalid: return "INVALID";
    case ServerCode::kConfigError: return "CONFIG_ERROR";
    case ServerCode::kAlreadyExists: return "ALREADY_EXISTS";
    case ServerCode::kUnprepared: return "UNPREPARED";
  }
  return "UNKNOWN_ERROR";
}

std::string Error::to_string() const {
  const char* k = "error";
  switch (kind) {
    case ErrorKind::kServer: k = "server error"; break;
    case ErrorKind::kTimeout: k = "timeout"; break;
    case ErrorKind::kConnection: k = "connection error"; break;
    case ErrorKind::kProtocol: k = "protocol error"; break;
    case ErrorKind::kNoHostAvailable: k = "no host available"; break;
    case ErrorKind::kAuth: k = "authentication error"; break;
    case ErrorKind::kInvalidArgument: k = "invalid argument"; break;
    case ErrorKind::kShutdown: k = "session shut down"; break;
    case ErrorKind::kSchemaAgreement: k = "no schema agreement"; break;
  }
  std::string s = k;
  if (kind == ErrorKind::kServer) {
    char buf[48];
    std::snprintf(buf, sizeof buf, " %s (0x%04x)", ServerCodeName(server_code), server_code);
    s += buf;
  }
  if (!host.empty()) s += " at " + host;
  s += ": " + message;
  return s;
}

}  // namespace cql
