"""The training-free image embedder on real demo photos."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

from index.catalog import Catalog, load_catalog
from index.embedders.base import ImageEmbedder, create_embedder
from index.embedders.visual import DIM, RECIPE, VisualEmbedder
from index.photos import open_photo
from index.settings import DEMO_CATALOG, Settings

# One photo each of products that differ in colour, type and gender.
PHOTOS = [
    "images/mh12-green_main.jpg",
    "images/wsh11-orange_main.jpg",
    "images/mb01-blue-0.jpg",
    "images/mp04-gray_main.jpg",
    "images/wt03-red_main.jpg",
]


@pytest.fixture(scope="module")
def embedder() -> VisualEmbedder:
    return VisualEmbedder()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(DEMO_CATALOG)


@pytest.fixture(scope="module")
def mains(catalog: Catalog, embedder: VisualEmbedder) -> tuple[list[str], np.ndarray]:
    """(owner product id, vector) of every main photo of the demo catalog."""
    owners, photos = [], []
    for product in catalog.products:
        for image in product.images:
            if image.view == "main":
                owners.append(product.id)
                photos.append(open_photo(image.path))
    return owners, embedder.embed_images(photos)


def photo(file: str) -> Image.Image:
    return open_photo(DEMO_CATALOG / file)


def nearest_other_product(
    vector: np.ndarray, product_id: str, mains: tuple[list[str], np.ndarray]
) -> float:
    owners, vectors = mains
    return max(float(s) for s, o in zip(vectors @ vector, owners, strict=True) if o != product_id)


def product_of(file: str, catalog: Catalog) -> str:
    return next(p.id for p in catalog.products if any(im.file == file for im in p.images))


def test_vectors_are_unit_float32_rows(embedder: VisualEmbedder) -> None:
    vectors = embedder.embed_images([photo(f) for f in PHOTOS])
    assert vectors.shape == (len(PHOTOS), DIM) == (len(PHOTOS), embedder.info.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.embed_images([]).shape == (0, DIM)


def test_info_fingerprints_the_recipe(embedder: VisualEmbedder) -> None:
    assert embedder.info.name == "visual"
    assert embedder.info.sha256 == hashlib.sha256(RECIPE.encode()).hexdigest()
    assert embedder.info == VisualEmbedder().info


def test_registry_builds_it_as_an_image_embedder() -> None:
    built = create_embedder("visual", Settings.from_overrides({}))
    assert isinstance(built, VisualEmbedder)
    assert isinstance(built, ImageEmbedder)


def test_same_photo_same_vector_in_any_batch(embedder: VisualEmbedder) -> None:
    images = [photo(f) for f in PHOTOS]
    together = embedder.embed_images(images)
    alone = np.stack([VisualEmbedder().embed_images([im])[0] for im in images])
    assert np.array_equal(together, alone)
    assert np.array_equal(together, embedder.embed_images(images))


def test_different_products_are_not_near_duplicates(embedder: VisualEmbedder) -> None:
    vectors = embedder.embed_images([photo(f) for f in PHOTOS])
    similarity = vectors @ vectors.T
    assert similarity[~np.eye(len(PHOTOS), dtype=bool)].max() < 0.8


def cropped(image: Image.Image) -> Image.Image:
    """5% off the top and the sides, as a shopper framing a little tighter."""
    w, h = image.size
    return image.crop((w // 20, h // 20, w - w // 20, h))


def zoomed_out(image: Image.Image) -> Image.Image:
    return ImageOps.expand(image, border=image.width // 3, fill=(255, 255, 255))


def darker(image: Image.Image) -> Image.Image:
    return ImageEnhance.Brightness(image).enhance(0.85)


def warm_light(image: Image.Image) -> Image.Image:
    red, green, blue = image.split()
    return Image.merge(
        "RGB", (red, green.point(lambda v: v * 0.95), blue.point(lambda v: v * 0.85))
    )


def half_size(image: Image.Image) -> Image.Image:
    return image.resize((image.width // 2, image.height // 2))


@pytest.mark.parametrize("file", PHOTOS)
@pytest.mark.parametrize(
    "change", [ImageOps.mirror, cropped, half_size, zoomed_out, darker, warm_light]
)
def test_a_changed_copy_is_nearer_than_any_other_product(
    file: str,
    change: Callable[[Image.Image], Image.Image],
    embedder: VisualEmbedder,
    catalog: Catalog,
    mains: tuple[list[str], np.ndarray],
) -> None:
    original = photo(file)
    a, b = embedder.embed_images([original, change(original)])
    assert float(a @ b) > nearest_other_product(a, product_of(file, catalog), mains)


def back_views() -> list[tuple[str, str]]:
    lines = (DEMO_CATALOG / "dev_photo_queries.jsonl").read_text(encoding="utf-8").splitlines()
    queries = [json.loads(line) for line in lines if line.strip()]
    return [(q["file"], q["product_id"]) for q in queries if q["view"] == "back"]


@pytest.mark.slow
@pytest.mark.parametrize(("file", "product_id"), back_views())
def test_a_back_view_finds_its_product_among_main_photos(
    file: str, product_id: str, embedder: VisualEmbedder, mains: tuple[list[str], np.ndarray]
) -> None:
    owners, vectors = mains
    scores = vectors @ embedder.embed_images([photo(file)])[0]
    best: dict[str, float] = {}
    for owner, score in zip(owners, scores, strict=True):
        best[owner] = max(best.get(owner, -1.0), float(score))
    top5 = sorted(best, key=best.__getitem__, reverse=True)[:5]
    assert product_id in top5


@pytest.mark.parametrize(
    "image",
    [
        Image.new("RGB", (1, 1), (10, 200, 30)),
        Image.new("RGB", (2000, 3), (40, 40, 200)),
        Image.new("RGB", (3, 900), (200, 40, 40)),
        Image.new("RGB", (300, 200), (255, 255, 255)),
        Image.new("RGB", (64, 64), (0, 0, 0)),
        Image.new("L", (50, 80), 128),
        Image.new("RGBA", (40, 40)),
        Image.fromarray(np.random.default_rng(0).integers(0, 256, (300, 300, 3), dtype=np.uint8)),
    ],
    ids=["1x1", "very-wide", "very-tall", "all-white", "all-black", "grey-L", "rgba", "noise"],
)
def test_odd_images_give_finite_unit_vectors(image: Image.Image, embedder: VisualEmbedder) -> None:
    vector = embedder.embed_images([image])[0]
    assert np.isfinite(vector).all()
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5


def test_an_uploaded_file_round_trip_matches_the_catalog_photo(
    embedder: VisualEmbedder, tmp_path: Path
) -> None:
    original = photo(PHOTOS[0])
    original.save(tmp_path / "upload.jpg", quality=85)
    a, b = embedder.embed_images([original, open_photo(tmp_path / "upload.jpg")])
    assert float(a @ b) > 0.9
