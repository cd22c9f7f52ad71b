"""Two ways a chat model could sharpen the ranking by meaning, measured on a calibration half of
tests/data/relevance (never the held-out families): the corpus ranked as dense_baseline.py's "dense + 0.2
BM25" (all-MiniLM-L6-v2), then

- judge: the model reads the new ticket and the 8 best past tickets and 4 best articles (subject,
  description and resolution; title and body, clipped) and names those about the same problem; the judged
  ones move to the front, in their order, and are what a note would show;
- hyde: the model writes the likely cause and fix of the new ticket, and the query is the embedding of
  the ticket with that text (hypothetical document embeddings), or the mean of the two ("hyde+ticket").

Prints recall@3 / top-1 / KB hit@3 as the quality binary defines them, before and after, and for the
judge the on-topic share of what it keeps. Any OpenAI-compatible chat server: qwen.sh starts the one used
in docs/BENCHMARKS.md.

Usage (in the virtual environment start.sh makes):
    python llm_judge.py BASE_URL MODEL [--group tune|seen] [--limit N] [--hyde]
"""
import glob
import json
import sys
import time
import urllib.request

import numpy as np

from dense_baseline import ROOT, Bm25, figures, load
from minilm_server import embed

TICKETS, ARTICLES = 8, 4

JUDGE = """You check search results for an IT service desk. A new ticket arrived, and a search found \
candidate past tickets and knowledge-base articles. For each candidate, decide whether it is about the SAME \
problem as the new ticket: the same symptom on the same kind of system with the same kind of cause, so its \
fix would help. Sharing words, a product name or a general topic is not enough: "disk full on a server" and \
"laptop disk at 100% and slow" are different problems; so are "VPN drops" and "Wi-Fi drops".

Answer with JSON only, in this shape: {"tickets": ["<id>", ...], "articles": ["<id>", ...]}, listing the \
ids of the candidates about the same problem, best first. An empty list is a good answer when none applies."""

HYDE = """You are an experienced IT service desk engineer. Given a ticket, write in two or three short \
sentences the most likely cause and the usual fix, naming the kind of system (server, laptop, network, \
mailbox, application) involved. No preamble."""


def texts():
    """Every document and query of the set by id, with all its fields."""
    by_id = {}
    for path in sorted(glob.glob(f"{ROOT}/*/*.json")) + sorted(glob.glob(f"{ROOT}/distractors-*.json")):
        data = json.load(open(path))
        for item in data["past"] + data["articles"] + data.get("new", []):
            by_id[item["id"]] = item
    return by_id


def clip(text, chars):
    text = " ".join((text or "").split())
    return text if len(text) <= chars else text[:chars].rsplit(" ", 1)[0] + "..."


def chat(url, model, system, user, max_tokens, json_answer=False):
    body = {"model": model, "temperature": 0, "max_tokens": max_tokens,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}]}
    if json_answer:
        body["response_format"] = {"type": "json_object"}
    request = urllib.request.Request(f"{url}/chat/completions", json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=900) as response:
        return json.load(response)["choices"][0]["message"]["content"]


def judge_prompt(by_id, query, tickets, articles):
    lines = ["<ticket>", f"Subject: {query['subject']}", f"Description: {clip(query['description'], 600)}",
             "</ticket>", "", "<candidates>", "Past tickets:"]
    for i in tickets:
        t = by_id[i]
        resolution = f" Resolution: {clip(t['resolution'], 160)}" if t.get("resolution") else ""
        lines.append(f"- [{i}] {t['subject']}: {clip(t['description'], 200)}{resolution}")
    lines.append("Knowledge-base articles:")
    lines += [f"- [{i}] {by_id[i]['title']}: {clip(by_id[i]['body'], 240)}" for i in articles]
    return "\n".join(lines + ["</candidates>"])


def judged(answer, ranked):
    """The ids of `ranked` the answer names, in ranked order (names not among the candidates are ignored)."""
    try:
        parsed = json.loads(answer[answer.find("{"):answer.rfind("}") + 1])
    except ValueError:
        parsed = {}
    if not isinstance(parsed, dict):
        parsed = {}
    named = {str(i) for key in ("tickets", "articles") for i in (parsed.get(key) or []) if isinstance(i, str)}
    return [i for i in ranked if i in named]


def main():
    args = sys.argv[1:]
    url, model = args[0], args[1]
    group = args[args.index("--group") + 1] if "--group" in args else "tune"
    limit = int(args[args.index("--limit") + 1]) if "--limit" in args else 10**9
    hyde = "--hyde" in args
    assert group in ("tune", "seen"), "calibration halves only: the held-out families are not read here"

    by_id = texts()
    past, articles, queries = load()
    P = np.array([embed(t) for _, t, _ in past])
    A = np.array([embed(t) for _, t, _ in articles])
    bm_tickets, bm_articles = Bm25([t for _, t, _ in past]), Bm25([t for _, t, _ in articles])
    rows = {name: [] for name in (["ranked", "hyde", "hyde+ticket"] if hyde else ["ranked", "judged"])}
    kept = {"tickets": [], "articles": [], "empty": 0, "without": 0}
    started = time.time()
    for qid, text, family, g in [q for q in queries if q[3] == group][:limit]:
        relevant = {p[0] for p in past if p[2] == family}
        kb = {a[0] for a in articles if a[2] == family}
        bt, ba = bm_tickets.scores(text), bm_articles.scores(text)

        def ranking(vector):
            st = P @ vector + 0.2 * bt / max(bt.max(), 1e-9)
            sa = A @ vector + 0.2 * ba / max(ba.max(), 1e-9)
            return ([past[i][0] for i in np.argsort(-st, kind="stable")[:TICKETS]],
                    [articles[i][0] for i in np.argsort(-sa, kind="stable")[:ARTICLES]])

        q = embed(text)
        tickets, arts = ranking(q)
        rows["ranked"].append((tickets, arts, relevant, kb))
        if hyde:
            query = by_id[qid]
            guess = chat(url, model, HYDE, f"Subject: {query['subject']}\nDescription: "
                                           f"{clip(query['description'], 600)}", 90)
            h = embed(f"{text} {guess}")
            both = (q + h) / np.linalg.norm(q + h)
            rows["hyde"].append((*ranking(h), relevant, kb))
            rows["hyde+ticket"].append((*ranking(both), relevant, kb))
        else:
            answer = chat(url, model, JUDGE, judge_prompt(by_id, by_id[qid], tickets, arts), 200, json_answer=True)
            jt, ja = judged(answer, tickets), judged(answer, arts)
            rows["judged"].append((jt + [i for i in tickets if i not in jt], ja + [i for i in arts if i not in ja],
                                   relevant, kb))
            kept["tickets"] += [i in relevant for i in jt[:5]]
            kept["articles"] += [i in kb for i in ja[:3]]
            if not kb:
                kept["without"] += 1
                kept["empty"] += not ja
        print(f"{qid}: {time.time() - started:.0f} s", file=sys.stderr, flush=True)
    for name, rankings in rows.items():
        print(f"{group} {name:12} recall@3 / top-1 / KB hit@3: {figures(rankings)}  ({len(rankings)} queries)")
    if not hyde:
        n = len(rows["ranked"])
        for kind, at, depth in (("tickets", 0, TICKETS), ("articles", 1, ARTICLES)):
            share = np.mean(kept[kind]) if kept[kind] else float("nan")
            base = np.mean([sum(i in r[2 + at] for i in r[at]) / max(len(r[at]), 1) for r in rows["ranked"]])
            print(f"{group} judged {kind}: {len(kept[kind]) / n:.2f} kept per note, {share:.3f} on topic "
                  f"(the {depth} best it chose from: {base:.3f} on topic)")
        print(f"{group} judged: {kept['empty']} of {kept['without']} notes of a family without an article keep none")

if __name__ == "__main__":
    main()
