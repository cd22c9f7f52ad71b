"""The OpenAI embeddings endpoint in front of a numpy model, for measurements (`minilm_server.py`,
`mpnet_server.py`).

POST /v1/embeddings {"model": ..., "input": [texts] or text} answers
{"object": "list", "data": [{"object": "embedding", "index": i, "embedding": [...]}], "model": ..., "usage": ...}.
GET /health answers 200. Not for production: one text at a time, on one core; a worker in production points
`[embeddings]` at a real server (vLLM, Hugging Face TEI, Ollama, OpenAI).
"""
import json
from http.server import BaseHTTPRequestHandler, HTTPServer


def serve(port, embed, model):
    """Answers on 127.0.0.1:`port` with `embed(text)` (a unit numpy vector) until killed."""

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
            self._answer(200, {"object": "list", "data": data, "model": request.get("model", model),
                               "usage": {"prompt_tokens": 0, "total_tokens": 0}})

        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", port), Handler).serve_forever()


def main(argv, embed, model, default_port):
    """A numpy server's command line: `--check` prints the cosine of sentence-transformers' documented
    example pair (each server's docstring names the value its model must give), else serves on the port
    given (or `default_port`)."""
    if "--check" in argv:
        a, b = embed("A man is eating food."), embed("A man is eating a piece of bread.")
        print(f"{float(a @ b):.4f}")
        return
    serve(int(argv[1]) if len(argv) > 1 else default_port, embed, model)
