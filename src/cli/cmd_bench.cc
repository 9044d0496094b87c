// canopy-store bench: a quick ingest measurement of the configured store.
// The full benchmarks live in bench/ (docs/performance.md); this one answers
// "how fast is the store I configured, here" in a few seconds.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli/context.h"
#include "cli/progress.h"

namespace canopy::cli {
namespace {

struct BenchOptions {
  int metrics = 100'000;
  int runs = 4;
};

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void bench(const GlobalOptions& g, const BenchOptions& o) {
  using Clock = std::chrono::steady_clock;
  auto store = open_configured_store(g);
  std::vector<Uuid> runs;
  for (int r = 0; r < o.runs; ++r) {
    NewRun nr;
    nr.dataset_name = "canopy-store-bench";
    nr.tags = {{"source", "canopy-store bench"}};
    runs.push_back(store->create_run(nr));
  }
  std::cerr << "bench: " << o.metrics << " metrics over " << o.runs << " runs into "
            << store->describe() << '\n';
  std::vector<double> call_ns;
  call_ns.reserve(o.metrics);
  Progress progress("storing", "metrics", static_cast<std::uint64_t>(o.metrics));
  double cpu0 = cpu_seconds();
  auto t0 = Clock::now();
  for (int i = 0; i < o.metrics; ++i) {
    // Once per 1,024 metrics: the clock read would otherwise weigh on the figures.
    if ((i & 1023) == 0) progress.update(static_cast<std::uint64_t>(i));
    Metric m;
    m.epoch = i / o.runs;
    m.train_loss = 1.0 / (1 + i);
    m.train_accuracy = 0.5;
    m.val_loss = 1.0 / (2 + i);
    m.val_accuracy = 0.5;
    m.learning_rate = 0.01;
    m.hidden_units = 3;
    auto c0 = Clock::now();
    store->store_metric(runs[i % o.runs], m);
    call_ns.push_back(std::chrono::duration<double, std::nano>(Clock::now() - c0).count());
  }
  auto t_stored = Clock::now();
  progress.finish();
  flush_store(*store);
  auto t1 = Clock::now();
  double cpu = cpu_seconds() - cpu0;
  std::sort(call_ns.begin(), call_ns.end());
  auto pct = [&](double p) { return call_ns[std::min(call_ns.size() - 1, size_t(p * call_ns.size()))]; };
  double secs = std::chrono::duration<double>(t1 - t0).count();
  std::printf("metrics            %d\n", o.metrics);
  std::printf("end to end         %.0f metrics/s (%.3f s, flush included)\n", o.metrics / secs, secs);
  std::printf("store_metric       p50 %.0f ns  p99 %.0f ns  max %.0f ns\n", pct(0.5), pct(0.99),
              call_ns.back());
  std::printf("producer loop      %.3f s; flush wait %.3f s\n",
              std::chrono::duration<double>(t_stored - t0).count(),
              std::chrono::duration<double>(t1 - t_stored).count());
  std::printf("client CPU         %.2f us/metric (all threads of this process)\n",
              1e6 * cpu / o.metrics);
  WriterCounters c = store->counters();
  std::printf("counters           stored %llu written %llu retried %llu spooled %llu dropped %llu spool_failures %llu spool_full %llu\n",
              (unsigned long long)c.stored, (unsigned long long)c.written,
              (unsigned long long)c.retried, (unsigned long long)c.spooled,
              (unsigned long long)c.dropped, (unsigned long long)c.spool_failures,
              (unsigned long long)c.spool_full);
  for (const Uuid& r : runs) store->complete_run(r, {}, "bench");
  close_store(*store);
}

}  // namespace

void add_bench_command(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* b = app.add_subcommand("bench", "Measure ingest into the configured store (writes bench runs)");
  b->add_option("--metrics", o->metrics, "Metrics to store")->check(CLI::Range(1, 100'000'000))->capture_default_str();
  b->add_option("--runs", o->runs, "Runs to spread them over")->check(CLI::Range(1, 10'000))->capture_default_str();
  b->callback([&g, o] { bench(g, *o); });
}

}  // namespace canopy::cli
