#!/usr/bin/env bash
# The chaos run of docs/RELIABILITY.md on this machine: local services, a release build, then the `chaos`
# binary of the tests crate (tests/src/chaos/), which starts two enhancer-ingest and three enhancer-worker
# processes from the release build on a fresh database and queue prefix, sends webhooks while it kills and
# disturbs them on a timetable, prints the figures against the targets and exits non-zero when one is missed.
# Everything it made (processes, queues, Redis keys, database) is removed at the end; the processes' logs
# are kept (their directory is printed first).
#
# Arguments go to the binary, e.g.:
#   deploy/local/chaos.sh                                  # default profile: 3,000 webhooks at 100/s
#   deploy/local/chaos.sh --profile short                  # under 3 minutes
#   deploy/local/chaos.sh --json-out /tmp/chaos.json
#   deploy/local/chaos.sh --restart-services               # also restarts RabbitMQ, PostgreSQL and Redis:
#                                                          # never while anything else uses them
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/services.sh
ensure_services

echo "== release build"
cargo build --release --locked -p enhancer-ingest -p enhancer-worker -p enhancer-tests --bins

export RUST_LOG="${RUST_LOG:-info}"
exec "${CARGO_TARGET_DIR:-target}/release/chaos" --bin-dir "${CARGO_TARGET_DIR:-target}/release" "$@"
