// cql_insert: write throughput of the CQL client against a real node.
//
// Two workloads on a table shaped like the reference's training_metrics
// (10 columns, partition run_id, clustering timestamp, step):
//   single  prepared single-row INSERTs, async, --in-flight requests at once
//   batch   single-partition UNLOGGED batches of --batch-rows rows,
//           --batch-in-flight batches at once
// Each workload first runs --warmup rows (not measured: a fresh JVM is 2-3x
// slower) and then --rows measured rows. Prints rows/s and the client's own
// CPU time per row (getrusage: user + system of this process).
//
// Usage: cql_insert [--host 127.0.0.1] [--rows 300000] [--warmup 100000]
//                   [--in-flight 256] [--batch-in-flight 16] [--batch-rows 100]
//                   [--connections 2] [--server-pid PID] [--tls-dir DIR]
//                   [--workload both|single|batch] [--bind values|writer]
//                   [--keyspace K] [--runs 8] [--latency-file FILE]
// --workload: run only one of the two (instruction counts per row under
// callgrind need one workload per process; docs/performance.md).
// --bind: rows as std::vector<cql::Value> (default) or written straight
// into the request by cql::RowWriter (row_writer.h).
// --tls-dir: TLS with DIR/ca.pem and the client certificate DIR/client.pem,
// DIR/client-key.pem (the files of scripts/cassandra start --tls).
// --keyspace: write into K.training_metrics as the store created it
// (canopy-store schema apply; bench/compare) instead of a cql_bench keyspace
// of its own, which is then neither created nor dropped.
// --runs: partitions the batches go to, round-robin (default 8).
// --latency-file: each measured batch's latency in µs, one a line.
// With --server-pid (the Cassandra JVM on this machine) it also prints the
// server's CPU time per row (/proc/PID/stat utime + stime).
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "cql/session.h"

namespace {

using cql::Value;
using Clock = std::chrono::steady_clock;

struct Args {
  std::string host = "127.0.0.1";
  long rows = 300'000;
  long warmup = 100'000;
  int in_flight = 256;
  int batch_in_flight = 16;
  int batch_rows = 100;
  int connections = 2;
  long server_pid = 0;
  std::string tls_dir;  // non-empty: TLS with the certificates of scripts/cassandra --tls
  std::string workload = "both";
  bool writer = false;  // --bind writer
  std::string keyspace;  // empty: a cql_bench keyspace of its own
  long runs = 8;
  std::string latency_file;
};

// CPU seconds used so far by another process (0 when unknown).
double ProcessCpuSeconds(long pid) {
  if (pid <= 0) return 0;
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return 0;
  char buf[4096];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');  // the command name may contain spaces
  if (!p) return 0;
  unsigned long long utime = 0, stime = 0;
  // Fields after ")": state(3) ... utime(14) stime(15).
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return 0;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs `total` units of work with `width` requests in flight; each completion
// starts the next unit from the callback (no thread per request).
class Driver {
 public:
  using Start = std::function<void(long unit, std::function<void(bool)> done)>;
  Driver(long total, int width, Start start) : total_(total), width_(width), start_(std::move(start)) {}

  long Run() {
    for (int i = 0; i < width_; ++i) Next();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return finished_ == total_; });
    return failed_;
  }

 private:
  void Next() {
    long unit = issued_.fetch_add(1);
    if (unit >= total_) return;
    start_(unit, [this](bool ok) {
      if (!ok) ++failed_;
      Next();
      std::lock_guard<std::mutex> lock(mu_);
      if (++finished_ == total_) cv_.notify_one();
    });
  }

  const long total_;
  const int width_;
  Start start_;
  std::atomic<long> issued_{0};
  std::atomic<long> failed_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  long finished_ = 0;  // guarded by mu_
};

std::vector<Value> MetricRow(const cql::Uuid& run, long i) {
  return {Value::UuidOf(run),
          Value::Timestamp(1'700'000'000'000 + i),
          Value::Int(static_cast<int32_t>(i)),
          Value::Int(static_cast<int32_t>(i / 100)),
          Value::Double(1.0 / static_cast<double>(i + 1)),
          Value::Double(0.5),
          Value::Double(0.25),
          Value::Double(0.75),
          Value::Double(0.001),
          Value::Int(12)};
}

// The same row through RowWriter.
void PutMetricRow(cql::RowWriter& w, const cql::Uuid& run, long i) {
  w.PutUuid(run)
      .PutTimestamp(1'700'000'000'000 + i)
      .PutInt(static_cast<int32_t>(i))
      .PutInt(static_cast<int32_t>(i / 100))
      .PutDouble(1.0 / static_cast<double>(i + 1))
      .PutDouble(0.5)
      .PutDouble(0.25)
      .PutDouble(0.75)
      .PutDouble(0.001)
      .PutInt(12);
}

long g_runs = 8;  // --runs

cql::Uuid RunId(long i) {
  cql::Uuid u;
  const long r = i % g_runs;  // 8 runs by default, like the reference measurement
  u.bytes[0] = static_cast<uint8_t>(r);
  u.bytes[1] = static_cast<uint8_t>(r >> 8);
  u.bytes[6] = 0x40;
  return u;
}

struct Figures {
  double seconds;
  double cpu;
  double server_cpu;
  long failed;
};

Figures Measure(long server_pid, const std::function<long()>& body) {
  double cpu0 = CpuSeconds();
  double server0 = ProcessCpuSeconds(server_pid);
  auto t0 = Clock::now();
  long failed = body();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  return {secs, CpuSeconds() - cpu0, ProcessCpuSeconds(server_pid) - server0, failed};
}

void Report(const char* name, long rows, const Figures& f) {
  std::printf("%-38s %9ld rows  %8.2f s  %9.0f rows/s  %6.2f us client CPU/row", name, rows, f.seconds,
              static_cast<double>(rows) / f.seconds, f.cpu * 1e6 / static_cast<double>(rows));
  if (f.server_cpu > 0) std::printf("  %6.2f us server CPU/row", f.server_cpu * 1e6 / static_cast<double>(rows));
  std::printf("  %ld failed\n", f.failed);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--host") a.host = v;
    else if (k == "--rows") a.rows = std::atol(v);
    else if (k == "--warmup") a.warmup = std::atol(v);
    else if (k == "--in-flight") a.in_flight = std::atoi(v);
    else if (k == "--batch-in-flight") a.batch_in_flight = std::atoi(v);
    else if (k == "--batch-rows") a.batch_rows = std::atoi(v);
    else if (k == "--connections") a.connections = std::atoi(v);
    else if (k == "--server-pid") a.server_pid = std::atol(v);
    else if (k == "--tls-dir") a.tls_dir = v;
    else if (k == "--workload") a.workload = v;
    else if (k == "--bind") a.writer = std::string(v) == "writer";
    else if (k == "--keyspace") a.keyspace = v;
    else if (k == "--runs") a.runs = std::max(1L, std::atol(v));
    else if (k == "--latency-file") a.latency_file = v;
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (a.workload != "both" && a.workload != "single" && a.workload != "batch") {
    std::fprintf(stderr, "--workload: both, single or batch, not %s\n", a.workload.c_str());
    return 2;
  }
  try {
    cql::SessionOptions o;
    o.contact_points = {a.host};
    o.pool_size = a.connections;
    if (!a.tls_dir.empty()) {
      o.tls.enabled = true;
      o.tls.ca_file = a.tls_dir + "/ca.pem";
      o.tls.cert_file = a.tls_dir + "/client.pem";
      o.tls.key_file = a.tls_dir + "/client-key.pem";
    }
    g_runs = a.runs;
    auto s = cql::Session::Connect(o);
    const bool own_keyspace = a.keyspace.empty();
    const std::string ks = own_keyspace ? "cql_bench" : a.keyspace;
    if (own_keyspace) {
      s->Query("DROP KEYSPACE IF EXISTS cql_bench");
      s->Query("CREATE KEYSPACE cql_bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
      s->Query(
          "CREATE TABLE cql_bench.training_metrics (run_id uuid, timestamp timestamp, epoch int, step int, "
          "train_loss double, train_accuracy double, val_loss double, val_accuracy double, learning_rate double, "
          "hidden_units int, PRIMARY KEY ((run_id), timestamp, step)) WITH CLUSTERING ORDER BY (timestamp DESC, step ASC)");
    }
    auto ins = s->Prepare(
        "INSERT INTO " + ks + ".training_metrics (run_id, timestamp, epoch, step, train_loss, train_accuracy, "
        "val_loss, val_accuracy, learning_rate, hidden_units) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    cql::StatementOptions opts{.idempotent = true};

    auto single = [&](long base, long rows) {
      Driver d(rows, a.in_flight, [&, base](long i, std::function<void(bool)> done) {
        auto cb = [done](cql::Result<cql::ResultSet> r) { done(r.ok()); };
        if (!a.writer) return s->ExecuteAsync(ins, MetricRow(RunId(base + i), base + i), opts, cb);
        cql::EncodedValues v;
        cql::RowWriter w(*ins, v);
        PutMetricRow(w, RunId(base + i), base + i);
        if (auto err = w.Finish()) return cb(*err);
        s->ExecuteRowAsync(ins, std::move(v), opts, cb);
      });
      return d.Run();
    };
    std::vector<long> latency_us;  // of the measured batches, when asked for
    auto batched = [&](long base, long rows, bool timed) {
      long batches = rows / a.batch_rows;
      if (timed && !a.latency_file.empty()) latency_us.assign(static_cast<size_t>(batches), 0);
      Driver d(batches, a.batch_in_flight, [&, base, timed](long b, std::function<void(bool)> done) {
        cql::Batch batch;
        batch.type = cql::BatchType::kUnlogged;
        batch.entries.reserve(static_cast<size_t>(a.batch_rows));
        long first = base + b * a.batch_rows;
        cql::Uuid run = RunId(b);  // one partition per batch
        for (long r = 0; r < a.batch_rows; ++r) {
          if (!a.writer) {
            batch.Add(ins, MetricRow(run, first + r));
          } else if (auto err = batch.AddRow(ins, [&](cql::RowWriter& w) { PutMetricRow(w, run, first + r); })) {
            std::fprintf(stderr, "row refused: %s\n", err->to_string().c_str());
          }
        }
        long* slot = timed && !latency_us.empty() ? &latency_us[static_cast<size_t>(b)] : nullptr;
        auto start = Clock::now();
        s->ExecuteBatchAsync(std::move(batch), opts, [done, slot, start](cql::Result<cql::ResultSet> r) {
          if (slot) *slot = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
          if (!r.ok()) std::fprintf(stderr, "batch failed: %s\n", r.error().to_string().c_str());
          done(r.ok());
        });
      });
      return d.Run();
    };

    std::printf("cql_insert against %s: %d connection(s); warm-up of %ld rows per workload first (not measured)\n",
                a.host.c_str(), a.connections, a.warmup);
    if (a.workload != "batch") {
      single(0, a.warmup);
      Report(("single-row prepared, " + std::to_string(a.in_flight) + " in flight").c_str(), a.rows,
             Measure(a.server_pid, [&] { return single(10'000'000, a.rows); }));
    }
    if (a.workload != "single") {
      batched(20'000'000, a.warmup, false);
      Report(("unlogged batch of " + std::to_string(a.batch_rows) + ", " + std::to_string(a.batch_in_flight) +
              " in flight").c_str(),
             a.rows, Measure(a.server_pid, [&] { return batched(30'000'000, a.rows, true); }));
      if (!a.latency_file.empty()) {
        std::FILE* f = std::fopen(a.latency_file.c_str(), "w");
        if (!f) throw std::runtime_error("cannot write " + a.latency_file);
        for (long us : latency_us) std::fprintf(f, "%ld\n", us);
        std::fclose(f);
      }
    }
    uint64_t frames = 0, writes = 0;
    for (const auto& h : s->host_counters()) {
      frames += h.frames;
      writes += h.socket_writes;
    }
    std::printf("client: %llu frames in %llu socket writes (%.1f frames per write)\n",
                static_cast<unsigned long long>(frames), static_cast<unsigned long long>(writes),
                writes ? static_cast<double>(frames) / static_cast<double>(writes) : 0.0);
    auto c = s->counters();
    std::printf("session: %llu requests, %llu retries, %llu timeouts\n",
                static_cast<unsigned long long>(c.requests), static_cast<unsigned long long>(c.retries),
                static_cast<unsigned long long>(c.timeouts));
    if (own_keyspace) s->Query("DROP KEYSPACE cql_bench");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cql_insert: %s\n", e.what());
    return 1;
  }
}
