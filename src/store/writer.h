// Writer: the buffered, crash-safe path from store_metric to a MetricSink,
// shared by both backends.
//
// store() stamps the metric (timestamp from the Clock, step from a per-run
// counter when the caller gave none), appends it to a bounded in-memory
// queue (and, in Durability::kSpoolEach, to the spool first) and returns; it
// never waits on the sink. One flush thread, owned by the Writer and joined
// by close(), sends queue prefixes of up to max_batch metrics when
// batch_size metrics wait, flush_interval has passed, or a flush() asks.
// A failed send keeps the batch at the head of the queue and retries it with
// exponential backoff (retry_initial doubling up to retry_max).
//
// Overflow (queue full) with OverflowPolicy::kSpool: the metric goes to the
// spool and the writer enters "spill" mode — every later metric goes to the
// spool too (to keep store order) until the flush thread has read the spool
// back into the queue and caught up. kBlock waits for room; kDrop (only in
// Durability::kBuffered) counts the metric as dropped.
//
// Restart: spool segments left by an earlier process (same spool instance
// directory) are replayed first, in order. Segments are deleted once every
// record in them is acknowledged; close() leaves in the spool whatever it
// could not send, so the next Writer on that directory sends it.
//
// Completeness ledger (ledger.h): each acknowledged metric gets the next
// ordinal of its run's ledger entry; before each send the flush thread
// persists the entries that changed (sink.write_ledger), so the backend's
// ledger always covers the metrics it holds. Entries re-derived from an
// earlier process's spool records are merged with the stored ones.
//
// Thread safety: store(), flush(), counters(), run_stats() may be called
// from any thread. State shared with the flush thread is guarded by mu_.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "canopy/config.h"
#include "canopy/types.h"
#include "store/clock.h"
#include "store/metric_record.h"
#include "store/metric_sink.h"
#include "store/spool.h"

namespace canopy::store {

struct WriterOptions {
  std::size_t buffer_capacity = 100'000;
  OverflowPolicy overflow = OverflowPolicy::kSpool;
  Durability durability = Durability::kBuffered;
  std::string spool_dir;                      // base directory of the spool (required)
  std::size_t batch_size = 100;               // queued metrics that trigger a send
  std::chrono::milliseconds flush_interval{5'000};
  std::chrono::milliseconds retry_initial{100};
  std::chrono::milliseconds retry_max{10'000};
  std::size_t max_batch = 100'000;            // metrics per write_metrics call
  std::size_t segment_bytes = kDefaultSegmentBytes;
  // Most bytes of spool segments (counted whole, as preallocated); a metric
  // that needs a segment beyond it is refused (SpoolFullError). 0 = no limit.
  std::uint64_t spool_max_bytes = 0;
  bool rollups = true;  // MetricsStoreImpl: put a RollupSink before the backend
  SpoolFs* spool_fs = nullptr;  // nullptr: the real file system (tests inject faults)
};

// What the writer saw of one run in this process (for complete_run).
struct RunStats {
  std::int32_t next_step = 0;
  std::uint64_t metrics = 0;
  Metric newest;  // the metric with the newest timestamp (ties: the later call)
  std::optional<double> best_val_accuracy;
  std::optional<std::int32_t> best_epoch;
  std::optional<std::int32_t> max_hidden_units;
  Uuid ledger_id;  // this run's completeness-ledger entry in this writer
};

class Writer {
 public:
  // Opens the spool (throws SpoolError) and starts the flush thread.
  // `sink` and `clock` must outlive the Writer; clock nullptr → system clock.
  Writer(MetricSink& sink, WriterOptions options, Clock* clock = nullptr);
  // close() with a short timeout; never throws.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Throws InvalidArgument (nil run id), Error (closed), SpoolError (the
  // spool could not take a metric that had to go there; not stored then).
  void store(const Uuid& run_id, const Metric& metric);
  // Returns once every metric stored before the call — and every metric an
  // earlier process left in the spool — is acknowledged by the sink; throws FlushError after `timeout`, or at once when the sink's last
  // answer was a fatal error.
  void flush(std::chrono::milliseconds timeout);
  // Flushes (up to `timeout`), stops the flush thread and closes the spool,
  // leaving unsent metrics in it. Idempotent. Throws FlushError when metrics
  // were left unsent (after stopping). Keeps to `timeout` also when the
  // flush thread is inside a sink write that does not return: the thread is
  // then left to finish that write on its own (it touches nothing of the
  // writer but its flags afterwards), the unsent metrics stay in the spool,
  // and the destructor waits for it.
  void close(std::chrono::milliseconds timeout);

  WriterCounters counters() const;
  std::optional<RunStats> run_stats(const Uuid& run_id) const;
  // Forgets the run's per-run state (complete_run); its ledger entry is
  // dropped once persisted. A later metric of the run starts new state and
  // a new ledger entry (steps restart at 0 unless the caller sets them).
  void release_run(const Uuid& run_id);
  // delete_run, after a flush: drops the run's per-run state and every
  // ledger entry of it, persisted or not, and deletes the spool segments
  // whose records are all acknowledged, closing the current one first, so
  // that a crash after the delete does not replay the run's metrics.
  // Returns how many of the run's metrics are still unacknowledged (stored
  // by another thread since the flush; they are kept and sent).
  std::size_t forget_run(const Uuid& run_id);
  // Runs with per-run state and ledger entries held in memory (tests).
  std::size_t tracked_runs() const;
  std::size_t ledger_entries() const;
  // Metrics not yet acknowledged (queued, in flight, or waiting in the spool
  // to be read back — the latter counted once read).
  std::size_t pending() const;
  std::string last_error() const;
  // Directory of the spool instance this writer owns.
  std::string spool_dir() const;
  // True while the flush thread runs (after close(): still inside a write
  // that close() stopped waiting for).
  bool flush_thread_running() const;
  // Records found corrupt while reading the spool back (each loses the rest
  // of its 32 KiB block).
  std::uint64_t spool_corrupt_records() const;
  // Records found cut off at the end of a spool segment (the writer died
  // mid-append); never one a store_metric call returned for.
  std::uint64_t spool_torn_records() const;

  // Delay before retry number `attempt` (1-based): initial · 2^(attempt-1),
  // at most `max`.
  static std::chrono::milliseconds backoff(int attempt, std::chrono::milliseconds initial,
                                           std::chrono::milliseconds max);

 private:
  struct Entry {
    MetricRecord rec;
    std::uint64_t segment = 0;  // spool segment holding it, 0 if only in memory
  };

  // The queue: a FIFO of entries in fixed-size blocks that are recycled,
  // not freed, so that store() allocates only while the queue grows past
  // its largest size so far (at most buffer_capacity entries), never in
  // steady state. Entries never move: the flush thread reads a prefix
  // without mu_ while store() appends behind it (the block slots are sized
  // for the capacity once and never reallocated).
  class EntryQueue {
   public:
    explicit EntryQueue(std::size_t capacity);
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    Entry& operator[](std::size_t i) {
      const std::size_t at = head_ + i;
      return slots_[(head_slot_ + at / kBlock) % slots_.size()][at % kBlock];
    }
    const Entry& operator[](std::size_t i) const { return const_cast<EntryQueue&>(*this)[i]; }
    Entry& front() { return (*this)[0]; }
    // Throws std::logic_error beyond the capacity (a writer bug).
    void push_back(Entry&& e);
    void pop_front();

   private:
    static constexpr std::size_t kBlock = 256;
    std::size_t capacity_;
    std::vector<std::unique_ptr<Entry[]>> slots_;  // a ring of blocks, null when not in use
    std::vector<std::unique_ptr<Entry[]>> spare_;  // emptied blocks, reused before allocating
    std::size_t head_slot_ = 0;
    std::size_t head_ = 0;  // offset of the front entry in its block
    std::size_t size_ = 0;
  };

  struct LedgerState {
    LedgerRow row;
    bool dirty = false;    // changed since last persisted
    bool retired = false;  // drop once persisted (released run, replayed entry)
    std::uint64_t version = 0;
  };

  void run();
  // Persists the ledger entries that changed; called with lk held, releases
  // it meanwhile. False (last_error_ set) when the sink refused them.
  bool persist_ledger(std::unique_lock<std::mutex>& lk);
  void note_acknowledged(const MetricRecord& rec, bool replayed);
  // runs_[run_id] / ledger_[id], remembering the last one: consecutive
  // metrics are mostly of the same run. The maps never move their elements;
  // erasing from them forgets the remembered one (forget_cached()).
  RunStats& run_state(const Uuid& run_id);
  LedgerState& ledger_state(const Uuid& ledger_id);
  void forget_cached() {
    last_run_ = nullptr;
    last_ledger_ = nullptr;
  }
  // Reads spooled records back into the queue; called with lk held, releases it meanwhile.
  void refill(std::unique_lock<std::mutex>& lk);
  // Deletes spool segments nobody needs any more; called with mu_ held.
  void collect_segments();
  void note_segment(std::uint64_t seg);
  // True while metrics left by an earlier process are not all acknowledged.
  bool recovering() const;

  MetricSink& sink_;
  const WriterOptions opt_;
  SystemClock system_clock_;
  Clock* clock_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // wakes the flush thread
  std::condition_variable done_cv_;   // wakes flush() waiters and kBlock producers
  std::unique_ptr<SpoolWriter> spool_;
  EntryQueue queue_;
  bool spill_ = false;
  // Read back by the flush thread only, partly without mu_ (refill); other
  // threads use reader_segment_, its segment as of the last refill.
  std::unique_ptr<SpoolReader> reader_;
  std::uint64_t reader_segment_ = 0;
  std::uint64_t first_own_segment_ = 1;  // segments below were left by an earlier process
  std::set<std::uint64_t> segments_;     // spool segments that exist
  std::uint64_t last_noted_segment_ = 0;
  std::map<std::uint64_t, std::uint64_t> segment_refs_;  // queued entries per segment
  std::unordered_map<Uuid, RunStats> runs_;
  std::unordered_map<Uuid, LedgerState> ledger_;  // by ledger id
  Uuid last_run_id_;
  RunStats* last_run_ = nullptr;
  Uuid last_ledger_id_;
  LedgerState* last_ledger_ = nullptr;
  std::uint64_t next_seq_ = 1;
  std::uint64_t acked_seq_ = 0;  // every metric with seq <= this is acknowledged
  std::uint64_t recovered_queued_ = 0;  // queued entries from an earlier process
  std::uint64_t spool_corrupt_ = 0;     // corrupt spool records seen by readers
  std::uint64_t spool_torn_ = 0;        // records cut off at a segment's end
  int flush_waiters_ = 0;
  bool in_flight_ = false;
  int attempt_ = 0;       // consecutive failed sends
  bool last_fatal_ = false;
  std::string last_error_;
  WriterCounters counters_;
  bool stop_ = false;
  bool closed_ = false;
  bool thread_done_ = false;  // the flush thread has left run()
  bool abandoned_ = false;    // close() stopped waiting for the flush thread
  std::thread thread_;
};

}  // namespace canopy::store
