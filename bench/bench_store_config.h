// The store benchmarks' Cassandra: one local node, a keyspace of their own,
// replication factor 1.
#pragma once

#include <string>

#include "canopy/config.h"

inline void use_bench_node(canopy::Config& c, const std::string& hosts, const std::string& keyspace) {
  c.cassandra.enabled = true;
  c.cassandra.contact_points = {hosts};
  c.cassandra.keyspace = keyspace;
  c.cassandra.replication_class = "SimpleStrategy";
  c.cassandra.replication = {{"replication_factor", 1}};
}
