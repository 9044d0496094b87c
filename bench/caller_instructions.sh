#!/usr/bin/env bash
# Instructions per store_metric call on the caller's thread (issue 17),
# counted by valgrind's callgrind on the embedded SQLite backend (no
# Cassandra needed). Each workload runs at two sizes; the difference of the
# inclusive counts divided by the difference of the calls cancels start-up.
#
#   bench/caller_instructions.sh BUILD_DIR [SMALL LARGE]
#
# C++: MetricsStoreImpl::store_metric inclusive (store_ingest calls it 2 ×
# COUNT times, cycling over --runs runs). Python: the interpreter's main
# thread (callgrind --separate-threads; the writer's flush thread and
# SQLite are not counted) running python/bench/bench_calls.py: store_metric
# one call per metric, store_metrics in lists of 1000 dicts or in columns of
# 1000 values. PYTHONPATH=BUILD_DIR/python; PY_MODES picks modes.
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR [SMALL LARGE]}
small=${2:-20000}
large=${3:-100000}
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$here/.venv/bin/python3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

run_cg() {
  local file=$out/callgrind.out.$1
  shift
  local opts=()
  [[ $1 == --separate-threads=yes ]] && { opts=("$1"); shift; }
  valgrind --tool=callgrind "${opts[@]}" --callgrind-out-file="$file" "$@" >/dev/null 2>"$file.log" ||
    { echo "failed: $* (see below)" >&2; tail -20 "$file.log" >&2; exit 1; }
}
# Total instructions of the main thread of a run made with --separate-threads=yes.
main_thread_ir() { awk '/^(summary|totals):/ { print $2; exit }' "$out/callgrind.out.$1-01"; }
function_ir() {
  callgrind_annotate --inclusive=yes --threshold=100 "$out/callgrind.out.$1" 2>/dev/null |
    awk -v f="$2" 'index($0, f) && !done { gsub(",", "", $1); print $1; done = 1 }'
}
report() {  # NAME A B CALLS_SMALL CALLS_LARGE
  awk -v n="$1" -v a="$2" -v b="$3" -v s="$4" -v l="$5" \
    'BEGIN { printf "%-44s %8.0f instructions per call\n", n, (b - a) / (l - s) }'
}

for runs in ${CPP_RUNS-8 1}; do
  for size in "$small" "$large"; do
    run_cg "cpp$runs.$size" "$build/bench/store_ingest" --backend sqlite --warmup 0 --runs "$runs" \
      --count "$size" --dir "$out/store$runs.$size"
  done
  report "C++ store_metric, $runs run(s) in turn" "$(function_ir "cpp$runs.$small" MetricsStoreImpl::store_metric)" \
    "$(function_ir "cpp$runs.$large" MetricsStoreImpl::store_metric)" $((2 * small)) $((2 * large))
done

if [[ -f $here/python/bench/bench_calls.py ]]; then
  for mode in ${PY_MODES:-single bulk columns}; do
    for size in "$small" "$large"; do
      PYTHONPATH=$build/python run_cg "py$mode.$size" --separate-threads=yes "$python" "$here/python/bench/bench_calls.py" "$mode" "$size"
    done
    report "Python, $mode (calling thread)" "$(main_thread_ir "py$mode.$small")" \
      "$(main_thread_ir "py$mode.$large")" "$small" "$large"
  done
fi
