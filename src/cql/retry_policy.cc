#include "cql/retry_policy.h"

namespace cql {

bool ShouldRetry(const Error& e, bool idempotent) {
  switch (e.kind) {
    case ErrorKind::kServer:
      switch (static_cast<ServerCode>(e.server_code)) {
        case ServerCode::kUnavailable:
        case ServerCode::kIsBootstrapping:
          return true;
        case ServerCode::kReadTimeout:
        case ServerCode::kWriteTimeout:
        case ServerCode::kOverloaded:
        case ServerCode::kServerError:
        case ServerCode::kTruncateError:
          return idempotent;
        default:
          return false;
      }
    case ErrorKind::kTimeout:
    case ErrorKind::kConnection:
    case ErrorKind::kProtocol:
      return idempotent;
    default:
      return false;
  }
}

}  // namespace cql
