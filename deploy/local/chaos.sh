#!/usr/bin/env bash
# The chaos run of docs/RELIABILITY.md on this machine: a build, then the `chaos` binary of the tests crate
# (tests/src/chaos/), which starts its own PostgreSQL, RabbitMQ node and Redis on free ports (the machine's
# services on the standard ports are never touched, so this is safe beside running tests), two
# enhancer-ingest and three enhancer-worker processes on them, sends webhooks while it kills and disturbs
# processes and services on a timetable, prints the figures against the targets and exits non-zero when one
# is missed. Everything it started is stopped and removed at the end, also on failure or Ctrl-C; the logs
# (processes and services) are kept, in the directory printed first.
#
# Needs the PostgreSQL server binaries (initdb, pg_ctl; /usr/lib/postgresql/<version>/bin or CHAOS_PG_BIN),
# rabbitmq-server (CHAOS_RABBITMQ_SERVER) and redis-server. As root, PostgreSQL runs as the `postgres` user.
#
# Options of this script (before or among the binary's):
#   --debug     use the debug build (what `deploy/local/test.sh` builds) instead of a release build
# Everything else goes to the binary, e.g.:
#   deploy/local/chaos.sh                                  # default profile: 8,000 webhooks at 100/s
#   deploy/local/chaos.sh --profile short                  # under 3 minutes (CI: with --debug)
#   deploy/local/chaos.sh --json-out /tmp/chaos.json
#   deploy/local/chaos.sh --services shared                # on the machine's services, without restarts
set -euo pipefail
cd "$(dirname "$0")/../.."

profile=release
args=()
services=private
previous=
for arg in "$@"; do
  case "$arg" in
    --debug) profile=debug ;;
    --services=*) services=${arg#--services=}; args+=("$arg") ;;
    *) [[ "$previous" == --services ]] && services=$arg; args+=("$arg") ;;
  esac
  previous=$arg
done

# The client settings of the local scripts (PGSSLMODE and the allocator's), and on shared services, make
# sure they run.
source deploy/local/services.sh
if [[ "$services" == shared ]]; then
  ensure_services
fi

target="${CARGO_TARGET_DIR:-target}"
echo "== $profile build"
# The three binaries the run starts, nothing else of the tests crate.
binaries=(-p enhancer-ingest -p enhancer-worker -p enhancer-tests --bin enhancer-ingest --bin enhancer-worker --bin chaos)
if [[ "$profile" == release ]]; then
  cargo build --release --locked "${binaries[@]}"
else
  cargo build --locked "${binaries[@]}"
fi

export RUST_LOG="${RUST_LOG:-info}"
exec "$target/$profile/chaos" --bin-dir "$target/$profile" "${args[@]}"
