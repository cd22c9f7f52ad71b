"""An OpenAI-compatible embedding server for measurements: sentence-transformers' all-mpnet-base-v2 (MPNet,
12 layers, 768 dimensions, mean pooling, unit length) computed with numpy from the files that `mpnet.sh`
reassembles from PyPI, so that no model hub is needed. Served in the OpenAI format by `openai_embeddings.py`.

Usage: python mpnet_server.py [PORT]   (default 8094, listens on 127.0.0.1 only)
       python mpnet_server.py --check   (prints the cosine of sentence-transformers' example pair)
The model's directory is $MPNET_MODEL, by default where mpnet.sh puts it.
"""
import os
import sys
from math import log

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from numpy_layers import Layers, mean_pool, softmax
from openai_embeddings import main

MODEL_DIR = os.environ.get("MPNET_MODEL", "/var/tmp/ticket-enhancer-mpnet/all-mpnet-base-v2").rstrip("/") + "/"
WEIGHTS = load_file(MODEL_DIR + "model.safetensors")
TOKENIZER = Tokenizer.from_file(MODEL_DIR + "tokenizer.json")
# sentence_bert_config.json: max_seq_length 384. The shipped tokenizer pads to 128: padding must be off, or
# the mean pooling would average the pad tokens in.
TOKENIZER.enable_truncation(384)
TOKENIZER.no_padding()
HIDDEN, HEADS, LAYERS = 768, 12, 12
# config.json: relative_attention_num_buckets 32; MPNet's bucketing reaches 128 positions; pad token 1.
BUCKETS, MAX_DISTANCE, PADDING_IDX = 32, 128, 1
# config.json: layer_norm_eps 1e-05 (BERT's is 1e-12).
NET = Layers(WEIGHTS, eps=1e-5)


def bucket(relative):
    """MPNet's relative position buckets (transformers' MPNetEncoder.relative_position_bucket): half the
    buckets for each direction, exact up to 8 positions, then logarithmic up to MAX_DISTANCE."""
    n = -relative
    half = BUCKETS // 2
    out = (n < 0).astype(np.int64) * half
    n = np.abs(n)
    exact = half // 2
    large = exact + (np.log(np.maximum(n, 1) / exact) / log(MAX_DISTANCE / exact) * (half - exact)).astype(np.int64)
    return out + np.where(n < exact, n, np.minimum(large, half - 1))


def embed(text):
    ids = np.array(TOKENIZER.encode(text).ids)
    n, head = len(ids), HIDDEN // HEADS
    # Positions count from the pad token's index plus one, as in RoBERTa.
    x = (WEIGHTS["embeddings.word_embeddings.weight"][ids]
         + WEIGHTS["embeddings.position_embeddings.weight"][np.arange(n) + PADDING_IDX + 1])
    x = NET.layer_norm(x, "embeddings.LayerNorm")
    relative = np.arange(n)[None, :] - np.arange(n)[:, None]
    bias = WEIGHTS["encoder.relative_attention_bias.weight"][bucket(relative)].transpose(2, 0, 1)
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        q, k, v = (NET.linear(x, p + "attention.attn." + m).reshape(n, HEADS, head).transpose(1, 0, 2)
                   for m in ("q", "k", "v"))
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(head) + bias
        attended = (softmax(scores) @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
        x = NET.layer_norm(NET.linear(attended, p + "attention.attn.o") + x, p + "attention.LayerNorm")
        x = NET.feed_forward(x, p)
    return mean_pool(x)


if __name__ == "__main__":
    main(sys.argv, embed, "all-mpnet-base-v2", 8094)
