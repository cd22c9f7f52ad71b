#!/usr/bin/env bash
# The test command of the README: start the local services if needed, then run every test of the
# workspace against them (each test makes its own database and queue prefix).
set -euo pipefail
cd "$(dirname "$0")/../.."
source deploy/local/services.sh
ensure_services
exec cargo test --workspace --locked --no-fail-fast "$@"
