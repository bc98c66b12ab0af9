"""Shared pieces of the LLM-reader tests: the real MiniLM as an embed function, real report
passages as hits, and a small OpenAI-compatible chat server on 127.0.0.1 (the one true
external edge: no model runs on these machines)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Sequence

import numpy as np

from assistant.config import Settings
from assistant.reader import Conversation
from assistant.records import Answer, Citation
from assistant.retrieval import Hit

# Passages from the real report, in the order the reader numbers their sentences:
# 3.2-001#0 -> S1..S3 (S2: how many foreign delegations the city received in 2024, and from how many countries),
# 3.2-001#1 -> S4..S5, 3.1-039#0 -> S6..S8 (S6: the Gwangju agreement of 15 April 2024),
# 2-030#0 -> S9..S11 (the Youth Climate Action Fund).
PASSAGE_IDS = ("3.2-001#0", "3.2-001#1", "3.1-039#0", "2-030#0")


@lru_cache(maxsize=1)
def _model() -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(Settings().model_path, device="cpu")


def embed(texts: Sequence[str]) -> np.ndarray:
    """The project's MiniLM, as the reader's embed function."""
    return _model().encode(list(texts), convert_to_numpy=True)


@lru_cache(maxsize=1)
def report_hits() -> tuple[Hit, ...]:
    from assistant.chunking import chunk_report
    from assistant.corpus import load_report

    settings = Settings()
    chunks = {c.id: c for c in chunk_report(load_report(settings.corpus_path, settings.structure_path), settings.chunk_max_chars)}
    return tuple(Hit(chunks[i]) for i in PASSAGE_IDS)


class QuotingReader:
    """A real stand-in for the extractive reader: quotes the first sentence of the best passage."""

    name = "extractive"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.passages: list[int] = []  # how many passages each call was given

    def answer(self, question: str, passages: Sequence[Hit], conversation: Conversation) -> Answer:
        self.calls.append(question)
        self.passages.append(len(passages))
        chunk = passages[0].chunk
        unit = chunk.units[0]
        citation = Citation(1, chunk.section_id, chunk.section_title, chunk.heading, chunk.pages, unit.text, unit.start, unit.end, chunk.body)
        return Answer(question, f"QUOTED: {unit.text} [1]", False, [citation], reader="extractive")


@dataclass
class Reply:
    """What the server does for one request: answer `content`, or send garbage, or stall."""

    content: str = ""
    garbage: bool = False
    delay: float = 0.0  # seconds before anything is sent
    token_pause: float = 0.0  # seconds between streamed pieces


@dataclass
class ChatServer:
    """An OpenAI-compatible /v1/chat/completions on a free local port; replies are enqueued,
    requests are recorded (their JSON bodies)."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def enqueue(self, reply: Reply) -> None:
        self.replies.append(reply)

    def start(self) -> ThreadingHTTPServer:
        server_state = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                server_state.requests.append({"path": self.path, **body})
                reply = server_state.replies.pop(0) if server_state.replies else Reply("NOT_IN_REPORT")
                time.sleep(reply.delay)
                try:
                    if body.get("stream"):
                        self._stream(body, reply)
                    else:
                        self._whole(body, reply)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up: fine
                    pass

            def _send(self, data: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _whole(self, body: dict[str, Any], reply: Reply) -> None:
                if reply.garbage:
                    self._send(b'{"id": "x", "object": "chat.completion", "choices": "no', "application/json")
                    return
                completion = {
                    "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": reply.content}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                self._send(json.dumps(completion).encode(), "application/json")

            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                if reply.garbage:
                    self.wfile.write(b"data: {this is not json\n\n")
                    self.wfile.flush()
                    return
                words = reply.content.split(" ")
                for i, word in enumerate(words):
                    piece = word if i == len(words) - 1 else word + " "
                    event = {
                        "id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()), "model": body["model"],
                        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                    }
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(reply.token_pause)
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        self.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return httpd
