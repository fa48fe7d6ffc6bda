"""The LLM backends against a real local HTTP server and the real SmolLM2-135M GGUF.

The OpenAI-compatible backend talks to an ``http.server`` on 127.0.0.1 that each test
scripts (good stream, slow, garbage, HTTP 500). The llama-cpp backend loads the real
93 MB SmolLM2 file shipped on PyPI; Qwen's assembly is tested on small fake parts so
that CI never writes 491 MB.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest

from assistant.llm import LLMError, LLMTimeout, create_llm, llamacpp
from assistant.llm.openai_compat import OpenAICompatLLM
from assistant.settings import AssistantSettings
from index.errors import ModelUnavailable
from tests.fakes import send, serving

MESSAGES = [
    {"role": "system", "content": "You are a helpful shop assistant. Answer briefly."},
    {"role": "user", "content": "Say hello to a customer."},
]


def _settings(tmp_path: Path, **overrides: Any) -> AssistantSettings:
    return AssistantSettings(model_cache=tmp_path / "models", **overrides)


# --- a scripted OpenAI-style server ------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    mode: ClassVar[str] = "good"
    seen: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.seen.append({"headers": dict(self.headers), "body": body, "path": self.path})
        # The client may give up first, as it should for a slow server.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._reply()

    def _send(self, status: int, content_type: str, payload: bytes) -> None:
        send(self, status, content_type, payload)

    def _reply(self) -> None:
        if self.mode == "error":
            self._send(500, "application/json", b'{"error": "boom"}')
        elif self.mode == "garbage":
            self._send(200, "text/event-stream", b"data: {not json at all\n\n")
        elif self.mode == "no-events":
            self._send(200, "text/html", b"<html>a proxy login page</html>")
        elif self.mode == "slow":
            time.sleep(3)
            self._send(200, "text/event-stream", b"data: [DONE]\n\n")
        elif self.mode == "json":
            reply = {"choices": [{"message": {"role": "assistant", "content": "Hi there."}}]}
            self._send(200, "application/json", json.dumps(reply).encode())
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for piece in ["Hel", "lo", ", ", "shopper."]:
                event = {"choices": [{"delta": {"content": piece}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                self.wfile.flush()
                time.sleep(0.01)
            self.wfile.write(b": keep-alive\n\ndata: [DONE]\n\n")
            self.wfile.flush()


@pytest.fixture
def server() -> Iterator[str]:
    Handler.mode = "good"
    Handler.seen = []
    with serving(Handler) as url:
        yield url


def _openai(tmp_path: Path, url: str, **overrides: Any) -> OpenAICompatLLM:
    llm = create_llm(_settings(tmp_path, llm="openai", llm_base_url=url, **overrides))
    assert isinstance(llm, OpenAICompatLLM)
    return llm


def test_openai_streams_pieces_and_sends_the_key(tmp_path: Path, server: str) -> None:
    llm = _openai(tmp_path, server, llm_model="qwen-test", llm_api_key="s3cret")
    pieces = list(llm.stream(MESSAGES, max_tokens=32, deadline=time.monotonic() + 5))
    assert pieces == ["Hel", "lo", ", ", "shopper."]
    [request] = Handler.seen
    assert request["path"] == "/v1/chat/completions"
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["body"]["stream"] is True
    assert request["body"]["model"] == "qwen-test"
    assert request["body"]["messages"] == MESSAGES
    assert llm.info.backend == "openai" and server in llm.info.describe()


def test_openai_without_key_sends_no_authorization(tmp_path: Path, server: str) -> None:
    llm = _openai(tmp_path, server)
    assert "".join(llm.stream(MESSAGES, max_tokens=32, deadline=time.monotonic() + 5))
    assert "Authorization" not in Handler.seen[0]["headers"]


def test_openai_accepts_a_non_streaming_json_reply(tmp_path: Path, server: str) -> None:
    Handler.mode = "json"
    llm = _openai(tmp_path, server)
    assert list(llm.stream(MESSAGES, max_tokens=32, deadline=time.monotonic() + 5)) == ["Hi there."]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("error", "HTTP 500"), ("garbage", "malformed JSON"), ("no-events", "no server-sent")],
)
def test_openai_bad_replies_are_one_line_errors(
    tmp_path: Path, server: str, mode: str, reason: str
) -> None:
    Handler.mode = mode
    llm = _openai(tmp_path, server)
    with pytest.raises(LLMError, match=reason) as caught:
        list(llm.stream(MESSAGES, max_tokens=32, deadline=time.monotonic() + 5))
    assert "\n" not in str(caught.value)


def test_openai_server_down_fails_fast(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    llm = _openai(tmp_path, f"http://127.0.0.1:{port}/v1")
    started = time.monotonic()
    with pytest.raises(LLMError, match="failed: ConnectError"):
        list(llm.stream(MESSAGES, max_tokens=32, deadline=time.monotonic() + 5))
    assert time.monotonic() - started < 1.0


def test_openai_slow_server_times_out(tmp_path: Path, server: str) -> None:
    Handler.mode = "slow"
    llm = _openai(tmp_path, server, llm_timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        list(llm.stream(MESSAGES, max_tokens=32, deadline=time.monotonic() + 10))
    assert time.monotonic() - started < 0.5 + 1.0


def test_openai_deadline_caps_the_timeout(tmp_path: Path, server: str) -> None:
    Handler.mode = "slow"
    llm = _openai(tmp_path, server, llm_timeout_s=8.0)
    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        list(llm.stream(MESSAGES, max_tokens=32, deadline=time.monotonic() + 0.3))
    assert time.monotonic() - started < 0.3 + 1.0


# --- the factory ---------------------------------------------------------------------


def test_create_llm_none_and_unknown(tmp_path: Path) -> None:
    assert create_llm(_settings(tmp_path, llm="none")) is None
    with pytest.raises(ModelUnavailable, match=r"choose one of: llama-cpp, openai, none"):
        create_llm(_settings(tmp_path, llm="gpt-local"))


# --- Qwen assembly on fake parts -----------------------------------------------------


@pytest.fixture
def parts(tmp_path: Path) -> tuple[list[Path], bytes]:
    chunks = [os.urandom(size) for size in (3_000_000, 1_500_000, 17)]
    paths = []
    for number, chunk in enumerate(chunks, 1):
        path = tmp_path / "parts" / f"part{number:02d}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(chunk)
        paths.append(path)
    return paths, b"".join(chunks)


def test_assemble_concatenates_in_order(tmp_path: Path, parts: tuple[list[Path], bytes]) -> None:
    paths, whole = parts
    target = tmp_path / "cache" / "model.gguf"
    sha = hashlib.sha256(whole).hexdigest()
    assert llamacpp.assemble_parts(paths, target, sha, len(whole)) == target
    assert target.read_bytes() == whole
    assert sorted(target.parent.iterdir()) == [target]  # no temp file left behind


def test_assemble_wrong_hash_leaves_nothing(
    tmp_path: Path, parts: tuple[list[Path], bytes]
) -> None:
    paths, whole = parts
    target = tmp_path / "cache" / "model.gguf"
    with pytest.raises(ModelUnavailable, match="parts are damaged"):
        llamacpp.assemble_parts(paths, target, "0" * 64, len(whole))
    assert list(target.parent.iterdir()) == []


def test_assemble_is_skipped_when_cached(tmp_path: Path, parts: tuple[list[Path], bytes]) -> None:
    paths, whole = parts
    target = tmp_path / "cache" / "model.gguf"
    sha = hashlib.sha256(whole).hexdigest()
    llamacpp.assemble_parts(paths, target, sha, len(whole))
    written = target.stat().st_mtime_ns
    for path in paths:
        path.unlink()  # a second assembly would now fail
    started = time.monotonic()
    assert llamacpp.assemble_parts(paths, target, sha, len(whole)) == target
    assert time.monotonic() - started < 0.5
    assert target.stat().st_mtime_ns == written


def test_assemble_replaces_a_damaged_cache(tmp_path: Path, parts: tuple[list[Path], bytes]) -> None:
    paths, whole = parts
    target = tmp_path / "cache" / "model.gguf"
    target.parent.mkdir()
    target.write_bytes(b"x" * len(whole))  # right size, wrong bytes
    sha = hashlib.sha256(whole).hexdigest()
    llamacpp.assemble_parts(paths, target, sha, len(whole))
    assert target.read_bytes() == whole


def test_real_qwen_parts_add_up() -> None:
    paths = llamacpp.qwen_parts()
    assert [path.name for path in paths] == [f"part{n:02d}.bin" for n in range(1, 7)]
    assert sum(path.stat().st_size for path in paths) == llamacpp.QWEN_SIZE


def test_qwen_resolves_from_the_cache_quickly(tmp_path: Path) -> None:
    cached = Path(AssistantSettings.model_fields["model_cache"].default) / llamacpp.QWEN_FILE
    if not cached.is_file():
        pytest.skip("Qwen is assembled on first use; not forced in tests (491 MB)")
    started = time.monotonic()
    path, sha = llamacpp.resolve_model(llamacpp.QWEN, cached.parent)
    assert (path, sha) == (cached, llamacpp.QWEN_SHA256)
    assert time.monotonic() - started < 5.0  # one sha256 pass, no rewrite


# --- llama-cpp with the real SmolLM2-135M --------------------------------------------


def test_gguf_path_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="not found"):
        create_llm(_settings(tmp_path, llm_model=str(tmp_path / "missing.gguf")))


def test_unknown_local_model_names_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match=r"qwen2\.5-0\.5b, smollm2-135m, a \.gguf path"):
        create_llm(_settings(tmp_path, llm_model="llama-70b"))


def test_missing_llama_cpp_names_the_install_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "never-loaded.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(ModelUnavailable, match="llama-cpp-python") as caught:
        create_llm(_settings(tmp_path, llm_model=str(model)))
    assert caught.value.fix is not None and "install.sh" in caught.value.fix


@pytest.mark.slow
def test_corrupt_gguf_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    model = tmp_path / "x.gguf"
    model.write_bytes(os.urandom(4096))
    with pytest.raises(ModelUnavailable, match=r"cannot load x\.gguf"):
        create_llm(_settings(tmp_path, llm_model=str(model)))


@pytest.fixture(scope="module")
def smollm2(tmp_path_factory: pytest.TempPathFactory) -> Any:
    pytest.importorskip("llama_cpp")
    return create_llm(_settings(tmp_path_factory.mktemp("models"), llm_model="smollm2-135m"))


@pytest.mark.slow
def test_smollm2_streams_text(smollm2: Any) -> None:
    assert smollm2.info.backend == "llama-cpp"
    assert smollm2.info.detail == f"sha256 {llamacpp.SMOLLM2_SHA256[:12]}"
    pieces = list(smollm2.stream(MESSAGES, max_tokens=16, deadline=time.monotonic() + 30))
    assert any(piece.strip() for piece in pieces)
    assert all(isinstance(piece, str) for piece in pieces)


@pytest.mark.slow
def test_smollm2_is_loaded_once_per_process(smollm2: Any, tmp_path: Path) -> None:
    started = time.monotonic()
    again = create_llm(_settings(tmp_path, llm_model="smollm2-135m"))
    assert time.monotonic() - started < 0.2
    assert isinstance(again, llamacpp.LlamaCppLLM)
    assert again._model is smollm2._model


@pytest.mark.slow
def test_smollm2_deadline_in_the_past(smollm2: Any) -> None:
    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        list(smollm2.stream(MESSAGES, max_tokens=64, deadline=time.monotonic() - 1))
    assert time.monotonic() - started < 0.1


@pytest.mark.slow
def test_smollm2_stops_at_the_deadline(smollm2: Any) -> None:
    long_task = [{"role": "user", "content": "Write a long story about a red backpack."}]
    pieces: list[str] = []
    started = time.monotonic()
    with pytest.raises(LLMTimeout):
        for piece in smollm2.stream(long_task, max_tokens=400, deadline=started + 0.3):
            pieces.append(piece)
    assert time.monotonic() - started < 1.0
    # The lock was released: the model answers again right away.
    assert list(smollm2.stream(MESSAGES, max_tokens=4, deadline=time.monotonic() + 30))
