#!/usr/bin/env bash
# Validates everything under deploy/ offline, as CI does: renders the Helm chart with Helm's own engine for
# the defaults and with every option on, checks every object against the Kubernetes JSON schemas, checks
# the alert rules (promtool check + unit tests) and their runbook links, the Grafana dashboard's queries,
# the compose file and the Dockerfile, then proves the checks can fail by breaking copies on purpose.
#
#   bash deploy/validate.sh
#
# Tools live outside the repository and are installed on first use only:
#   - a Python venv with deploy/validate/requirements.txt (kubernetes-validate carries the schemas,
#     helm-python-sdk carries Helm's renderer), in $TE_VALIDATE_VENV (/var/tmp/ticket-enhancer-venv);
#   - promtool, unpacked from Debian's `prometheus` package (never installed as a service), in
#     $TE_VALIDATE_TOOLS (/var/tmp/ticket-enhancer-tools).
# Only that first run needs the package registries (PyPI, Debian); later runs need no network.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${TE_VALIDATE_VENV:-/var/tmp/ticket-enhancer-venv}"
TOOLS="${TE_VALIDATE_TOOLS:-/var/tmp/ticket-enhancer-tools}"
REQUIREMENTS=deploy/validate/requirements.txt

ensure_venv() {
  # The stamp holds the requirements it was built from: a changed pin rebuilds the venv.
  local stamp="$VENV/.requirements"
  if [[ -x "$VENV/bin/python" ]] && cmp -s "$REQUIREMENTS" "$stamp"; then return 0; fi
  echo "validate: installing $REQUIREMENTS into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$stamp"
}

ensure_promtool() {
  PROMTOOL="$TOOLS/promtool"
  if [[ -x "$PROMTOOL" ]]; then return 0; fi
  if command -v promtool >/dev/null 2>&1; then PROMTOOL="$(command -v promtool)"; return 0; fi
  echo "validate: fetching promtool from Debian's prometheus package into $TOOLS"
  local work
  work="$(mktemp -d)"
  # `apt-get download` only fetches the .deb: no service is installed or started.
  if ! (cd "$work" && apt-get download prometheus >/dev/null 2>&1); then
    apt-get update -qq >/dev/null
    (cd "$work" && apt-get download prometheus >/dev/null)
  fi
  dpkg-deb -x "$work"/prometheus_*.deb "$work/root"
  mkdir -p "$TOOLS"
  install -m 0755 "$work/root/usr/bin/promtool" "$PROMTOOL"
  rm -rf "$work"
}

ensure_venv
ensure_promtool
echo "validate: $("$PROMTOOL" --version 2>&1 | head -n1)"
# No __pycache__ folders in the working tree.
export PYTHONDONTWRITEBYTECODE=1
exec "$VENV/bin/python" deploy/validate/run.py --promtool "$PROMTOOL" "$@"
