"""One product as an answer may describe it, and the request as the search read it.

``Quoted`` is what an answer may name and quote for a product: its id, name, and the
price it costs now; ``ProductRef`` adds its rating for any product an answer uses;
``Availability`` and ``Details`` say what it comes in and is made of; ``Request`` is
what the shopper asked for, so an answer may restate it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from index.money import money
from index.query import Constraints
from index.records import Product

from .base import Plain, attr_list, materials, plain, rating


@dataclass(frozen=True)
class Quoted(Plain):
    """A product as an answer may name it, with the price it may quote: what it costs now.

    ``ProductRef`` and ``Recommendation`` start with these fields (``to_dict`` lists a
    base class's fields first); ``quote`` gives their values for a catalog product.
    """

    product_id: str
    name: str
    price: Decimal
    currency: str

    @staticmethod
    def quote(product: Product) -> tuple[str, str, Decimal, str]:
        return product.id, product.name, money(product.effective_price), product.currency


@dataclass(frozen=True)
class ProductRef(Quoted):
    """A product an answer uses: what it may name, the price it may quote, its rating."""

    rating: Decimal | None
    review_count: int
    regular_price: Decimal | None = None  # set when on special: answers say "(was $32)"

    @classmethod
    def of(cls, product: Product) -> ProductRef:
        on_special = product.effective_price < product.price
        return cls(
            *cls.quote(product),
            rating(product),
            len(product.reviews),
            money(product.price) if on_special else None,
        )


@dataclass(frozen=True)
class Availability(Plain):
    """Colours and sizes offered, and which sizes come in each colour."""

    product_id: str
    colors: tuple[str, ...]
    sizes: tuple[str, ...]
    sizes_by_color: tuple[tuple[str, tuple[str, ...]], ...]
    color_count: int
    size_count: int

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        result["sizes_by_color"] = {c: list(s) for c, s in self.sizes_by_color}
        return result


def availability(product: Product) -> Availability:
    """Colours, sizes, and sizes per colour in catalog order."""
    by_color: dict[str, list[str]] = {}
    for variant in product.variants:
        if variant.color is None:
            continue
        sizes = by_color.setdefault(variant.color, [])
        if variant.size is not None and variant.size not in sizes:
            sizes.append(variant.size)
    return Availability(
        product_id=product.id,
        colors=product.colors,
        sizes=product.sizes,
        sizes_by_color=tuple((c, tuple(s)) for c, s in by_color.items()),
        color_count=len(product.colors),
        size_count=len(product.sizes),
    )


@dataclass(frozen=True)
class Details(Plain):
    """What a product is made of and offers, as the catalog's attributes say."""

    product_id: str
    materials: tuple[str, ...]
    features: tuple[str, ...]
    activity: tuple[str, ...]
    style: tuple[str, ...]


def details(product: Product) -> Details:
    return Details(
        product.id,
        materials(product),
        attr_list(product, "features"),
        attr_list(product, "activity"),
        attr_list(product, "style"),
    )


@dataclass(frozen=True)
class Request(Plain):
    """What the shopper asked for, as the search understood it: an answer may restate
    it ("jackets under $60", "in red") without the results having to hold it."""

    price_min: Decimal | None
    price_max: Decimal | None
    colors: tuple[str, ...]
    sizes: tuple[str, ...]


def request(constraints: Constraints) -> Request:
    price = constraints.price
    low = money(price.low) if price is not None and price.low is not None else None
    high = money(price.high) if price is not None and price.high is not None else None
    return Request(low, high, constraints.colors, constraints.sizes)
