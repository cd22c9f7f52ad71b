#!/usr/bin/env bash
# The README's first command: the main job end to end on this machine. Starts PostgreSQL, RabbitMQ and
# Redis if needed, then `enhancer-worker demo`: signed webhooks through ingest, the queue and a worker (the
# offline writer: no API key) to internal notes on a local ticket receiver, printed at the end.
# Set RUST_LOG=info to see every step's log line.
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/services.sh
ensure_services
export RUST_LOG="${RUST_LOG:-warn}"
exec cargo run --quiet --locked -p enhancer-worker -- demo "$@"
