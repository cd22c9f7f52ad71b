#!/usr/bin/env bash
# The search-at-scale benchmark of docs/BENCHMARKS.md ("Search at scale"), on this machine: local services, a
# release build, then
#   1. `search-bench` (tests/src/search_bench/): for each corpus size in BENCH_SIZES, a fresh database loaded
#      with the generated corpus (tests/src/corpus_gen/), and the latency and database CPU of each search the
#      gather stage runs and of the whole gather, for ordinary and mass-incident query tickets, with the
#      related-tickets-by-address query's EXPLAIN (ANALYZE, BUFFERS);
#   2. `worker-bench instant --context --corpus N` at each size: one worker, instant mocks, context search on
#      the same preloaded corpus, BENCH_JOBS jobs of ordinary tickets, then the same with every job a ticket
#      of the mass incident (`--mass-jobs 1`).
# Every run makes its own database and queue prefix and removes them at the end.
#
# Before each run the script waits (up to BENCH_QUIET_WAIT seconds) for the 1-minute load average to fall
# below BENCH_QUIET_LOAD (2 shared cores: a compile halves the numbers) and writes the load down either way.
#
# Knobs (environment): BENCH_SIZES ("10000 30000 100000"), BENCH_QUERIES (200), BENCH_JOBS (3000),
# BENCH_QUIET_LOAD (1.0), BENCH_QUIET_WAIT (300), BENCH_OUT (directory for the results).
set -euo pipefail
cd "$(dirname "$0")/../.."

SIZES=${BENCH_SIZES:-"10000 30000 100000"}
QUERIES=${BENCH_QUERIES:-200}
JOBS=${BENCH_JOBS:-3000}
QUIET_LOAD=${BENCH_QUIET_LOAD:-1.0}
QUIET_WAIT=${BENCH_QUIET_WAIT:-300}
RUN_ID="sb$(date +%s)$$"
OUT=${BENCH_OUT:-target/bench/$RUN_ID}
BIN="${CARGO_TARGET_DIR:-target}/release"
export PGSSLMODE=disable

source deploy/local/services.sh
ensure_services

echo "== release build"
cargo build --release --locked -p enhancer-tests --bin search-bench --bin worker-bench
mkdir -p "$OUT"

source deploy/local/quiet.sh

for size in $SIZES; do
  echo "== search-bench, $size tickets"
  wait_quiet
  "$BIN/search-bench" --sizes "$size" --queries "$QUERIES" --explain --json-out "$OUT/search-$size.json" \
    | tee "$OUT/search-$size.txt"
done

for size in $SIZES; do
  for mass in 0 1; do
    echo "== worker-bench instant --context --corpus $size --mass-jobs $mass, $JOBS jobs"
    wait_quiet
    "$BIN/worker-bench" instant --jobs "$JOBS" --concurrency 64 --db-connections 20 --context \
      --corpus "$size" --mass-jobs "$mass" --json-out "$OUT/worker-$size-mass$mass.json" \
      > "$OUT/worker-$size-mass$mass.txt" 2> "$OUT/worker-$size-mass$mass.log"
    grep -E "^corpus|completed in|cpu during|^postgres|^worker-bench|machine busy|gather" "$OUT/worker-$size-mass$mass.txt"
  done
done
echo "results in $OUT"
