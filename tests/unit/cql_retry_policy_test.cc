// The retry rules of docs/cql-client.md ("Retries"), one row each.
#include <gtest/gtest.h>

#include "cql/retry_policy.h"

namespace {

using cql::ErrorKind;
using cql::ServerCode;

cql::Error Server(ServerCode c) {
  cql::Error e;
  e.kind = ErrorKind::kServer;
  e.server_code = static_cast<int32_t>(c);
  return e;
}

cql::Error Kind(ErrorKind k) {
  cql::Error e;
  e.kind = k;
  return e;
}

TEST(CqlRetryPolicy, NothingAppliedIsAlwaysRetried) {
  for (bool idempotent : {false, true}) {
    EXPECT_TRUE(cql::ShouldRetry(Server(ServerCode::kUnavailable), idempotent));
    EXPECT_TRUE(cql::ShouldRetry(Server(ServerCode::kIsBootstrapping), idempotent));
  }
}

TEST(CqlRetryPolicy, MaybeAppliedIsRetriedOnlyWhenIdempotent) {
  for (auto c : {ServerCode::kReadTimeout, ServerCode::kWriteTimeout, ServerCode::kOverloaded,
                 ServerCode::kServerError, ServerCode::kTruncateError}) {
    EXPECT_TRUE(cql::ShouldRetry(Server(c), true)) << static_cast<int>(c);
    EXPECT_FALSE(cql::ShouldRetry(Server(c), false)) << static_cast<int>(c);
  }
  for (auto k : {ErrorKind::kTimeout, ErrorKind::kConnection, ErrorKind::kProtocol}) {
    EXPECT_TRUE(cql::ShouldRetry(Kind(k), true));
    EXPECT_FALSE(cql::ShouldRetry(Kind(k), false));
  }
}

TEST(CqlRetryPolicy, RequestErrorsAreNeverRetried) {
  for (auto c : {ServerCode::kSyntaxError, ServerCode::kInvalid, ServerCode::kUnauthorized, ServerCode::kConfigError,
                 ServerCode::kAlreadyExists, ServerCode::kBadCredentials, ServerCode::kProtocolError,
                 ServerCode::kReadFailure, ServerCode::kWriteFailure, ServerCode::kFunctionFailure}) {
    EXPECT_FALSE(cql::ShouldRetry(Server(c), true)) << static_cast<int>(c);
  }
  for (auto k : {ErrorKind::kAuth, ErrorKind::kInvalidArgument, ErrorKind::kShutdown, ErrorKind::kNoHostAvailable})
    EXPECT_FALSE(cql::ShouldRetry(Kind(k), true));
}

}  // namespace
