"""Test-only embedders (never registered in the product): deterministic and instant."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence

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
