"""Any OpenAI-compatible chat server (vLLM, llama.cpp server, Ollama, a hosted API).

``POST {base_url}/chat/completions`` with ``stream: true`` and read server-sent events
(``data: {...}`` lines ending with ``data: [DONE]``). A server that ignores ``stream``
and answers one JSON body is accepted too. Every failure (refused connection, HTTP
error, time-out, malformed JSON, non-text content) becomes an ``LLMError`` with a
one-line reason, because the caller falls back to a templated answer.

Compromise: httpx time-outs apply per network read, capped to the time left when the
request starts; the deadline is also checked after every read of the body, so a
server that trickles tokens (or bytes) is cut off at the deadline and a silent one at
the read time-out. Headers sent a byte at a time are not cut off early.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import httpx

from .base import LLMError, LLMInfo, LLMTimeout

if TYPE_CHECKING:
    from ..settings import AssistantSettings

DONE = "[DONE]"
_NEWLINE = re.compile(r"\r\n|\r|\n")  # SSE's line ends; str.splitlines knows more


def _piece(event: Any) -> str | None:
    """The text of one streamed event (``choices[0].delta.content``), None if it has none."""
    try:
        choice = event["choices"][0]
        content = (choice.get("delta") or choice.get("message") or {}).get("content")
    except (KeyError, IndexError, TypeError, AttributeError) as error:
        raise LLMError("the LLM server sent an event without choices") from error
    if content is not None and not isinstance(content, str):
        raise LLMError("the LLM server sent non-text content")
    return content


def _lines(response: httpx.Response, deadline: float) -> Iterator[str]:
    """The body's lines, with the deadline checked at every network read.

    Checking only between lines let a server that dribbles a byte at a time, never
    ending a line, hold a turn for as long as it dribbled (6 s past a 1 s deadline,
    measured); each read still ends within the read time-out.
    """
    pending = ""
    for text in response.iter_text():
        if time.monotonic() > deadline:
            raise LLMTimeout("the LLM server was too slow; generation stopped")
        *lines, pending = _NEWLINE.split(pending + text)
        yield from lines
    if pending:
        yield pending


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise LLMError(f"the LLM server sent malformed JSON: {text[:60]!r}") from error


class OpenAICompatLLM:
    """Chat completion on an OpenAI-style HTTP server, streamed event by event."""

    def __init__(self, settings: AssistantSettings) -> None:
        self.url = settings.llm_base_url.rstrip("/") + "/chat/completions"
        self._model = settings.llm_model
        self._temperature = settings.llm_temperature
        self._timeout_s = settings.llm_timeout_s
        key = settings.llm_api_key.get_secret_value()
        self._headers = {"Accept": "text/event-stream"}
        if key:
            self._headers["Authorization"] = f"Bearer {key}"
        # trust_env=False: settings are the only configuration, and a proxy from the
        # environment must not swallow requests meant for a server on 127.0.0.1.
        self._client = httpx.Client(trust_env=False)
        self.info = LLMInfo("openai", settings.llm_model, settings.llm_base_url)

    def stream(
        self, messages: list[dict[str, str]], *, max_tokens: int, deadline: float
    ) -> Iterator[str]:
        """Text pieces as the server sends them; LLMError/LLMTimeout on any failure."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise LLMTimeout("no time left to phrase an answer")
        body = {
            "model": self._model,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": self._temperature,
            "stream": True,
        }
        timeout = httpx.Timeout(min(self._timeout_s, left))
        try:
            with self._client.stream(
                "POST", self.url, json=body, headers=self._headers, timeout=timeout
            ) as response:
                if response.status_code >= 400:
                    raise LLMError(
                        f"the LLM server answered HTTP {response.status_code} "
                        f"{response.reason_phrase}".strip()
                    )
                if response.headers.get("content-type", "").startswith("application/json"):
                    piece = _piece(_json("\n".join(_lines(response, deadline))))
                    if piece:
                        yield piece
                    return
                yield from self._events(response, deadline)
        except httpx.TimeoutException as error:
            raise LLMTimeout(f"the LLM server at {self.url} did not answer in time") from error
        except httpx.HTTPError as error:
            raise LLMError(
                f"the LLM server at {self.url} failed: {type(error).__name__}"
            ) from error

    def _events(self, response: httpx.Response, deadline: float) -> Iterator[str]:
        """Pieces from server-sent events; LLMError if the body holds no events at all."""
        seen = False
        for line in _lines(response, deadline):
            if not line.startswith("data:"):
                continue  # blank separators, ": keep-alive" comments, "event:" fields
            data = line[len("data:") :].strip()
            if data == DONE:
                return
            seen = True
            piece = _piece(_json(data))
            if piece:
                yield piece
        if not seen:
            raise LLMError("the LLM server's reply holds no server-sent events")
