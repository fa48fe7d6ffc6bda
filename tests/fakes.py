"""Test-only embedders (never registered in the product): deterministic and instant."""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

from index.embedders.base import EmbedderInfo, normalize


class HashingTextEmbedder:
    """Bag of hashed words: equal texts give equal vectors, shared words give similarity."""

    def __init__(self, name: str = "hashing", dim: int = 64, delay_s: float = 0.0) -> None:
        self.info = EmbedderInfo(name=name, model="hash-bow", version="1", dim=dim, sha256="0" * 64)
        self._delay = delay_s

    def embed_texts(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        time.sleep(self._delay * len(texts))
        out = np.zeros((len(texts), self.info.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                bucket = int(hashlib.md5(word.encode()).hexdigest(), 16) % self.info.dim
                out[row, bucket] += 1.0
        return normalize(out + 1e-3)


class MeanColourImageEmbedder:
    """Mean RGB of a photo: enough to tell a red packshot from a blue one."""

    def __init__(self, name: str = "mean-colour") -> None:
        self.info = EmbedderInfo(name=name, model="mean-rgb", version="1", dim=3, sha256="1" * 64)

    def embed_images(self, images: Sequence[object]) -> np.ndarray:
        return normalize(np.array([np.asarray(im, dtype=np.float32).mean((0, 1)) for im in images]))


class ScriptedLLM:
    """Answers with a fixed text (or one built from the prompt), piece by piece."""

    def __init__(self, reply: str | Callable[[list[dict[str, str]]], str], delay_s: float = 0.0):
        from assistant.llm.base import LLMInfo

        self.info = LLMInfo(backend="scripted", model="test", detail="")
        self._reply = reply
        self._delay = delay_s
        self.prompts: list[list[dict[str, str]]] = []

    def stream(
        self, messages: list[dict[str, str]], *, max_tokens: int, deadline: float
    ) -> Iterator[str]:
        from assistant.llm.base import LLMTimeout

        self.prompts.append(messages)
        text = self._reply(messages) if callable(self._reply) else self._reply
        for word in text.split(" "):
            time.sleep(self._delay)
            if time.monotonic() > deadline:
                raise LLMTimeout("scripted model passed its deadline")
            yield word + " "


def send(handler: Any, status: int, content_type: str, body: bytes) -> None:
    """Answer one request of a test HTTP server (an ``http.server`` handler)."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@contextlib.contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A real HTTP server on a free 127.0.0.1 port for ``handler``; yields its /v1 URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()
