#!/usr/bin/env bash
# Sourced by the benchmark scripts: wait for a quiet machine before a measurement. The machines are shared,
# and a compile or a test run beside a benchmark moves its figures more than most changes do.
# QUIET_LOAD: the 1-minute load to wait below; QUIET_WAIT: seconds to wait at most (then measure anyway).

load1() { cut -d' ' -f1 /proc/loadavg; }

wait_quiet() {
  local waited=0
  while awk -v l="$(load1)" -v q="$QUIET_LOAD" 'BEGIN { exit !(l >= q) }' && ((waited < QUIET_WAIT)); do
    ((waited % 60 == 0)) && echo "   load $(load1) >= $QUIET_LOAD; waiting for a quieter machine (${waited}s)"
    sleep 10
    waited=$((waited + 10))
  done
  echo "   1-minute load at start: $(load1)"
}
