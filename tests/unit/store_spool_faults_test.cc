// The spool's file system made to fail (spool_fs.h): a full disk, I/O
// errors, a failed msync or unlink, stray files. Each case either keeps
// every metric store_metric accepted or tells the caller; none drops a
// metric silently.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "canopy/errors.h"
#include "store/spool_fs.h"
#include "store/writer.h"
#include "unit/store_test_util.h"

namespace canopy::store {
namespace {

using namespace std::chrono_literals;

// The real file system, with chosen calls failing with a chosen errno.
class FaultySpoolFs final : public SpoolFs {
 public:
  enum Op { kCreate, kAllocate, kMap, kSync, kUnmap, kTruncate, kUnlink };
  void fail(Op op, int error) {
    std::lock_guard lk(mu_);
    errors_[op] = error;
  }
  void heal() {
    std::lock_guard lk(mu_);
    errors_.clear();
  }
  int calls(Op op) const {
    std::lock_guard lk(mu_);
    auto it = calls_.find(op);
    return it == calls_.end() ? 0 : it->second;
  }

  int create(const std::string& path, int* fd) override {
    if (int e = injected(kCreate)) return e;
    return real().create(path, fd);
  }
  int allocate(int fd, std::size_t bytes) override {
    if (int e = injected(kAllocate)) return e;
    // A short allocation reported as success (a file system that reserves
    // less than asked, or a racing truncate): the file is half as long.
    if (short_allocate_) return real().allocate(fd, bytes / 2);
    return real().allocate(fd, bytes);
  }
  int size(int fd, std::size_t* bytes) override { return real().size(fd, bytes); }
  void short_allocate(bool on) {
    std::lock_guard lk(mu_);
    short_allocate_ = on;
  }
  int map(int fd, std::size_t bytes, std::uint8_t** m) override {
    if (int e = injected(kMap)) return e;
    return real().map(fd, bytes, m);
  }
  int sync(std::uint8_t* m, std::size_t bytes) override {
    if (int e = injected(kSync)) return e;
    return real().sync(m, bytes);
  }
  int unmap(std::uint8_t* m, std::size_t bytes) override {
    const int e = injected(kUnmap);
    real().unmap(m, bytes);  // always release the memory; report the error
    return e;
  }
  int truncate(int fd, std::size_t bytes) override {
    if (int e = injected(kTruncate)) return e;
    return real().truncate(fd, bytes);
  }
  int close(int fd) override { return real().close(fd); }
  int unlink(const std::string& path) override {
    if (int e = injected(kUnlink)) return e;
    return real().unlink(path);
  }

 private:
  static SpoolFs& real() { return posix_spool_fs(); }
  int injected(Op op) {
    std::lock_guard lk(mu_);
    ++calls_[op];
    auto it = errors_.find(op);
    return it == errors_.end() ? 0 : it->second;
  }
  mutable std::mutex mu_;
  std::map<Op, int> errors_;
  std::map<Op, int> calls_;
  bool short_allocate_ = false;
};

WriterOptions options(const TempDir& tmp, SpoolFs& fs, Durability durability) {
  WriterOptions o;
  o.spool_dir = tmp.path() + "/spool";
  o.durability = durability;
  o.batch_size = 10;
  o.flush_interval = 10'000ms;
  o.retry_initial = 1ms;
  o.retry_max = 5ms;
  o.segment_bytes = 64 * 1024;  // two blocks: segments roll over often
  o.spool_fs = &fs;
  return o;
}

Metric metric(int epoch) {
  Metric m;
  m.epoch = epoch;
  m.train_loss = 0.5;
  return m;
}

TEST(StoreSpoolFaults, FullDiskUnderSpoolEachIsTheCallersErrorAndTheMetricIsNotStored) {
  TempDir tmp;
  FaultySpoolFs fs;
  MemorySink sink;
  Writer w(sink, options(tmp, fs, Durability::kSpoolEach));
  const Uuid run = Uuid::random();
  w.store(run, metric(0));
  fs.fail(FaultySpoolFs::kCreate, ENOSPC);
  fs.fail(FaultySpoolFs::kAllocate, ENOSPC);
  // Fill the first segment until a new one is needed: that one fails.
  int accepted = 1, refused = 0;
  std::string message;
  for (int i = 1; i < 5'000 && refused == 0; ++i) {
    try {
      w.store(run, metric(i));
      ++accepted;
    } catch (const SpoolError& e) {
      ++refused;
      message = e.what();
    }
  }
  ASSERT_EQ(refused, 1) << "the full disk reached store_metric";
  EXPECT_NE(message.find("not stored"), std::string::npos) << message;
  EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
  EXPECT_EQ(w.counters().spool_failures, 1u);
  EXPECT_EQ(w.counters().stored, static_cast<std::uint64_t>(accepted));
  fs.heal();
  w.store(run, metric(9'999));
  ++accepted;
  w.flush(30'000ms);
  EXPECT_EQ(sink.rows(), static_cast<std::size_t>(accepted)) << "every accepted metric arrives, the refused one not";
  w.close(30'000ms);
}

TEST(StoreSpoolFaults, MapFailureWhenTheBufferIsFullIsTheCallersError) {
  TempDir tmp;
  FaultySpoolFs fs;
  MemorySink sink;
  sink.fail_always(true);  // the backend is down: overflow goes to the spool
  WriterOptions o = options(tmp, fs, Durability::kBuffered);
  o.buffer_capacity = 5;
  Writer w(sink, o);
  fs.fail(FaultySpoolFs::kMap, EIO);
  const Uuid run = Uuid::random();
  for (int i = 0; i < 5; ++i) w.store(run, metric(i));
  EXPECT_THROW(w.store(run, metric(5)), SpoolError);
  EXPECT_EQ(w.counters().spool_failures, 1u);
  fs.heal();
  sink.fail_always(false);
  w.flush(30'000ms);
  EXPECT_EQ(sink.rows(), 5u);
  w.close(30'000ms);
}

TEST(StoreSpoolFaults, FailedSyncOfUnsentMetricsAtCloseIsReported) {
  TempDir tmp;
  FaultySpoolFs fs;
  MemorySink sink;
  sink.fail_always(true);
  Writer w(sink, options(tmp, fs, Durability::kSpoolEach));
  const Uuid run = Uuid::random();
  for (int i = 0; i < 20; ++i) w.store(run, metric(i));
  fs.fail(FaultySpoolFs::kSync, EIO);
  try {
    w.close(200ms);
    ADD_FAILURE() << "close() reported nothing";
  } catch (const FlushError& e) {
    EXPECT_NE(std::string(e.what()).find("may not survive a power loss"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("Input/output error"), std::string::npos) << e.what();
  }
  EXPECT_GE(fs.calls(FaultySpoolFs::kSync), 1);
}

TEST(StoreSpoolFaults, SegmentsThatCannotBeRemovedLoseNothing) {
  TempDir tmp;
  FaultySpoolFs fs;
  MemorySink sink;
  fs.fail(FaultySpoolFs::kUnlink, EACCES);
  const Uuid run = Uuid::random();
  {
    Writer w(sink, options(tmp, fs, Durability::kSpoolEach));
    for (int i = 0; i < 3'000; ++i) w.store(run, metric(i));  // several segments
    w.flush(30'000ms);
    EXPECT_EQ(sink.rows(), 3'000u);
    w.close(30'000ms);
  }
  EXPECT_GE(fs.calls(FaultySpoolFs::kUnlink), 1);
  // The next process replays what could not be removed: the same rows again.
  fs.heal();
  MemorySink again;
  Writer w2(again, options(tmp, fs, Durability::kSpoolEach));
  w2.flush(30'000ms);
  EXPECT_GT(again.rows(), 0u);
  for (const auto& [key, m] : again.snapshot()) EXPECT_EQ(sink.snapshot().count(key), 1u);
  w2.close(30'000ms);
}

TEST(StoreSpoolFaults, StrayFilesInTheSpoolFolderAreLeftAlone) {
  TempDir tmp;
  FaultySpoolFs fs;
  MemorySink sink;
  const std::string instance = tmp.path() + "/spool/0";
  std::filesystem::create_directories(instance);
  for (const char* name : {"seg-junkjunkjunkjunk.log", "seg-12.log", "notes.txt", "seg-00000000000000x1.log"}) {
    std::ofstream(instance + "/" + name) << "not a segment";
  }
  Writer w(sink, options(tmp, fs, Durability::kSpoolEach));  // no exception
  w.store(Uuid::random(), metric(1));
  w.flush(30'000ms);
  EXPECT_EQ(sink.rows(), 1u);
  w.close(30'000ms);
  EXPECT_TRUE(std::filesystem::exists(instance + "/notes.txt"));
}

// While the backend is down the spool stops at writer.spool_max_bytes: the
// caller is told (SpoolFullError naming the size and the key), the metric is
// not acknowledged, and once the backend catches up store works again.
TEST(StoreSpoolFaults, SpoolFullRefusesMetricsUntilTheBackendCatchesUp) {
  TempDir tmp;
  FaultySpoolFs fs;
  MemorySink sink;
  sink.fail_always(true);
  WriterOptions o = options(tmp, fs, Durability::kSpoolEach);
  o.spool_max_bytes = 2 * o.segment_bytes;
  Writer w(sink, o);
  const Uuid run = Uuid::random();
  int accepted = 0;
  std::string message;
  for (int i = 0; i < 10'000 && message.empty(); ++i) {
    try {
      w.store(run, metric(i));
      ++accepted;
    } catch (const SpoolFullError& e) {
      message = e.what();
    }
  }
  ASSERT_FALSE(message.empty()) << "the spool grew past writer.spool_max_bytes";
  EXPECT_NE(message.find("spool is full at " + std::to_string(2 * o.segment_bytes) + " bytes"), std::string::npos)
      << message;
  EXPECT_NE(message.find("writer.spool_max_bytes"), std::string::npos) << message;
  EXPECT_NE(message.find("not stored"), std::string::npos) << message;
  EXPECT_THROW(w.store(run, metric(0)), SpoolFullError) << "still full";
  EXPECT_EQ(w.counters().spool_full, 2u);
  EXPECT_EQ(w.counters().spool_failures, 0u);
  EXPECT_EQ(w.counters().stored, static_cast<std::uint64_t>(accepted));
  EXPECT_LE(list_spool_segments(w.spool_dir()).size(), 2u);
  // The backend comes back: the spooled metrics drain, segments go, room again.
  sink.fail_always(false);
  w.flush(30'000ms);
  w.store(run, metric(20'000));
  ++accepted;
  w.flush(30'000ms);
  EXPECT_EQ(sink.rows(), static_cast<std::size_t>(accepted)) << "every acknowledged metric arrives";
  auto ledger = sink.ledger();
  ASSERT_EQ(ledger.size(), 1u);
  EXPECT_EQ(ledger.begin()->second.acknowledged, static_cast<std::uint64_t>(accepted)) << "refused ones are not acknowledged";
  w.close(30'000ms);
}

// A short allocation reported as success: before the size check the
// segment was mapped whole and a store past the file's end was SIGBUS.
TEST(StoreSpoolFaults, ShortAllocationIsRefusedNotMappedPastTheFilesEnd) {
  TempDir tmp;
  FaultySpoolFs fs;
  MemorySink sink;
  sink.fail_always(true);
  Writer w(sink, options(tmp, fs, Durability::kSpoolEach));
  const Uuid run = Uuid::random();
  fs.short_allocate(true);
  std::string message;
  try {
    w.store(run, metric(0));
  } catch (const SpoolError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("short allocation"), std::string::npos) << message;
  EXPECT_EQ(w.counters().stored, 0u);
  EXPECT_EQ(w.counters().spool_failures, 1u);
  fs.short_allocate(false);
  for (int i = 0; i < 1'000; ++i) w.store(run, metric(i));  // crosses several segments
  sink.fail_always(false);
  w.flush(30'000ms);
  EXPECT_EQ(sink.rows(), 1'000u);
  w.close(30'000ms);
}

// Leaves `n` spooled metrics (backend down) in a closed spool; returns the
// segment file holding them.
std::string spool_with(const TempDir& tmp, FaultySpoolFs& fs, int n) {
  MemorySink down;
  down.fail_always(true);
  WriterOptions o = options(tmp, fs, Durability::kSpoolEach);
  o.segment_bytes = 4 * 1024 * 1024;  // one segment
  Writer w(down, o);
  for (int i = 0; i < n; ++i) w.store(Uuid(std::array<std::uint8_t, 16>{1}), metric(i));
  const std::string dir = w.spool_dir();
  EXPECT_THROW(w.close(10ms), FlushError);
  auto segs = list_spool_segments(dir);
  EXPECT_EQ(segs.size(), 1u);
  return spool_segment_path(dir, segs.front());
}

// After a crash the last record of a segment may be cut in the middle
// (file shorter than the record) or hold garbage (bad CRC). Replay keeps
// every whole record before it, reports the torn one, throws nothing.
TEST(StoreSpoolFaults, TornLastRecordKeepsEveryWholeRecordBeforeIt) {
  constexpr std::size_t kFramed = kSpoolHeaderSize + kMetricRecordSize;
  for (bool cut : {true, false}) {
    TempDir tmp;
    FaultySpoolFs fs;
    const std::string seg = spool_with(tmp, fs, 100);
    const auto size = std::filesystem::file_size(seg);
    ASSERT_EQ(size, 100 * kFramed) << "close trims the segment to its records";
    if (cut) {
      std::filesystem::resize_file(seg, size - kMetricRecordSize / 2);  // the payload half there
    } else {
      std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(size - 10));
      f.put('\x5a');  // inside the last payload: checksum mismatch
    }
    MemorySink sink;
    WriterOptions o = options(tmp, fs, Durability::kSpoolEach);
    Writer w(sink, o);
    EXPECT_NO_THROW(w.flush(30'000ms));
    EXPECT_EQ(sink.rows(), 99u) << (cut ? "cut" : "bad CRC") << ": the 99 whole records";
    auto order = sink.order();
    ASSERT_EQ(order.size(), 99u);
    for (int i = 0; i < 99; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)].metric.epoch, i);
    if (cut) {
      EXPECT_EQ(w.spool_torn_records(), 1u);
    } else {
      EXPECT_EQ(w.spool_corrupt_records(), 1u);
    }
    // The ledger entry re-derived from the 99 replayed records: 99 acknowledged.
    ASSERT_EQ(sink.ledger().size(), 1u);
    EXPECT_EQ(sink.ledger().begin()->second.acknowledged, 99u);
    w.close(30'000ms);
  }
}

}  // namespace
}  // namespace canopy::store
