// Helpers shared by the store's tests: temporary directories, an in-memory
// sink with scripted failures and holds, a settable clock, the writer's
// options and metrics of its tests.
#pragma once

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "store/clock.h"
#include "store/metric_sink.h"
#include "store/writer.h"

namespace canopy::store {

// A fresh directory under $TMPDIR, removed with its contents at scope end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "canopy-store-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Stores metrics in memory keyed like the real tables: (run, timestamp,
// step) → metric, merging like an upsert. Can be told to fail or to hold.
class MemorySink final : public MetricSink {
 public:
  using Key = std::tuple<Uuid, std::int64_t, std::int32_t>;

  SinkResult write_metrics(std::span<const MetricRecord> batch) override {
    std::unique_lock lk(mu_);
    if (hold_) {
      ++held_calls_;
      cv_.notify_all();
      cv_.wait(lk, [&] { return !hold_; });
      --held_calls_;
    }
    ++calls_;
    batch_sizes_.push_back(batch.size());
    if (fail_next_ > 0 || fail_always_) {
      if (fail_next_ > 0) --fail_next_;
      ++failures_;
      cv_.notify_all();
      return fatal_ ? SinkResult::failure("scripted fatal failure") : SinkResult::retryable("scripted failure");
    }
    for (const MetricRecord& r : batch) {
      Key k{r.run_id, r.metric.timestamp->time_since_epoch().count(), *r.metric.step};
      rows_[k] = r.metric;
      order_.push_back(r);
      ++writes_;
    }
    cv_.notify_all();
    return SinkResult::success();
  }
  std::string describe() const override { return "memory"; }

  // The completeness ledger, merged like the backends do. Not affected by
  // fail_*/hold (those script the metric writes); fail_ledger() does.
  SinkResult write_ledger(std::span<const LedgerRow> rows) override {
    std::lock_guard lk(mu_);
    if (fail_ledger_) return SinkResult::retryable("scripted ledger failure");
    for (const LedgerRow& r : rows) {
      LedgerRow& stored = ledger_[r.ledger_id];
      if (r.merge) {
        stored.run_id = r.run_id;
        stored.ledger_id = r.ledger_id;
        merge_ledger(stored, r);
      } else {
        stored = r;
      }
    }
    ++ledger_writes_;
    return SinkResult::success();
  }
  void fail_ledger(bool on) {
    std::lock_guard lk(mu_);
    fail_ledger_ = on;
  }
  std::map<Uuid, LedgerRow> ledger() const {
    std::lock_guard lk(mu_);
    return ledger_;
  }
  int ledger_writes() const {
    std::lock_guard lk(mu_);
    return ledger_writes_;
  }

  void fail_next(int n) {
    std::lock_guard lk(mu_);
    fail_next_ = n;
  }
  // While held, write_metrics waits inside the sink (like a backend that
  // does not answer) until release().
  void hold() {
    std::lock_guard lk(mu_);
    hold_ = true;
  }
  void release() {
    std::lock_guard lk(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  // Waits (bounded, generous) until a write_metrics call is held.
  bool wait_held() {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, std::chrono::seconds(30), [&] { return held_calls_ > 0; });
  }
  void fail_always(bool on, bool fatal = false) {
    std::lock_guard lk(mu_);
    fail_always_ = on;
    fatal_ = fatal;
  }
  std::size_t rows() const {
    std::lock_guard lk(mu_);
    return rows_.size();
  }
  std::map<Key, Metric> snapshot() const {
    std::lock_guard lk(mu_);
    return rows_;
  }
  std::vector<MetricRecord> order() const {
    std::lock_guard lk(mu_);
    return order_;
  }
  int failures() const {
    std::lock_guard lk(mu_);
    return failures_;
  }
  int calls() const {
    std::lock_guard lk(mu_);
    return calls_;
  }
  std::vector<std::size_t> batch_sizes() const {
    std::lock_guard lk(mu_);
    return batch_sizes_;
  }
  // Waits (bounded, generous) until `n` failures were returned.
  bool wait_failures(int n) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, std::chrono::seconds(30), [&] { return failures_ >= n; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<Key, Metric> rows_;
  std::vector<MetricRecord> order_;
  std::vector<std::size_t> batch_sizes_;
  int fail_next_ = 0;
  bool fail_always_ = false;
  bool fatal_ = false;
  bool hold_ = false;
  int held_calls_ = 0;
  int failures_ = 0;
  int calls_ = 0;
  std::size_t writes_ = 0;
  std::map<Uuid, LedgerRow> ledger_;
  bool fail_ledger_ = false;
  int ledger_writes_ = 0;
};

// A clock that returns what the test sets.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t ms = 1'700'000'000'000) : ms_(ms) {}
  Timestamp now() override { return Timestamp(std::chrono::milliseconds(ms_.load())); }
  void set(std::int64_t ms) { ms_ = ms; }
  void advance(std::int64_t ms) { ms_ += ms; }

 private:
  std::atomic<std::int64_t> ms_;
};

// The writer's tests' options: a spool in `tmp`, batches of 100, no timed
// flush in a test's lifetime (tests flush), and retries fast enough that a
// scripted failure costs milliseconds.
inline WriterOptions writer_options(const TempDir& tmp) {
  WriterOptions o;
  o.spool_dir = tmp.path() + "/spool";
  o.batch_size = 100;
  o.flush_interval = std::chrono::milliseconds(10'000);
  o.retry_initial = std::chrono::milliseconds(1);
  o.retry_max = std::chrono::milliseconds(5);
  return o;
}

// A metric of `epoch` with one value set (train_loss); its timestamp and
// step are left to the writer, as most of the writer's callers leave them.
inline Metric epoch_metric(int epoch) {
  Metric m;
  m.epoch = epoch;
  m.train_loss = 1.0 / (epoch + 1);
  return m;
}

}  // namespace canopy::store
