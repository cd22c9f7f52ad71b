#!/usr/bin/env bash
# The ingest benchmark of docs/BENCHMARKS.md, end to end on this machine: local services, a release build, a
# fresh database with one tenant, enhancer-ingest on a unique queue prefix, then
#   1. the ceiling: a minimal lapin publisher with confirms to {prefix}.jobs, with 64 confirms in flight (the
#      issue's definition) and again with as many in flight as ingest gets connections (a publisher with more
#      confirms outstanding batches more, so the ratio is taken against the higher of the two),
#   2. ingest flat out (128 connections: about half of a request's time is spent before the publish, so 64
#      connections keep only about 32 publishes at the broker at once),
#   3. ingest open-loop at 1,000 req/s,
#   4. the broker's own confirm latency at that rate (the floor under phase 3),
# and a summary against the targets of issue 4. Dedup and rate limiting stay on (Redis running); the
# tenant's rate limit is set far above the load so that it is checked on every request but never refuses.
# Everything it made (process, queues, Redis keys, database) is removed at the end, also on failure.
#
# Knobs (environment): BENCH_TOOL (any tool with a plugin; default generic), BENCH_TOOLS (tools also driven
# flat out, one tenant each, e.g. "generic jira servicedesk_plus freshservice"), BENCH_SECONDS (20), BENCH_WARMUP (2), BENCH_CONNECTIONS
# (128), BENCH_RATE (1000), BENCH_IN_FLIGHT (64), BENCH_PORT (18080), BENCH_ADMIN_PORT (18091: ingest's /readyz and /metrics), BENCH_OUT (directory for the JSON results),
# BENCH_PERF=1 (a `perf` profile of ingest during both HTTP phases, in $OUT/perf-*; it costs throughput, so the
# numbers of such a run are for finding where time goes, not for the results table).
set -euo pipefail
cd "$(dirname "$0")/../.."

TOOL=${BENCH_TOOL:-generic}
SECONDS_MEASURED=${BENCH_SECONDS:-20}
WARMUP=${BENCH_WARMUP:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-128}
RATE=${BENCH_RATE:-1000}
IN_FLIGHT=${BENCH_IN_FLIGHT:-64}
PORT=${BENCH_PORT:-18080}
ADMIN_PORT=${BENCH_ADMIN_PORT:-18091}
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
export ENHANCER_INGEST__ADMIN_LISTEN="127.0.0.1:$ADMIN_PORT"
ENHANCER_MASTER_KEY=$(head -c 32 /dev/urandom | base64)
export ENHANCER_MASTER_KEY

echo "== database $DB and tenant 'bench' ($TOOL)"
"$BIN/enhancer-worker" migrate
# Checked on every request (one Redis script call), never refusing: far above what this machine can send.
echo '{"rate_limit": {"per_second": 1000000, "burst": 1000000}}' >"$WORK/settings.json"
# The generic tool's secrets are Standard Webhooks `whsec_` keys; every other tool takes any string.
if [[ "$TOOL" == generic ]]; then
  LOADGEN_SECRET="whsec_$(head -c 32 /dev/urandom | base64)"
else
  LOADGEN_SECRET="$(head -c 32 /dev/urandom | base64)"
fi
export LOADGEN_SECRET
# The tenant's secrets document for the tool (placeholder API credentials: ingest never calls the API).
SECRETS=$("$BIN/loadgen" tenant-secrets --tool "$TOOL")
BASE_URL=https://tickets.example.com
echo "$SECRETS" | "$BIN/enhancer-worker" tenant add --id bench --name "Benchmark" --tool "$TOOL" \
  --base-url "$BASE_URL" --settings-file "$WORK/settings.json" --secrets-file - >/dev/null

# Flat out per tool (BENCH_TOOLS, e.g. "generic jira servicedesk_plus freshservice"): one tenant per tool,
# `bench-<tool>`, each driven flat out like phase 2 and compared with the same run's ceiling.
TOOLS=${BENCH_TOOLS:-}
declare -A TOOL_SECRET
for t in $TOOLS; do
  if [[ "$t" == generic ]]; then TOOL_SECRET[$t]="whsec_$(head -c 32 /dev/urandom | base64)"
  else TOOL_SECRET[$t]="$(head -c 32 /dev/urandom | base64)"; fi
  LOADGEN_SECRET="${TOOL_SECRET[$t]}" "$BIN/loadgen" tenant-secrets --tool "$t" |
    "$BIN/enhancer-worker" tenant add --id "bench-$t" --name "Benchmark $t" --tool "$t" --base-url "$BASE_URL" \
      --settings-file "$WORK/settings.json" --secrets-file - >/dev/null
done

echo "== enhancer-ingest on 127.0.0.1:$PORT, queue prefix $PREFIX (log: $OUT/ingest.log)"
"$BIN/enhancer-ingest" 2>"$OUT/ingest.log" &
INGEST_PID=$!
for _ in $(seq 60); do
  curl -fsS "http://127.0.0.1:$ADMIN_PORT/readyz" >/dev/null 2>&1 && break
  kill -0 "$INGEST_PID" 2>/dev/null || { echo "enhancer-ingest exited; see $OUT/ingest.log" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$ADMIN_PORT/readyz"; echo
# The topology is declared in the background after start-up; wait until the jobs queue exists.
for _ in $(seq 60); do
  "$BIN/loadgen" purge --amqp-url "$AMQP_URL" --prefix "$PREFIX" >/dev/null 2>&1 && break
  sleep 0.5
done
RSS_IDLE_KIB=$(awk '/^VmRSS/ {print $2}' "/proc/$INGEST_PID/status")

TIMING=(--duration "$SECONDS_MEASURED" --warmup "$WARMUP" --json)
TICKS=$(getconf CLK_TCK)
# The broker's VM, not a rabbitmqctl that may be running beside it.
RABBIT_PID=$(pgrep -o -f 'beam.smp.*-s rabbit boot' || pgrep -o -x beam.smp || true)
REDIS_PID=$(pgrep -o -x redis-server || true)

# "ns-on-a-CPU ns-waiting-for-one" summed over a process's threads (/proc/<pid>/task/*/schedstat). Exact, unlike
# the tick-sampled /proc/stat; the waiting time is what CPU contention adds to every latency.
sched_of() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ r += $1; w += $2 } END { printf "%d %d", r, w }'; }
# Whole-machine busy CPU seconds so far (user, nice, system, irq, softirq), tick-sampled: it undercounts short
# bursts at light load, but shows other work (a build on a shared machine) during the heavy phases.
machine_busy() { awk -v hz="$TICKS" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8) / hz }' /proc/stat; }
context_switches() { awk '/ctxt_switches/ { n += $2 } END { print n }' /proc/"$INGEST_PID"/task/*/status 2>/dev/null; }
ingest_metrics() { curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" | { grep -v '^#' || true; }; }

# Ingest's own view of a phase from its /metrics before ($1) and after ($2): handler time and publish-to-confirm
# time (mean, and the histogram bucket holding the 50th and 99th percentile); $3 = its context switches.
metrics_delta() {
  awk -v ctx="$3" '
    FILENAME == ARGV[1] { before[$1] = $2; next }
    { delta = $2 - before[$1] }
    /^enhancer_ingest_webhook_duration_seconds_bucket\{outcome="queued"/ { split($1, p, "\""); hb[++hn] = p[4]; hc[hn] = delta }
    /^enhancer_ingest_publish_duration_seconds_bucket\{result="confirmed"/ { split($1, p, "\""); pb[++pn] = p[4]; pc[pn] = delta }
    /^enhancer_ingest_webhook_duration_seconds_sum\{outcome="queued"/ { hs = delta }
    /^enhancer_ingest_webhook_duration_seconds_count\{outcome="queued"/ { hcount = delta }
    /^enhancer_ingest_publish_duration_seconds_sum\{result="confirmed"/ { ps = delta }
    /^enhancer_ingest_publish_duration_seconds_count\{result="confirmed"/ { pcount = delta }
    function at(q, b, c, n, total,   i) {
      for (i = 1; i <= n; i++) if (c[i] >= q * total) return (b[i] == "+Inf" ? "+Inf" : b[i] * 1000 " ms")
      return "?"
    }
    END {
      if (hcount == 0) exit
      printf "ingest handler, 202s:    %d, mean %.3f ms, p50 <= %s, p99 <= %s\n", hcount, 1000 * hs / hcount,
        at(0.5, hb, hc, hn, hcount), at(0.99, hb, hc, hn, hcount)
      printf "ingest publish->confirm: mean %.3f ms, p50 <= %s, p99 <= %s\n", 1000 * ps / pcount,
        at(0.5, pb, pc, pn, pcount), at(0.99, pb, pc, pn, pcount)
      printf "ingest context switches: %.1f per webhook\n", ctx / hcount
    }' "$1" "$2"
}

# One loadgen phase (arguments: a name, then loadgen's). Writes its JSON to $OUT/<name>.json and, to
# $OUT/<name>-cpu.txt, what each process of the pipeline spent (warm-up included): on 2 shared cores, CPU per
# message decides the throughput, and time spent waiting for a CPU ends up in the latencies.
phase() {
  local name=$1; shift
  local ingest0 rabbit0 redis0 busy0 ctx0 started purged
  ingest0=$(sched_of "$INGEST_PID"); rabbit0=$(sched_of "$RABBIT_PID"); redis0=$(sched_of "$REDIS_PID")
  busy0=$(machine_busy); ctx0=$(context_switches); ingest_metrics >"$WORK/metrics-before"
  started=$(date +%s.%N)
  local perf_pid=""
  if [[ "${BENCH_PERF:-0}" == 1 && "$1" == http ]]; then
    # Ingest's threads over the measured window. No call graphs: release builds have no frame pointers, and a
    # flat profile by symbol (crate paths included) already says where the time goes.
    (sleep "$WARMUP" && exec perf record -q -F 999 -p "$INGEST_PID" -o "$OUT/perf-$name.data" -- sleep "$SECONDS_MEASURED") \
      >/dev/null 2>&1 &
    perf_pid=$!
  fi
  "$BIN/loadgen" "$@" "${TIMING[@]}" | tee "$OUT/$name.json"
  if [[ -n "$perf_pid" ]]; then
    wait "$perf_pid" || true
    perf report -i "$OUT/perf-$name.data" --no-children --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' \
      | head -n 20 >"$OUT/perf-$name-dso.txt" || true
    perf report -i "$OUT/perf-$name.data" --no-children --sort sym --stdio 2>/dev/null | grep -v '^#' \
      | grep -v '^$' | head -n 80 >"$OUT/perf-$name-sym.txt" || true
  fi
  local wall busy ingest rabbit redis
  wall=$(awk -v s="$started" -v e="$(date +%s.%N)" 'BEGIN { print e - s }')
  busy=$(awk -v b="$busy0" -v a="$(machine_busy)" 'BEGIN { print a - b }')
  ingest=$(sched_of "$INGEST_PID"); rabbit=$(sched_of "$RABBIT_PID"); redis=$(sched_of "$REDIS_PID")
  ingest_metrics >"$WORK/metrics-after"
  metrics_delta "$WORK/metrics-before" "$WORK/metrics-after" "$(($(context_switches) - ctx0))" >"$WORK/ingest-view"
  # Every message the phase published (warm-up included) is still in the jobs queue: count them as we empty it.
  purged=$("$BIN/loadgen" purge --amqp-url "$AMQP_URL" --prefix "$PREFIX" | awk '{ print $2 }')
  # A purged quorum queue still truncates its log in the background; let that finish before the next phase.
  sleep "${BENCH_SETTLE:-5}"
  {
    jq -r '"loadgen \(.loadgen.cpu_s * 1e9) \(.loadgen.cpu_wait_s * 1e9)"' "$OUT/$name.json"
    echo "enhancer-ingest $(awk -v a="$ingest" -v b="$ingest0" 'BEGIN { split(a, x, " "); split(b, y, " "); print x[1] - y[1], x[2] - y[2] }')"
    echo "rabbitmq $(awk -v a="$rabbit" -v b="$rabbit0" 'BEGIN { split(a, x, " "); split(b, y, " "); print x[1] - y[1], x[2] - y[2] }')"
    echo "redis $(awk -v a="$redis" -v b="$redis0" 'BEGIN { split(a, x, " "); split(b, y, " "); print x[1] - y[1], x[2] - y[2] }')"
  } | awk -v wall="$wall" -v cores="$(nproc)" -v busy="$busy" -v messages="$purged" '
    BEGIN {
      capacity = wall * cores
      printf "%-16s %7s %6s %13s %16s\n", "process", "cpu s", "share", "cpu us/msg", "waiting for cpu"
    }
    { run = $2 / 1e9; wait = $3 / 1e9; total += run
      printf "%-16s %7.1f %5.0f%% %13.1f %14.1f s\n", $1, run, 100 * run / capacity, 1e6 * run / messages, wait }
    END {
      printf "%-16s %7.1f %5.0f%% %13.1f\n", "the four", total, 100 * total / capacity, 1e6 * total / messages
      printf "machine busy %.0f%% (tick-sampled, includes any other work); %d messages in %.1f s x %d cores\n",
        100 * busy / capacity, messages, wall, cores
    }' | tee "$OUT/$name-cpu.txt"
  tee -a "$OUT/$name-cpu.txt" <"$WORK/ingest-view"
}

echo "== 1/4 ceiling: lapin publisher, $IN_FLIGHT confirms in flight, ${SECONDS_MEASURED}s"
phase ceiling ceiling --amqp-url "$AMQP_URL" --prefix "$PREFIX" --tool "$TOOL" --in-flight "$IN_FLIGHT"
if [[ "$CONNECTIONS" != "$IN_FLIGHT" ]]; then
  echo "== 1/4 ceiling: lapin publisher, $CONNECTIONS confirms in flight (as many as ingest's connections), ${SECONDS_MEASURED}s"
  phase ceiling_matched ceiling --amqp-url "$AMQP_URL" --prefix "$PREFIX" --tool "$TOOL" --in-flight "$CONNECTIONS"
else
  cp "$OUT/ceiling.json" "$OUT/ceiling_matched.json"
fi

echo "== 2/4 ingest flat out: $CONNECTIONS connections, ${SECONDS_MEASURED}s"
phase flat http --url "http://127.0.0.1:$PORT" --tenant bench --tool "$TOOL" --connections "$CONNECTIONS"

for t in $TOOLS; do
  echo "== 2/4 ingest flat out, $t: $CONNECTIONS connections, ${SECONDS_MEASURED}s"
  MAIN_SECRET=$LOADGEN_SECRET
  export LOADGEN_SECRET="${TOOL_SECRET[$t]}"
  phase "flat_$t" http --url "http://127.0.0.1:$PORT" --tenant "bench-$t" --tool "$t" --connections "$CONNECTIONS"
  export LOADGEN_SECRET=$MAIN_SECRET
done

echo "== 3/4 ingest open loop: $RATE req/s, ${SECONDS_MEASURED}s"
phase rate http --url "http://127.0.0.1:$PORT" --tenant bench --tool "$TOOL" --rate "$RATE"

# The broker's own confirm latency at the same rate: ingest answers after the confirm, so this is the floor
# under phase 3's latency on this machine.
echo "== 4/4 broker floor: lapin publisher at $RATE msg/s, ${SECONDS_MEASURED}s"
phase floor ceiling --amqp-url "$AMQP_URL" --prefix "$PREFIX" --tool "$TOOL" --rate "$RATE"

RSS_PEAK_KIB=$(awk '/^VmHWM/ {print $2}' "/proc/$INGEST_PID/status")
RSS_END_KIB=$(awk '/^VmRSS/ {print $2}' "/proc/$INGEST_PID/status")
read -r INGEST_UTIME INGEST_STIME < <(awk '{print $14, $15}' "/proc/$INGEST_PID/stat")
curl -fsS "http://127.0.0.1:$ADMIN_PORT/metrics" >"$OUT/ingest-metrics.txt"

CEILING_ISSUE=$(jq -r .msg_per_s "$OUT/ceiling.json")
CEILING_MATCHED=$(jq -r .msg_per_s "$OUT/ceiling_matched.json")
CEILING=$(awk -v a="$CEILING_ISSUE" -v b="$CEILING_MATCHED" 'BEGIN { print (a > b ? a : b) }')
FLAT=$(jq -r .accepted_per_s "$OUT/flat.json")
P50=$(jq -r .latency_ms.p50 "$OUT/rate.json")
P95=$(jq -r .latency_ms.p95 "$OUT/rate.json")
P99=$(jq -r .latency_ms.p99 "$OUT/rate.json")
RATE_ACCEPTED=$(jq -r .accepted_per_s "$OUT/rate.json")
FLOOR_P50=$(jq -r .confirm_latency_ms.p50 "$OUT/floor.json")
FLOOR_P99=$(jq -r .confirm_latency_ms.p99 "$OUT/floor.json")
FLAT_ERRORS=$(jq -r '[.outcomes | to_entries[] | select(.key != "202") | .value] | add // 0' "$OUT/flat.json")
RATE_ERRORS=$(jq -r '[.outcomes | to_entries[] | select(.key != "202") | .value] | add // 0' "$OUT/rate.json")
RATIO=$(awk -v a="$FLAT" -v c="$CEILING" 'BEGIN { printf "%.2f", (c > 0 ? a / c : 0) }')
RSS_PEAK_MIB=$(awk -v k="$RSS_PEAK_KIB" 'BEGIN { printf "%.1f", k / 1024 }')
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "met" : "MISSED") }'; }

{
  echo
  echo "== summary ($TOOL, $(nproc) cores, ${SECONDS_MEASURED}s per phase, run $RUN_ID)"
  printf '%-44s %s\n' "ceiling (lapin, $IN_FLIGHT in flight)" "$CEILING_ISSUE msg/s"
  printf '%-44s %s\n' "ceiling (lapin, $CONNECTIONS in flight)" "$CEILING_MATCHED msg/s"
  printf '%-44s %s\n' "ingest flat out ($CONNECTIONS connections)" "$FLAT accepted/s, $FLAT_ERRORS not 202"
  printf '%-44s %s  [target >= 0.60: %s]\n' "ratio ingest / higher ceiling" "$RATIO" "$(verdict "$(awk -v r="$RATIO" 'BEGIN{print (r >= 0.6)}')")"
  for t in $TOOLS; do
    flat_t=$(jq -r .accepted_per_s "$OUT/flat_$t.json")
    errors_t=$(jq -r '[.outcomes | to_entries[] | select(.key != "202") | .value] | add // 0' "$OUT/flat_$t.json")
    printf '%-44s %s accepted/s, ratio %s, %s not 202\n' "  flat out, $t" "$flat_t" \
      "$(awk -v a="$flat_t" -v c="$CEILING" 'BEGIN { printf "%.2f", (c > 0 ? a / c : 0) }')" "$errors_t"
  done
  printf '%-44s %s\n' "ingest at $RATE req/s" "$RATE_ACCEPTED accepted/s, $RATE_ERRORS not 202"
  printf '%-44s p50 %s  p95 %s  p99 %s ms  [target p99 <= 3: %s]\n' "  latency from schedule" "$P50" "$P95" "$P99" \
    "$(verdict "$(awk -v p="$P99" 'BEGIN{print (p <= 3)}')")"
  printf '%-44s p50 %s  p99 %s ms\n' "  broker confirm alone at $RATE msg/s (floor)" "$FLOOR_P50" "$FLOOR_P99"
  printf '%-44s %s MiB (idle %s KiB, end %s KiB)  [target < 64: %s]\n' "ingest peak RSS (VmHWM)" "$RSS_PEAK_MIB" \
    "$RSS_IDLE_KIB" "$RSS_END_KIB" "$(verdict "$(awk -v m="$RSS_PEAK_MIB" 'BEGIN{print (m < 64)}')")"
  printf '%-44s user %s s, system %s s\n' "ingest CPU time over the whole run" \
    "$(awk -v t="$INGEST_UTIME" -v hz="$TICKS" 'BEGIN{printf "%.1f", t/hz}')" \
    "$(awk -v t="$INGEST_STIME" -v hz="$TICKS" 'BEGIN{printf "%.1f", t/hz}')"
  echo "results: $OUT"
} | tee "$OUT/summary.txt"
