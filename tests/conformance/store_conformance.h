// The conformance suite's view of a backend. store_conformance_test.cc
// holds the tests; each backend links them with its own implementation of
// these functions (store_conformance_sqlite.cc, store_conformance_cassandra.cc),
// giving one test binary per backend with its own ctest label.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "canopy/config.h"
#include "canopy/uuid.h"

namespace canopy::conformance {

// Name printed in failure messages ("sqlite", "cassandra").
const char* backend_name();
// A config naming a fresh, empty store of this backend; `scratch` is an
// empty directory the test owns (spool, database file).
Config fresh_config(const std::string& scratch);
// Removes what fresh_config created on a server (keyspace); called at the end
// of every test.
void cleanup(const Config& config);
// Deletes the run's metric rows with first_ms <= timestamp <= last_ms
// directly in the database, behind the store's back (verify_run's tests).
void delete_metrics_behind_the_store(const Config& config, const Uuid& run_id, std::int64_t first_ms,
                                     std::int64_t last_ms);

// Rows holding the run in each table of the backend, read directly from the
// database: table name → count (every table that has a run_id column).
std::map<std::string, std::int64_t> rows_of_run(const Config& config, const Uuid& run_id);

}  // namespace canopy::conformance
