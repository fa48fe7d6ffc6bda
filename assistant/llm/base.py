"""The LLM protocol and the registry that loads a backend by name.

The model only *phrases* answers; every number and choice is computed in Python and
checked afterwards, so a backend is deliberately tiny: one ``stream`` method that
yields text pieces and gives up at a deadline. Backends are named in settings
(``llm``); the registry maps a name to ``"module:Class"`` so that ``llama_cpp`` is
imported only when a local model is chosen.

    ShopError
    ├── ModelUnavailable   the backend cannot be set up (package, weights, checksum)
    └── LLMError           one generation failed (server down, garbage, HTTP error)
        └── LLMTimeout     it did not finish before its deadline

The caller treats ``LLMError`` as "use the templated answer", never as a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from index.errors import ModelUnavailable, ShopError
from index.registry import resolve

if TYPE_CHECKING:
    from ..settings import AssistantSettings

log = logging.getLogger(__name__)


class LLMError(ShopError):
    """One generation failed; the message is a one-line reason."""


class LLMTimeout(LLMError):
    """A generation did not finish before its deadline."""


@dataclass(frozen=True, slots=True)
class LLMInfo:
    """Which backend and model phrase the answers; ``detail`` is a sha256 prefix or URL."""

    backend: str
    model: str
    detail: str

    def describe(self) -> str:
        """``llama-cpp (smollm2-135m, sha256 b179c9523d0e)``."""
        return f"{self.backend} ({self.model}, {self.detail})" if self.detail else self.backend


@runtime_checkable
class LLM(Protocol):
    info: LLMInfo

    def stream(
        self, messages: list[dict[str, str]], *, max_tokens: int, deadline: float
    ) -> Iterator[str]:
        """Text pieces as they are generated; LLMTimeout once ``time.monotonic() > deadline``.

        ``messages`` are OpenAI-style ``{"role": "system"|"user"|"assistant", "content"}``.
        """
        ...


REGISTRY: dict[str, str] = {
    "llama-cpp": "assistant.llm.llamacpp:LlamaCppLLM",
    "openai": "assistant.llm.openai_compat:OpenAICompatLLM",
}
NONE = "none"


def create_llm(settings: AssistantSettings) -> LLM | None:
    """The backend named by ``settings.llm``, or None for ``"none"`` (templated answers)."""
    name = settings.llm
    if name == NONE:
        log.info("LLM: none (templated answers)")
        return None
    backend = resolve(REGISTRY, name, what="LLM backend", error=ModelUnavailable, also=[NONE])
    llm = backend(settings)
    log.info("LLM: %s", llm.info.describe())
    return llm  # type: ignore[no-any-return]
