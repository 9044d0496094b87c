// The store's Cassandra schema as text, for `canopy-store schema print` and
// anyone who wants to create the tables themselves (docs/schema.md).
// Opening a Cassandra store applies the same statements.
#pragma once

#include <string>
#include <vector>

#include "canopy/config.h"

namespace canopy {

// The CQL statements that create the keyspace and tables for config, in the
// order the store runs them (each IF NOT EXISTS, without the trailing ';').
// Throws Unavailable when the store was built without the CQL client.
std::vector<std::string> cassandra_schema_statements(const Config& config);

}  // namespace canopy
