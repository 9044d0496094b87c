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

// What the writer would have seen of the run, from its stored metrics:
// read newest first, so the first row is the newest and, among equal
// val_accuracy, the last one met is the earliest (the writer keeps the
// first it saw). nullopt when the run has no metrics.
std::optional<RunStats> stored_run_stats(StoreBackend& backend, const Uuid& run_id) {
  RunStats st;
  KeysetCursor cursor(backend, run_id, std::nullopt, std::nullopt, 5000);
  std::vector<Metric> page;
  while (cursor.next_page(page)) {
    for (const Metric& m : page) {
      if (++st.metrics == 1) st.newest = m;
      if (m.val_accuracy && !std::isnan(*m.val_accuracy) &&
          (!st.best_val_accuracy || *m.val_accuracy >= *st.best_val_accuracy)) {
        st.best_val_accuracy = m.val_accuracy;
        st.best_epoch = m.epoch;
      }
      if (m.hidden_units && (!st.max_hidden_units || *m.hidden_units > *st.max_hidden_units)) {
        st.max_hidden_units = m.hidden_units;
      }
    }
  }
  if (st.metrics == 0) return std::nullopt;
  return st;
}

// The newest metric's timestamp, else the run's start: when it was last alive.
std::optional<Timestamp> last_activity(StoreBackend& backend, const Run& run) {
  std::vector<Metric> newest = backend.read_metrics(run.run_id, std::nullopt, std::nullopt, std::nullopt, 1);
  if (!newest.empty()) return newest.front().timestamp;
  return run.start_time;
}

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
  // Another process wrote the run: the same figures from its stored metrics.
  if (!seen) seen = stored_run_stats(*backend_, run_id);
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

Run MetricsStoreImpl::update_run(const Uuid& run_id, const RunUpdate& u) {
  check_open("update_run");
  for (const auto& [key, value] : u.set_tags) {
    if (key.empty()) throw InvalidArgument("update_run: a tag key is empty (value \"" + value + "\")");
  }
  for (const std::string& key : u.remove_tags) {
    if (key.empty()) throw InvalidArgument("update_run: a tag key to remove is empty");
  }
  std::optional<Run> existing = backend_->get_run(run_id);
  if (!existing) throw NotFound("update_run: no run " + run_id.str() + " in " + backend_->describe());
  Run run = *existing;
  if (u.clear_tags) run.tags.clear();
  for (const std::string& key : u.remove_tags) run.tags.erase(key);
  for (const auto& [key, value] : u.set_tags) run.tags[key] = value;
  if (u.notes) run.notes = *u.notes;
  backend_->put_run(run);
  return run;
}

void MetricsStoreImpl::delete_run(const Uuid& run_id) {
  check_open("delete_run");
  if (run_id.is_nil()) throw InvalidArgument("delete_run: run id is the nil UUID");
  // Everything this process stored must reach the backend first: deleted
  // with the rest now, rather than written again by a later replay.
  flush_metrics(kDefaultFlushTimeout);
  std::optional<Run> run = backend_->get_run(run_id);
  if (!run && backend_->read_metrics(run_id, std::nullopt, std::nullopt, std::nullopt, 1).empty()) {
    throw NotFound("delete_run: no run " + run_id.str() + " in " + backend_->describe());
  }
  // Metrics of the run stored by another thread since the flush stay
  // queued: written after the delete, they start the run again, as any
  // store_metric after it would.
  writer_->forget_run(run_id);
  if (rollups_) rollups_->forget_run(run_id);
  backend_->delete_run(run_id, run ? run->start_time : std::nullopt);
}

std::vector<Run> MetricsStoreImpl::reap_runs(std::chrono::milliseconds idle, bool dry_run) {
  check_open("reap_runs");
  if (idle <= std::chrono::milliseconds::zero()) {
    throw InvalidArgument("reap_runs: the idle time must be positive, got " + std::to_string(idle.count()) + " ms");
  }
  const Timestamp cutoff = now_ms() - idle;
  std::vector<std::pair<Run, Timestamp>> stale;
  RunQuery q;
  q.limit = 1000;
  q.status = std::string(kStatusRunning);
  for (;;) {
    std::vector<Run> page = backend_->list_runs(q);
    for (Run& run : page) {
      std::optional<Timestamp> last = last_activity(*backend_, run);
      if (last && *last < cutoff) stale.emplace_back(std::move(run), *last);
    }
    if (static_cast<int>(page.size()) < q.limit) break;
    q.after = page.back().run_id;
  }
  std::vector<Run> out;
  for (auto& [run, last] : stale) {
    if (!dry_run) {
      FinalMetrics f;
      f.end_time = last;
      complete_run(run.run_id, f, kStatusFailed);
      if (std::optional<Run> done = backend_->get_run(run.run_id)) run = *done;
    }
    out.push_back(std::move(run));
  }
  return out;
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
