"""The transformer pieces both numpy embedding servers compute with (`minilm_server.py`, `mpnet_server.py`):
the exact GELU, layer norm and linear layers read from a checkpoint's weights by name, and sentence-
transformers' mean pooling to unit length. Each server keeps its own forward pass (the models differ in
their attention and position embeddings); what is here is the same arithmetic in both.
"""
from math import erf, sqrt

import numpy as np

ERF = np.vectorize(erf)


def gelu(x):
    # BERT's and MPNet's "gelu" (config.json: hidden_act) is the exact one (erf), not the tanh approximation.
    return 0.5 * x * (1.0 + ERF(x / sqrt(2.0)))


class Layers:
    """The layers of one checkpoint: `weights` as safetensors loads them (a dict of name to array), `eps`
    its layer norm's epsilon (config.json: layer_norm_eps; each server says which)."""

    def __init__(self, weights, eps):
        self.weights, self.eps = weights, eps

    def layer_norm(self, x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.weights[name + ".weight"] + self.weights[name + ".bias"]

    def linear(self, x, name):
        return x @ self.weights[name + ".weight"].T + self.weights[name + ".bias"]

    def feed_forward(self, x, prefix):
        """A layer's second half, named alike in BERT and MPNet: the widening, GELU, the narrowing, the
        residual and its norm."""
        widened = gelu(self.linear(x, prefix + "intermediate.dense"))
        return self.layer_norm(self.linear(widened, prefix + "output.dense") + x, prefix + "output.LayerNorm")


def softmax(scores):
    """Along the last axis, shifted by the maximum so that exp never overflows."""
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    return scores / scores.sum(-1, keepdims=True)


def mean_pool(x):
    """sentence-transformers' pooling for both models: the mean of the tokens' vectors, at unit length."""
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)
