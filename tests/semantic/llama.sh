# Sourced by nomic.sh and qwen.sh: llama-cpp-python's OpenAI-compatible server in one virtual environment
# (built from PyPI's source on the first run, about ten minutes on two cores), a model file checked by its
# SHA-256, and the server started once on a port (serve.sh).
# shellcheck shell=bash source=serve.sh
source "$(dirname "${BASH_SOURCE[0]}")/serve.sh"
LLAMA_VENV="${NOMIC_VENV:-/var/tmp/ticket-enhancer-llama}"

llama_venv() {
    if [ ! -x "$LLAMA_VENV/bin/python" ] || ! "$LLAMA_VENV/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
        python3 -m venv "$LLAMA_VENV"
        "$LLAMA_VENV/bin/pip" install --quiet "llama-cpp-python[server]==0.3.36"
    fi
}

# verified FILE SHA256: the file is there and is the published one.
verified() {
    [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]
}

# serve PORT LOG SERVER-ARGS...: starts the server unless one answers on PORT, waits for it, prints its base
# URL.
serve() {
    local port=$1 log=$2
    shift 2
    serve_once "$port" /v1/models 0.3 "$log" \
        "$LLAMA_VENV/bin/python" -m llama_cpp.server "$@" --host 127.0.0.1 --port "$port"
}
