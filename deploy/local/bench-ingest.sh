#!/usr/bin/env bash
# The ingest benchmark of docs/BENCHMARKS.md, end to end on this machine: local services, a release build, a
# fresh database with one tenant, enhancer-ingest on a unique queue prefix, then
#   1. the ceiling: a minimal lapin publisher with confirms to {prefix}.jobs,
#   2. ingest flat out (64 connections),
#   3. ingest open-loop at 1,000 req/s,
# and a summary against the targets of issue 4. Dedup and rate limiting stay on (Redis running); the
# tenant's rate limit is set far above the load so that it is checked on every request but never refuses.
# Everything it made (process, queues, Redis keys, database) is removed at the end, also on failure.
#
# Knobs (environment): BENCH_TOOL (generic|jira), BENCH_SECONDS (20), BENCH_WARMUP (2), BENCH_CONNECTIONS
# (64), BENCH_RATE (1000), BENCH_IN_FLIGHT (64), BENCH_PORT (18080), BENCH_OUT (directory for the JSON results),
# BENCH_PERF=1 (record a system-wide `perf` profile of the flat-out phase; it costs throughput, so numbers from
# such a run are for finding where time goes, not for the results table).
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOL=${BENCH_TOOL:-generic}
SECONDS_MEASURED=${BENCH_SECONDS:-20}
WARMUP=${BENCH_WARMUP:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
RATE=${BENCH_RATE:-1000}
IN_FLIGHT=${BENCH_IN_FLIGHT:-64}
PORT=${BENCH_PORT:-18080}
RUN_ID="bench$(date +%s)$$"
OUT=${BENCH_OUT:-target/bench/$RUN_ID}
PREFIX="$RUN_ID"
DB="enhancer_$RUN_ID"
PG_SERVER=postgres://postgres@127.0.0.1:5432
AMQP_URL=amqp://guest:guest@127.0.0.1:5672/%2f
BIN="${CARGO_TARGET_DIR:-target}/release"

source deploy/local/services.sh
ensure_services

echo "== release build"
cargo build --release --locked -p enhancer-ingest -p enhancer-worker -p enhancer-tests --bins

mkdir -p "$OUT"
WORK=$(mktemp -d)
INGEST_PID=""

cleanup() {
  local status=$?
  set +e
  if [[ -n "$INGEST_PID" ]] && kill -0 "$INGEST_PID" 2>/dev/null; then
    kill -TERM "$INGEST_PID"
    wait "$INGEST_PID" 2>/dev/null
  fi
  "$BIN/loadgen" delete --amqp-url "$AMQP_URL" --prefix "$PREFIX" >/dev/null 2>&1
  # Dedup and rate-limit keys live under the queue prefix; the dedup TTL would keep them a day.
  redis-cli -h 127.0.0.1 --scan --pattern "$PREFIX:*" | xargs -r -n 1000 redis-cli -h 127.0.0.1 DEL >/dev/null
  psql -q "$PG_SERVER/postgres" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT

export ENHANCER_DATABASE__URL="$PG_SERVER/$DB"
export ENHANCER_AMQP__URL="$AMQP_URL"
export ENHANCER_QUEUE__PREFIX="$PREFIX"
export ENHANCER_INGEST__LISTEN="127.0.0.1:$PORT"
ENHANCER_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
export ENHANCER_MASTER_KEY

echo "== database $DB and tenant 'bench' ($TOOL)"
"$BIN/enhancer-worker" migrate
# Checked on every request (one Redis script call), never refusing: far above what this machine can send.
echo '{"rate_limit": {"per_second": 1000000, "burst": 1000000}}' >"$WORK/settings.json"
case "$TOOL" in
  generic)
    LOADGEN_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
    SECRETS="{\"webhook_secret\": \"$LOADGEN_SECRET\", \"credentials\": {}}"
    BASE_URL=https://tickets.example.com ;;
  jira)
    LOADGEN_SECRET="$(head -c 32 /dev/urandom | base64)"
    SECRETS="{\"webhook_secret\": \"$LOADGEN_SECRET\", \"credentials\": {\"email\": \"bench@example.com\", \"api_token\": \"bench\"}}"
    BASE_URL=https://bench.atlassian.net ;;
  *) echo "BENCH_TOOL must be generic or jira" >&2; exit 2 ;;
esac
export LOADGEN_SECRET
echo "$SECRETS" | "$BIN/enhancer-worker" tenant add --id bench --name "Benchmark" --tool "$TOOL" \
  --base-url "$BASE_URL" --settings-file "$WORK/settings.json" --secrets-file - >/dev/null

echo "== enhancer-ingest on 127.0.0.1:$PORT, queue prefix $PREFIX (log: $OUT/ingest.log)"
"$BIN/enhancer-ingest" 2>"$OUT/ingest.log" &
INGEST_PID=$!
for _ in $(seq 60); do
  curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$INGEST_PID" 2>/dev/null || { echo "enhancer-ingest exited; see $OUT/ingest.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$PORT/readyz"; echo
# The topology is declared in the background after start-up; wait until the jobs queue exists.
for _ in $(seq 60); do
  "$BIN/loadgen" purge --amqp-url "$AMQP_URL" --prefix "$PREFIX" >/dev/null 2>&1 && break
  sleep 0.5
done
RSS_IDLE_KIB=$(awk '/^VmRSS/ {print $2}' "/proc/$INGEST_PID/status")

TIMING=(--duration "$SECONDS_MEASURED" --warmup "$WARMUP" --json)
TICKS=$(getconf CLK_TCK)
RABBIT_PID=$(pgrep -o -x beam.smp || true)
REDIS_PID=$(pgrep -o -x redis-server || true)

# CPU seconds (user + system) a process has used so far; 0 when it is not there.
cpu_of() { awk -v hz="$TICKS" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Whole-machine CPU seconds so far: "busy steal" (busy excludes idle, iowait and steal). Other work on a shared
# machine shows up as busy time that none of the four processes used.
machine_cpu() { awk -v hz="$TICKS" '/^cpu / { printf "%.2f %.2f", ($2 + $3 + $4 + $7 + $8) / hz, $9 / hz }' /proc/stat; }

# Runs one loadgen phase and writes its JSON to $OUT/$1.json, and the CPU each process used during it
# (warm-up included) to $OUT/$1-cpu.txt: on 2 shared cores, who gets the CPU decides the throughput.
phase() {
  local name=$1; shift
  local before_ingest before_rabbit before_redis started
  local before_machine after_machine
  before_ingest=$(cpu_of "$INGEST_PID"); before_rabbit=$(cpu_of "$RABBIT_PID"); before_redis=$(cpu_of "$REDIS_PID")
  before_machine=$(machine_cpu)
  started=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$WORK/loadgen-time" "$BIN/loadgen" "$@" "${TIMING[@]}" | tee "$OUT/$name.json"
  after_machine=$(machine_cpu)
  awk -v wall="$(date +%s.%N)" -v start="$started" -v cores="$(nproc)" \
    -v busy="$(awk -v b="${before_machine% *}" -v a="${after_machine% *}" 'BEGIN{print a-b}')" \
    -v steal="$(awk -v b="${before_machine#* }" -v a="${after_machine#* }" 'BEGIN{print a-b}')" \
    -v ingest="$(awk -v b="$before_ingest" -v a="$(cpu_of "$INGEST_PID")" 'BEGIN{print a-b}')" \
    -v rabbit="$(awk -v b="$before_rabbit" -v a="$(cpu_of "$RABBIT_PID")" 'BEGIN{print a-b}')" \
    -v redis="$(awk -v b="$before_redis" -v a="$(cpu_of "$REDIS_PID")" 'BEGIN{print a-b}')" \
    -v loadgen="$(awk '{print $1 + $2}' "$WORK/loadgen-time")" 'BEGIN {
      capacity = (wall - start) * cores
      printf "%-16s %8s %8s\n", "process", "cpu s", "share"
      printf "%-16s %8.1f %7.0f%%\n", "loadgen", loadgen, 100 * loadgen / capacity
      printf "%-16s %8.1f %7.0f%%\n", "enhancer-ingest", ingest, 100 * ingest / capacity
      printf "%-16s %8.1f %7.0f%%\n", "rabbitmq", rabbit, 100 * rabbit / capacity
      printf "%-16s %8.1f %7.0f%%\n", "redis", redis, 100 * redis / capacity
      others = busy - loadgen - ingest - rabbit - redis
      printf "%-16s %8.1f %7.0f%%\n", "everything else", others, 100 * others / capacity
      printf "%-16s %8.1f %7.0f%%\n", "idle", capacity - busy - steal, 100 * (capacity - busy - steal) / capacity
      printf "%-16s %8.1f %7.0f%%\n", "steal (host)", steal, 100 * steal / capacity
      printf "%-16s %8.1f s x %d cores\n", "wall", wall - start, cores
    }' | tee "$OUT/$name-cpu.txt"
  "$BIN/loadgen" purge --amqp-url "$AMQP_URL" --prefix "$PREFIX"
}

echo "== 1/3 ceiling: lapin publisher, $IN_FLIGHT confirms in flight, ${SECONDS_MEASURED}s"
phase ceiling ceiling --amqp-url "$AMQP_URL" --prefix "$PREFIX" --tool "$TOOL" --in-flight "$IN_FLIGHT"

echo "== 2/3 ingest flat out: $CONNECTIONS connections, ${SECONDS_MEASURED}s"
PERF_PID=""
if [[ "${BENCH_PERF:-0}" == 1 ]]; then
  # Ingest's threads only, over the measured window (after the warm-up). No call graphs: release builds
  # have no frame pointers; a flat profile by symbol (crate paths included) says where the time goes.
  (sleep "$WARMUP" && exec perf record -q -F 999 -p "$INGEST_PID" -o "$OUT/perf-flat.data" -- sleep "$SECONDS_MEASURED") \
    >/dev/null 2>&1 &
  PERF_PID=$!
fi
phase flat http --url "http://127.0.0.1:$PORT" --tenant bench --tool "$TOOL" --connections "$CONNECTIONS"
if [[ -n "$PERF_PID" ]]; then
  wait "$PERF_PID" || true
  perf report -i "$OUT/perf-flat.data" --no-children --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' \
    | head -n 20 >"$OUT/perf-flat-dso.txt" || true
  perf report -i "$OUT/perf-flat.data" --no-children --sort sym --stdio 2>/dev/null | grep -v '^#' \
    | grep -v '^$' | head -n 80 >"$OUT/perf-flat-sym.txt" || true
  echo "profile of ingest: $OUT/perf-flat-dso.txt, $OUT/perf-flat-sym.txt"
fi

echo "== 3/3 ingest open loop: $RATE req/s, ${SECONDS_MEASURED}s"
phase rate http --url "http://127.0.0.1:$PORT" --tenant bench --tool "$TOOL" --rate "$RATE"

RSS_PEAK_KIB=$(awk '/^VmHWM/ {print $2}' "/proc/$INGEST_PID/status")
RSS_END_KIB=$(awk '/^VmRSS/ {print $2}' "/proc/$INGEST_PID/status")
read -r INGEST_UTIME INGEST_STIME < <(awk '{print $14, $15}' "/proc/$INGEST_PID/stat")
curl -fsS "http://127.0.0.1:$PORT/metrics" >"$OUT/ingest-metrics.txt"

CEILING=$(jq -r .msg_per_s "$OUT/ceiling.json")
FLAT=$(jq -r .accepted_per_s "$OUT/flat.json")
P50=$(jq -r .latency_ms.p50 "$OUT/rate.json")
P95=$(jq -r .latency_ms.p95 "$OUT/rate.json")
P99=$(jq -r .latency_ms.p99 "$OUT/rate.json")
RATE_ACCEPTED=$(jq -r .accepted_per_s "$OUT/rate.json")
FLAT_ERRORS=$(jq -r '[.outcomes | to_entries[] | select(.key != "202") | .value] | add // 0' "$OUT/flat.json")
RATE_ERRORS=$(jq -r '[.outcomes | to_entries[] | select(.key != "202") | .value] | add // 0' "$OUT/rate.json")
RATIO=$(awk -v a="$FLAT" -v c="$CEILING" 'BEGIN { printf "%.2f", (c > 0 ? a / c : 0) }')
RSS_PEAK_MIB=$(awk -v k="$RSS_PEAK_KIB" 'BEGIN { printf "%.1f", k / 1024 }')
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "met" : "MISSED") }'; }

{
  echo
  echo "== summary ($TOOL, $(nproc) cores, ${SECONDS_MEASURED}s per phase, run $RUN_ID)"
  printf '%-44s %s\n' "ceiling (lapin, $IN_FLIGHT in flight)" "$CEILING msg/s"
  printf '%-44s %s\n' "ingest flat out ($CONNECTIONS connections)" "$FLAT accepted/s, $FLAT_ERRORS not 202"
  printf '%-44s %s  [target >= 0.60: %s]\n' "ratio ingest / ceiling" "$RATIO" "$(verdict "$(awk -v r="$RATIO" 'BEGIN{print (r >= 0.6)}')")"
  printf '%-44s %s\n' "ingest at $RATE req/s" "$RATE_ACCEPTED accepted/s, $RATE_ERRORS not 202"
  printf '%-44s p50 %s  p95 %s  p99 %s ms  [target p99 <= 3: %s]\n' "  latency from schedule" "$P50" "$P95" "$P99" \
    "$(verdict "$(awk -v p="$P99" 'BEGIN{print (p <= 3)}')")"
  printf '%-44s %s MiB (idle %s KiB, end %s KiB)  [target < 64: %s]\n' "ingest peak RSS (VmHWM)" "$RSS_PEAK_MIB" \
    "$RSS_IDLE_KIB" "$RSS_END_KIB" "$(verdict "$(awk -v m="$RSS_PEAK_MIB" 'BEGIN{print (m < 64)}')")"
  printf '%-44s user %s s, system %s s\n' "ingest CPU time over the whole run" \
    "$(awk -v t="$INGEST_UTIME" -v hz="$TICKS" 'BEGIN{printf "%.1f", t/hz}')" \
    "$(awk -v t="$INGEST_STIME" -v hz="$TICKS" 'BEGIN{printf "%.1f", t/hz}')"
  echo "results: $OUT"
} | tee "$OUT/summary.txt"
