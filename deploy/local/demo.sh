#!/usr/bin/env bash
# The README's first command: the main job end to end on this machine. Starts PostgreSQL, RabbitMQ and
# Redis if needed, then the `demo` binary of the tests crate (tests/src/demo/): signed webhooks through
# ingest, the queue and a worker (the offline writer: no API key) to internal notes on the fake ticketing
# tool, printed at the end.
# Set RUST_LOG=info to see every step's log line.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/services.sh
ensure_services
export RUST_LOG="${RUST_LOG:-warn}"
exec cargo run --quiet --locked -p enhancer-tests --bin demo -- "$@"
