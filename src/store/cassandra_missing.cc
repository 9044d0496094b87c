// Used when the build has no CQL client (target canopy_cql absent).
#include "canopy/errors.h"
#include "canopy/schema.h"
#include "store/cassandra_backend.h"

namespace canopy::store {

bool cassandra_backend_built() { return false; }

std::unique_ptr<StoreBackend> make_cassandra_backend(const Config&, CassandraWriteMode) {
  throw Unavailable("this canopy_store was built without the CQL client (src/cql): the Cassandra backend is unavailable");
}

}  // namespace canopy::store

namespace canopy {

std::vector<std::string> cassandra_schema_statements(const Config&) {
  throw Unavailable("this canopy_store was built without the CQL client (src/cql): no Cassandra schema");
}

}  // namespace canopy
