// load_config on valid input: defaults, every key from the file, the
// environment variables, overrides, precedence, default paths, dump_config.
#include <gtest/gtest.h>

#include "unit/config_test_util.h"

namespace canopy::config_test {
namespace {

using std::chrono::milliseconds;

TEST(ConfigDefaults, MatchTheReference) {
  const Config c = load_config({std::nullopt, test_env(), {}});
  EXPECT_FALSE(c.cassandra.enabled);
  EXPECT_EQ(c.cassandra.contact_points, std::vector<std::string>{"localhost"});
  EXPECT_EQ(c.cassandra.port, 9042);
  EXPECT_EQ(c.cassandra.keyspace, "cascor");
  EXPECT_FALSE(c.cassandra.auth_provider.enabled);
  EXPECT_FALSE(c.cassandra.ssl.enabled);
  EXPECT_EQ(c.cassandra.ssl.ca_file, "");
  EXPECT_EQ(c.cassandra.ssl.cert_file, "");
  EXPECT_EQ(c.cassandra.ssl.key_file, "");
  EXPECT_TRUE(c.cassandra.ssl.verify_hostname);  // verification on unless turned off
  EXPECT_EQ(c.cassandra.pool_size, 10);
  EXPECT_EQ(c.cassandra.connect_timeout, milliseconds(10'000));
  EXPECT_EQ(c.cassandra.request_timeout, milliseconds(10'000));
  EXPECT_EQ(c.cassandra.batch_size, 100);
  EXPECT_EQ(c.cassandra.max_in_flight, 64);
  EXPECT_EQ(c.cassandra.flush_interval, milliseconds(5'000));
  EXPECT_EQ(c.cassandra.consistency.write, "ONE");
  EXPECT_EQ(c.cassandra.consistency.read, "ONE");
  EXPECT_EQ(c.cassandra.replication_class, "NetworkTopologyStrategy");
  EXPECT_EQ(c.cassandra.replication, (std::map<std::string, int>{{"datacenter1", 3}}));
  EXPECT_EQ(c.ttl.metrics_seconds, 2'592'000);
  EXPECT_EQ(c.ttl.runs_seconds, 0);
  EXPECT_EQ(c.writer.overflow, OverflowPolicy::kSpool);
  EXPECT_EQ(c.writer.durability, Durability::kSpoolEach);
}

TEST(ConfigDefaults, EmbeddedPathIsUnderHomeWhenXdgDataHomeIsUnset) {
  const Config c = load_env({});
  EXPECT_EQ(c.embedded.path, "/home/tester/.local/share/canopy-store/metrics.db");
  EXPECT_EQ(c.writer.spool_dir, "/home/tester/.local/share/canopy-store/metrics.db-spool");
}

TEST(ConfigDefaults, EmbeddedPathFollowsXdgDataHome) {
  const Config c = load_env({{"XDG_DATA_HOME", "/data/xdg"}});
  EXPECT_EQ(c.embedded.path, "/data/xdg/canopy-store/metrics.db");
  EXPECT_EQ(c.writer.spool_dir, "/data/xdg/canopy-store/metrics.db-spool");
}

TEST(ConfigDefaults, RelativeXdgDataHomeIsIgnoredAsTheSpecSays) {
  EXPECT_EQ(load_env({{"XDG_DATA_HOME", "relative/dir"}}).embedded.path,
            "/home/tester/.local/share/canopy-store/metrics.db");
}

TEST(ConfigDefaults, SpoolDirSitsNextToAConfiguredDatabase) {
  EXPECT_EQ(load_overrides({"backend.embedded.path=/srv/canopy/m.db"}).writer.spool_dir,
            "/srv/canopy/m.db-spool");
}

TEST(ConfigDefaults, EachStoreHasItsOwnSpool) {
  // A Cassandra store's spool must never be replayed into the embedded store
  // (or into another keyspace), so the defaults differ.
  const Config sqlite = load_overrides({"backend.embedded.path=/srv/canopy/m.db"});
  const Config ks1 = load_overrides({"backend.embedded.path=/srv/canopy/m.db",
                                     "backend.cassandra.enabled=true"});
  const Config ks2 = load_overrides({"backend.embedded.path=/srv/canopy/m.db",
                                     "backend.cassandra.enabled=true",
                                     "backend.cassandra.keyspace=other"});
  EXPECT_EQ(ks1.writer.spool_dir, "/srv/canopy/spool-cassandra-cascor");
  EXPECT_EQ(ks2.writer.spool_dir, "/srv/canopy/spool-cassandra-other");
  EXPECT_NE(sqlite.writer.spool_dir, ks1.writer.spool_dir);
}

TEST(ConfigFile, EveryKeyIsRead) {
  const Config c = load_yaml(R"(
backend:
  cassandra:
    enabled: true
    contact_points: [10.0.0.1, 10.0.0.2]
    port: 9043
    keyspace: cascor_test
    auth_provider:
      enabled: true
      username: alice
      password: s3cret
    ssl:
      enabled: true
      ca_file: /etc/canopy/ca.pem
      cert_file: /etc/canopy/client.pem
      key_file: /etc/canopy/client-key.pem
      verify_hostname: false
    pool_size: 4
    connect_timeout: 3
    request_timeout: 500ms
    batch_size: 250
    max_in_flight: 16
    flush_interval: 2m
    consistency:
      write: local_quorum
      read: QUORUM
    replication: {class: NetworkTopologyStrategy, dc1: 3, dc2: 2}
  embedded:
    path: /var/lib/canopy/metrics.db
ttl:
  metrics: 86400
  runs: 31536000
writer:
  buffer_capacity: 5000
  overflow: block
  durability: buffered
  spool_dir: /var/spool/canopy
  retry_initial: 250ms
  retry_max: 30s
)");
  EXPECT_TRUE(c.cassandra.enabled);
  EXPECT_EQ(c.cassandra.contact_points, (std::vector<std::string>{"10.0.0.1", "10.0.0.2"}));
  EXPECT_EQ(c.cassandra.port, 9043);
  EXPECT_EQ(c.cassandra.keyspace, "cascor_test");
  EXPECT_TRUE(c.cassandra.auth_provider.enabled);
  EXPECT_EQ(c.cassandra.auth_provider.username, "alice");
  EXPECT_EQ(c.cassandra.auth_provider.password, "s3cret");
  EXPECT_TRUE(c.cassandra.ssl.enabled);
  EXPECT_EQ(c.cassandra.ssl.ca_file, "/etc/canopy/ca.pem");
  EXPECT_EQ(c.cassandra.ssl.cert_file, "/etc/canopy/client.pem");
  EXPECT_EQ(c.cassandra.ssl.key_file, "/etc/canopy/client-key.pem");
  EXPECT_FALSE(c.cassandra.ssl.verify_hostname);
  EXPECT_EQ(c.cassandra.pool_size, 4);
  EXPECT_EQ(c.cassandra.connect_timeout, milliseconds(3'000));
  EXPECT_EQ(c.cassandra.request_timeout, milliseconds(500));
  EXPECT_EQ(c.cassandra.batch_size, 250);
  EXPECT_EQ(c.cassandra.max_in_flight, 16);
  EXPECT_EQ(c.cassandra.flush_interval, milliseconds(120'000));
  EXPECT_EQ(c.cassandra.consistency.write, "LOCAL_QUORUM");
  EXPECT_EQ(c.cassandra.consistency.read, "QUORUM");
  EXPECT_EQ(c.cassandra.replication_class, "NetworkTopologyStrategy");
  EXPECT_EQ(c.cassandra.replication, (std::map<std::string, int>{{"dc1", 3}, {"dc2", 2}}));
  EXPECT_EQ(c.embedded.path, "/var/lib/canopy/metrics.db");
  EXPECT_EQ(c.ttl.metrics_seconds, 86'400);
  EXPECT_EQ(c.ttl.runs_seconds, 31'536'000);
  EXPECT_EQ(c.writer.buffer_capacity, 5000u);
  EXPECT_EQ(c.writer.overflow, OverflowPolicy::kBlock);
  EXPECT_EQ(c.writer.durability, Durability::kBuffered);
  EXPECT_EQ(c.writer.spool_dir, "/var/spool/canopy");
  EXPECT_EQ(c.writer.retry_initial, milliseconds(250));
  EXPECT_EQ(c.writer.retry_max, milliseconds(30'000));
}

TEST(ConfigFile, TheReferenceExampleLoads) {
  // The reference's configuration example (docs/schema.md says what the
  // reference is), verbatim in shape: numbers of seconds, null username.
  const Config c = load_yaml(R"(
backend:
  cassandra:
    enabled: false
    contact_points:
      - "localhost"
    port: 9042
    keyspace: "cascor"
    auth_provider:
      enabled: false
      username: null
      password: null
    pool_size: 10
    connect_timeout: 10
    request_timeout: 10
    batch_size: 100
    flush_interval: 5
    consistency:
      write: "ONE"
      read: "ONE"
)");
  EXPECT_EQ(c.cassandra.connect_timeout, milliseconds(10'000));
  EXPECT_EQ(c.cassandra.flush_interval, milliseconds(5'000));
  EXPECT_EQ(c.cassandra.auth_provider.username, "");
  EXPECT_EQ(c.cassandra.keyspace, "cascor");
}

TEST(ConfigFile, AnEmptyFileOrEmptySectionChangesNothing) {
  EXPECT_EQ(load_yaml("").cassandra.port, 9042);
  EXPECT_EQ(load_yaml("# only a comment\n").cassandra.port, 9042);
  EXPECT_EQ(load_yaml("backend:\nttl:\n").ttl.metrics_seconds, 2'592'000);
}

TEST(ConfigFile, OneKeyLeavesTheOthersAtTheirDefaults) {
  const Config c = load_yaml("backend:\n  cassandra:\n    port: 9999\n");
  EXPECT_EQ(c.cassandra.port, 9999);
  EXPECT_EQ(c.cassandra.keyspace, "cascor");
  EXPECT_EQ(c.cassandra.batch_size, 100);
}

TEST(ConfigFile, ContactPointsMayBeACommaSeparatedString) {
  EXPECT_EQ(load_yaml("backend: {cassandra: {contact_points: 'a, b'}}").cassandra.contact_points,
            (std::vector<std::string>{"a", "b"}));
}

TEST(ConfigFile, ReplicationMapReplacesTheDefaultOne) {
  const Config c = load_yaml(
      "backend:\n  cassandra:\n    replication: {class: SimpleStrategy, replication_factor: 1}\n");
  EXPECT_EQ(c.cassandra.replication_class, "SimpleStrategy");
  EXPECT_EQ(c.cassandra.replication, (std::map<std::string, int>{{"replication_factor", 1}}));
}

TEST(ConfigFile, ReplicationClassDefaultsToNetworkTopologyAndAcceptsTheJavaName) {
  EXPECT_EQ(load_yaml("backend: {cassandra: {replication: {dc9: 1}}}").cassandra.replication_class,
            "NetworkTopologyStrategy");
  EXPECT_EQ(
      load_yaml("backend: {cassandra: {replication: "
                "{class: org.apache.cassandra.locator.SimpleStrategy, replication_factor: 2}}}")
          .cassandra.replication_class,
      "SimpleStrategy");
}

TEST(ConfigFile, HomeIsExpandedInPaths) {
  const Config c = load_yaml(
      "backend: {embedded: {path: ~/m.db}, cassandra: {ssl: {ca_file: ~/ca.pem, cert_file: ~/c.pem, "
      "key_file: ~/k.pem}}}\nwriter: {spool_dir: ~/sp}\n");
  EXPECT_EQ(c.embedded.path, "/home/tester/m.db");
  EXPECT_EQ(c.writer.spool_dir, "/home/tester/sp");
  EXPECT_EQ(c.cassandra.ssl.ca_file, "/home/tester/ca.pem");
  EXPECT_EQ(c.cassandra.ssl.cert_file, "/home/tester/c.pem");
  EXPECT_EQ(c.cassandra.ssl.key_file, "/home/tester/k.pem");
}

TEST(ConfigFile, EveryOverflowAndDurabilitySpellingIsRead) {
  EXPECT_EQ(load_yaml("writer: {overflow: spool}").writer.overflow, OverflowPolicy::kSpool);
  EXPECT_EQ(load_yaml("writer: {overflow: block}").writer.overflow, OverflowPolicy::kBlock);
  EXPECT_EQ(load_yaml("writer: {overflow: drop}").writer.overflow, OverflowPolicy::kDrop);
  EXPECT_EQ(load_yaml("writer: {durability: buffered}").writer.durability, Durability::kBuffered);
  EXPECT_EQ(load_yaml("writer: {durability: spool_each}").writer.durability,
            Durability::kSpoolEach);
}

TEST(ConfigFile, PortBoundsAreInclusive) {
  EXPECT_EQ(load_yaml("backend: {cassandra: {port: 1}}").cassandra.port, 1);
  EXPECT_EQ(load_yaml("backend: {cassandra: {port: 65535}}").cassandra.port, 65535);
}

TEST(ConfigFile, ZeroTtlMeansNeverExpire) {
  EXPECT_EQ(load_yaml("ttl: {metrics: 0}").ttl.metrics_seconds, 0);
}

TEST(ConfigEnvironment, EveryVariableIsRead) {
  const Config c = load_env({{"CASCOR_CASSANDRA_ENABLED", "yes"},
                             {"CASCOR_CASSANDRA_CONTACT_POINTS", "h1, h2,h3"},
                             {"CASCOR_CASSANDRA_PORT", "19042"},
                             {"CASCOR_CASSANDRA_KEYSPACE", "envks"},
                             {"CASSANDRA_USERNAME", "bob"},
                             {"CASSANDRA_PASSWORD", "pw"},
                             {"CASCOR_CASSANDRA_BATCH_SIZE", "50"},
                             {"CASCOR_CASSANDRA_FLUSH_INTERVAL", "250ms"},
                             {"CASCOR_CASSANDRA_SSL_ENABLED", "true"},
                             {"CASCOR_CASSANDRA_SSL_CA_FILE", "/tls/ca.pem"},
                             {"CASCOR_CASSANDRA_SSL_CERT_FILE", "/tls/client.pem"},
                             {"CASCOR_CASSANDRA_SSL_KEY_FILE", "/tls/client-key.pem"},
                             {"CASCOR_CASSANDRA_SSL_VERIFY_HOSTNAME", "no"},
                             {"CASCOR_CASSANDRA_LOCAL_DATACENTER", "dc2"},
                             {"CANOPY_EMBEDDED_PATH", "/tmp/e.db"}});
  EXPECT_TRUE(c.cassandra.enabled);
  EXPECT_EQ(c.cassandra.contact_points, (std::vector<std::string>{"h1", "h2", "h3"}));
  EXPECT_EQ(c.cassandra.port, 19042);
  EXPECT_EQ(c.cassandra.keyspace, "envks");
  EXPECT_EQ(c.cassandra.auth_provider.username, "bob");
  EXPECT_EQ(c.cassandra.auth_provider.password, "pw");
  EXPECT_FALSE(c.cassandra.auth_provider.enabled);  // credentials alone do not turn auth on
  EXPECT_EQ(c.cassandra.batch_size, 50);
  EXPECT_EQ(c.cassandra.flush_interval, milliseconds(250));
  EXPECT_TRUE(c.cassandra.ssl.enabled);
  EXPECT_EQ(c.cassandra.ssl.ca_file, "/tls/ca.pem");
  EXPECT_EQ(c.cassandra.ssl.cert_file, "/tls/client.pem");
  EXPECT_EQ(c.cassandra.ssl.key_file, "/tls/client-key.pem");
  EXPECT_FALSE(c.cassandra.ssl.verify_hostname);
  EXPECT_EQ(c.cassandra.local_datacenter, "dc2");
  EXPECT_EQ(c.embedded.path, "/tmp/e.db");
  EXPECT_EQ(c.writer.spool_dir, "/tmp/spool-cassandra-envks");
}

TEST(ConfigEnvironment, BooleansAcceptTrueFalseYesNoOneZero) {
  for (const char* yes : {"true", "TRUE", "yes", "1"}) {
    EXPECT_TRUE(load_env({{"CASCOR_CASSANDRA_ENABLED", yes}}).cassandra.enabled) << yes;
  }
  for (const char* no : {"false", "no", "0", "No"}) {
    EXPECT_FALSE(load_env({{"CASCOR_CASSANDRA_ENABLED", no}}).cassandra.enabled) << no;
  }
}

TEST(ConfigEnvironment, EmptyVariablesCountAsUnset) {
  const Config c = load_env({{"CASCOR_CASSANDRA_PORT", ""}, {"CASCOR_CASSANDRA_ENABLED", "  "}});
  EXPECT_EQ(c.cassandra.port, 9042);
  EXPECT_FALSE(c.cassandra.enabled);
}

TEST(ConfigEnvironment, SpacesAroundNumbersAreIgnored) {
  EXPECT_EQ(load_env({{"CASCOR_CASSANDRA_PORT", " 9050 "}}).cassandra.port, 9050);
}

TEST(ConfigEnvironment, StringsAreTakenVerbatim) {
  EXPECT_EQ(load_env({{"CASSANDRA_PASSWORD", " pass word "}}).cassandra.auth_provider.password,
            " pass word ");
}

TEST(ConfigEnvironment, UnrelatedVariablesAreIgnored) {
  EXPECT_EQ(load_env({{"PORT", "1"}, {"CASSANDRA_PORT", "2"}}).cassandra.port, 9042);
}

TEST(ConfigEnvironment, DefaultsToTheProcessEnvironment) {
  ::setenv("CASCOR_CASSANDRA_KEYSPACE", "from_process_env", 1);
  const Config c = load_config({});
  ::unsetenv("CASCOR_CASSANDRA_KEYSPACE");
  EXPECT_EQ(c.cassandra.keyspace, "from_process_env");
  EXPECT_EQ(process_environment().count("CASCOR_CASSANDRA_KEYSPACE"), 0u);
}

TEST(ConfigOverrides, SetAnyKey) {
  const Config c = load_overrides(
      {"backend.cassandra.port=9043", "backend.cassandra.contact_points=a,b",
       "backend.cassandra.consistency.read=all", "backend.cassandra.auth_provider.enabled=true",
       "backend.cassandra.auth_provider.username=u",
       "backend.cassandra.replication={class: SimpleStrategy, replication_factor: 1}",
       "ttl.runs=3600", "writer.overflow=drop", "writer.retry_max=1m"});
  EXPECT_EQ(c.cassandra.port, 9043);
  EXPECT_EQ(c.cassandra.contact_points, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.cassandra.consistency.read, "ALL");
  EXPECT_TRUE(c.cassandra.auth_provider.enabled);
  EXPECT_EQ(c.cassandra.replication_class, "SimpleStrategy");
  EXPECT_EQ(c.ttl.runs_seconds, 3600);
  EXPECT_EQ(c.writer.overflow, OverflowPolicy::kDrop);
  EXPECT_EQ(c.writer.retry_max, milliseconds(60'000));
}

TEST(ConfigOverrides, ValueMayContainEqualsSigns) {
  EXPECT_EQ(load_overrides({"backend.cassandra.auth_provider.password=a=b"})
                .cassandra.auth_provider.password,
            "a=b");
}

TEST(ConfigOverrides, ContactPointsMayBeAYamlFlowList) {
  EXPECT_EQ(load_overrides({"backend.cassandra.contact_points=[x, y]"}).cassandra.contact_points,
            (std::vector<std::string>{"x", "y"}));
}

TEST(ConfigOverrides, LaterOverridesWin) {
  EXPECT_EQ(
      load_overrides({"backend.cassandra.port=1000", "backend.cassandra.port=2000"}).cassandra.port,
      2000);
}

TEST(ConfigPrecedence, FileBeatsDefaults) {
  EXPECT_EQ(load_yaml("backend: {cassandra: {port: 1001}}").cassandra.port, 1001);
}

TEST(ConfigPrecedence, EnvironmentBeatsFile) {
  EXPECT_EQ(load_yaml("backend: {cassandra: {port: 1001}}", {{"CASCOR_CASSANDRA_PORT", "1002"}})
                .cassandra.port,
            1002);
}

TEST(ConfigPrecedence, OverridesBeatEnvironmentAndFile) {
  const Config c =
      load_yaml("backend: {cassandra: {port: 1001, keyspace: f}}",
                {{"CASCOR_CASSANDRA_PORT", "1002"}, {"CASCOR_CASSANDRA_KEYSPACE", "e"}},
                {"backend.cassandra.port=1003"});
  EXPECT_EQ(c.cassandra.port, 1003);
  EXPECT_EQ(c.cassandra.keyspace, "e");  // not overridden: the environment's value stands
}

TEST(ConfigPrecedence, EachSourceOnlyTouchesWhatItSets) {
  const Config c = load_yaml("backend: {cassandra: {batch_size: 7, pool_size: 3}}",
                             {{"CASCOR_CASSANDRA_BATCH_SIZE", "8"}});
  EXPECT_EQ(c.cassandra.batch_size, 8);
  EXPECT_EQ(c.cassandra.pool_size, 3);
}

TEST(ConfigPrecedence, CombinationRulesSeeTheMergedResult) {
  // auth enabled in the file, username only in the environment: valid.
  const Config c = load_yaml("backend: {cassandra: {auth_provider: {enabled: true}}}",
                             {{"CASSANDRA_USERNAME", "carol"}});
  EXPECT_EQ(c.cassandra.auth_provider.username, "carol");
}

TEST(ConfigDump, MasksThePassword) {
  const Config c = load_overrides({"backend.cassandra.auth_provider.password=hunter2-secret"});
  const std::string yaml = dump_config(c);
  EXPECT_EQ(yaml.find("hunter2-secret"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("password: \"****\""), std::string::npos) << yaml;
}

TEST(ConfigDump, ShowsAnEmptyPasswordAsEmpty) {
  EXPECT_NE(dump_config(load_overrides({})).find("password: \"\""), std::string::npos);
}

TEST(ConfigDump, ShowsEveryKey) {
  const std::string yaml = dump_config(load_overrides({}));
  for (const char* key : {"enabled:",
                          "contact_points:",
                          "port: 9042",
                          "keyspace: cascor",
                          "username:",
                          "ssl:\n      enabled: false\n      ca_file: \"\"\n      cert_file: \"\"\n"
                          "      key_file: \"\"\n      verify_hostname: true",
                          "pool_size: 10",
                          "connect_timeout: 10s",
                          "request_timeout: 10s",
                          "batch_size: 100",
                          "max_in_flight: 64",
                          "flush_interval: 5s",
                          "write: ONE",
                          "read: ONE",
                          "replication: {class: NetworkTopologyStrategy, datacenter1: 3}",
                          "path: /home/tester/.local/share/canopy-store/metrics.db",
                          "metrics: 2592000",
                          "runs: 0",
                          "buffer_capacity: 100000",
                          "overflow: spool",
                          "durability: spool_each",
                          "spool_dir:",
                          "retry_initial: 100ms",
                          "retry_max: 10s"}) {
    EXPECT_NE(yaml.find(key), std::string::npos) << key << " missing from\n" << yaml;
  }
}

TEST(ConfigDump, ReadsBackToTheSameConfig) {
  const Config original = load_overrides(
      {"backend.cassandra.enabled=true", "backend.cassandra.contact_points=n1,n2",
       "backend.cassandra.request_timeout=1500ms", "backend.cassandra.replication={dc1: 2, dc2: 1}",
       "writer.durability=buffered", "ttl.metrics=60", "backend.cassandra.ssl.enabled=true",
       "backend.cassandra.ssl.ca_file=/tls/ca.pem", "backend.cassandra.ssl.cert_file=/tls/c.pem",
       "backend.cassandra.ssl.key_file=/tls/k.pem", "backend.cassandra.ssl.verify_hostname=false"});
  const Config reread = load_yaml(dump_config(original));
  EXPECT_EQ(dump_config(reread), dump_config(original));
  EXPECT_EQ(reread.cassandra.request_timeout, milliseconds(1500));
  EXPECT_EQ(reread.cassandra.replication, original.cassandra.replication);
  EXPECT_TRUE(reread.cassandra.ssl.enabled);
  EXPECT_EQ(reread.cassandra.ssl.key_file, "/tls/k.pem");
  EXPECT_FALSE(reread.cassandra.ssl.verify_hostname);
}

TEST(ConfigCassandraClient, DeadlineAgreementAndDatacenterDefaultsAndOverrides) {
  const Config d = load_overrides({});
  EXPECT_EQ(d.cassandra.request_deadline, milliseconds(30'000));
  EXPECT_EQ(d.cassandra.schema_agreement_timeout, milliseconds(10'000));
  EXPECT_EQ(d.cassandra.local_datacenter, "");
  const Config c = load_overrides({"backend.cassandra.request_deadline=0", "backend.cassandra.schema_agreement_timeout=1m",
                                   "backend.cassandra.local_datacenter=dc1"});
  EXPECT_EQ(c.cassandra.request_deadline, milliseconds(0));
  EXPECT_EQ(c.cassandra.schema_agreement_timeout, milliseconds(60'000));
  EXPECT_EQ(c.cassandra.local_datacenter, "dc1");
  const Config reread = load_yaml(dump_config(c));
  EXPECT_EQ(dump_config(reread), dump_config(c));
  EXPECT_EQ(reread.cassandra.request_deadline, milliseconds(0));
}

TEST(ConfigCassandraClient, DeadlineShorterThanTheAttemptTimeoutIsRefusedNamingBothKeys) {
  try {
    load_overrides({"backend.cassandra.request_timeout=10s", "backend.cassandra.request_deadline=5s"});
    FAIL() << "loaded";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "backend.cassandra.request_deadline");
    EXPECT_NE(std::string(e.what()).find("backend.cassandra.request_timeout (10s)"), std::string::npos) << e.what();
  }
  try {
    load_overrides({"backend.cassandra.local_datacenter=dc 1"});
    FAIL() << "loaded";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "backend.cassandra.local_datacenter");
  }
}

TEST(ConfigEnums, SpellTheYamlValues) {
  EXPECT_EQ(to_string(OverflowPolicy::kBlock), "block");
  EXPECT_EQ(to_string(Durability::kSpoolEach), "spool_each");
}

}  // namespace
}  // namespace canopy::config_test
