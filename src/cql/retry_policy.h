// Which failed attempts are retried on the next host (the shared rules of
// the Cassandra drivers, see docs/cql-client.md "Retries"):
//   UNAVAILABLE, IS_BOOTSTRAPPING: always (the coordinator applied nothing);
//   READ_TIMEOUT, WRITE_TIMEOUT, OVERLOADED, SERVER_ERROR, TRUNCATE_ERROR,
//   client timeout, connection lost, malformed response: only idempotent
//   requests (the write may have been applied);
//   everything else (syntax, invalid, unauthorized, auth...): never.
// Requests that never left the client are always retried by the caller.
#pragma once

#include "cql/errors.h"

namespace cql {

bool ShouldRetry(const Error& e, bool idempotent);

}  // namespace cql
