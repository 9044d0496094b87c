// store_reads: read latency through the store's public API, either backend.
//
//   build-*/bench/store_reads [--backend sqlite|cassandra] [--hosts 127.0.0.1]
//                             [--keyspace store_reads] [--metrics 100000] [--runs 120] [--samples 300]
//                             [--node-pid PID]
//
// Records --runs runs (one of them with --metrics metrics), then times
// query_metrics(run, limit 1000) and list_runs(100), --samples times each,
// one call after another on one thread, and prints p50 / p99 / mean, the
// client's CPU per call (all threads) and, with --node-pid, the Cassandra
// node's (from /proc/PID/stat). The
// issue's targets: query_metrics p50 <= 2 ms, list_runs(100) p50 <= 1 ms.
// python/bench/bench_reads.py is the same from Python.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "bench_store_config.h"
#include "canopy/metrics_store.h"

using namespace std::chrono;

namespace {

long g_node_pid = 0;

double process_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// utime + stime of the node's process, ms (0 without --node-pid).
double node_cpu_ms() {
  if (g_node_pid == 0) return 0;
  std::ifstream in("/proc/" + std::to_string(g_node_pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t at = stat.rfind(')');  // the command name may hold spaces
  std::vector<std::string> f;
  std::string cur;
  for (std::size_t i = at + 2; i < stat.size(); ++i) {
    if (stat[i] == ' ') {
      f.push_back(cur);
      cur.clear();
    } else {
      cur += stat[i];
    }
  }
  if (f.size() < 13) return 0;
  // Fields 14 and 15 of stat (utime, stime) are f[11], f[12] after the name.
  return static_cast<double>(std::stol(f[11]) + std::stol(f[12])) * 1e3 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Times `n` calls (after 10 to warm prepared statements and caches) and
// prints p50 / p99 / mean and the CPU per call.
void time_calls(const char* name, int n, const std::function<void()>& call) {
  for (int i = 0; i < 10; ++i) call();
  std::vector<double> ms;
  const double client0 = process_cpu_ms(), node0 = node_cpu_ms();
  for (int i = 0; i < n; ++i) {
    const auto t0 = steady_clock::now();
    call();
    ms.push_back(duration<double, std::milli>(steady_clock::now() - t0).count());
  }
  const double client = (process_cpu_ms() - client0) / n, node = (node_cpu_ms() - node0) / n;
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  const auto at = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * (ms.size() - 1) + 0.5))]; };
  std::printf("%-28s p50 %7.3f ms   p99 %7.3f ms   mean %7.3f ms   (%zu calls); CPU per call: client %.3f ms",
              name, at(0.5), at(0.99), sum / static_cast<double>(ms.size()), ms.size(), client);
  if (g_node_pid != 0) std::printf(", node %.3f ms", node);
  std::printf("\n");
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
    else if (k == "--node-pid") g_node_pid = std::stol(v);
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
  if (backend == "cassandra") use_bench_node(c, hosts, keyspace);
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
  time_calls("query_metrics(limit 1000)", static_cast<int>(samples), [&] {
    rows = store->query_metrics(run, std::nullopt, std::nullopt, 1000).size();
  });
  time_calls("list_runs(100)", static_cast<int>(samples), [&] { listed = store->list_runs(100).size(); });
  std::printf("(%zu rows per query, %zu runs per list)\n", rows, listed);
  store->close();
  return rows == 1000 && listed == 100 ? 0 : 1;
}
