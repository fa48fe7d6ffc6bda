"""The embedder protocols and the registry that loads a backend by name.

An embedder turns texts or photos into L2-normalised float32 vectors ``(n, d)`` that
are compared by inner product. Backends are named in settings; the registry maps a
name to ``"module:Class"`` so that heavy packages (torch, open_clip) are imported only
when that backend is chosen. Every backend reports an ``EmbedderInfo`` that the index
manifest records, so an index built by other models is recognised and refused.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from ..errors import ModelUnavailable
from ..registry import resolve

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

    from ..settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EmbedderInfo:
    """What the manifest records about an embedder; equal infos give equal vectors."""

    name: str
    model: str
    version: str
    dim: int
    sha256: str

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def describe(self) -> str:
        return f"{self.name} ({self.model}, {self.dim}-d)"


@runtime_checkable
class TextEmbedder(Protocol):
    info: EmbedderInfo

    def embed_texts(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        """Vectors for texts; ``query`` selects the query side of asymmetric models."""
        ...


@runtime_checkable
class ImageEmbedder(Protocol):
    info: EmbedderInfo

    def embed_images(self, images: Sequence[PILImage]) -> np.ndarray:
        """Vectors for RGB photos."""
        ...


REGISTRY: dict[str, str] = {
    "e5": "index.embedders.e5:E5Embedder",
    "minilm": "index.embedders.minilm:MiniLMEmbedder",
    "clip": "index.embedders.clip:ClipEmbedder",
    "visual": "index.embedders.visual:VisualEmbedder",
}


def create_embedder(name: str, settings: Settings) -> object:
    """Instantiate the backend registered as ``name``; ModelUnavailable if it cannot load."""
    backend = resolve(REGISTRY, name, what="embedder", error=ModelUnavailable)
    return backend(settings)


def text_embedder(settings: Settings) -> TextEmbedder:
    """The configured text embedder."""
    embedder = create_embedder(settings.text_embedder, settings)
    if not isinstance(embedder, TextEmbedder):
        raise ModelUnavailable(f"embedder {settings.text_embedder!r} does not embed text")
    return embedder


def image_embedder(settings: Settings) -> tuple[ImageEmbedder, str | None]:
    """The configured image embedder, or the fallback with a one-line notice why."""
    try:
        embedder = create_embedder(settings.image_embedder, settings)
        if isinstance(embedder, ImageEmbedder):
            return embedder, None
        raise ModelUnavailable(f"embedder {settings.image_embedder!r} does not embed images")
    except ModelUnavailable as error:
        if settings.image_fallback in ("", settings.image_embedder):
            raise
        fallback = create_embedder(settings.image_fallback, settings)
        assert isinstance(fallback, ImageEmbedder)
        notice = f"{error}; using the {fallback.info.describe()} image embedder instead"
        log.warning("%s", notice)
        return fallback, notice


def normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length as contiguous float32; zero rows stay zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)
