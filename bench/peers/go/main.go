// gocql peer of bench/compare: writes the store's training_metrics rows
// with gocql at its best: prepared INSERTs (gocql prepares and caches them)
// in single-partition UNLOGGED batches, --in-flight batches at once from as
// many goroutines, one connection, TCP_NODELAY (Go's default for TCP).
// The workload shape is docs/performance.md's; prints one JSON line.
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

const insert = "INSERT INTO %s.training_metrics (run_id, timestamp, step, epoch, train_loss, train_accuracy, " +
	"val_loss, val_accuracy, learning_rate, hidden_units) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// One batch: rows [first, first+n) of run `run`, steps from `step`.
type job struct {
	run      gocql.UUID
	first, n int
	step     int
}

// Runs interleaved round-robin, each cut into batches of batchRows rows.
func plan(runs []gocql.UUID, count, batchRows, base int) []job {
	perRun := count / len(runs)
	var jobs []job
	for k := 0; k*batchRows < perRun; k++ {
		for r, id := range runs {
			n := min(batchRows, perRun-k*batchRows)
			jobs = append(jobs, job{run: id, first: base + r*perRun + k*batchRows, n: n, step: k * batchRows})
		}
	}
	return jobs
}

func cpuSeconds() float64 {
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return float64(u.Utime.Sec+u.Stime.Sec) + float64(u.Utime.Usec+u.Stime.Usec)/1e6
}

func main() {
	host := flag.String("host", "127.0.0.51", "contact point")
	ks := flag.String("keyspace", "bench", "keyspace holding training_metrics")
	runs := flag.Int("runs", 8, "runs (partitions) written round-robin")
	count := flag.Int("count", 300000, "measured rows")
	warmup := flag.Int("warmup", 0, "rows written first, not measured (other run ids)")
	batchRows := flag.Int("batch-rows", 100, "rows per batch")
	inFlight := flag.Int("in-flight", 64, "batches in flight")
	latFile := flag.String("latency-file", "", "write each measured batch's latency (µs), one a line")
	flag.Parse()

	cluster := gocql.NewCluster(*host)
	cluster.NumConns = 1
	cluster.Consistency = gocql.One
	cluster.Timeout = 30 * time.Second
	cluster.DisableInitialHostLookup = true
	s, err := cluster.CreateSession()
	if err != nil {
		log.Fatalf("connect: %v", err)
	}
	defer s.Close()
	stmt := fmt.Sprintf(insert, *ks)
	t0 := time.Now().UnixMilli()

	run := func(jobs []job, lat []int64) int64 {
		var next, failed atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < *inFlight; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					j := int(next.Add(1) - 1)
					if j >= len(jobs) {
						return
					}
					jb := jobs[j]
					b := s.Batch(gocql.UnloggedBatch)
					b.Entries = make([]gocql.BatchEntry, 0, jb.n)
					for r := 0; r < jb.n; r++ {
						i := jb.first + r
						step := jb.step + r
						b.Entries = append(b.Entries, gocql.BatchEntry{Stmt: stmt, Idempotent: true, Args: []interface{}{
							jb.run, time.UnixMilli(t0 + int64(step)), int32(step), int32(i), 1.0 / float64(i+1),
							0.5, 0.7, 0.6, 0.01, int32(4)}})
					}
					start := time.Now()
					if err := b.Exec(); err != nil {
						if failed.Add(1) == 1 {
							log.Printf("batch failed: %v", err)
						}
					}
					if lat != nil {
						lat[j] = time.Since(start).Microseconds()
					}
				}
			}()
		}
		wg.Wait()
		return failed.Load()
	}

	ids := func(n int) []gocql.UUID {
		out := make([]gocql.UUID, n)
		for i := range out {
			out[i] = gocql.MustRandomUUID()
		}
		return out
	}
	if *warmup > 0 {
		run(plan(ids(*runs), *warmup, *batchRows, 0), nil)
	}
	jobs := plan(ids(*runs), *count, *batchRows, *warmup)
	lat := make([]int64, len(jobs))
	cpu0, w0 := cpuSeconds(), time.Now()
	failed := run(jobs, lat)
	secs, cpu := time.Since(w0).Seconds(), cpuSeconds()-cpu0
	if *latFile != "" {
		var sb strings.Builder
		for _, l := range lat {
			fmt.Fprintln(&sb, l)
		}
		if err := os.WriteFile(*latFile, []byte(sb.String()), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	rows := *count / *runs * *runs
	fmt.Printf("{\"peer\": \"gocql\", \"rows\": %d, \"seconds\": %.3f, \"cpu_seconds\": %.3f, \"failed_batches\": %d, \"rows_per_s\": %.0f}\n",
		rows, secs, cpu, failed, math.Round(float64(rows)/secs))
}
