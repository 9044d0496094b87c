// store_metric allocates nothing on the caller's thread in steady state
// (issue 17). This binary replaces the global operator new/delete to count
// allocations per thread, so it is a test executable of its own.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "store/writer.h"
#include "unit/store_test_util.h"

namespace {
thread_local std::size_t t_allocations = 0;
}  // namespace

// GCC (with -fsanitize=address) sees free() on what operator new returned
// and warns; these are the replacements, and their new calls malloc.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t n) {
  ++t_allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, std::align_val_t al) {
  ++t_allocations;
  const auto a = static_cast<std::size_t>(al);
  if (void* p = std::aligned_alloc(a, (n + a - 1) / a * a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t al) { return ::operator new(n, al); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace canopy::store {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kCapacity = 4'000;
constexpr int kMeasured = 3'000;  // < kCapacity: the queue cannot overflow into the spool

Metric metric(int epoch) {
  Metric m;
  m.epoch = epoch;
  m.train_loss = 1.0 / (epoch + 1);
  m.val_accuracy = 0.5;
  return m;
}

// Allocations on this thread over `kMeasured` stores after a warm-up that
// fills the queue to its capacity once (it may grow to it) and drains it.
std::size_t steady_state_allocations(Durability durability, int runs) {
  TempDir tmp;
  MemorySink sink;
  WriterOptions o;
  o.spool_dir = tmp.path() + "/spool";
  o.buffer_capacity = kCapacity;
  o.durability = durability;
  o.batch_size = 100;
  o.flush_interval = 10'000ms;
  Writer w(sink, o);
  std::vector<Uuid> ids;
  for (int r = 0; r < runs; ++r) ids.push_back(Uuid::random());
  sink.hold();  // the queue reaches its capacity once
  int epoch = 0;
  for (std::size_t i = 0; i < kCapacity; ++i, ++epoch) w.store(ids[i % ids.size()], metric(epoch));
  sink.release();
  w.flush(30s);
  const std::size_t before = t_allocations;
  for (int i = 0; i < kMeasured; ++i, ++epoch) w.store(ids[i % ids.size()], metric(epoch));
  const std::size_t n = t_allocations - before;
  w.flush(30s);
  EXPECT_EQ(sink.rows(), kCapacity + kMeasured);
  return n;
}

TEST(StoreAlloc, CountsThisThreadsAllocations) {
  const std::size_t before = t_allocations;
  auto* p = new int(1);
  delete p;
  EXPECT_EQ(t_allocations - before, 1u);
}

TEST(StoreAlloc, BufferedStoreDoesNotAllocate) {
  EXPECT_EQ(steady_state_allocations(Durability::kBuffered, 1), 0u);
}

TEST(StoreAlloc, BufferedStoreOfAlternatingRunsDoesNotAllocate) {
  EXPECT_EQ(steady_state_allocations(Durability::kBuffered, 3), 0u);
}

// The spool's 4 MiB segment holds the warm-up and the measured records: no
// segment is opened meanwhile (opening one allocates, once per segment).
TEST(StoreAlloc, SpoolEachStoreDoesNotAllocate) {
  EXPECT_EQ(steady_state_allocations(Durability::kSpoolEach, 1), 0u);
}

}  // namespace
}  // namespace canopy::store
