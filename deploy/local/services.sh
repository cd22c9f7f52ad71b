#!/usr/bin/env bash
# Makes sure PostgreSQL, RabbitMQ and Redis answer on their standard local ports, starting any that do
# not (with the commands this project's machines use). Sourced by test.sh, demo.sh and .ci/run; safe to run
# again when everything is already up. Sourced, it also exports the local client settings below.
set -euo pipefail

# How the local scripts' clients talk to these services (exported to whatever sources this file).
# PostgreSQL is on loopback: TLS there only costs CPU (Debian's server has ssl=on and sqlx's default
# sslmode=prefer negotiates it; about 15% of a worker job's database CPU, docs/BENCHMARKS.md). libpq and
# sqlx both read PGSSLMODE.
export PGSSLMODE="${PGSSLMODE:-disable}"
# As in the container image (deploy/docker/Dockerfile): mimalloc commits its arenas lazily.
export MIMALLOC_ARENA_EAGER_COMMIT="${MIMALLOC_ARENA_EAGER_COMMIT:-0}"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for_port() {
  local name=$1 port=$2 seconds=$3
  for _ in $(seq "$seconds"); do
    port_open "$port" && return 0
    sleep 1
  done
  echo "services: $name did not open 127.0.0.1:$port within ${seconds}s" >&2
  return 1
}

ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  echo "services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 60); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 1; done
  echo "services: PostgreSQL did not become ready" >&2
  return 1
}

ensure_rabbitmq() {
  if port_open 5672; then return 0; fi
  echo "services: starting RabbitMQ"
  rabbitmq-server -detached
  # The broker opens its AMQP port only after boot, which takes a few seconds on 2 cores.
  wait_for_port RabbitMQ 5672 120
}

ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return 0; fi
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for_port Redis 6379 30
}

ensure_services() {
  ensure_postgres
  ensure_rabbitmq
  ensure_redis
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  ensure_services
  echo "services: PostgreSQL, RabbitMQ and Redis are up"
fi
