// MetricsStoreImpl: the MetricsStore behind open_store(): a StoreBackend
// plus the Writer that feeds it. Backend-independent logic lives here:
// create_run defaults, complete_run's derived fields, argument checks,
// keyset-paged cursors.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "canopy/metrics_store.h"
#include "store/backend.h"
#include "store/rollup_sink.h"
#include "store/writer.h"

namespace canopy::store {

class MetricsStoreImpl final : public MetricsStore {
 public:
  // Starts the writer over `backend` (throws SpoolError). clock nullptr →
  // system clock; it must outlive the store.
  MetricsStoreImpl(std::unique_ptr<StoreBackend> backend, const WriterOptions& options, Clock* clock = nullptr);
  ~MetricsStoreImpl() override;

  void store_metric(const Uuid& run_id, const Metric& metric) override;
  void flush_metrics(std::chrono::milliseconds timeout) override;
  using MetricsStore::create_run;
  Uuid create_run(const NewRun& run) override;
  void complete_run(const Uuid& run_id, const FinalMetrics& final_metrics, std::string_view status) override;
  void store_topology(const NetworkTopology& topology) override;
  Run update_run(const Uuid& run_id, const RunUpdate& update) override;
  void delete_run(const Uuid& run_id) override;
  std::vector<Run> reap_runs(std::chrono::milliseconds idle, bool dry_run) override;
  std::optional<Run> get_run(const Uuid& run_id) override;
  std::vector<Run> list_runs(int limit, const std::optional<std::string>& status) override;
  std::vector<Run> list_runs_by_dataset(std::string_view dataset_name, int limit) override;
  std::vector<Run> list_runs(const RunQuery& query) override;
  Series series(const Uuid& run_id, std::string_view field, int points, std::optional<Timestamp> start_time,
                std::optional<Timestamp> end_time) override;
  RunSummary summary(const Uuid& run_id) override;
  std::uint64_t rebuild_rollups(const Uuid& run_id) override;
  std::vector<Metric> query_metrics(const Uuid& run_id, std::optional<Timestamp> start_time,
                                    std::optional<Timestamp> end_time, int limit) override;
  std::unique_ptr<MetricCursor> open_metric_cursor(const Uuid& run_id, std::optional<Timestamp> start_time,
                                                   std::optional<Timestamp> end_time, int page_size) override;
  std::vector<NetworkTopology> query_topology(const Uuid& run_id, int limit) override;
  RunVerification verify_run(const Uuid& run_id) override;
  WriterCounters counters() const override;
  std::optional<RequestLatency> request_latency() override { return backend_->request_latency(); }
  std::string describe() const override;
  void close() override;

  Writer& writer() { return *writer_; }
  StoreBackend& backend() { return *backend_; }
  RollupSink* rollup_sink() { return rollups_.get(); }

 private:
  void close_with(std::chrono::milliseconds timeout);
  // ClosedError once close() began.
  void check_open(const char* operation) const;
  void flush_rollups();

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<RollupSink> rollups_;  // between the writer and the backend
  std::unique_ptr<Writer> writer_;
  std::mutex close_mu_;
  std::atomic<bool> closed_{false};
};

// The backend's part of open_store(), exposed for tests that bring their
// own clock or spool directory.
std::unique_ptr<StoreBackend> open_backend(const Config& config);
WriterOptions writer_options(const Config& config);

}  // namespace canopy::store
