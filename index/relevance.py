"""How well each product answers a query: dense text, BM25 and photo signals.

Each signal is scaled to [0, 1] over the products it scored, so signals of different
kinds (cosine similarities, BM25 sums) can be blended by fixed weights. Every stage
of a query (embed the words or the photo, search the vectors, score the keywords) is
a public method, so a caller can time or replace one stage without reaching inside.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL.Image import Image as PILImage

from .embedders.base import ImageEmbedder, TextEmbedder
from .opening import OpenedIndex
from .photos import open_photo
from .query import ParsedQuery

# Past this many candidates the text store's own search serves the best POOL, instead
# of scoring every candidate exactly.
EXACT_CANDIDATES = 5000
POOL = 1000

Signals = dict[str, np.ndarray]


class Relevance:
    """The relevance signals of one opened index, for text, photo and combined queries."""

    def __init__(
        self,
        index: OpenedIndex,
        text_model: TextEmbedder,
        image_model: Callable[[], ImageEmbedder],
    ) -> None:
        self.index, self.text_model, self.image_model = index, text_model, image_model

    def signals(
        self,
        parsed: ParsedQuery | None,
        photo: Path | bytes | PILImage | None,
        exclude_sha256: str | None,
        candidates: np.ndarray,
    ) -> tuple[Signals, dict[int, int]]:
        """Each relevance signal scaled to [0, 1], and each product's best-matching photo.

        ``candidates`` masks every product: those the hard constraints allow.
        """
        n = len(candidates)
        signals: Signals = {}
        best_photo: dict[int, int] = {}
        if parsed is not None:
            query = parsed.free_text or parsed.text
            signals["dense"] = _rescale(self.dense(self.embed_text(query), candidates), n)
            if parsed.keywords:
                signals["keyword"] = _scale_max(self.index.keywords.scores(parsed.keywords))
        if photo is not None:
            best, best_photo = self.photo(self.embed_photo(photo), exclude_sha256)
            signals["photo"] = _rescale(best, n)
        return signals, best_photo

    def embed_text(self, query: str) -> np.ndarray:
        """The query's text vector."""
        return self.text_model.embed_texts([query], query=True)[0]

    def embed_photo(self, photo: Path | bytes | PILImage) -> np.ndarray:
        """The query photo's vector: opened safely, embedded as the index's photos were."""
        image = photo if isinstance(photo, PILImage) else open_photo(photo)
        return self.image_model().embed_images([image])[0]

    def dense(self, vector: np.ndarray, candidates: np.ndarray) -> dict[int, float]:
        """Text similarity of the candidate products: exact, or the store's best POOL."""
        store = self.index.text_store
        positions = np.flatnonzero(candidates)
        if len(positions) <= EXACT_CANDIDATES:
            scores = store.scores_for(vector, positions)
            return dict(zip(positions.tolist(), scores.tolist(), strict=True))
        scores, found = store.search(vector, POOL)
        return {int(p): float(s) for p, s in zip(found[0], scores[0], strict=True) if p >= 0}

    def photo(
        self, vector: np.ndarray, exclude_sha256: str | None
    ) -> tuple[dict[int, float], dict[int, int]]:
        """Best photo similarity per product (max over its photos), and which photo it was."""
        store, images = self.index.image_store, self.index.images
        scores, found = store.search(vector, min(len(store), POOL * 4))
        best: dict[int, float] = {}
        best_photo: dict[int, int] = {}
        for position, score in zip(found[0].tolist(), scores[0].tolist(), strict=True):
            if position < 0:
                continue
            if exclude_sha256 and images[position]["sha256"] == exclude_sha256:
                continue
            product = int(self.index.image_product[position])
            if product not in best:
                best[product] = score
                best_photo[product] = position
        return best, best_photo


def _rescale(scores: dict[int, float], n: int) -> np.ndarray:
    """Min-max scaling to [0, 1] over the scored products; unscored products get 0."""
    out = np.zeros(n)
    if not scores:
        return out
    positions = np.fromiter(scores, dtype=np.int64)
    values = np.fromiter(scores.values(), dtype=np.float64)
    low, high = values.min(), values.max()
    out[positions] = (values - low) / (high - low) if high > low else 1.0
    return out


def _scale_max(values: np.ndarray) -> np.ndarray:
    top = float(values.max()) if len(values) else 0.0
    return values / top if top > 0 else np.zeros_like(values, dtype=np.float64)
