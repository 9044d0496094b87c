// canopy::CassandraManager — the reference's entry point, kept under its name:
// a MetricsStore that is always the Cassandra backend.
//
//   canopy::CassandraManager m;                           // contact points from config
//   canopy::CassandraManager m2({{"10.0.0.1", "10.0.0.2"}}, cfg);
//
// The constructor connects, applies the schema (idempotent) and replays the
// spool; it throws like open_store(). Every method is MetricsStore's.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "canopy/config.h"
#include "canopy/metrics_store.h"

namespace canopy {

class CassandraManager final : public MetricsStore {
 public:
  // contact_points unset → config.cassandra.contact_points. The Cassandra
  // backend is used whatever config.cassandra.enabled says.
  explicit CassandraManager(std::optional<std::vector<std::string>> contact_points = std::nullopt,
                            Config config = Config{});
  ~CassandraManager() override;

  void store_metric(const Uuid& run_id, const Metric& metric) override;
  void flush_metrics(std::chrono::milliseconds timeout = kDefaultFlushTimeout) override;
  using MetricsStore::create_run;
  Uuid create_run(const NewRun& run) override;
  void complete_run(const Uuid& run_id, const FinalMetrics& final_metrics,
                    std::string_view status = kStatusCompleted) override;
  void store_topology(const NetworkTopology& topology) override;
  Run update_run(const Uuid& run_id, const RunUpdate& update) override;
  void delete_run(const Uuid& run_id) override;
  std::vector<Run> reap_runs(std::chrono::milliseconds idle, bool dry_run = true) override;
  std::optional<Run> get_run(const Uuid& run_id) override;
  std::vector<Run> list_runs(int limit = 100, const std::optional<std::string>& status = std::nullopt) override;
  std::vector<Run> list_runs_by_dataset(std::string_view dataset_name, int limit = 100) override;
  std::vector<Run> list_runs(const RunQuery& query) override;
  Series series(const Uuid& run_id, std::string_view field, int points,
                std::optional<Timestamp> start_time = std::nullopt,
                std::optional<Timestamp> end_time = std::nullopt) override;
  RunSummary summary(const Uuid& run_id) override;
  std::uint64_t rebuild_rollups(const Uuid& run_id) override;
  std::vector<Metric> query_metrics(const Uuid& run_id, std::optional<Timestamp> start_time = std::nullopt,
                                    std::optional<Timestamp> end_time = std::nullopt, int limit = 1000) override;
  std::unique_ptr<MetricCursor> open_metric_cursor(const Uuid& run_id, std::optional<Timestamp> start_time = std::nullopt,
                                                   std::optional<Timestamp> end_time = std::nullopt,
                                                   int page_size = 5000) override;
  std::vector<NetworkTopology> query_topology(const Uuid& run_id, int limit = 100) override;
  RunVerification verify_run(const Uuid& run_id) override;
  WriterCounters counters() const override;
  std::optional<RequestLatency> request_latency() override;
  std::string describe() const override;
  void close() override;

 private:
  std::unique_ptr<MetricsStore> store_;
};

}  // namespace canopy
