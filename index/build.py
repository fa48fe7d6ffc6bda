"""Build the index: text vectors, photo vectors, keyword postings, manifest.

Encoding is batched with a progress bar that shows items per second. The build is
incremental: a product whose text is unchanged, or a photo whose bytes are
unchanged, reuses its vector from the live generation when the same embedder made
it. It is atomic (see ``layout.py``) and holds a lock so two builds of one index
cannot interleave.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from . import layout
from .catalog import Catalog
from .embedders.base import EmbedderInfo, ImageEmbedder, TextEmbedder, image_embedder, text_embedder
from .errors import IndexProblem
from .hashing import file_sha256
from .keyword import KeywordIndex
from .photos import open_photo
from .settings import Settings
from .text import Tokenizer, embedding_text, product_text
from .vectors import VectorStore, store_class

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What one build did: how many products and photos it holds, how many of them it
    encoded anew (the rest were reused from the last generation), and in how long."""

    folder: Path
    products: int
    images: int
    text_encoded: int
    images_encoded: int
    seconds: float
    notice: str | None


def build_index(
    catalog: Catalog,
    settings: Settings,
    *,
    tokenizer: Tokenizer,
    text_model: TextEmbedder | None = None,
    image_model: ImageEmbedder | None = None,
    progress: bool = True,
) -> BuildReport:
    """Build (or incrementally rebuild) the index for ``catalog`` into settings' folder."""
    started = time.perf_counter()
    index_dir = settings.resolved_index_dir()
    notice = None
    text_model = text_model or text_embedder(settings)
    if image_model is None:
        image_model, notice = image_embedder(settings)
    store = store_class(settings.vector_store)
    with _locked(index_dir):
        previous = _previous_vectors(index_dir, store)
        folder = layout.new_generation(index_dir)
        texts = [embedding_text(p) for p in catalog.products]
        text_keys = [_key(text_model.info, t.encode()) for t in texts]
        text_vectors, text_new = _encode(
            text_keys,
            previous,
            lambda idx: text_model.embed_texts([texts[i] for i in idx], query=False),
            text_model.info.dim,
            "text",
            settings.batch_size,
            progress,
        )
        photos = [(p.id, image) for p in catalog.products for image in p.images]
        hashes = [file_sha256(image.path) for _, image in photos]
        image_keys = [_key(image_model.info, h.encode()) for h in hashes]
        image_vectors, images_new = _encode(
            image_keys,
            previous,
            lambda idx: image_model.embed_images([open_photo(photos[i][1].path) for i in idx]),
            image_model.info.dim,
            "photos",
            settings.batch_size,
            progress,
        )
        text_store = store.build(text_vectors, settings.exact_search_max)
        text_store.save(folder, "text")
        store.build(image_vectors, settings.exact_search_max).save(folder, "image")
        np.save(folder / "keys.npy", np.array(text_keys + image_keys))
        documents = [tokenizer.tokens(product_text(p)) for p in catalog.products]
        KeywordIndex.build(documents).save(folder / "keyword.npz")
        images_meta = [
            {"product_id": pid, "file": im.file, "color": im.color, "view": im.view, "sha256": h}
            for (pid, im), h in zip(photos, hashes, strict=True)
        ]
        (folder / "images.json").write_text(json.dumps(images_meta), encoding="utf-8")
        (folder / "products.json").write_text(
            json.dumps([p.id for p in catalog.products]), encoding="utf-8"
        )
        layout.publish(
            index_dir,
            folder,
            {
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "catalog": {
                    "source": str(catalog.source),
                    "fingerprint": catalog.fingerprint(),
                    "products": len(catalog),
                    "images": len(photos),
                },
                "embedders": {
                    "text": text_model.info.to_dict(),
                    "image": image_model.info.to_dict(),
                },
                "vector_store": text_store.kind,
                "vector_backend": settings.vector_store,
                "image_notice": notice,
            },
        )
    return BuildReport(
        folder=folder,
        products=len(catalog),
        images=len(photos),
        text_encoded=text_new,
        images_encoded=images_new,
        seconds=time.perf_counter() - started,
        notice=notice,
    )


def _key(info: EmbedderInfo, content: bytes) -> str:
    """Identifies one vector: which model made it from which content."""
    model = f"{info.name}|{info.model}|{info.version}|{info.sha256}".encode()
    return hashlib.sha256(model + b"\x00" + content).hexdigest()


def _previous_vectors(index_dir: Path, store: type[VectorStore]) -> dict[str, np.ndarray]:
    """key → vector from the live generation, for reuse; empty if there is none."""
    try:
        generation = layout.current(index_dir)
    except IndexProblem as error:
        log.warning("ignoring the damaged index for reuse: %s", error)
        return {}
    if generation is None:
        return {}
    try:
        keys = np.load(generation.folder / "keys.npy", allow_pickle=False)
        stacked = [store.stored_vectors(generation.folder, name) for name in ("text", "image")]
    except (OSError, ValueError) as error:
        log.warning("not reusing vectors from %s: %s", generation.folder, error)
        return {}
    vectors = [row for matrix in stacked for row in matrix]
    if len(vectors) != len(keys):
        return {}
    return dict(zip(keys.tolist(), vectors, strict=True))


def _encode(
    keys: Sequence[str],
    previous: dict[str, np.ndarray],
    embed: Callable[[list[int]], np.ndarray],
    dim: int,
    label: str,
    batch_size: int,
    progress: bool,
) -> tuple[np.ndarray, int]:
    """Vectors for every key, embedding only those not in ``previous``; (matrix, encoded)."""
    out = np.zeros((len(keys), dim), dtype=np.float32)
    missing = []
    for position, key in enumerate(keys):
        vector = previous.get(key)
        if vector is not None and vector.shape == (dim,):
            out[position] = vector
        else:
            missing.append(position)
    bar = tqdm(
        total=len(missing),
        desc=f"encoding {label}",
        unit=" items",
        disable=not progress or not missing,
        file=sys.stderr,
    )
    with bar:
        for start in range(0, len(missing), batch_size):
            batch = missing[start : start + batch_size]
            out[batch] = embed(batch)
            bar.update(len(batch))
    return out, len(missing)


@contextmanager
def _locked(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
