#!/usr/bin/env bash
# Client instructions per metric (CPU cost that does not depend on the
# machine's load), counted by valgrind's callgrind over every thread of the
# process. Each workload runs twice, at two sizes; the difference of the
# totals divided by the difference of the metrics cancels what does not
# scale with them (connecting, schema, preparing, start-up).
#
#   bench/instructions_per_metric.sh BUILD_DIR HOST [SMALL LARGE]
#
# BUILD_DIR holds bench/cql_insert and bench/store_ingest; HOST is a node
# (e.g. scripts/cassandra start --first-ip 51 → 127.0.0.51). SMALL and LARGE
# are metric counts (default 10000 and 30000). Needs valgrind (Debian's
# package). Prints one line per workload; docs/performance.md quotes them.
# Callgrind runs the program ~50x slower: a full run takes minutes.
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR HOST [SMALL LARGE]}
host=${2:?usage: $0 BUILD_DIR HOST [SMALL LARGE]}
small=${3:-10000}
large=${4:-30000}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Total instructions of one run (every thread).
total_ir() {
  local file=$out/callgrind.out.$1
  shift
  valgrind --tool=callgrind --callgrind-out-file="$file" "$@" >/dev/null 2>"$file.log" ||
    { echo "failed: $* (see below)" >&2; tail -20 "$file.log" >&2; exit 1; }
  awk '/^(summary|totals):/ { print $2; exit }' "$file"
}

# Instructions of one function, inclusive, in a run's profile.
function_ir() {
  callgrind_annotate --inclusive=yes --threshold=100 "$out/callgrind.out.$1" 2>/dev/null |
    awk -v f="$2" 'index($0, f) && !done { gsub(",", "", $1); print $1; done = 1 }'
}

# per_metric NAME METRICS_PER_COUNT COMMAND... (COUNT in COMMAND is replaced)
per_metric() {
  local name=$1 factor=$2
  shift 2
  local a b
  a=$(total_ir "$name.small" "${@//COUNT/$small}")
  b=$(total_ir "$name.large" "${@//COUNT/$large}")
  awk -v n="$name" -v a="$a" -v b="$b" -v s="$small" -v l="$large" -v f="$factor" \
    'BEGIN { printf "%-34s %8.0f instructions per metric\n", n, (b - a) / ((l - s) * f) }'
}

ingest=("$build/bench/store_ingest" --warmup 0 --runs 8 --count COUNT --dir "$out/store")
cass=(--backend cassandra --hosts "$host")

insert=("$build/bench/cql_insert" --host "$host" --warmup 0 --rows COUNT)
per_metric "cql_insert single-row" 1 "${insert[@]}" --workload single
per_metric "cql_insert batch of 100" 1 "${insert[@]}" --workload batch
# Rows written by cql::RowWriter instead of std::vector<cql::Value>.
per_metric "cql_insert single-row, RowWriter" 1 "${insert[@]}" --workload single --bind writer
per_metric "cql_insert batch of 100, RowWriter" 1 "${insert[@]}" --workload batch --bind writer
# store_ingest stores COUNT metrics, then COUNT more one by one (timed): 2 × COUNT.
per_metric "store cassandra batch, roll-ups on" 2 "${ingest[@]}" "${cass[@]}" --write-mode batch --rollups on
per_metric "store cassandra batch, roll-ups off" 2 "${ingest[@]}" "${cass[@]}" --write-mode batch --rollups off
per_metric "store cassandra single, roll-ups on" 2 "${ingest[@]}" "${cass[@]}" --write-mode single --rollups on
per_metric "store sqlite, roll-ups on" 2 "${ingest[@]}" --backend sqlite --rollups on
# The caller's share: store_metric itself (its thread only), per call.
ir=$(function_ir "store sqlite, roll-ups on.large" "MetricsStoreImpl::store_metric")
awk -v i="${ir:-0}" -v l="$large" \
  'BEGIN { printf "%-34s %8.0f instructions per call (caller thread)\n", "store_metric", i / (2 * l) }'
