// Java driver peer of bench/compare: writes the store's training_metrics rows
// with the Apache Cassandra Java driver 4 at its best: one prepared INSERT,
// single-partition UNLOGGED batches sent with executeAsync, --in-flight
// batches at once (a semaphore), one connection (pool.local.size 1),
// TCP_NODELAY. The workload shape is docs/performance.md's; prints one JSON line.
package canopy.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

public final class JavaPeer {
  // One batch: rows [first, first+n) of run `run`, steps from `step`.
  record Job(UUID run, int first, int n, int step) {}

  // Runs interleaved round-robin, each cut into batches of batchRows rows.
  static List<Job> plan(int runs, int count, int batchRows, int base) {
    List<UUID> ids = new ArrayList<>();
    for (int r = 0; r < runs; r++) ids.add(UUID.randomUUID());
    int perRun = count / runs;
    List<Job> jobs = new ArrayList<>();
    for (int k = 0; k * batchRows < perRun; k++) {
      for (int r = 0; r < runs; r++) {
        jobs.add(new Job(ids.get(r), base + r * perRun + k * batchRows, Math.min(batchRows, perRun - k * batchRows),
            k * batchRows));
      }
    }
    return jobs;
  }

  static double cpuSeconds() {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    return os.getProcessCpuTime() / 1e9;
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>(Map.of("--host", "127.0.0.51", "--keyspace", "bench", "--runs", "8",
        "--count", "300000", "--warmup", "0", "--batch-rows", "100", "--in-flight", "64", "--latency-file", ""));
    for (int i = 0; i + 1 < argv.length; i += 2) {
      if (!a.containsKey(argv[i])) throw new IllegalArgumentException("unknown option " + argv[i]);
      a.put(argv[i], argv[i + 1]);
    }
    int runs = Integer.parseInt(a.get("--runs")), count = Integer.parseInt(a.get("--count"));
    int warmup = Integer.parseInt(a.get("--warmup")), batchRows = Integer.parseInt(a.get("--batch-rows"));
    int inFlight = Integer.parseInt(a.get("--in-flight"));

    DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
        .withInt(DefaultDriverOption.CONNECTION_POOL_LOCAL_SIZE, 1)
        .withBoolean(DefaultDriverOption.SOCKET_TCP_NODELAY, true)
        .withInt(DefaultDriverOption.CONNECTION_MAX_REQUESTS, 32768)
        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
        .withString(DefaultDriverOption.REQUEST_CONSISTENCY, ConsistencyLevel.ONE.name())
        .build();
    try (CqlSession s = CqlSession.builder()
        .addContactPoint(new InetSocketAddress(a.get("--host"), 9042))
        .withLocalDatacenter("datacenter1")
        .withConfigLoader(config)
        .build()) {
      PreparedStatement ins = s.prepare("INSERT INTO " + a.get("--keyspace") + ".training_metrics (run_id, timestamp, "
          + "step, epoch, train_loss, train_accuracy, val_loss, val_accuracy, learning_rate, hidden_units) "
          + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      long t0 = System.currentTimeMillis();
      if (warmup > 0) run(s, ins, plan(runs, warmup, batchRows, 0), inFlight, t0, null);
      List<Job> jobs = plan(runs, count, batchRows, warmup);
      long[] lat = new long[jobs.size()];
      double cpu0 = cpuSeconds();
      long w0 = System.nanoTime();
      long failed = run(s, ins, jobs, inFlight, t0, lat);
      double secs = (System.nanoTime() - w0) / 1e9, cpu = cpuSeconds() - cpu0;
      if (!a.get("--latency-file").isEmpty()) {
        try (PrintWriter out = new PrintWriter(a.get("--latency-file"))) {
          for (long l : lat) out.println(l);
        }
      }
      int rows = count / runs * runs;
      System.out.printf("{\"peer\": \"java-driver\", \"rows\": %d, \"seconds\": %.3f, \"cpu_seconds\": %.3f, "
          + "\"failed_batches\": %d, \"rows_per_s\": %.0f}%n", rows, secs, cpu, failed, rows / secs);
    }
  }

  static long run(CqlSession s, PreparedStatement ins, List<Job> jobs, int inFlight, long t0, long[] lat)
      throws InterruptedException {
    Semaphore window = new Semaphore(inFlight);
    CountDownLatch done = new CountDownLatch(jobs.size());
    AtomicLong failed = new AtomicLong();
    for (int j = 0; j < jobs.size(); j++) {
      Job jb = jobs.get(j);
      BatchStatementBuilder b = new BatchStatementBuilder(DefaultBatchType.UNLOGGED).setIdempotence(true);
      for (int r = 0; r < jb.n(); r++) {
        int i = jb.first() + r, step = jb.step() + r;
        b.addStatement(ins.bind(jb.run(), Instant.ofEpochMilli(t0 + step), step, i, 1.0 / (i + 1), 0.5, 0.7, 0.6,
            0.01, 4));
      }
      window.acquire();
      final int slot = j;
      long start = System.nanoTime();
      s.executeAsync(b.build()).whenComplete((rs, err) -> {
        if (lat != null) lat[slot] = (System.nanoTime() - start) / 1000;
        if (err != null && failed.incrementAndGet() == 1) System.err.println("batch failed: " + err);
        window.release();
        done.countDown();
      });
    }
    done.await();
    return failed.get();
  }
}
