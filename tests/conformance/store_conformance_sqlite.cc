#include "conformance/store_conformance.h"

namespace canopy::conformance {

const char* backend_name() { return "sqlite"; }

Config fresh_config(const std::string& scratch) {
  Config c;
  c.cassandra.enabled = false;
  c.embedded.path = scratch + "/metrics.db";
  c.writer.spool_dir = scratch + "/spool";
  c.cassandra.flush_interval = std::chrono::milliseconds(50);
  return c;
}

void cleanup(const Config&) {}

}  // namespace canopy::conformance
