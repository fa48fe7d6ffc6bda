"""Photo search evaluated leave-one-out, as taken and as a shopper's phone would spoil it.

Each labelled photo (``qid``, ``file``, ``product_id``, optional ``color``) is searched
with its own bytes left out of the results (by content hash), so a catalog photo
cannot find itself. A query counts by product (the right product at rank r) and by
product and colour (the right product whose shown photo is in the query's colour).
The same queries are then searched under perturbations a real upload suffers:

    crop        the middle 70% (the product cut at the edges)
    rotation    tilted 12 degrees on white
    blur        Gaussian, radius 2.5
    jpeg        re-saved at quality 15
    background  shrunk onto a busy, seeded random background (not a white packshot)
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from .hashing import file_sha256
from .photos import open_photo
from .search import Searcher

Perturb = Callable[[Image.Image], Image.Image]


def _crop(image: Image.Image) -> Image.Image:
    w, h = image.size
    return image.crop((int(w * 0.15), int(h * 0.15), int(w * 0.85), int(h * 0.85)))


def _rotate(image: Image.Image) -> Image.Image:
    return image.rotate(12, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")


def _blur(image: Image.Image) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(2.5))


def _jpeg(image: Image.Image) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=15)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _background(image: Image.Image) -> Image.Image:
    """The photo at 70% size on random coloured shapes; its white backdrop is kept."""
    rng = random.Random(image.size[0] * 7919 + image.size[1])
    canvas = Image.new("RGB", image.size, (rng.randrange(256), rng.randrange(256), 90))
    draw = ImageDraw.Draw(canvas)
    w, h = image.size
    for _ in range(40):
        x, y = rng.randrange(w), rng.randrange(h)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.rectangle((x, y, x + rng.randrange(10, w // 3), y + rng.randrange(10, h // 3)), colour)
    small = image.resize((int(w * 0.7), int(h * 0.7)), Image.Resampling.BILINEAR)
    canvas.paste(small, ((w - small.width) // 2, (h - small.height) // 2))
    return canvas


PERTURBATIONS: dict[str, Perturb | None] = {
    "as taken": None,
    "crop": _crop,
    "rotation": _rotate,
    "blur": _blur,
    "jpeg": _jpeg,
    "background": _background,
}


@dataclass(frozen=True, slots=True)
class PhotoScore:
    """Where one photo query found its product (1-based; None: not in the results)."""

    qid: str
    condition: str
    rank: int | None
    color_rank: int | None  # None also when the query has no colour label
    has_color: bool
    ranked: tuple[str, ...]


def resolve(file: str, queries_folder: Path, catalog_root: Path) -> Path:
    """A query's file: relative to the query file's folder first, then the catalog's."""
    first = queries_folder / file
    return first if first.exists() else catalog_root / file


def evaluate_photos(
    searcher: Searcher,
    queries: Sequence[Mapping[str, Any]],
    queries_folder: Path,
    *,
    conditions: Sequence[str] = ("as taken",),
    k: int = 10,
) -> list[PhotoScore]:
    """Every query under every condition, leave-one-out by the original file's hash."""
    out = []
    for item in queries:
        path = resolve(item["file"], queries_folder, searcher.catalog.root)
        original = open_photo(path)
        sha = file_sha256(path)
        color = (item.get("color") or "").casefold()
        for condition in conditions:
            perturb = PERTURBATIONS[condition]
            photo = perturb(original) if perturb else original
            hits = searcher.search(photo=photo, k=k, exclude_sha256=sha).hits
            ranked = tuple(h.product.id for h in hits)
            right = [i for i, h in enumerate(hits, 1) if h.product.id == item["product_id"]]
            coloured = [
                i
                for i, h in enumerate(hits, 1)
                if h.product.id == item["product_id"]
                and h.image is not None
                and (h.image.color or "").casefold() == color
            ]
            out.append(
                PhotoScore(
                    qid=item["qid"],
                    condition=condition,
                    rank=right[0] if right else None,
                    color_rank=coloured[0] if coloured and color else None,
                    has_color=bool(color),
                    ranked=ranked,
                )
            )
    return out


def photo_metrics(scores: Sequence[PhotoScore], *, by_color: bool = False) -> dict[str, float]:
    """Recall@1, Recall@5 and MRR by product, or by product and colour."""
    chosen = [s for s in scores if s.has_color] if by_color else list(scores)
    ranks = [s.color_rank if by_color else s.rank for s in chosen]
    n = max(len(ranks), 1)
    return {
        "recall@1": sum(r == 1 for r in ranks) / n,
        "recall@5": sum(r is not None and r <= 5 for r in ranks) / n,
        "mrr": sum(1 / r for r in ranks if r) / n,
        "n": len(ranks),
    }
