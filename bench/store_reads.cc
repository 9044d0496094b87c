// store_reads: read latency through the store's public API, either backend.
//
//   build-*/bench/store_reads [--backend sqlite|cassandra] [--hosts 127.0.0.1]
//                             [--keyspace store_reads] [--metrics 100000] [--runs 120] [--samples 300]
//
// Records --runs runs (one of them with --metrics metrics), then times
// query_metrics(run, limit 1000) and list_runs(100), --samples times each,
// one call after another on one thread, and prints p50 / p99 / mean. The
// issue's targets: query_metrics p50 <= 2 ms, list_runs(100) p50 <= 1 ms.
// python/bench/bench_reads.py is the same from Python.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "canopy/metrics_store.h"

using namespace std::chrono;

namespace {

void report(const char* name, std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  const auto at = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * (ms.size() - 1) + 0.5))]; };
  std::printf("%-28s p50 %7.3f ms   p99 %7.3f ms   mean %7.3f ms   (%zu calls)\n", name, at(0.5), at(0.99),
              sum / static_cast<double>(ms.size()), ms.size());
}

std::vector<double> time_calls(int n, const std::function<void()>& call) {
  for (int i = 0; i < 10; ++i) call();  // warm: prepared statements, caches
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    const auto t0 = steady_clock::now();
    call();
    ms.push_back(duration<double, std::milli>(steady_clock::now() - t0).count());
  }
  return ms;
}

}  // namespace

int main(int argc, char** argv) {
  std::string backend = "sqlite", hosts = "127.0.0.1", keyspace = "store_reads";
  long metrics = 100'000, runs = 120, samples = 300;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--backend") backend = v;
    else if (k == "--hosts") hosts = v;
    else if (k == "--keyspace") keyspace = v;
    else if (k == "--metrics") metrics = std::stol(v);
    else if (k == "--runs") runs = std::max(1L, std::stol(v));
    else if (k == "--samples") samples = std::max(1L, std::stol(v));
    else {
      std::fprintf(stderr, "store_reads: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  const std::string dir = "/tmp/canopy-store-reads";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  canopy::Config c;
  c.writer.spool_dir = dir + "/spool";
  c.writer.durability = canopy::Durability::kBuffered;
  c.embedded.path = dir + "/metrics.db";
  if (backend == "cassandra") {
    c.cassandra.enabled = true;
    c.cassandra.contact_points = {hosts};
    c.cassandra.keyspace = keyspace;
    c.cassandra.replication_class = "SimpleStrategy";
    c.cassandra.replication = {{"replication_factor", 1}};
  }
  auto store = canopy::open_store(c);
  std::vector<canopy::Uuid> ids;
  for (long r = 0; r < runs; ++r) {
    canopy::NewRun n;
    n.dataset_name = "store-reads";
    ids.push_back(store->create_run(n));
  }
  const canopy::Uuid run = ids.back();
  for (long i = 0; i < metrics; ++i) {
    canopy::Metric m;
    m.epoch = static_cast<int>(i);
    m.train_loss = 1.0 / static_cast<double>(i + 1);
    m.train_accuracy = 0.5;
    m.val_loss = 0.7;
    m.val_accuracy = 0.6;
    m.learning_rate = 0.01;
    m.hidden_units = 4;
    store->store_metric(run, m);
  }
  store->flush_metrics(milliseconds(600'000));
  std::printf("store_reads backend=%s runs=%ld metrics=%ld\n", backend.c_str(), runs, metrics);
  std::size_t rows = 0, listed = 0;
  report("query_metrics(limit 1000)", time_calls(static_cast<int>(samples), [&] {
           rows = store->query_metrics(run, std::nullopt, std::nullopt, 1000).size();
         }));
  report("list_runs(100)", time_calls(static_cast<int>(samples), [&] { listed = store->list_runs(100).size(); }));
  std::printf("(%zu rows per query, %zu runs per list)\n", rows, listed);
  store->close();
  return rows == 1000 && listed == 100 ? 0 : 1;
}
