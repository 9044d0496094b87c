#include "store/store_impl.h"

#include <cmath>

#include "canopy/errors.h"
#include "store/run_verify.h"
#include "store/series_reader.h"

namespace canopy::store {
namespace {

void check_limit(int limit, const char* what) {
  if (limit < 1) throw InvalidArgument(std::string(what) + ": limit must be at least 1, got " + std::to_string(limit));
}

class KeysetCursor final : public MetricCursor {
 public:
  KeysetCursor(StoreBackend& backend, Uuid run_id, std::optional<Timestamp> start, std::optional<Timestamp> end,
               int page_size)
      : backend_(backend), run_id_(run_id), start_(start), end_(end), page_size_(page_size) {}

  bool next_page(std::vector<Metric>& page) override {
    page.clear();
    if (done_) return false;
    page = backend_.read_metrics(run_id_, start_, end_, before_, page_size_);
    if (static_cast<int>(page.size()) < page_size_) done_ = true;
    if (page.empty()) return false;
    before_ = MetricKey{*page.back().timestamp, *page.back().step};
    return true;
  }

 private:
  StoreBackend& backend_;
  Uuid run_id_;
  std::optional<Timestamp> start_, end_;
  int page_size_;
  std::optional<MetricKey> before_;
  bool done_ = false;
};

}  // namespace

MetricsStoreImpl::MetricsStoreImpl(std::unique_ptr<StoreBackend> backend, const WriterOptions& options, Clock* clock)
    : backend_(std::move(backend)) {
  if (options.rollups) {
    rollups_ = std::make_unique<RollupSink>(*backend_);
    writer_ = std::make_unique<Writer>(*rollups_, options, clock);
  } else {
    writer_ = std::make_unique<Writer>(*backend_, options, clock);
  }
}

MetricsStoreImpl::~MetricsStoreImpl() {
  try {
    // Shorter than close(): a destructor should not hang for a minute on a
    // dead backend; what is not sent by then stays in the spool.
    close_with(std::chrono::milliseconds(5'000));
  } catch (...) {
    // Unsent metrics are in the spool; the next open replays them.
  }
}

void MetricsStoreImpl::store_metric(const Uuid& run_id, const Metric& metric) { writer_->store(run_id, metric); }

void MetricsStoreImpl::check_open(const char* operation) const {
  if (closed_) throw ClosedError(std::string(operation) + ": the store is closed (" + backend_->describe() + ")");
}

void MetricsStoreImpl::flush_metrics(std::chrono::milliseconds timeout) {
  check_open("flush_metrics");
  writer_->flush(timeout);
  flush_rollups();
}

void MetricsStoreImpl::flush_rollups() {
  if (!rollups_) return;
  try {
    rollups_->write_open_buckets();
  } catch (const BackendError& e) {
    throw FlushError(std::string("metrics flushed, but their open roll-up buckets were not written: ") + e.what());
  }
}

Uuid MetricsStoreImpl::create_run(const NewRun& n) {
  check_open("create_run");
  Run run;
  run.run_id = n.run_id.value_or(Uuid::random());
  if (run.run_id.is_nil()) throw InvalidArgument("create_run: run id is the nil UUID");
  run.start_time = n.start_time.value_or(now_ms());
  run.status = kStatusRunning;
  run.dataset_name = n.dataset_name;
  run.config_json = n.config_json;
  run.tags = n.tags;
  run.notes = n.notes;
  backend_->put_run(run);
  return run.run_id;
}

void MetricsStoreImpl::complete_run(const Uuid& run_id, const FinalMetrics& f, std::string_view status) {
  check_open("complete_run");
  flush_metrics(kDefaultFlushTimeout);
  std::optional<Run> existing = backend_->get_run(run_id);
  if (!existing) throw NotFound("complete_run: no run " + run_id.str() + " in " + backend_->describe());
  Run run = *existing;
  run.status = std::string(status);
  run.end_time = f.end_time.value_or(now_ms());
  if (run.start_time) {
    run.duration_seconds = std::chrono::duration<double>(*run.end_time - *run.start_time).count();
  }
  std::optional<RunStats> seen = writer_->run_stats(run_id);
  auto pick = [](const auto& given, const auto& derived) { return given ? given : derived; };
  Metric newest = seen ? seen->newest : Metric{};
  run.final_epoch = pick(f.final_epoch, newest.epoch);
  run.final_train_loss = pick(f.final_train_loss, newest.train_loss);
  run.final_train_accuracy = pick(f.final_train_accuracy, newest.train_accuracy);
  run.final_val_loss = pick(f.final_val_loss, newest.val_loss);
  run.final_val_accuracy = pick(f.final_val_accuracy, newest.val_accuracy);
  if (f.best_val_accuracy) {
    run.best_val_accuracy = f.best_val_accuracy;
    run.best_epoch = f.best_epoch;
  } else if (seen) {
    run.best_val_accuracy = seen->best_val_accuracy;
    run.best_epoch = pick(f.best_epoch, seen->best_epoch);
  } else {
    run.best_epoch = f.best_epoch;
  }
  run.total_hidden_units = pick(f.total_hidden_units, seen ? seen->max_hidden_units : std::nullopt);
  run.total_parameters = f.total_parameters;
  backend_->put_run(run);
  // The run's per-run state is not needed any more (its ledger entry was
  // persisted by the flush above); a later metric of the run recreates it.
  writer_->release_run(run_id);
  if (rollups_) rollups_->release_run(run_id);
}

void MetricsStoreImpl::store_topology(const NetworkTopology& t) {
  if (t.run_id.is_nil()) throw InvalidArgument("store_topology: run id is the nil UUID");
  backend_->put_topology(t);
}

std::optional<Run> MetricsStoreImpl::get_run(const Uuid& run_id) { return backend_->get_run(run_id); }

std::vector<Run> MetricsStoreImpl::list_runs(int limit, const std::optional<std::string>& status) {
  check_limit(limit, "list_runs");
  return backend_->list_runs(limit, status);
}

std::vector<Run> MetricsStoreImpl::list_runs_by_dataset(std::string_view dataset_name, int limit) {
  check_limit(limit, "list_runs_by_dataset");
  return backend_->list_runs_by_dataset(dataset_name, limit);
}

std::vector<Run> MetricsStoreImpl::list_runs(const RunQuery& query) {
  check_limit(query.limit, "list_runs");
  return backend_->list_runs(query);
}

Series MetricsStoreImpl::series(const Uuid& run_id, std::string_view field, int points,
                                std::optional<Timestamp> start, std::optional<Timestamp> end) {
  const int f = series_field_index(field);
  if (f < 0) {
    std::string allowed;
    for (const char* name : kSeriesFields) allowed += std::string(allowed.empty() ? "" : ", ") + name;
    throw InvalidArgument("series: unknown field \"" + std::string(field) + "\"; allowed: " + allowed);
  }
  if (points < 1) throw InvalidArgument("series: points must be at least 1, got " + std::to_string(points));
  if (!rollups_) return read_series_raw(*backend_, run_id, f, points, start, end);
  return read_series(*backend_, run_id, f, points, start, end);
}

RunSummary MetricsStoreImpl::summary(const Uuid& run_id) {
  if (!rollups_) return read_summary_raw(*backend_, run_id);
  return read_summary(*backend_, run_id);
}

std::uint64_t MetricsStoreImpl::rebuild_rollups(const Uuid& run_id) {
  check_open("rebuild_rollups");
  if (!rollups_) throw InvalidArgument("rebuild_rollups: roll-ups are off (writer.rollups: false)");
  writer_->flush(kDefaultFlushTimeout);
  return rollups_->rebuild(run_id);
}

std::vector<Metric> MetricsStoreImpl::query_metrics(const Uuid& run_id, std::optional<Timestamp> start,
                                                    std::optional<Timestamp> end, int limit) {
  check_limit(limit, "query_metrics");
  if (start && end && *end <= *start) return {};
  return backend_->read_metrics(run_id, start, end, std::nullopt, limit);
}

std::unique_ptr<MetricCursor> MetricsStoreImpl::open_metric_cursor(const Uuid& run_id, std::optional<Timestamp> start,
                                                                   std::optional<Timestamp> end, int page_size) {
  check_limit(page_size, "open_metric_cursor (page size)");
  if (start && end && *end <= *start) end = start;  // empty range; the backend returns nothing
  return std::make_unique<KeysetCursor>(*backend_, run_id, start, end, page_size);
}

std::vector<NetworkTopology> MetricsStoreImpl::query_topology(const Uuid& run_id, int limit) {
  check_limit(limit, "query_topology");
  return backend_->query_topology(run_id, limit);
}

RunVerification MetricsStoreImpl::verify_run(const Uuid& run_id) {
  check_open("verify_run");
  if (run_id.is_nil()) throw InvalidArgument("verify_run: run id is the nil UUID");
  return store::verify_run(*backend_, run_id);
}

WriterCounters MetricsStoreImpl::counters() const { return writer_->counters(); }

std::string MetricsStoreImpl::describe() const { return backend_->describe(); }

void MetricsStoreImpl::close() { close_with(kDefaultFlushTimeout); }

void MetricsStoreImpl::close_with(std::chrono::milliseconds timeout) {
  std::lock_guard lk(close_mu_);
  if (closed_) return;
  closed_ = true;
  std::string failure;
  try {
    writer_->close(timeout);
  } catch (const FlushError& e) {
    failure = e.what();
  }
  if (failure.empty()) {
    try {
      flush_rollups();
    } catch (const FlushError&) {
      // Not lost: the next process that writes the run rebuilds its roll-ups.
    }
  }
  // A flush thread close() stopped waiting for is still inside the backend:
  // the backend is released by the destructor, after that write returned.
  if (!writer_->flush_thread_running()) backend_->close();
  if (!failure.empty()) throw FlushError(failure);
}

}  // namespace canopy::store
