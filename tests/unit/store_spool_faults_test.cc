// The spool's file system made to fail (spool_fs.h): a full disk, I/O
// errors, a failed msync or unlink, stray files. Each case either keeps
// every metric store_metric accepted or tells the caller; none drops a
// metric silently.
#include <gtest/gtest.h>

#include <cerrno>
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
    return real().allocate(fd, bytes);
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

}  // namespace
}  // namespace canopy::store
