// Used when the build has no CQL client (target canopy_cql absent).
#include "canopy/errors.h"
#include "store/cassandra_backend.h"

namespace canopy::store {

std::unique_ptr<StoreBackend> make_cassandra_backend(const Config&, CassandraWriteMode) {
  throw Unavailable("this canopy_store was built without the CQL client (src/cql): the Cassandra backend is unavailable");
}

}  // namespace canopy::store
