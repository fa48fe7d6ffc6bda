"""Hypothesis properties of price filtering through a real Searcher (e5, visual, FAISS).

A price ceiling is a hard constraint: when any product meets it, every hit does and
``alternatives`` is False; only when none does is it relaxed, flagged and named in
``unmet``. The catalog is built once per module with prices on both sides of every
ceiling drawn, specials below and above the price, and price ranges whose low end
undercuts the product's own price. Which price counts is computed here from the rows
as written, as docs/catalog-format.md defines it: the price paid (a special only when
lower), or the low end of a valid price range when that is lower still.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from PIL import Image

from index.search import Searcher
from index.settings import Settings
from tests.unit.test_properties import chinese_numeral

pytestmark = pytest.mark.slow

# (name, category, price, special price, price range)
ROWS: list[tuple[str, str, float, float | None, tuple[float, float] | None]] = [
    ("Harbor Cotton Tee", "Men/Tops/Tees", 4.99, None, None),
    ("Summit Wool Tee", "Women/Tops/Tees", 24.0, 19.5, None),
    ("Breeze Linen Tee", "Men/Tops/Tees", 35.0, 40.0, None),  # a special above: ignored
    ("Ridge Fleece Hoodie", "Women/Tops/Hoodies", 60.0, None, None),
    ("Crest Zip Hoodie", "Men/Tops/Hoodies", 72.5, 48.25, None),
    ("Pine Pullover Hoodie", "Men/Tops/Hoodies", 95.0, None, (38.0, 120.0)),
    ("Storm Shell Jacket", "Men/Tops/Jackets", 150.0, None, None),
    ("Glacier Down Jacket", "Women/Tops/Jackets", 240.0, 199.0, None),
    ("Drift Rain Jacket", "Women/Tops/Jackets", 88.0, None, (120.0, 90.0)),  # inverted: dropped
    ("Canyon Travel Backpack", "Gear/Bags", 80.0, None, None),
    ("Joust Duffle Bag", "Gear/Bags", 34.0, None, (12.0, 34.0)),
    ("Tote Market Bag", "Gear/Bags", 9.5, None, None),
    ("Delta Running Pants", "Men/Bottoms/Pants", 55.0, 42.0, None),
    ("Trail Cargo Pants", "Women/Bottoms/Pants", 118.0, None, None),
    ("Yoga Flex Pants", "Women/Bottoms/Pants", 29.99, None, None),
]
COLORS = ["Red", "Blue", "Black"]


def floor_price(price: float, special: float | None, span: Any) -> float:
    """The lowest price a shopper can pay, from the row as written."""
    paid = special if special is not None and special < price else price
    if span is not None and span[0] <= span[1]:
        return min(paid, span[0])
    return paid


FLOORS = {f"P{i}": floor_price(price, sp, span) for i, (_, _, price, sp, span) in enumerate(ROWS)}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    root = tmp_path_factory.mktemp("priced-shop")
    (root / "images").mkdir()
    lines = []
    for i, (name, category, price, special, span) in enumerate(ROWS):
        color = COLORS[i % len(COLORS)]
        file = f"images/p{i}.jpg"
        Image.new("RGB", (64, 64), (40 * i % 255, 90, 160)).save(root / file)
        row: dict[str, Any] = {
            "id": f"P{i}",
            "name": name,
            "categories": [category],
            "price": price,
            "colors": [color],
            "images": [{"file": file, "color": color}],
        }
        if special is not None:
            row["special_price"] = special
        if span is not None:
            row["price_range"] = {"min": span[0], "max": span[1]}
        lines.append(json.dumps(row))
    (root / "catalog.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = Settings(
        catalog=root,
        index_dir=tmp_path_factory.mktemp("priced-index"),
        allow_downloads=False,
        image_embedder="visual",
    )
    built = Searcher(config, progress=False)
    assert len(built.products) == len(ROWS)
    return built


CEILINGS = [
    "under ${n}", "below {n} dollars", "max ${n}", "${n} or less", "no more than {n} bucks",
    "{n}美元以下", "不超过{n}元", "{n}块以内", "最多{n}美元",
]  # fmt: skip
WANTS = ["", "tee ", "hoodie ", "jacket ", "bag ", "pants ", "red ", "blue jacket ", "卫衣 "]


@st.composite
def queries(draw: st.DrawFn) -> tuple[str, float]:
    """A wish and a ceiling around the catalog's prices: "blue jacket under $48.25"."""
    cents = draw(st.integers(min_value=0, max_value=30_000) | st.sampled_from([1200, 1950, 3800]))
    value = cents / 100
    written = f"{value:.0f}" if value.is_integer() else f"{value:.2f}"
    form = draw(st.sampled_from(CEILINGS))
    if not form.isascii() and value.is_integer() and value >= 1 and draw(st.booleans()):
        written = chinese_numeral(int(value))
    return draw(st.sampled_from(WANTS)) + form.format(n=written), value


# The category leaf each type the WANTS can parse to stands for in ROWS.
KINDS = {"tee": "Tees", "hoodie": "Hoodies", "jacket": "Jackets", "bag": "Bags", "pants": "Pants"}


def of_kinds(types: tuple[str, ...]) -> set[str]:
    """Ids of the products of any of ``types``; every product when none is asked for."""
    leaves = {KINDS[t] for t in types}
    return {f"P{i}" for i, row in enumerate(ROWS) if not leaves or row[1].endswith(tuple(leaves))}


@settings(max_examples=50, derandomize=True, database=None, deadline=None)
@given(queries())
def test_a_ceiling_filters_exactly_unless_nothing_meets_it(
    searcher: Searcher, query: tuple[str, float]
) -> None:
    text, ceiling = query
    result = searcher.search(text, k=len(ROWS))
    wanted = result.constraints
    assert wanted.price is not None and wanted.price.low is None, text
    assert math.isclose(wanted.price.high or 0.0, ceiling), (text, wanted.price)
    assert not wanted.scopes, text  # the WANTS name no scope: of_kinds would be wrong
    kind = of_kinds(wanted.types)
    meets = {pid for pid in kind if FLOORS[pid] <= ceiling}
    hits = {hit.product.id for hit in result.hits}
    event(f"alternatives={result.alternatives}, types={bool(wanted.types)}")
    assert result.alternatives == (not meets), (text, meets)
    if not result.alternatives:
        # k covers the catalog, so the hits are exactly the products that qualify.
        assert hits == meets, (text, {pid: FLOORS[pid] for pid in hits ^ meets})
        return
    # Nothing qualifies: the price is relaxed, the kind kept, and the shopper told.
    assert any(u.startswith("price") for u in result.unmet), (text, result.unmet)
    assert hits and hits <= kind, (text, hits - kind)
