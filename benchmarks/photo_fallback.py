"""Photo search without CLIP: how well each visual recipe finds a product from another photo.

Every photo of the catalog is indexed; a query is one of its non-main photos (a back
view, a close-up, another angle) with its own file removed from the index, and a
product scores the best similarity over its remaining photos. Three query sets:

- ``dev``: the photos of ``dev_photo_queries.jsonl`` (30);
- ``all``: every non-main photo of the catalog, each left out in turn (130 on the demo);
- ``alone``: the same queries with all the product's other non-main photos removed
  too, so that only its main photos can be found (a harder, closer guess of a catalog
  where half the views are held out).

For ``all`` also the share of the query's category among the 5 best *other* products
(does it find similar things when it misses?). Then R@5 of ``all`` again, with each
query photo perturbed the way a shopper's photo differs from a packshot, and the mean
time to embed one catalog photo. The recipes
are the naive baseline, the final ``VisualEmbedder`` and the steps between them.

Run: ``.venv/bin/python -m benchmarks.photo_fallback [--catalog DIR] [--queries FILE]``
(about three minutes on two cores).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter

from index.catalog import load_catalog
from index.embedders import visual
from index.embedders.base import normalize
from index.photos import open_photo
from index.settings import DEMO_CATALOG

Embed = Callable[[Image.Image], np.ndarray]


@dataclass(frozen=True)
class Recipe:
    name: str
    embed: Embed
    chi_squared: bool = False  # compare as histograms by χ² instead of inner product


@dataclass(frozen=True)
class Photo:
    product: int
    category: str
    file: str
    main: bool
    image: Image.Image


# --- the recipes -------------------------------------------------------------------


def baseline_mask(rgb: np.ndarray) -> np.ndarray:
    """The baseline's backdrop mask: pixels more than 15 levels from the border median."""
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    mask = np.abs(rgb - np.median(border, axis=0)).max(axis=2) > 15
    return mask if mask.any() else np.ones_like(mask)


def hsv_baseline(image: Image.Image) -> np.ndarray:
    """BASELINES.md: HSV 8×8×4 histogram of the masked photo, as shares."""
    mask = baseline_mask(np.asarray(image.convert("RGB"), dtype=np.float64))
    hsv = np.asarray(image.convert("HSV"), dtype=np.int64)
    index = ((hsv[..., 0] * 8 // 256) * 8 + hsv[..., 1] * 8 // 256) * 4 + hsv[..., 2] * 4 // 256
    counts = np.bincount(index[mask], minlength=256).astype(np.float64)
    return counts / counts.sum()


def lab_colour(*, backdrop: bool, floor: float) -> Embed:
    """Only the colour block: the baseline mask or the backdrop test, with or without floor."""

    def embed(image: Image.Image) -> np.ndarray:
        rgb = visual.small_rgb(image)
        if backdrop:
            plane = visual.backdrop(rgb)
            weights, _ = visual.foreground(rgb, plane)
            if plane is not None:
                rgb = visual.white_balance(rgb, plane)
        else:
            weights = baseline_mask(rgb).astype(np.float64)
        histogram = visual.colour_histogram(visual.srgb_to_lab(rgb), weights, visual.COLOUR_BINS)
        return visual.power_normalise(histogram, floor=floor)

    return embed


def blocks(names: Sequence[str]) -> Embed:
    """The final recipe's blocks named, weighted and concatenated without hashing."""

    def embed(image: Image.Image) -> np.ndarray:
        rgb = visual.small_rgb(image)
        plane = visual.backdrop(rgb)
        weights, box = visual.foreground(rgb, plane)
        lab = visual.srgb_to_lab(rgb if plane is None else visual.white_balance(rgb, plane))
        parts = {
            "colour": lambda: visual.power_normalise(
                visual.colour_histogram(lab, weights, visual.COLOUR_BINS)
            ),
            "rows": lambda: np.concatenate(
                [
                    visual.power_normalise(h) / np.sqrt(visual.ROWS)
                    for h in visual.row_histograms(lab, weights, box)
                ]
            ),
            "edges": lambda: visual.edge_histogram(lab[..., 0], weights, box),
        }
        return np.concatenate([np.sqrt(visual.WEIGHTS[n]) * parts[n]() for n in names])

    return embed


def recipes() -> list[Recipe]:
    final = visual.VisualEmbedder()
    return [
        Recipe("baseline: HSV 8x8x4, mask, chi2", hsv_baseline, chi_squared=True),
        Recipe("HSV 8x8x4, mask, Hellinger", lambda im: np.sqrt(hsv_baseline(im))),
        Recipe("edges only (shape)", blocks(["edges"])),
        Recipe("Lab 12x24x24 ^.35, mask", lab_colour(backdrop=False, floor=0.0)),
        Recipe("+ backdrop test, white balance", lab_colour(backdrop=True, floor=0.0)),
        Recipe("+ 0.1% floor = colour block", lab_colour(backdrop=True, floor=visual.FLOOR)),
        Recipe("colour + rows", blocks(["colour", "rows"])),
        Recipe("colour + rows + edges, unhashed", blocks(["colour", "rows", "edges"])),
        Recipe(f"final: VisualEmbedder {final.info.dim}-d", lambda im: final.embed_images([im])[0]),
    ]


# --- perturbations of the query photo ---------------------------------------------


def crop80(image: Image.Image, rng: random.Random) -> Image.Image:
    width, height = image.size
    w, h = round(width * 0.8), round(height * 0.8)
    x, y = rng.randint(0, width - w), rng.randint(0, height - h)
    return image.crop((x, y, x + w, y + h))


def rotate10(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.rotate(10, Image.Resampling.BILINEAR, expand=True, fillcolor=(255, 255, 255))


def blur2(image: Image.Image, rng: random.Random) -> Image.Image:
    return image.filter(ImageFilter.GaussianBlur(2))


def jpeg30(image: Image.Image, rng: random.Random) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=30)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def busy_background(image: Image.Image, rng: random.Random) -> Image.Image:
    """The product (every pixel that is not near-white) pasted on blotchy colour noise."""
    width, height = image.size
    canvas = (round(width * 1.3), round(height * 1.3))
    noise = np.random.default_rng(rng.randrange(2**32)).integers(
        0, 256, (canvas[1] // 8 + 1, canvas[0] // 8 + 1, 3), dtype=np.uint8
    )
    background = Image.fromarray(noise).resize(canvas, Image.Resampling.BILINEAR)
    product = np.asarray(image).min(axis=2) < 235
    mask = Image.fromarray(product.astype(np.uint8) * 255).filter(ImageFilter.MaxFilter(3))
    background.paste(image, ((canvas[0] - width) // 2, (canvas[1] - height) // 2), mask)
    background.thumbnail((512, 512))
    return background


def warm_light(image: Image.Image, rng: random.Random) -> Image.Image:
    """Tungsten-ish white balance: green ×0.95, blue ×0.85."""
    pixels = np.asarray(image, dtype=np.float64) * np.array([1.0, 0.95, 0.85])
    return Image.fromarray(pixels.astype(np.uint8))


def darker(image: Image.Image, rng: random.Random) -> Image.Image:
    return ImageEnhance.Brightness(image).enhance(0.85)


PERTURBATIONS: dict[str, Callable[[Image.Image, random.Random], Image.Image]] = {
    "crop 80%": crop80,
    "rotate 10°": rotate10,
    "blur r=2": blur2,
    "JPEG q30": jpeg30,
    "busy bg": busy_background,
    "warm light": warm_light,
    "15% darker": darker,
}


# --- evaluation --------------------------------------------------------------------


def similarities(queries: np.ndarray, index: np.ndarray, chi_squared: bool) -> np.ndarray:
    """(q, n) similarity; χ² distances are negated so that larger is nearer."""
    if not chi_squared:
        return queries @ index.T
    a, b = queries[:, None, :], index[None, :, :]
    return -(((a - b) ** 2) / np.maximum(a + b, 1e-12)).sum(axis=2)


def product_scores(scores: np.ndarray, photos: list[Photo], removed: list[int]) -> np.ndarray:
    """Each product's best score over its photos, leaving out the ``removed`` photos."""
    row = scores.astype(np.float64).copy()
    row[removed] = -np.inf
    owners = np.array([p.product for p in photos])
    best = np.full(owners.max() + 1, -np.inf)
    np.maximum.at(best, owners, row)
    return best


def product_ranks(
    scores: np.ndarray, photos: list[Photo], queries: list[int], hidden: list[list[int]]
) -> np.ndarray:
    """Rank of each query's product (1 = first) by its best photo; ties count against it."""
    ranks = []
    for row, query, removed in zip(scores, queries, hidden, strict=True):
        best = product_scores(row, photos, removed)
        ranks.append(int((best >= best[photos[query].product]).sum()))
    return np.array(ranks)


def same_category_share(scores: np.ndarray, photos: list[Photo], queries: list[int]) -> float:
    """Of the 5 best products other than the query's own, the share in its category."""
    categories = {p.product: p.category for p in photos}
    shares = []
    for row, query in zip(scores, queries, strict=True):
        best = product_scores(row, photos, [query])
        best[photos[query].product] = -np.inf
        top = np.argsort(-best, kind="stable")[:5]
        shares.append(np.mean([categories[t] == photos[query].category for t in top]))
    return float(np.mean(shares))


def summary(ranks: np.ndarray) -> tuple[float, float, float]:
    """(R@1, R@5, MRR) of product ranks."""
    return float((ranks == 1).mean()), float((ranks <= 5).mean()), float((1 / ranks).mean())


def load_photos(catalog_dir: Path) -> list[Photo]:
    catalog = load_catalog(catalog_dir)
    return [
        Photo(
            number,
            product.categories[0] if product.categories else "",
            image.file,
            image.view == "main",
            open_photo(image.path),
        )
        for number, product in enumerate(catalog.products)
        for image in product.images
    ]


Triple = tuple[float, float, float]


@dataclass(frozen=True)
class Result:
    dev: Triple
    all: Triple
    alone: Triple
    similar: float
    perturbed: dict[str, float]  # R@5 of ``all`` per perturbation
    ms: float


def evaluate(recipe: Recipe, photos: list[Photo], dev: list[int]) -> Result:
    """Embed the catalog with ``recipe`` and score every query set."""
    start = time.perf_counter()
    index = np.stack([recipe.embed(p.image) for p in photos]).astype(np.float32)
    ms = (time.perf_counter() - start) / len(photos) * 1000
    if not recipe.chi_squared:
        index = normalize(index)
    others = [i for i, p in enumerate(photos) if not p.main]
    itself = [[i] for i in others]
    siblings = [[j for j in others if photos[j].product == photos[i].product] for i in others]

    def ranks(queries: list[int], vectors: np.ndarray, hidden: list[list[int]]) -> np.ndarray:
        scores = similarities(vectors, index, recipe.chi_squared)
        return product_ranks(scores, photos, queries, hidden)

    perturbed = {}
    for name, perturb in PERTURBATIONS.items():
        vectors = np.stack(
            [recipe.embed(perturb(photos[i].image, random.Random(i))) for i in others]
        ).astype(np.float32)
        if not recipe.chi_squared:
            vectors = normalize(vectors)
        perturbed[name] = summary(ranks(others, vectors, itself))[1]
    return Result(
        dev=summary(ranks(dev, index[dev], [[i] for i in dev])),
        all=summary(ranks(others, index[others], itself)),
        alone=summary(ranks(others, index[others], siblings)),
        similar=same_category_share(
            similarities(index[others], index, recipe.chi_squared), photos, others
        ),
        perturbed=perturbed,
        ms=ms,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=DEMO_CATALOG)
    parser.add_argument("--queries", type=Path, help="default: dev_photo_queries.jsonl there")
    args = parser.parse_args(argv)
    photos = load_photos(args.catalog)
    queries_file = args.queries or args.catalog / "dev_photo_queries.jsonl"
    by_file = {p.file: i for i, p in enumerate(photos)}
    with queries_file.open(encoding="utf-8") as handle:
        dev = [by_file[json.loads(line)["file"]] for line in handle if line.strip()]
    n_others = sum(not p.main for p in photos)
    print(f"{len(photos)} photos; dev {len(dev)} queries; all/alone {n_others} non-main photos\n")
    rows = [(recipe.name, evaluate(recipe, photos, dev)) for recipe in recipes()]

    def triple(values: Triple) -> str:
        return " / ".join(f"{x:.2f}" for x in values)

    print(
        "| recipe | dev R@1 / R@5 / MRR | all R@1 / R@5 / MRR | alone R@1 / R@5 / MRR "
        "| same category@5 |"
    )
    print("|---|---|---|---|---|")
    for name, r in rows:
        cells = (triple(r.dev), triple(r.all), triple(r.alone), f"{r.similar:.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nR@5 of 'all' with the query photo perturbed; ms to embed one photo\n")
    print("| recipe | " + " | ".join(PERTURBATIONS) + " | ms/photo |")
    print("|---|" + "---|" * (len(PERTURBATIONS) + 1))
    for name, r in rows:
        figures = [f"{r.perturbed[p]:.2f}" for p in PERTURBATIONS] + [f"{r.ms:.1f}"]
        print(f"| {name} | " + " | ".join(figures) + " |")


if __name__ == "__main__":
    main()
