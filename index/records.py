"""Typed catalog records: product, variant, image, review, links.

Records are frozen so that a loaded catalog can be shared by every session of the
app without one conversation changing what another sees. Validation lives in
``catalog.py``; these classes only hold checked values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

AttributeValue = str | bool | float | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Variant:
    """One sellable child: a size/colour combination, a bundle option, a group member."""

    sku: str
    color: str | None = None
    size: str | None = None
    price: float | None = None
    name: str | None = None
    option: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    """A product photo. ``file`` is as written in the catalog, ``path`` is resolved."""

    file: str
    path: Path
    view: str = "main"
    color: str | None = None


@dataclass(frozen=True, slots=True)
class Review:
    rating: int
    title: str = ""
    text: str = ""
    author: str = ""


@dataclass(frozen=True, slots=True)
class Links:
    related: tuple[str, ...] = ()
    upsell: tuple[str, ...] = ()
    crosssell: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Product:
    """A parent product with its variants, photos, reviews and links."""

    id: str
    name: str
    price: float
    type: str = "simple"
    sku: str = ""
    categories: tuple[str, ...] = ()
    special_price: float | None = None
    price_range: tuple[float, float] | None = None
    msrp: float | None = None
    currency: str = "USD"
    description: str = ""
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)
    variants: tuple[Variant, ...] = ()
    colors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    reviews: tuple[Review, ...] = ()
    links: Links = field(default_factory=Links)

    @property
    def effective_price(self) -> float:
        """What the shopper pays now: the special price where it is lower."""
        if self.special_price is not None and self.special_price < self.price:
            return self.special_price
        return self.price

    @property
    def rating(self) -> float | None:
        """Mean review rating, or None without reviews."""
        if not self.reviews:
            return None
        return sum(r.rating for r in self.reviews) / len(self.reviews)

    def image_for(self, color: str | None = None) -> Image | None:
        """The photo to show: the main view in ``color`` if there is one, else the first main."""
        if not self.images:
            return None
        wanted = color.casefold() if color else None
        ranked = sorted(
            self.images,
            key=lambda im: (
                not (wanted and im.color and im.color.casefold() == wanted),
                im.view != "main",
            ),
        )
        return ranked[0]
