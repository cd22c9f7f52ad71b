# Sourced by numpy.sh and llama.sh: a model's server started once on a port, whichever kind it is.
# shellcheck shell=bash

# serve_once PORT HEALTH PAUSE LOG COMMAND...: runs COMMAND in the background (its output in LOG) unless a
# server already answers on http://127.0.0.1:PORT/HEALTH, waits for it to answer (100 tries PAUSE seconds
# apart: each caller keeps its own wait), and prints the base URL; fails if nothing answers.
serve_once() {
    local port=$1 health=$2 pause=$3 log=$4
    shift 4
    if ! curl -sf "http://127.0.0.1:$port$health" >/dev/null 2>&1; then
        nohup "$@" >"$log" 2>&1 &
        for _ in $(seq 1 100); do
            curl -sf "http://127.0.0.1:$port$health" >/dev/null 2>&1 && break
            sleep "$pause"
        done
    fi
    curl -sf "http://127.0.0.1:$port$health" >/dev/null
    echo "http://127.0.0.1:$port/v1"
}
