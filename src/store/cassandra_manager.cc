#include "canopy/cassandra_manager.h"

namespace canopy {

CassandraManager::CassandraManager(std::optional<std::vector<std::string>> contact_points, Config config) {
  config.cassandra.enabled = true;
  if (contact_points) config.cassandra.contact_points = std::move(*contact_points);
  store_ = open_store(config);
}

CassandraManager::~CassandraManager() = default;

void CassandraManager::store_metric(const Uuid& run_id, const Metric& metric) { store_->store_metric(run_id, metric); }
void CassandraManager::flush_metrics(std::chrono::milliseconds timeout) { store_->flush_metrics(timeout); }
Uuid CassandraManager::create_run(const NewRun& run) { return store_->create_run(run); }
void CassandraManager::complete_run(const Uuid& run_id, const FinalMetrics& final_metrics, std::string_view status) {
  store_->complete_run(run_id, final_metrics, status);
}
void CassandraManager::store_topology(const NetworkTopology& topology) { store_->store_topology(topology); }
std::optional<Run> CassandraManager::get_run(const Uuid& run_id) { return store_->get_run(run_id); }
std::vector<Run> CassandraManager::list_runs(int limit, const std::optional<std::string>& status) {
  return store_->list_runs(limit, status);
}
std::vector<Run> CassandraManager::list_runs(const RunQuery& query) { return store_->list_runs(query); }
Run CassandraManager::update_run(const Uuid& run_id, const RunUpdate& update) {
  return store_->update_run(run_id, update);
}
void CassandraManager::delete_run(const Uuid& run_id) { store_->delete_run(run_id); }
std::vector<Run> CassandraManager::reap_runs(std::chrono::milliseconds idle, bool dry_run) {
  return store_->reap_runs(idle, dry_run);
}
Series CassandraManager::series(const Uuid& run_id, std::string_view field, int points,
                                std::optional<Timestamp> start_time, std::optional<Timestamp> end_time) {
  return store_->series(run_id, field, points, start_time, end_time);
}
RunSummary CassandraManager::summary(const Uuid& run_id) { return store_->summary(run_id); }
std::uint64_t CassandraManager::rebuild_rollups(const Uuid& run_id) { return store_->rebuild_rollups(run_id); }
std::vector<Run> CassandraManager::list_runs_by_dataset(std::string_view dataset_name, int limit) {
  return store_->list_runs_by_dataset(dataset_name, limit);
}
std::vector<Metric> CassandraManager::query_metrics(const Uuid& run_id, std::optional<Timestamp> start_time,
                                                    std::optional<Timestamp> end_time, int limit) {
  return store_->query_metrics(run_id, start_time, end_time, limit);
}
std::unique_ptr<MetricCursor> CassandraManager::open_metric_cursor(const Uuid& run_id,
                                                                   std::optional<Timestamp> start_time,
                                                                   std::optional<Timestamp> end_time, int page_size) {
  return store_->open_metric_cursor(run_id, start_time, end_time, page_size);
}
std::vector<NetworkTopology> CassandraManager::query_topology(const Uuid& run_id, int limit) {
  return store_->query_topology(run_id, limit);
}
RunVerification CassandraManager::verify_run(const Uuid& run_id) { return store_->verify_run(run_id); }
WriterCounters CassandraManager::counters() const { return store_->counters(); }
std::optional<RequestLatency> CassandraManager::request_latency() { return store_->request_latency(); }
std::string CassandraManager::describe() const { return store_->describe(); }
void CassandraManager::close() { store_->close(); }

}  // namespace canopy
