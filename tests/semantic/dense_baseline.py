"""Corpus-wide dense retrieval on tests/data/relevance, for comparison with the worker's re-ranking of its
lexical pool (`quality --embeddings`): every past ticket and article embedded with all-MiniLM-L6-v2
(minilm_server.py's forward pass), each query ranked against all of them by cosine, alone and plus 0.2 x
BM25 as a share of the query's best (BM25 as tests/src/quality/bm25.rs computes it, which this reproduces
to the digit), and in the worker's shape: the 20 best by BM25 re-ranked by meaning, alone and with the 20
nearest by sign bits added (`pooled`). Prints recall@3 / top-1 / KB hit@3 as the quality binary defines
them, for the first set's two halves; `--heldout` adds the fresh families (read them once, in aggregate).
`--mpnet` ranks with all-mpnet-base-v2 (mpnet_server.py's forward pass; mpnet.sh fetches the model) in
place of all-MiniLM-L6-v2.

Usage (in the virtual environment start.sh makes): python dense_baseline.py [--mpnet] [--heldout]
"""
import glob
import json
import math
import os
import re
import sys

import numpy as np

if "--mpnet" in sys.argv:
    from mpnet_server import embed
else:
    from minilm_server import embed

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "relevance")


def load():
    past, articles, queries = [], [], []
    files = sorted(glob.glob(f"{ROOT}/families/*.json")) + sorted(glob.glob(f"{ROOT}/fresh/*.json"))
    for path in files:
        family = json.load(open(path))
        fresh = f"{os.sep}fresh{os.sep}" in path
        name = family["family"]
        articles += [(a["id"], f"{a['title']} {a['body']}", name) for a in family["articles"]]
        past += [(t["id"], f"{t['subject']} {t['description']} {t.get('resolution') or ''}", name)
                 for t in family["past"]]
        for t in family["new"]:
            group = "heldout" if fresh else ("tune" if t["split"] == "tune" else "seen")
            queries.append((t["id"], f"{t['subject']} {t['description']}", name, group))
    for path in sorted(glob.glob(f"{ROOT}/distractors-*.json")):
        noise = json.load(open(path))
        articles += [(a["id"], f"{a['title']} {a['body']}", None) for a in noise["articles"]]
        past += [(t["id"], f"{t['subject']} {t['description']} {t.get('resolution') or ''}", None)
                 for t in noise["past"]]
    return past, articles, queries


def tokens(text):
    return [w.lower() for w in re.split(r"[^\w]+", text) if w]


class Bm25:
    def __init__(self, texts, k1=1.2, b=0.75):
        self.docs = []
        self.df = {}
        for text in texts:
            counts = {}
            words = tokens(text)
            for w in words:
                counts[w] = counts.get(w, 0) + 1
            for w in counts:
                self.df[w] = self.df.get(w, 0) + 1
            self.docs.append((counts, len(words)))
        self.n, self.k1, self.b = len(texts), k1, b
        self.mean = sum(length for _, length in self.docs) / max(self.n, 1)

    def scores(self, query):
        terms = sorted(set(tokens(query)))
        out = np.zeros(self.n)
        for i, (counts, length) in enumerate(self.docs):
            for w in terms:
                if w in counts:
                    idf = math.log(1 + (self.n - self.df[w] + 0.5) / (self.df[w] + 0.5))
                    tf = counts[w]
                    out[i] += idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / self.mean))
        return out


def figures(rankings):
    recall = top1 = kb_queries = kb_hits = 0
    for tickets, articles, relevant, kb in rankings:
        recall += sum(1 for i in tickets[:3] if i in relevant) / min(max(len(relevant), 1), 3)
        top1 += tickets[0] in relevant
        if kb:
            kb_queries += 1
            kb_hits += any(i in kb for i in articles[:3])
    n = len(rankings)
    return round(recall / n, 3), round(top1 / n, 3), round(kb_hits / max(kb_queries, 1), 3)


def pooled(docs, q, lexical, nearest):
    """The worker's shape of ranking by meaning (worker/src/corpus/search/semantic/): the 20 best by words
    (BM25 here), plus the `nearest` documents whose sign bits are closest to the query's by Hamming distance
    (nearest.rs), scored cosine + 0.2 x lexical share; a document found by its signs alone has no lexical
    part. Everything else is out (-inf)."""
    order = np.argsort(-lexical, kind="stable")[:20]
    pool = {int(i) for i in order if lexical[i] > 0}
    scores = np.full(len(docs), -np.inf)
    for i in pool:
        scores[i] = docs[i] @ q + 0.2 * lexical[i]
    if nearest:
        hamming = ((docs > 0) != (q > 0)).sum(axis=1)
        for i in np.argsort(hamming, kind="stable")[:nearest]:
            if int(i) not in pool:
                scores[i] = docs[i] @ q
    return scores


def main():
    past, articles, queries = load()
    P = np.array([embed(t) for _, t, _ in past])
    A = np.array([embed(t) for _, t, _ in articles])
    bm_tickets, bm_articles = Bm25([t for _, t, _ in past]), Bm25([t for _, t, _ in articles])
    groups = ["tune", "seen"] + (["heldout"] if "--heldout" in sys.argv else [])
    for group in groups:
        rows = {name: [] for name in ["BM25", "dense", "dense + 0.2 BM25", "pool by BM25", "pool + 20 by signs"]}
        for _, text, family, g in queries:
            if g != group:
                continue
            q = embed(text)
            relevant = {i for i, p in enumerate(past) if p[2] == family}
            kb = {i for i, a in enumerate(articles) if a[2] == family}
            bt, ba = bm_tickets.scores(text), bm_articles.scores(text)
            bt_share, ba_share = bt / max(bt.max(), 1e-9), ba / max(ba.max(), 1e-9)
            for name, st, sa in [
                ("BM25", bt, ba),
                ("dense", P @ q, A @ q),
                ("dense + 0.2 BM25", P @ q + 0.2 * bt_share, A @ q + 0.2 * ba_share),
                ("pool by BM25", pooled(P, q, bt_share, 0), pooled(A, q, ba_share, 0)),
                ("pool + 20 by signs", pooled(P, q, bt_share, 20), pooled(A, q, ba_share, 20)),
            ]:
                rows[name].append((list(np.argsort(-st, kind="stable")[:3]), list(np.argsort(-sa, kind="stable")[:3]),
                                   relevant, kb))
        for name, rankings in rows.items():
            print(f"{group:8} {name:18} recall@3 / top-1 / KB hit@3: {figures(rankings)}  ({len(rankings)} queries)")


if __name__ == "__main__":
    main()
