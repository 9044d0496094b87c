// dump_config: the effective configuration as YAML that load_config reads
// back, with the password masked.
#include <yaml-cpp/yaml.h>

#include "canopy/config.h"
#include "config/value_parse.h"

namespace canopy {

namespace {

using config_detail::format_duration;

constexpr const char* kMask = "****";

void emit_cassandra(YAML::Emitter& out, const CassandraConfig& c) {
  out << YAML::Key << "cassandra" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << c.enabled;
  out << YAML::Key << "contact_points" << YAML::Value << YAML::Flow << c.contact_points;
  out << YAML::Key << "port" << YAML::Value << c.port;
  out << YAML::Key << "keyspace" << YAML::Value << c.keyspace;
  out << YAML::Key << "auth_provider" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << c.auth_provider.enabled;
  out << YAML::Key << "username" << YAML::Value << c.auth_provider.username;
  out << YAML::Key << "password" << YAML::Value << (c.auth_provider.password.empty() ? "" : kMask);
  out << YAML::EndMap;
  out << YAML::Key << "ssl" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << c.ssl.enabled;
  out << YAML::Key << "ca_file" << YAML::Value << c.ssl.ca_file;
  out << YAML::Key << "cert_file" << YAML::Value << c.ssl.cert_file;
  out << YAML::Key << "key_file" << YAML::Value << c.ssl.key_file;
  out << YAML::Key << "verify_hostname" << YAML::Value << c.ssl.verify_hostname;
  out << YAML::EndMap;
  out << YAML::Key << "pool_size" << YAML::Value << c.pool_size;
  out << YAML::Key << "connect_timeout" << YAML::Value << format_duration(c.connect_timeout);
  out << YAML::Key << "request_timeout" << YAML::Value << format_duration(c.request_timeout);
  out << YAML::Key << "request_deadline" << YAML::Value << format_duration(c.request_deadline);
  out << YAML::Key << "schema_agreement_timeout" << YAML::Value << format_duration(c.schema_agreement_timeout);
  out << YAML::Key << "local_datacenter" << YAML::Value << c.local_datacenter;
  out << YAML::Key << "batch_size" << YAML::Value << c.batch_size;
  out << YAML::Key << "max_in_flight" << YAML::Value << c.max_in_flight;
  out << YAML::Key << "flush_interval" << YAML::Value << format_duration(c.flush_interval);
  out << YAML::Key << "consistency" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "write" << YAML::Value << c.consistency.write;
  out << YAML::Key << "read" << YAML::Value << c.consistency.read;
  out << YAML::EndMap;
  out << YAML::Key << "replication" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "class" << YAML::Value << c.replication_class;
  for (const auto& [datacenter, replicas] : c.replication) {
    out << YAML::Key << datacenter << YAML::Value << replicas;
  }
  out << YAML::EndMap;
  out << YAML::EndMap;
}

}  // namespace

std::string dump_config(const Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "backend" << YAML::Value << YAML::BeginMap;
  emit_cassandra(out, config.cassandra);
  out << YAML::Key << "embedded" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "path" << YAML::Value << config.embedded.path;
  out << YAML::EndMap;
  out << YAML::EndMap;

  out << YAML::Key << "ttl" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "metrics" << YAML::Value << config.ttl.metrics_seconds;
  out << YAML::Key << "runs" << YAML::Value << config.ttl.runs_seconds;
  out << YAML::EndMap;

  const WriterConfig& w = config.writer;
  out << YAML::Key << "writer" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "buffer_capacity" << YAML::Value << w.buffer_capacity;
  out << YAML::Key << "overflow" << YAML::Value << std::string(to_string(w.overflow));
  out << YAML::Key << "durability" << YAML::Value << std::string(to_string(w.durability));
  out << YAML::Key << "spool_dir" << YAML::Value << w.spool_dir;
  out << YAML::Key << "spool_max_bytes" << YAML::Value << w.spool_max_bytes;
  out << YAML::Key << "retry_initial" << YAML::Value << format_duration(w.retry_initial);
  out << YAML::Key << "retry_max" << YAML::Value << format_duration(w.retry_max);
  out << YAML::Key << "rollups" << YAML::Value << w.rollups;
  out << YAML::EndMap;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace canopy
