// The conformance suite's view of a backend. store_conformance_test.cc
// holds the tests; each backend links them with its own implementation of
// these functions (store_conformance_sqlite.cc, store_conformance_cassandra.cc),
// giving one test binary per backend with its own ctest label.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "canopy/config.h"
#include "canopy/metrics_store.h"
#include "canopy/uuid.h"
#include "unit/store_test_util.h"

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

inline constexpr std::int64_t kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
inline Timestamp ts(std::int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }

// What every suite on a backend starts from: a fresh store per test, opened
// in SetUp; closed and cleaned up in TearDown, so no test sees another's data.
class StoreFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = fresh_config(tmp_.path());
    store_ = open_store(config_);
  }
  void TearDown() override {
    close_store();
    cleanup(config_);
  }
  // Closes what the test has open on the store. A suite that opens more
  // overrides it: cleanup() may drop what is still open.
  virtual void close_store() {
    if (store_) store_->close();
    store_.reset();
  }

  store::TempDir tmp_;
  Config config_;
  std::unique_ptr<MetricsStore> store_;
};

}  // namespace canopy::conformance
