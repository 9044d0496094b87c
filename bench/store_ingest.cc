// store_ingest: end-to-end ingest of the metrics store, either backend.
//
//   build-*/bench/store_ingest --backend sqlite [--durability buffered|each] [--count N] [--runs R]
//   build-*/bench/store_ingest --backend cassandra --hosts 127.0.0.1 [--write-mode batch|single]
//   ... [--rollups on|off]   (off: measure what keeping roll-ups costs)
//   ... [--keyspace store_bench] [--connections 2] [--sample 200000]
//   ... [--buffer 1000000] [--overflow spool|block]  (the writer's queue:
//   a loop that outruns the backend spills to the spool by default)
//   ... [--max-batch N]  (Cassandra: metrics per backend write, default the writer's)
//   ... [--batch-rows 100] [--in-flight 64]  (Cassandra: backend.cassandra.batch_size
//   and max_in_flight, the request shape bench/compare sweeps)
//   (--sample: metrics stored one by one after the loop to time single
//   calls; 0 skips it, so the store holds exactly warm-up + --count rows)
//
// Prints: metrics/s from the first store_metric to flush_metrics returning;
// store_metric cost (mean wall time over the whole loop, CPU time of the
// calling thread per call, and p50/p99 of individually timed calls, which
// include ~20 ns of clock reads); client CPU µs per
// metric (user+sys of the whole process: caller, flush thread, I/O thread);
// peak RSS; bytes on disk per metric after flush (SQLite: db + WAL);
// Cassandra: the write requests' latency (MetricsStore::request_latency).
// Cassandra runs first send a warm-up of --warmup metrics (JIT warm-up of
// the server), not counted.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_store_config.h"
#include "canopy/metrics_store.h"
#include "store/cassandra_backend.h"
#include "store/store_impl.h"

using namespace std::chrono;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
long peak_rss_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}
std::uintmax_t dir_or_file_size(const std::string& p) {
  std::error_code ec;
  if (std::filesystem::is_regular_file(p, ec)) return std::filesystem::file_size(p, ec);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend = "sqlite", durability = "buffered", hosts = "127.0.0.1", write_mode = "batch";
  long count = 1'000'000, runs = 8, warmup = 200'000, sample_max = 200'000, connections = 2;
  std::string keyspace = "store_bench";
  std::string dir = "/tmp/canopy-store-bench";
  bool rollups = true;
  long buffer = 1'000'000, max_batch = 0, batch_rows = 0, in_flight = 0;
  std::string overflow = "spool";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--backend") backend = v;
    else if (k == "--durability") durability = v;
    else if (k == "--hosts") hosts = v;
    else if (k == "--write-mode") write_mode = v;
    else if (k == "--count") count = std::stol(v);
    else if (k == "--runs") runs = std::stol(v);
    else if (k == "--warmup") warmup = std::stol(v);
    else if (k == "--dir") dir = v;
    else if (k == "--rollups") rollups = (v == "on");
    else if (k == "--buffer") buffer = std::max(1L, std::stol(v));
    else if (k == "--overflow") overflow = v;
    else if (k == "--max-batch") max_batch = std::max(1L, std::stol(v));
    else if (k == "--batch-rows") batch_rows = std::max(1L, std::stol(v));
    else if (k == "--in-flight") in_flight = std::clamp(std::stol(v), 1L, 4096L);
    else if (k == "--keyspace") keyspace = v;
    else if (k == "--sample") sample_max = std::max(0L, std::stol(v));
    else if (k == "--connections") connections = std::max(1L, std::stol(v));
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  canopy::Config c;
  c.writer.spool_dir = dir + "/spool";
  c.writer.durability = durability == "each" ? canopy::Durability::kSpoolEach : canopy::Durability::kBuffered;
  c.writer.buffer_capacity = static_cast<std::size_t>(buffer);
  c.writer.overflow = overflow == "block" ? canopy::OverflowPolicy::kBlock : canopy::OverflowPolicy::kSpool;
  c.writer.rollups = rollups;
  c.embedded.path = dir + "/metrics.db";
  c.cassandra.flush_interval = milliseconds(100);
  std::unique_ptr<canopy::MetricsStore> store;
  if (backend == "cassandra") {
    use_bench_node(c, hosts, keyspace);
    c.cassandra.pool_size = static_cast<int>(connections);
    if (batch_rows > 0) c.cassandra.batch_size = static_cast<int>(batch_rows);
    if (in_flight > 0) c.cassandra.max_in_flight = static_cast<int>(in_flight);
    auto mode = write_mode == "single" ? canopy::store::CassandraWriteMode::kSingleRow
                                       : canopy::store::CassandraWriteMode::kUnloggedBatch;
    auto b = canopy::store::make_cassandra_backend(c, mode);
    auto w = canopy::store::writer_options(c);
    if (max_batch > 0) w.max_batch = static_cast<std::size_t>(max_batch);
    store = std::make_unique<canopy::store::MetricsStoreImpl>(std::move(b), w);
  } else {
    warmup = 0;
    store = canopy::open_store(c);
  }
  std::vector<canopy::Uuid> ids;
  for (long r = 0; r < runs; ++r) ids.push_back(canopy::Uuid::random());
  auto make = [](long i) {
    canopy::Metric m;
    m.epoch = static_cast<int>(i);
    m.train_loss = 1.0 / (i + 1);
    m.train_accuracy = 0.5;
    m.val_loss = 0.7;
    m.val_accuracy = 0.6;
    m.learning_rate = 0.01;
    m.hidden_units = 4;
    return m;
  };
  for (long i = 0; i < warmup; ++i) store->store_metric(ids[i % runs], make(i));
  if (warmup > 0) store->flush_metrics(milliseconds(600'000));
  store->request_latency();  // from here on: the measured loop's requests only

  // 1. Whole-loop throughput and mean caller cost.
  const double cpu0 = cpu_seconds();
  const double tcpu0 = thread_cpu_seconds();
  const auto t0 = steady_clock::now();
  for (long i = 0; i < count; ++i) store->store_metric(ids[i % runs], make(i));
  const auto t1 = steady_clock::now();
  const double tcpu1 = thread_cpu_seconds();
  store->flush_metrics(milliseconds(600'000));
  const auto t2 = steady_clock::now();
  const double cpu1 = cpu_seconds();
  const std::optional<canopy::RequestLatency> latency = store->request_latency();

  // 2. Distribution of single calls (smaller sample, same store).
  const long sample = std::min<long>(count, sample_max);
  std::vector<double> ns(static_cast<std::size_t>(sample));
  for (long i = 0; i < sample; ++i) {
    auto a = steady_clock::now();
    store->store_metric(ids[i % runs], make(count + i));
    auto b = steady_clock::now();
    ns[static_cast<std::size_t>(i)] = duration<double, std::nano>(b - a).count();
  }
  store->flush_metrics(milliseconds(600'000));
  std::sort(ns.begin(), ns.end());
  auto counters = store->counters();
  std::string described = store->describe();
  store->close();

  const double total_s = duration<double>(t2 - t0).count();
  const double loop_ns = duration<double, std::nano>(t1 - t0).count() / count;
  std::uintmax_t disk = dir_or_file_size(c.embedded.path) + dir_or_file_size(c.embedded.path + "-wal");
  std::printf("store_ingest backend=%s durability=%s rollups=%s%s metrics=%ld runs=%ld warmup=%ld\n",
              described.c_str(), durability.c_str(), rollups ? "on" : "off", backend == "cassandra" ? (" write-mode=" + write_mode).c_str() : "", count, runs,
              warmup);
  std::printf("  end-to-end        %.0f metrics/s (%.2f s for %ld, flush included)\n", count / total_s, total_s, count);
  if (ns.empty()) {
    std::printf("  store_metric      mean %.0f ns over the loop; single calls not timed (--sample 0)\n", loop_ns);
  } else {
    std::printf("  store_metric      mean %.0f ns over the loop; single calls p50 %.0f ns, p99 %.0f ns, p99.9 %.0f ns\n",
                loop_ns, ns[ns.size() / 2], ns[ns.size() * 99 / 100], ns[ns.size() * 999 / 1000]);
  }
  std::printf("  caller CPU        %.0f ns per store_metric (CPU time of the calling thread, no preemption)\n",
              (tcpu1 - tcpu0) * 1e9 / count);
  std::printf("  client CPU        %.2f µs per metric (all threads)\n", (cpu1 - cpu0) * 1e6 / count);
  std::printf("  peak RSS          %.1f MiB\n", peak_rss_kib() / 1024.0);
  if (latency) {
    std::printf("  write requests    %llu; latency p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms\n",
                (unsigned long long)latency->requests, latency->p50_ms, latency->p99_ms, latency->p999_ms,
                latency->max_ms);
  }
  if (backend != "cassandra") {
    std::printf("  on disk           %.1f bytes per metric (db + WAL after flush)\n",
                double(disk) / double(count + sample));
  }
  std::printf("  counters          stored %llu written %llu retried %llu spooled %llu replayed %llu dropped %llu\n",
              (unsigned long long)counters.stored, (unsigned long long)counters.written,
              (unsigned long long)counters.retried, (unsigned long long)counters.spooled,
              (unsigned long long)counters.replayed, (unsigned long long)counters.dropped);
  return 0;
}
