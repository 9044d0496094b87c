// load_config on invalid input: one ConfigError whose message names where
// the value came from, the value and what is allowed; never a password.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <type_traits>

#include "unit/config_test_util.h"

namespace canopy::config_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

static_assert(std::is_base_of_v<std::runtime_error, ConfigError>);

std::string message(const ConfigError& e) { return e.what(); }

// ---- unknown keys and structure ----

TEST(ConfigUnknownKey, InTheFileNamesItsLineAndSuggestsTheNearestKey) {
  const ConfigError e = yaml_error("backend:\n  cassandra:\n    prot: 9042\n");
  EXPECT_EQ(e.key(), "backend.cassandra.prot");
  EXPECT_THAT(
      message(e),
      HasSubstr(":3:5: unknown key backend.cassandra.prot; did you mean backend.cassandra.port?"));
}

TEST(ConfigUnknownKey, AKeyInTheWrongSectionSuggestsWhereItBelongs) {
  EXPECT_THAT(message(yaml_error("backend:\n  cassandra:\n    metrics: 5\n")),
              HasSubstr("unknown key backend.cassandra.metrics; did you mean ttl.metrics?"));
}

TEST(ConfigUnknownKey, WithNothingCloseHasNoSuggestion) {
  const std::string m = message(yaml_error("frobnicate: 1\n"));
  EXPECT_THAT(m, HasSubstr("unknown key frobnicate"));
  EXPECT_THAT(m, Not(HasSubstr("did you mean")));
}

TEST(ConfigUnknownKey, InAnOverrideSuggestsTheNearestKey) {
  const ConfigError e = override_error("backend.cassandra.batchsize=5");
  EXPECT_EQ(e.key(), "backend.cassandra.batchsize");
  EXPECT_THAT(message(e),
              HasSubstr("override backend.cassandra.batchsize: unknown key "
                        "backend.cassandra.batchsize; did you mean backend.cassandra.batch_size?"));
}

TEST(ConfigUnknownKey, AnOverrideOfASectionListsItsKeys) {
  EXPECT_THAT(message(override_error("backend.cassandra.consistency=ONE")),
              HasSubstr("is a section; set one of its keys: write, read"));
}

TEST(ConfigStructure, OverrideWithoutEqualsSignIsRejected) {
  const ConfigError e = override_error("backend.cassandra.port");
  EXPECT_EQ(e.key(), "backend.cassandra.port");
  EXPECT_EQ(
      message(e),
      "override backend.cassandra.port: expected key=value, e.g. backend.cassandra.port=9043");
}

TEST(ConfigStructure, ASectionMustBeAMap) {
  const ConfigError e = yaml_error("backend:\n  cassandra: 5\n");
  EXPECT_EQ(e.key(), "backend.cassandra");
  EXPECT_THAT(
      message(e),
      HasSubstr("backend.cassandra must be a map; allowed keys: enabled, contact_points, port"));
}

TEST(ConfigStructure, TheTopLevelMustBeAMap) {
  EXPECT_THAT(message(yaml_error("- a\n- b\n")),
              HasSubstr("the top level must be a map; allowed keys: backend, ttl, writer"));
}

TEST(ConfigStructure, DuplicateKeysAreRejected) {
  const ConfigError e = yaml_error("ttl:\n  runs: 1\n  runs: 2\n");
  EXPECT_EQ(e.key(), "ttl.runs");
  EXPECT_THAT(message(e), HasSubstr(":3:3: duplicate key ttl.runs"));
}

// ---- the file itself ----

TEST(ConfigFileErrors, AMissingFileNamesThePathAndTheErrno) {
  const std::string path = testing::TempDir() + "/no/such/canopy.yaml";
  const ConfigError e = error_of({path, test_env(), {}});
  EXPECT_EQ(e.key(), "");
  EXPECT_EQ(message(e), "cannot read config file " + path + ": No such file or directory");
}

TEST(ConfigFileErrors, ADirectoryIsNotAConfigFile) {
  EXPECT_THAT(message(error_of({testing::TempDir(), test_env(), {}})), HasSubstr("Is a directory"));
}

TEST(ConfigFileErrors, AnUnreadableFileNamesPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files regardless of their mode";
  const std::string path = write_yaml("ttl: {runs: 1}\n");
  ::chmod(path.c_str(), 0);
  EXPECT_THAT(message(error_of({path, test_env(), {}})), HasSubstr(path + ": Permission denied"));
}

TEST(ConfigFileErrors, APathThroughAFileNamesNotADirectory) {
  const std::string file = write_yaml("");
  EXPECT_EQ(message(error_of({file + "/canopy.yaml", test_env(), {}})),
            "cannot read config file " + file + "/canopy.yaml: Not a directory");
}

TEST(ConfigFileErrors, SyntaxErrorsNameLineAndColumn) {
  const std::string path = write_yaml("backend:\n  cassandra:\n    port: [9042\n    keyspace: x\n");
  const ConfigError e = error_of({path, test_env(), {}});
  EXPECT_THAT(message(e), HasSubstr(path + ":"));
  EXPECT_THAT(message(e), HasSubstr("YAML syntax error"));
  EXPECT_THAT(message(e), ::testing::ContainsRegex(":[0-9]+:[0-9]+: YAML syntax error"));
}

TEST(ConfigFileErrors, SyntaxErrorPositionIsTheOffendingLine) {
  EXPECT_THAT(message(yaml_error("ttl:\n  runs: 1\n metrics: 2\n")), HasSubstr(":3:"));
}

// ---- wrong types ----

TEST(ConfigWrongType, AListWhereAnIntegerBelongs) {
  const ConfigError e = yaml_error("backend:\n  cassandra:\n    port: [1, 2]\n");
  EXPECT_EQ(e.key(), "backend.cassandra.port");
  EXPECT_THAT(message(e), HasSubstr(":3:5: backend.cassandra.port: invalid value (a sequence); "
                                    "allowed: an integer 1..65535"));
}

TEST(ConfigWrongType, TextWhereAnIntegerBelongs) {
  EXPECT_THAT(
      message(yaml_error("backend: {cassandra: {pool_size: many}}")),
      HasSubstr("backend.cassandra.pool_size: invalid value \"many\"; allowed: an integer >= 1"));
}

TEST(ConfigWrongType, FractionWhereAnIntegerBelongs) {
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {batch_size: 10.5}}")),
              HasSubstr("invalid value \"10.5\""));
}

TEST(ConfigWrongType, AnEmptyValueWhereAnIntegerBelongs) {
  EXPECT_THAT(message(yaml_error("backend:\n  cassandra:\n    port:\n")),
              HasSubstr("backend.cassandra.port: invalid value (empty)"));
}

TEST(ConfigWrongType, AMapWhereAListBelongs) {
  EXPECT_THAT(
      message(yaml_error("backend: {cassandra: {contact_points: {a: 1}}}")),
      HasSubstr(
          "backend.cassandra.contact_points: invalid value (a map); allowed: a non-empty list"));
}

TEST(ConfigWrongType, AListWhereAStringBelongs) {
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {keyspace: [a]}}")),
              HasSubstr("backend.cassandra.keyspace: invalid value (a sequence)"));
}

TEST(ConfigWrongType, ABadBooleanInTheFile) {
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {enabled: maybe}}")),
              HasSubstr("backend.cassandra.enabled: invalid value \"maybe\"; allowed: true, false, "
                        "yes, no, 1, 0"));
}

TEST(ConfigWrongType, ABadBooleanInTheEnvironment) {
  const ConfigError e = env_error({{"CASCOR_CASSANDRA_ENABLED", "on"}});
  EXPECT_EQ(e.key(), "CASCOR_CASSANDRA_ENABLED");
  EXPECT_EQ(
      message(e),
      "environment variable CASCOR_CASSANDRA_ENABLED (backend.cassandra.enabled): invalid value "
      "\"on\"; allowed: true, false, yes, no, 1, 0");
}

TEST(ConfigWrongType, ABadIntegerInTheEnvironment) {
  EXPECT_THAT(
      message(env_error({{"CASCOR_CASSANDRA_BATCH_SIZE", "lots"}})),
      HasSubstr(
          "CASCOR_CASSANDRA_BATCH_SIZE (backend.cassandra.batch_size): invalid value \"lots\""));
}

// ---- ranges and enumerations ----

TEST(ConfigPort, ZeroAndAbove65535AreOutOfRange) {
  for (const char* port : {"0", "65536", "70000", "-1"}) {
    EXPECT_THAT(message(override_error(std::string("backend.cassandra.port=") + port)),
                HasSubstr(std::string("override backend.cassandra.port: invalid value \"") + port +
                          "\"; allowed: an integer 1..65535"));
  }
}

TEST(ConfigPort, OutOfRangeInTheEnvironmentNamesTheVariable) {
  const ConfigError e = env_error({{"CASCOR_CASSANDRA_PORT", "99999"}});
  EXPECT_EQ(e.key(), "CASCOR_CASSANDRA_PORT");
  EXPECT_THAT(message(e), HasSubstr("CASCOR_CASSANDRA_PORT (backend.cassandra.port): invalid value "
                                    "\"99999\"; allowed: an integer 1..65535"));
}

TEST(ConfigPort, OutOfRangeInTheFileNamesTheLine) {
  EXPECT_THAT(message(yaml_error("\nbackend:\n  cassandra:\n    port: 70000\n")),
              HasSubstr(":4:5: backend.cassandra.port: invalid value \"70000\""));
}

TEST(ConfigConsistency, UnknownLevelListsEveryLevel) {
  const ConfigError e = yaml_error("backend: {cassandra: {consistency: {write: QUOROM}}}");
  EXPECT_EQ(e.key(), "backend.cassandra.consistency.write");
  EXPECT_THAT(message(e),
              HasSubstr("backend.cassandra.consistency.write: invalid value \"QUOROM\"; allowed: "
                        "ANY, ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, SERIAL, "
                        "LOCAL_SERIAL, LOCAL_ONE (any case)"));
}

TEST(ConfigConsistency, AnyIsNotAReadLevel) {
  EXPECT_THAT(message(override_error("backend.cassandra.consistency.read=any")),
              HasSubstr("invalid value \"any\" (Cassandra accepts ANY only for writes)"));
}

TEST(ConfigConsistency, SerialLevelsAreNotPlainWriteLevels) {
  EXPECT_THAT(message(override_error("backend.cassandra.consistency.write=LOCAL_SERIAL")),
              HasSubstr("serial levels apply only to lightweight transactions"));
}

TEST(ConfigBatchSize, MustBePositive) {
  for (const char* bad : {"0", "-5"}) {
    EXPECT_THAT(message(override_error(std::string("backend.cassandra.batch_size=") + bad)),
                HasSubstr("allowed: an integer >= 1 (metrics per batch)"));
  }
  EXPECT_THAT(message(env_error({{"CASCOR_CASSANDRA_BATCH_SIZE", "0"}})),
              HasSubstr("invalid value \"0\""));
}

TEST(ConfigMaxInFlight, MustBeBetween1And4096) {
  for (const char* bad : {"0", "-1", "4097"}) {
    EXPECT_THAT(message(override_error(std::string("backend.cassandra.max_in_flight=") + bad)),
                HasSubstr("backend.cassandra.max_in_flight: invalid value \"" + std::string(bad) +
                          "\"; allowed: an integer 1..4096"));
  }
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {max_in_flight: lots}}")),
              HasSubstr("backend.cassandra.max_in_flight: invalid value \"lots\""));
}

TEST(ConfigFlushInterval, MustBePositive) {
  for (const char* bad : {"0", "0s", "0ms", "-1", "-2s"}) {
    EXPECT_THAT(
        message(env_error({{"CASCOR_CASSANDRA_FLUSH_INTERVAL", bad}})),
        HasSubstr(std::string("CASCOR_CASSANDRA_FLUSH_INTERVAL (backend.cassandra.flush_interval): "
                              "invalid value \"") +
                  bad + "\"; allowed: a duration 1ms..24h"))
        << bad;
  }
}

TEST(ConfigDurations, RejectUnknownUnitsAndMoreThanADay) {
  EXPECT_THAT(
      message(yaml_error("backend: {cassandra: {connect_timeout: 10sec}}")),
      HasSubstr("backend.cassandra.connect_timeout: invalid value \"10sec\"; allowed: a duration"));
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {request_timeout: 25h}}")),
              HasSubstr("invalid value \"25h\""));
  EXPECT_THAT(message(yaml_error("writer: {retry_initial: 0}")),
              HasSubstr("writer.retry_initial: invalid value \"0\""));
}

TEST(ConfigPoolSize, MustBeAtLeastOne) {
  const ConfigError e = yaml_error("backend: {cassandra: {pool_size: 0}}");
  EXPECT_EQ(e.key(), "backend.cassandra.pool_size");
  EXPECT_THAT(message(e), HasSubstr("invalid value \"0\"; allowed: an integer >= 1"));
}

TEST(ConfigContactPoints, EmptyItemsAreRejected) {
  EXPECT_THAT(
      message(env_error({{"CASCOR_CASSANDRA_CONTACT_POINTS", "a,,b"}})),
      HasSubstr("CASCOR_CASSANDRA_CONTACT_POINTS (backend.cassandra.contact_points): invalid value "
                "\"a,,b\" (empty contact point); allowed: a non-empty list"));
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {contact_points: [a, '']}}")),
              HasSubstr("(empty contact point)"));
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {contact_points: ['a b']}}")),
              HasSubstr("contact point \"a b\" contains a space"));
}

TEST(ConfigContactPoints, AnEmptyListIsRejected) {
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {contact_points: []}}")),
              HasSubstr("(empty list)"));
}

TEST(ConfigKeyspace, MustBeAPlainCqlName) {
  for (const char* bad : {"bad-name", "1abc", "a b", "x'; DROP"}) {
    EXPECT_THAT(message(override_error(std::string("backend.cassandra.keyspace=") + bad)),
                HasSubstr("allowed: a CQL name"))
        << bad;
  }
}

TEST(ConfigAuth, EnabledWithoutUsernameIsRejected) {
  const ConfigError e =
      yaml_error("backend: {cassandra: {auth_provider: {enabled: true, password: x}}}");
  EXPECT_EQ(e.key(), "backend.cassandra.auth_provider.username");
  EXPECT_THAT(message(e), HasSubstr("backend.cassandra.auth_provider.enabled is true but "
                                    "backend.cassandra.auth_provider.username is empty"));
}

TEST(ConfigSsl, ACertificateWithoutItsKeyIsRejected) {
  const ConfigError e = yaml_error("backend: {cassandra: {ssl: {enabled: true, cert_file: /tls/c.pem}}}");
  EXPECT_EQ(e.key(), "backend.cassandra.ssl.key_file");
  EXPECT_EQ(message(e),
            "backend.cassandra.ssl.cert_file is set but backend.cassandra.ssl.key_file is empty; a client "
            "certificate needs both (mutual TLS), or set neither");
}

TEST(ConfigSsl, AKeyWithoutItsCertificateIsRejected) {
  const ConfigError e = env_error({{"CASCOR_CASSANDRA_SSL_KEY_FILE", "/tls/k.pem"}});
  EXPECT_EQ(e.key(), "backend.cassandra.ssl.cert_file");
  EXPECT_THAT(message(e), HasSubstr("backend.cassandra.ssl.key_file is set but backend.cassandra.ssl.cert_file "
                                    "is empty"));
}

TEST(ConfigSsl, ABadBooleanNamesTheKey) {
  EXPECT_EQ(message(env_error({{"CASCOR_CASSANDRA_SSL_VERIFY_HOSTNAME", "off"}})),
            "environment variable CASCOR_CASSANDRA_SSL_VERIFY_HOSTNAME (backend.cassandra.ssl.verify_hostname): "
            "invalid value \"off\"; allowed: true, false, yes, no, 1, 0");
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {ssl: {enabled: sure}}}")),
              HasSubstr("backend.cassandra.ssl.enabled: invalid value \"sure\""));
}

TEST(ConfigTtl, NegativeIsRejected) {
  const ConfigError e = yaml_error("ttl: {metrics: -1}");
  EXPECT_EQ(e.key(), "ttl.metrics");
  EXPECT_THAT(
      message(e),
      HasSubstr(
          "ttl.metrics: invalid value \"-1\"; allowed: seconds 0..630720000 (0 = never expire)"));
  EXPECT_THAT(message(override_error("ttl.runs=-60")),
              HasSubstr("override ttl.runs: invalid value \"-60\""));
}

TEST(ConfigTtl, AboveCassandrasMaximumIsRejected) {
  EXPECT_THAT(message(yaml_error("ttl: {runs: 630720001}")),
              HasSubstr("invalid value \"630720001\""));
}

TEST(ConfigReplication, MistakesAreNamed) {
  EXPECT_THAT(
      message(yaml_error("backend: {cassandra: {replication: {class: SimpleStrategy, dc1: 3}}}")),
      HasSubstr("SimpleStrategy needs exactly one entry, replication_factor"));
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {replication: {replication_factor: 3}}}")),
              HasSubstr("NetworkTopologyStrategy takes datacenter names, not replication_factor"));
  EXPECT_THAT(
      message(yaml_error("backend: {cassandra: {replication: {class: NetworkTopologyStrategy}}}")),
      HasSubstr("NetworkTopologyStrategy needs at least one datacenter"));
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {replication: {dc1: 0}}}")),
              HasSubstr("invalid replication factor \"0\" for dc1"));
  EXPECT_THAT(
      message(yaml_error("backend: {cassandra: {replication: {class: LocalStrategy, dc1: 1}}}")),
      HasSubstr("unknown class \"LocalStrategy\""));
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {replication: {\"dc'1\": 1}}}")),
              HasSubstr("invalid datacenter name \"dc'1\""));
  EXPECT_THAT(message(yaml_error("backend: {cassandra: {replication: 3}}")),
              HasSubstr("backend.cassandra.replication: invalid value \"3\"; allowed: a map"));
  EXPECT_THAT(message(override_error("backend.cassandra.replication={dc1: 1")),
              HasSubstr("(YAML: "));
}

TEST(ConfigWriter, EnumerationsListTheirValues) {
  EXPECT_THAT(message(yaml_error("writer: {overflow: discard}")),
              HasSubstr("writer.overflow: invalid value \"discard\"; allowed: spool, block, drop"));
  EXPECT_THAT(
      message(yaml_error("writer: {durability: fsync}")),
      HasSubstr("writer.durability: invalid value \"fsync\"; allowed: buffered, spool_each"));
}

TEST(ConfigWriter, BufferCapacityMustBePositive) {
  EXPECT_THAT(message(yaml_error("writer: {buffer_capacity: 0}")),
              HasSubstr("writer.buffer_capacity: invalid value \"0\""));
}

TEST(ConfigWriter, RetryInitialMustNotExceedRetryMax) {
  const ConfigError e = yaml_error("writer: {retry_initial: 2m, retry_max: 30s}");
  EXPECT_EQ(e.key(), "writer.retry_initial");
  EXPECT_THAT(message(e),
              HasSubstr("writer.retry_initial (2m) is longer than writer.retry_max (30s)"));
}

TEST(ConfigWriter, BatchMustFitInTheBuffer) {
  EXPECT_THAT(
      message(yaml_error("writer: {buffer_capacity: 10}")),
      HasSubstr("backend.cassandra.batch_size (100) is larger than writer.buffer_capacity (10)"));
}

// ---- secrets ----

TEST(ConfigSecrets, AWrongTypePasswordIsNotEchoed) {
  for (const char* yaml :
       {"backend: {cassandra: {auth_provider: {password: [hunter2]}}}",
        "backend: {cassandra: {auth_provider: {password: {hunter2: hunter2}}}}"}) {
    const std::string m = message(yaml_error(yaml));
    EXPECT_THAT(m, HasSubstr("backend.cassandra.auth_provider.password: invalid value"));
    EXPECT_THAT(m, Not(HasSubstr("hunter2")));
  }
}

TEST(ConfigSecrets, ASyntaxErrorInThePasswordLineIsNotEchoed) {
  const std::string m = message(
      yaml_error("backend:\n  cassandra:\n    auth_provider:\n      password: [\"hunter2\", x\n"));
  EXPECT_THAT(m, HasSubstr("YAML syntax error"));
  EXPECT_THAT(m, Not(HasSubstr("hunter2")));
}

TEST(ConfigSecrets, TheEnvironmentPasswordNeverAppearsInOtherErrors) {
  const std::string m = message(error_of({std::nullopt,
                                          test_env({{"CASSANDRA_PASSWORD", "hunter2"}}),
                                          {"backend.cassandra.auth_provider.enabled=true"}}));
  EXPECT_THAT(m, Not(HasSubstr("hunter2")));
}

TEST(ConfigSecrets, AMistypedPasswordOverrideIsNotEchoed) {
  const std::string m = message(override_error("backend.cassandra.auth_provider.pasword=hunter2"));
  EXPECT_THAT(m, HasSubstr("did you mean backend.cassandra.auth_provider.password?"));
  EXPECT_THAT(m, Not(HasSubstr("hunter2")));
}

TEST(ConfigSecrets, AnOverrideWithoutEqualsSignIsNotEchoedUnlessItIsAKeyName) {
  const ConfigError e =
      error_of({std::nullopt,
                test_env(),
                {"ttl.runs=1", "backend.cassandra.auth_provider.password:hunter2"}});
  EXPECT_EQ(e.key(), "");
  EXPECT_EQ(message(e),
            "override #2 (not shown): expected key=value, e.g. backend.cassandra.port=9043");
}

TEST(ConfigSecrets, APasswordFusedIntoAKeyNameIsNotEchoed) {
  // A missing space after the colon makes "password:hunter2" one unknown key.
  const ConfigError e = yaml_error("backend: {cassandra: {auth_provider: {password:hunter2}}}");
  EXPECT_EQ(e.key(), "backend.cassandra.auth_provider.password... (rest not shown)");
  EXPECT_THAT(message(e), HasSubstr("unknown key backend.cassandra.auth_provider.password... (rest "
                                    "not shown); did you mean "
                                    "backend.cassandra.auth_provider.password?"));
  EXPECT_THAT(message(e), Not(HasSubstr("hunter2")));
  EXPECT_THAT(
      message(error_of(
          {std::nullopt, test_env(), {"backend.cassandra.auth_provider.password hunter2=x"}})),
      Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace canopy::config_test

// ---- a Config built in code (validate_config, called by open_store) ----

namespace canopy::config_test {
namespace {

ConfigError validate_error(const Config& c) {
  try {
    validate_config(c);
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "validate_config accepted the config";
  return ConfigError("", "");
}

TEST(ConfigValidate, TheDefaultConfigIsValid) { EXPECT_NO_THROW(validate_config(Config{})); }

TEST(ConfigValidate, AKeyspaceThatIsNotACqlNameIsRejectedNamingTheKey) {
  Config c;
  c.cassandra.keyspace = "metrics; DROP KEYSPACE system_auth";
  const ConfigError e = validate_error(c);
  EXPECT_EQ(e.key(), "backend.cassandra.keyspace");
  EXPECT_THAT(message(e), HasSubstr("Config: backend.cassandra.keyspace: invalid value"));
}

TEST(ConfigValidate, EveryKeyIsCheckedAsTheLoaderChecksIt) {
  Config c;
  c.cassandra.batch_size = 0;
  EXPECT_EQ(validate_error(c).key(), "backend.cassandra.batch_size");
  c = Config{};
  c.cassandra.max_in_flight = 0;
  EXPECT_EQ(validate_error(c).key(), "backend.cassandra.max_in_flight");
  c = Config{};
  c.cassandra.replication = {{"dc'1", 3}};
  EXPECT_EQ(validate_error(c).key(), "backend.cassandra.replication");
  c = Config{};
  c.ttl.metrics_seconds = -1;
  EXPECT_EQ(validate_error(c).key(), "ttl.metrics");
  c = Config{};
  c.cassandra.request_timeout = std::chrono::milliseconds(0);
  EXPECT_EQ(validate_error(c).key(), "backend.cassandra.request_timeout");
  c = Config{};
  c.writer.retry_initial = std::chrono::milliseconds(20'000);  // > retry_max: a combination rule
  EXPECT_EQ(validate_error(c).key(), "writer.retry_initial");
}

TEST(ConfigValidate, UpperCaseKeyspaceIsRejectedWithItsLowerCaseSpelling) {
  Config c;
  c.cassandra.keyspace = "Canopy_Metrics";
  const ConfigError e = validate_error(c);
  EXPECT_EQ(e.key(), "backend.cassandra.keyspace");
  EXPECT_THAT(message(e), HasSubstr("lower case"));
  EXPECT_THAT(message(e), HasSubstr("\"canopy_metrics\""));
}

TEST(ConfigValidate, SpoolMaxBytesBelowOneSegmentIsRejected) {
  Config c;
  c.writer.spool_max_bytes = 1000;
  const ConfigError e = validate_error(c);
  EXPECT_EQ(e.key(), "writer.spool_max_bytes");
  EXPECT_THAT(message(e), HasSubstr("less than one spool segment"));
  c.writer.spool_max_bytes = 0;  // unlimited
  EXPECT_NO_THROW(validate_config(c));
}

}  // namespace
}  // namespace canopy::config_test
