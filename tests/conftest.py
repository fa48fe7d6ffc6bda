"""Shared fixtures: a small synthetic catalog with real photos, and the demo catalog."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from assistant.settings import AssistantSettings
from index.settings import DEMO_CATALOG

COLORS = {
    "Red": (200, 30, 40),
    "Blue": (30, 60, 200),
    "Green": (40, 160, 60),
    "Black": (20, 20, 20),
}


def _photo(path: Path, color: tuple[int, int, int], shape: str) -> None:
    """A packshot-like photo: a coloured shape on white."""
    image = Image.new("RGB", (160, 200), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    if shape == "shirt":
        draw.polygon(
            [(30, 40), (130, 40), (150, 80), (120, 80), (120, 180), (40, 180), (40, 80), (10, 80)],
            fill=color,
        )
    elif shape == "bag":
        draw.rectangle([30, 80, 130, 170], fill=color)
        draw.arc([55, 40, 105, 110], 180, 360, fill=color, width=8)
    else:
        draw.rectangle([50, 20, 110, 190], fill=color)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, quality=90)


SMALL_PRODUCTS = [
    ("T1", "Harbor Cotton Tee", "Men/Tops/Tees", 25.0, ["Red", "Blue"], "Men", ["Cotton"], "shirt"),
    ("T2", "Summit Wool Tee", "Women/Tops/Tees", 45.0, ["Green"], "Women", ["Wool"], "shirt"),
    (
        "H1",
        "Ridge Fleece Hoodie",
        "Women/Tops/Hoodies & Sweatshirts",
        60.0,
        ["Blue"],
        "Women",
        ["Fleece"],
        "shirt",
    ),
    ("B1", "Canyon Travel Backpack", "Gear/Bags", 80.0, ["Black"], None, ["Nylon"], "bag"),
    (
        "P1",
        "Delta Running Pants",
        "Men/Bottoms/Pants",
        55.0,
        ["Black", "Red"],
        "Men",
        ["Polyester"],
        "pants",
    ),
]


@pytest.fixture
def small_catalog(tmp_path: Path) -> Path:
    """A five-product catalog folder in the project's JSONL format, with photos."""
    root = tmp_path / "shop"
    lines = []
    for pid, name, category, price, colors, gender, material, shape in SMALL_PRODUCTS:
        images = []
        for color in colors:
            for view in ("main", "back"):
                file = f"images/{pid.lower()}-{color.lower()}_{view}.jpg"
                _photo(root / file, COLORS[color], shape)
                images.append({"file": file, "view": view, "color": color})
        attributes: dict[str, object] = {"material": material}
        if gender:
            attributes["gender"] = [gender]
        lines.append(
            {
                "id": pid,
                "name": name,
                "categories": [category],
                "price": price,
                "description": f"The {name} is made of {material[0].lower()}.",
                "attributes": attributes,
                "variants": [
                    {"sku": f"{pid}-{c}", "color": c, "size": "M", "price": price} for c in colors
                ],
                "colors": colors,
                "sizes": ["M"],
                "images": images,
                "reviews": [{"rating": 4, "title": "ok", "text": "fine", "author": "a"}],
                "links": {"related": [], "upsell": [], "crosssell": []},
            }
        )
    (root / "catalog.jsonl").write_text(
        "\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8"
    )
    return root


@pytest.fixture
def write_catalog(tmp_path: Path) -> Callable[[list[object]], Path]:
    """Write raw rows (dicts or strings) as a catalog.jsonl; returns the folder."""

    def write(rows: list[object]) -> Path:
        root = tmp_path / "raw"
        root.mkdir(exist_ok=True)
        text = "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows)
        (root / "catalog.jsonl").write_text(text + "\n", encoding="utf-8")
        return root

    return write


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> AssistantSettings:
    """Settings for the demo catalog with a per-session index folder (offline)."""
    return AssistantSettings(
        catalog=DEMO_CATALOG,
        index_dir=tmp_path_factory.mktemp("demo-index"),
        allow_downloads=False,
    )


@pytest.fixture(scope="session")
def demo_searcher(demo_settings: AssistantSettings):  # type: ignore[no-untyped-def]
    """One searcher over the demo catalog, its index built once per test session."""
    from index.search import Searcher

    return Searcher(demo_settings, progress=False)


@pytest.fixture(scope="session")
def shop_searchers(tmp_path_factory: pytest.TempPathFactory, demo_searcher):  # type: ignore[no-untyped-def]
    """A searcher per catalog folder under data/ (the demo's shared), built on first use."""
    from index.search import Searcher

    built = {"demo": demo_searcher}

    def searcher(name: str) -> Searcher:
        if name not in built:
            settings = AssistantSettings(
                catalog=DEMO_CATALOG.parent / name,
                index_dir=tmp_path_factory.mktemp(f"{name}-index"),
                allow_downloads=False,
            )
            built[name] = Searcher(settings, progress=False)
        return built[name]

    return searcher


@pytest.fixture(scope="session")
def parser():  # type: ignore[no-untyped-def]
    """The query parser over the demo catalog's vocabulary (no index, no models)."""
    from index.catalog import load_catalog
    from index.facets import FacetIndex
    from index.query import Lexicon, QueryParser
    from index.text import Tokenizer

    raw = Lexicon.read()
    tokenizer = Tokenizer(Lexicon.words(raw))
    facets = FacetIndex(load_catalog(DEMO_CATALOG).products, tokenizer)
    return QueryParser(Lexicon(raw, tokenizer), facets, tokenizer)
