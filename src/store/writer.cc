#include "store/writer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "canopy/errors.h"
#include "store/log.h"

namespace canopy::store {

using namespace std::chrono_literals;

std::chrono::milliseconds Writer::backoff(int attempt, std::chrono::milliseconds initial,
                                          std::chrono::milliseconds max) {
  if (attempt < 1) attempt = 1;
  auto d = initial;
  for (int i = 1; i < attempt && d < max; ++i) d *= 2;
  return std::min(d, max);
}

Writer::Writer(MetricSink& sink, WriterOptions options, Clock* clock)
    : sink_(sink),
      opt_(std::move(options)),
      clock_(clock != nullptr ? clock : &system_clock_),
      queue_(opt_.buffer_capacity) {
  if (opt_.spool_dir.empty()) throw InvalidArgument("writer: spool directory is empty");
  if (opt_.buffer_capacity == 0) throw InvalidArgument("writer: buffer_capacity must be at least 1");
  if (opt_.spool_max_bytes > 0 && opt_.spool_max_bytes < opt_.segment_bytes) {
    throw InvalidArgument("writer.spool_max_bytes: " + std::to_string(opt_.spool_max_bytes) +
                          " is less than one spool segment (" + std::to_string(opt_.segment_bytes) +
                          " bytes); use 0 for no limit");
  }
  spool_ = std::make_unique<SpoolWriter>(opt_.spool_dir, opt_.segment_bytes,
                                         opt_.spool_fs != nullptr ? *opt_.spool_fs : posix_spool_fs());
  const auto& recovered = spool_->recovered_segments();
  segments_.insert(recovered.begin(), recovered.end());
  first_own_segment_ = recovered.empty() ? 1 : recovered.back() + 1;
  if (!recovered.empty()) {
    // Metrics an earlier process left: send them first, then what we store.
    spill_ = true;
    reader_ = std::make_unique<SpoolReader>(spool_->dir(), SpoolPosition{recovered.front(), 0});
    reader_segment_ = recovered.front();
  }
  thread_ = std::thread([this] { run(); });
}

Writer::~Writer() {
  try {
    close(2s);
  } catch (...) {
    // Unsent metrics stay in the spool for the next process.
  }
  // A flush thread close() stopped waiting for is still inside the sink:
  // nothing may be freed before it returns.
  if (thread_.joinable()) thread_.join();
}

Writer::EntryQueue::EntryQueue(std::size_t capacity)
    : capacity_(capacity), slots_(capacity / kBlock + 2) {
  // Every block may be spare at once: push_back on spare_ never allocates.
  spare_.reserve(slots_.size());
}

void Writer::EntryQueue::push_back(Entry&& e) {
  if (size_ >= capacity_) throw std::logic_error("writer: queue beyond its capacity");
  const std::size_t at = head_ + size_;
  std::unique_ptr<Entry[]>& block = slots_[(head_slot_ + at / kBlock) % slots_.size()];
  if (!block) {
    if (spare_.empty()) {
      block.reset(new Entry[kBlock]);  // growing past the largest size so far
    } else {
      block = std::move(spare_.back());
      spare_.pop_back();
    }
  }
  block[at % kBlock] = std::move(e);
  ++size_;
}

void Writer::EntryQueue::pop_front() {
  ++head_;
  --size_;
  if (head_ == kBlock) {
    spare_.push_back(std::move(slots_[head_slot_]));
    head_slot_ = (head_slot_ + 1) % slots_.size();
    head_ = 0;
  } else if (size_ == 0) {
    head_ = 0;  // the block stays: the next push starts it again
  }
}

RunStats& Writer::run_state(const Uuid& run_id) {
  if (last_run_ == nullptr || last_run_id_ != run_id) {
    last_run_ = &runs_[run_id];
    last_run_id_ = run_id;
  }
  return *last_run_;
}

Writer::LedgerState& Writer::ledger_state(const Uuid& ledger_id) {
  if (last_ledger_ == nullptr || last_ledger_id_ != ledger_id) {
    last_ledger_ = &ledger_[ledger_id];
    last_ledger_id_ = ledger_id;
  }
  return *last_ledger_;
}

void Writer::note_segment(std::uint64_t seg) {
  if (seg != last_noted_segment_) {
    segments_.insert(seg);
    last_noted_segment_ = seg;
  }
}

void Writer::store(const Uuid& run_id, const Metric& metric) {
  if (run_id.is_nil()) throw InvalidArgument("store_metric: run id is the nil UUID");
  std::unique_lock lk(mu_);
  if (closed_) throw ClosedError("store_metric: the store is closed (run " + run_id.str() + ")");

  MetricRecord rec{run_id, metric, 0, std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count(),
                   Uuid(), 0};
  if (!rec.metric.timestamp) rec.metric.timestamp = clock_->now();
  if (!rec.metric.step) rec.metric.step = run_state(run_id).next_step++;

  bool room = !spill_ && queue_.size() < opt_.buffer_capacity;
  if (!room && !spill_ && opt_.overflow == OverflowPolicy::kBlock) {
    done_cv_.wait(lk, [&] { return closed_ || spill_ || queue_.size() < opt_.buffer_capacity; });
    if (closed_) throw ClosedError("store_metric: the store was closed while waiting for room (run " + run_id.str() + ")");
    room = !spill_;
  }
  if (!room && opt_.overflow == OverflowPolicy::kDrop && opt_.durability == Durability::kBuffered) {
    ++counters_.dropped;  // not acknowledged as stored: not in the ledger
    return;
  }

  // Looked up again: release_run may have run while kBlock waited.
  RunStats& st = run_state(run_id);
  if (st.ledger_id.is_nil()) st.ledger_id = Uuid::random();
  rec.ledger_id = st.ledger_id;
  rec.ordinal = st.metrics + 1;
  rec.seq = next_seq_;
  SpoolPosition where;
  bool spooled = false;
  if (opt_.durability == Durability::kSpoolEach || !room) {
    if (opt_.spool_max_bytes > 0 && spool_->append_opens_segment(kMetricRecordSize) &&
        (segments_.size() + 1) * opt_.segment_bytes > opt_.spool_max_bytes) {
      // Refused, not dropped: the caller is told and may retry once the
      // backend took the spooled metrics and their segments are deleted.
      ++counters_.spool_full;
      if (counters_.spool_full == 1 || counters_.spool_full % 1000 == 0) {
        logger().error("spool {} is full ({} bytes, writer.spool_max_bytes); {} metric(s) refused so far",
                      spool_->dir(), segments_.size() * opt_.segment_bytes, counters_.spool_full);
      }
      throw SpoolFullError("store_metric: the spool is full at " +
                           std::to_string(segments_.size() * opt_.segment_bytes) +
                           " bytes (writer.spool_max_bytes = " + std::to_string(opt_.spool_max_bytes) +
                           ") while " + sink_.describe() + " does not take metrics (last error: " +
                           (last_error_.empty() ? std::string("none yet") : last_error_) +
                           "); the metric is not stored (run " + run_id.str() + ")");
    }
    std::array<std::uint8_t, kMetricRecordSize> buf;
    encode_metric_record(rec, buf.data());
    if (spool_->append(buf, &where)) {
      spooled = true;
      ++counters_.spooled;
      note_segment(where.segment);
    } else {
      // The metric could not be made crash-safe: it is not stored, and the
      // caller is told (never a silent lapse of the spool's promise).
      ++counters_.spool_failures;
      if (counters_.spool_failures == 1 || counters_.spool_failures % 1000 == 0) {
        logger().error("spool {} failed ({} time(s) so far): {}", spool_->dir(), counters_.spool_failures,
                      spool_->last_error());
      }
      throw SpoolError(std::string("store_metric: ") + (room ? "" : "buffer full and ") +
                       "the spool failed, the metric is not stored (run " + run_id.str() +
                       "): " + spool_->last_error());
    }
  }
  ++next_seq_;
  ++counters_.stored;

  // Statistics for complete_run.
  const Metric& m = rec.metric;
  ++st.metrics;
  note_acknowledged(rec, false);
  if (st.metrics == 1 || *m.timestamp >= *st.newest.timestamp) st.newest = m;
  if (m.val_accuracy && !std::isnan(*m.val_accuracy) &&
      (!st.best_val_accuracy || *m.val_accuracy > *st.best_val_accuracy)) {
    st.best_val_accuracy = m.val_accuracy;
    st.best_epoch = m.epoch;
  }
  if (m.hidden_units && (!st.max_hidden_units || *m.hidden_units > *st.max_hidden_units)) {
    st.max_hidden_units = m.hidden_units;
  }

  if (room) {
    queue_.push_back({std::move(rec), spooled ? where.segment : 0});
    if (spooled) ++segment_refs_[where.segment];
    if (queue_.size() == opt_.batch_size) work_cv_.notify_one();
  } else if (!spill_) {
    spill_ = true;
    reader_ = std::make_unique<SpoolReader>(spool_->dir(), where);
    reader_segment_ = where.segment;
    work_cv_.notify_one();
  }
}

void Writer::note_acknowledged(const MetricRecord& rec, bool replayed) {
  if (rec.ledger_id.is_nil()) return;  // a version-1 spool record: no ledger entry
  LedgerState& l = ledger_state(rec.ledger_id);
  if (l.row.ledger_id.is_nil()) {
    l.row.run_id = rec.run_id;
    l.row.ledger_id = rec.ledger_id;
    // Re-derived from spool records: may know only part of the entry.
    l.row.merge = replayed;
    l.retired = replayed;
  }
  if (rec.ordinal > l.row.acknowledged) l.row.acknowledged = rec.ordinal;
  l.row.steps.add(*rec.metric.step);
  l.dirty = true;
  ++l.version;
}

bool Writer::persist_ledger(std::unique_lock<std::mutex>& lk) {
  std::vector<LedgerRow> rows;
  std::vector<std::pair<Uuid, std::uint64_t>> versions;
  for (const auto& [id, l] : ledger_) {
    if (!l.dirty) continue;
    rows.push_back(l.row);
    versions.emplace_back(id, l.version);
  }
  if (rows.empty()) return true;
  lk.unlock();
  SinkResult r;
  try {
    r = sink_.write_ledger(rows);
  } catch (const std::exception& e) {
    r = SinkResult::retryable(e.what());
  }
  lk.lock();
  if (!r.ok) {
    last_fatal_ = r.fatal;
    last_error_ = "writing the completeness ledger: " + r.error;
    return false;
  }
  for (const auto& [id, version] : versions) {
    auto it = ledger_.find(id);
    if (it == ledger_.end() || it->second.version != version) continue;  // changed meanwhile: written next time
    it->second.dirty = false;
    if (it->second.retired) {
      ledger_.erase(it);
      forget_cached();
    }
  }
  return true;
}

void Writer::refill(std::unique_lock<std::mutex>& lk) {
  SpoolPosition limit = spool_->end();
  if (limit.segment == 0) limit = {first_own_segment_, 0};  // nothing appended yet in this process
  const std::size_t want = opt_.buffer_capacity - std::min(opt_.buffer_capacity, queue_.size());
  if (want == 0) return;
  SpoolReader* reader = reader_.get();  // only this thread replaces reader_
  const std::uint64_t corrupt_before = reader->corrupt_records();
  const std::uint64_t torn_before = reader->torn_records();
  std::vector<Entry> got;
  bool at_end = false;
  lk.unlock();
  std::vector<std::uint8_t> payload;
  while (got.size() < want) {
    SpoolPosition at;
    if (reader->next(payload, limit, &at) != SpoolReader::Status::kRecord) {
      at_end = true;
      break;
    }
    Entry e;
    if (!decode_metric_record(payload, e.rec)) continue;  // foreign record: skip
    e.segment = at.segment;
    if (e.segment < first_own_segment_) e.rec.seq = 0;  // an earlier process's numbering
    got.push_back(std::move(e));
  }
  lk.lock();
  if (reader->corrupt_records() != corrupt_before) {
    logger().warn("spool {}: {} corrupt record(s) skipped (checksum mismatch; the rest of each block is lost)",
                 spool_->dir(), reader->corrupt_records() - corrupt_before);
  }
  spool_corrupt_ += reader->corrupt_records() - corrupt_before;
  if (reader->torn_records() != torn_before) {
    logger().warn("spool {}: {} torn record(s) at the end of a segment (a writer died mid-append; the whole records "
                 "before it are replayed)",
                 spool_->dir(), reader->torn_records() - torn_before);
  }
  spool_torn_ += reader->torn_records() - torn_before;
  reader_segment_ = reader->position().segment;
  for (Entry& e : got) {
    ++segment_refs_[e.segment];
    if (e.rec.seq == 0) {
      ++recovered_queued_;
      note_acknowledged(e.rec, true);  // acknowledged by the earlier process
    }
    queue_.push_back(std::move(e));
  }
  counters_.replayed += got.size();
  SpoolPosition end_now = spool_->end();
  if (end_now.segment == 0) end_now = {first_own_segment_, 0};
  if (at_end && end_now == limit) {
    spill_ = false;  // caught up: new metrics may use the queue again
    reader_.reset();
    reader_segment_ = 0;
    done_cv_.notify_all();
  }
}

void Writer::collect_segments() {
  const std::uint64_t current = spool_->current_segment();
  for (auto it = segments_.begin(); it != segments_.end();) {
    std::uint64_t seg = *it;
    if (seg >= current && current != 0 && spool_->segment_open()) break;
    auto ref = segment_refs_.find(seg);
    if (ref != segment_refs_.end() && ref->second > 0) break;
    if (reader_ && reader_segment_ <= seg) break;
    if (!spool_->remove_segment(seg)) {
      // Sent already: its records are replayed again by the next process
      // (idempotent upserts), nothing is lost.
      logger().warn("{}", spool_->last_error());
    }
    if (ref != segment_refs_.end()) segment_refs_.erase(ref);
    it = segments_.erase(it);
  }
}

void Writer::run() {
  std::unique_lock lk(mu_);
  struct Done {
    Writer* w;
    std::unique_lock<std::mutex>& lk;
    ~Done() {
      if (!lk.owns_lock()) lk.lock();
      w->thread_done_ = true;
      w->done_cv_.notify_all();
    }
  } done{this, lk};
  auto last_send = std::chrono::steady_clock::now();
  std::vector<MetricRecord> batch;
  while (true) {
    const auto due = last_send + opt_.flush_interval;
    work_cv_.wait_until(lk, due, [&] {
      return stop_ || (flush_waiters_ > 0 && !queue_.empty()) || queue_.size() >= opt_.batch_size ||
             (spill_ && queue_.size() < opt_.buffer_capacity / 2 + 1);
    });
    if (stop_) break;
    if (spill_ && queue_.size() < opt_.buffer_capacity / 2 + 1) refill(lk);
    if (stop_) break;
    const bool timer = std::chrono::steady_clock::now() >= due;
    if (queue_.empty()) {
      if (timer) last_send = std::chrono::steady_clock::now();
      continue;
    }
    if (!(timer || flush_waiters_ > 0 || queue_.size() >= opt_.batch_size || spill_)) continue;

    // The ledger first: it must cover every metric the backend holds. The
    // prefix of n entries stays put meanwhile (only this thread pops).
    const std::size_t n = std::min(queue_.size(), opt_.max_batch);
    if (!persist_ledger(lk)) {
      ++attempt_;
      done_cv_.notify_all();
      work_cv_.wait_for(lk, backoff(attempt_, opt_.retry_initial, opt_.retry_max), [&] { return stop_; });
      continue;
    }
    if (stop_) break;
    if (attempt_ > 0) counters_.retried += n;
    in_flight_ = true;
    lk.unlock();
    // Copied without mu_, so store() does not wait for it: only this thread
    // pops, and the queue's entries never move (EntryQueue).
    batch.clear();
    for (std::size_t i = 0; i < n; ++i) batch.push_back(queue_[i].rec);
    SinkResult r;
    try {
      r = sink_.write_metrics(batch);
    } catch (const std::exception& e) {
      r = SinkResult::retryable(e.what());
    }
    lk.lock();
    in_flight_ = false;
    // close() gave up on this write: the metrics stay in the spool (sent
    // again by the next process, idempotently); touch nothing else.
    if (abandoned_) break;
    last_send = std::chrono::steady_clock::now();
    if (r.ok) {
      for (std::size_t i = 0; i < n; ++i) {
        const Entry& e = queue_.front();
        if (e.rec.seq > acked_seq_) acked_seq_ = e.rec.seq;
        if (e.segment != 0) --segment_refs_[e.segment];
        if (e.rec.seq == 0 && recovered_queued_ > 0) --recovered_queued_;
        queue_.pop_front();
      }
      counters_.written += n;
      attempt_ = 0;
      last_fatal_ = false;
      last_error_.clear();
      collect_segments();
      done_cv_.notify_all();
    } else {
      ++attempt_;
      last_fatal_ = r.fatal;
      last_error_ = r.error;
      done_cv_.notify_all();
      work_cv_.wait_for(lk, backoff(attempt_, opt_.retry_initial, opt_.retry_max), [&] { return stop_; });
    }
  }
}

void Writer::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lk(mu_);
  const std::uint64_t target = next_seq_ - 1;
  if (acked_seq_ >= target && !recovering()) return;
  ++flush_waiters_;
  work_cv_.notify_one();
  const int attempt_at_start = attempt_;
  bool done = done_cv_.wait_for(lk, timeout, [&] {
    return (acked_seq_ >= target && !recovering()) || stop_ || (last_fatal_ && attempt_ > attempt_at_start);
  });
  --flush_waiters_;
  if (acked_seq_ >= target && !recovering()) return;
  std::uint64_t missing = target - std::min(target, acked_seq_);
  std::string why = last_error_.empty() ? std::string("no answer yet") : last_error_;
  throw FlushError("flush_metrics: " + std::to_string(missing) + " metric(s) not acknowledged by " +
                   sink_.describe() + (done ? "" : " within " + std::to_string(timeout.count()) + " ms") +
                   "; last error: " + why + " (they are kept and retried, not dropped)");
}

void Writer::close(std::chrono::milliseconds timeout) {
  const auto started = std::chrono::steady_clock::now();
  {
    std::lock_guard lk(mu_);
    if (closed_) return;
  }
  std::string failure;
  try {
    flush(timeout);
  } catch (const FlushError& e) {
    failure = e.what();
  }
  std::unique_lock lk(mu_);
  if (closed_) return;
  closed_ = true;
  stop_ = true;
  work_cv_.notify_all();
  done_cv_.notify_all();
  // The thread leaves at once unless it is inside a sink write; wait for
  // that write no longer than the flush did (at least a moment).
  const auto wait = std::max<std::chrono::milliseconds>(
      std::chrono::milliseconds(100),
      timeout - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started));
  if (!done_cv_.wait_for(lk, wait, [&] { return thread_done_; })) {
    abandoned_ = true;
    failure = "close: the flush thread is still inside a write to " + sink_.describe() + " after " +
              std::to_string(timeout.count()) + " ms; " + std::to_string(queue_.size()) +
              " metric(s) were not written" + (spill_ ? " (and those still in the spool)" : "") +
              " (they stay in the spool and the next process on it sends them)" +
              (failure.empty() ? "" : "; " + failure);
  } else {
    lk.unlock();
    if (thread_.joinable()) thread_.join();
    lk.lock();
  }
  // Whatever is only in memory goes to the spool for the next process.
  std::array<std::uint8_t, kMetricRecordSize> buf;
  std::size_t lost = 0;
  for (std::size_t i = 0; i < queue_.size(); ++i) {
    const Entry& e = queue_[i];
    if (e.segment != 0) continue;
    encode_metric_record(e.rec, buf.data());
    SpoolPosition where;
    if (spool_->append(buf, &where)) {
      ++counters_.spooled;
      note_segment(where.segment);
    } else {
      ++lost;
    }
  }
  const bool everything_sent = queue_.empty() && !spill_;
  if (!spool_->close() && !everything_sent) {
    // Unsent metrics are in the spool, but the disk did not confirm them.
    failure += "; the spool holding the unsent metrics may not survive a power loss: " + spool_->last_error();
  }
  if (everything_sent) {
    for (std::uint64_t seg : segments_) {
      if (!spool_->remove_segment(seg)) logger().warn("{}", spool_->last_error());
    }
    segments_.clear();
  }
  if (lost > 0) {
    failure += "; " + std::to_string(lost) + " metric(s) could not be spooled either: " + spool_->last_error();
  }
  if (!failure.empty()) throw FlushError(failure);
}

bool Writer::recovering() const {
  return recovered_queued_ > 0 || (reader_ && reader_segment_ < first_own_segment_);
}

WriterCounters Writer::counters() const {
  std::lock_guard lk(mu_);
  return counters_;
}

std::optional<RunStats> Writer::run_stats(const Uuid& run_id) const {
  std::lock_guard lk(mu_);
  auto it = runs_.find(run_id);
  if (it == runs_.end() || it->second.metrics == 0) return std::nullopt;
  return it->second;
}

void Writer::release_run(const Uuid& run_id) {
  std::lock_guard lk(mu_);
  auto it = runs_.find(run_id);
  if (it == runs_.end()) return;
  auto l = ledger_.find(it->second.ledger_id);
  if (l != ledger_.end()) {
    l->second.retired = true;
    if (!l->second.dirty) ledger_.erase(l);
  }
  runs_.erase(it);
  forget_cached();
}

std::size_t Writer::forget_run(const Uuid& run_id) {
  std::lock_guard lk(mu_);
  runs_.erase(run_id);
  std::erase_if(ledger_, [&](const auto& entry) { return entry.second.row.run_id == run_id; });
  forget_cached();
  std::size_t unsent = 0;
  for (std::size_t i = 0; i < queue_.size(); ++i) unsent += queue_[i].rec.run_id == run_id ? 1 : 0;
  // Acknowledged records of the run may still sit in the current segment
  // (Durability::kSpoolEach, or after an overflow): close it so that
  // collect_segments may delete it once nothing queued refers to it.
  if (!closed_ && !spill_ && spool_->current_segment() != 0) {
    if (!spool_->close()) logger().warn("{}", spool_->last_error());
    collect_segments();
  }
  return unsent;
}

std::size_t Writer::tracked_runs() const {
  std::lock_guard lk(mu_);
  return runs_.size();
}

std::size_t Writer::ledger_entries() const {
  std::lock_guard lk(mu_);
  return ledger_.size();
}

std::size_t Writer::pending() const {
  std::lock_guard lk(mu_);
  return queue_.size();
}

std::string Writer::last_error() const {
  std::lock_guard lk(mu_);
  return last_error_;
}

std::string Writer::spool_dir() const { return spool_->dir(); }

std::uint64_t Writer::spool_torn_records() const {
  std::lock_guard lk(mu_);
  return spool_torn_;
}

bool Writer::flush_thread_running() const {
  std::lock_guard lk(mu_);
  return !thread_done_;
}

std::uint64_t Writer::spool_corrupt_records() const {
  std::lock_guard lk(mu_);
  return spool_corrupt_;
}

}  // namespace canopy::store
