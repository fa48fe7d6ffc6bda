"""Two or more products side by side: a table of attributes and what it concludes.

Which is cheaper and by how much is decided on exact cents; which is better rated is
decided on exact mean ratings, and the gap quoted is between the rounded ratings shown
in the table, so that the answer and the table agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from index.money import money
from index.records import Product

from .base import Cell, Plain, attr_list, materials, mean_rating, plain, rating

_COMPARED_ATTRIBUTES = (("features", "features"), ("style", "style"), ("activity", "activity"))


@dataclass(frozen=True)
class Comparison(Plain):
    """A table (one row per attribute, one column per product) and its conclusions.

    ``difference`` is dearest minus cheapest; ``saving_percent`` is that difference as
    a whole percentage of the dearest price. ``better_rated_id`` is None when the top
    ratings tie or when any compared product has no reviews (unrated is not worse).
    """

    product_ids: tuple[str, ...]
    names: tuple[str, ...]
    currency: str
    rows: tuple[tuple[str, tuple[Cell, ...]], ...]
    cheapest_id: str
    dearest_id: str
    difference: Decimal
    saving_percent: int | None
    better_rated_id: str | None
    rating_difference: Decimal | None

    def row(self, label: str) -> tuple[Cell, ...] | None:
        return dict(self.rows).get(label)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        result["rows"] = {label: plain(values) for label, values in self.rows}
        return result


def compare(products: Sequence[Product]) -> Comparison:
    """Compare two or more products; ties for cheapest/dearest go to the first given."""
    if len(products) < 2:
        raise ValueError("compare needs at least two products")
    prices = [money(p.effective_price) for p in products]
    ratings = [rating(p) for p in products]
    rows: list[tuple[str, tuple[Cell, ...]]] = [
        ("price", tuple(prices)),
        ("rating", tuple(ratings)),
        ("reviews", tuple(len(p.reviews) for p in products)),
    ]
    candidates: list[tuple[str, tuple[tuple[str, ...], ...]]] = [
        ("colors", tuple(p.colors for p in products)),
        ("sizes", tuple(p.sizes for p in products)),
        ("materials", tuple(materials(p) for p in products)),
    ]
    candidates += [
        (label, tuple(attr_list(p, key) for p in products)) for label, key in _COMPARED_ATTRIBUTES
    ]
    rows += [(label, cells) for label, cells in candidates if any(cells)]
    cheap = min(range(len(products)), key=lambda i: prices[i])
    dear = max(range(len(products)), key=lambda i: (prices[i], -i))
    difference = prices[dear] - prices[cheap]
    percent = None
    if prices[dear]:
        percent = int((difference / prices[dear] * 100).quantize(Decimal(1), ROUND_HALF_UP))
    better, gap = _better_rated(products, ratings)
    return Comparison(
        product_ids=tuple(p.id for p in products),
        names=tuple(p.name for p in products),
        currency=products[0].currency,
        rows=tuple(rows),
        cheapest_id=products[cheap].id,
        dearest_id=products[dear].id,
        difference=difference,
        saving_percent=percent,
        better_rated_id=better,
        rating_difference=gap,
    )


def _better_rated(
    products: Sequence[Product], shown: Sequence[Decimal | None]
) -> tuple[str | None, Decimal | None]:
    maybe = [mean_rating(p) for p in products]
    means = [m for m in maybe if m is not None]
    if len(means) < len(products):
        return None, None
    order = sorted(range(len(products)), key=lambda i: means[i], reverse=True)
    first, second = order[0], order[1]
    if means[first] == means[second]:
        return None, None
    # The gap between the displayed (rounded) ratings, so that it matches the table.
    gap = (shown[first] or Decimal(0)) - (shown[second] or Decimal(0))
    return products[first].id, gap
