// PasswordAuthenticator (SASL PLAIN) against the auth node
// (CANOPY_AUTH_HOST, default 127.0.0.11; user cassandra / cassandra).
#include <gtest/gtest.h>

#include "cql/session.h"
#include "integration/cql_test_env.h"

namespace {

cql::SessionOptions AuthOptions() {
  cql::SessionOptions o;
  o.contact_points = canopy_test::auth_hosts();
  o.pool_size = 1;
  o.connect_timeout = std::chrono::seconds(10);
  return o;
}

TEST(CqlAuth, RightCredentialsAreAccepted) {
  auto o = AuthOptions();
  o.username = "cassandra";
  o.password = "cassandra";
  auto s = cql::Session::Connect(o);
  auto rs = s->Query("SELECT role FROM system_auth.roles WHERE role = 'cassandra'", {},
                     {.consistency = cql::Consistency::kOne});
  ASSERT_EQ(rs.row_count(), 1u);
  EXPECT_EQ(rs[0].get_text(0), "cassandra");
}

TEST(CqlAuth, WrongPasswordIsRefusedWithBadCredentials) {
  auto o = AuthOptions();
  o.username = "cassandra";
  o.password = "wrong-password";
  try {
    cql::Session::Connect(o);
    FAIL() << "connected with a wrong password";
  } catch (const cql::CqlError& e) {
    EXPECT_EQ(e.error().kind, cql::ErrorKind::kAuth) << e.what();
    EXPECT_EQ(e.error().server_code, static_cast<int32_t>(cql::ServerCode::kBadCredentials)) << e.what();
    EXPECT_FALSE(e.error().retryable);
    EXPECT_EQ(std::string(e.what()).find("wrong-password"), std::string::npos) << "password leaked: " << e.what();
  }
}

TEST(CqlAuth, MissingCredentialsAreAClearError) {
  try {
    cql::Session::Connect(AuthOptions());
    FAIL() << "connected without credentials";
  } catch (const cql::CqlError& e) {
    EXPECT_EQ(e.error().kind, cql::ErrorKind::kAuth);
    EXPECT_NE(std::string(e.what()).find("requires authentication"), std::string::npos) << e.what();
  }
}

}  // namespace
