"""Other products to suggest, each with a reason code: linked, cheaper or better rated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from index.catalog import Catalog
from index.money import money
from index.records import Product

from .base import mean_rating, rating
from .product import Quoted

LINK_ORDER = ("crosssell", "related", "upsell")


@dataclass(frozen=True)
class Recommendation(Quoted):
    """Another product to suggest and why (``reason`` is a code, not prose)."""

    reason: str
    saving: Decimal | None = None
    rating: Decimal | None = None
    review_count: int = 0

    @classmethod
    def of(cls, product: Product, reason: str, saving: Decimal | None = None) -> Recommendation:
        return cls(*cls.quote(product), reason, saving, rating(product), len(product.reviews))


def recommendations(
    product: Product, catalog: Catalog, *, limit: int = 5
) -> tuple[Recommendation, ...]:
    """Linked products: cross-sell, then related, then up-sell; unknown ids are skipped."""
    found: list[Recommendation] = []
    seen = {product.id}
    for reason in LINK_ORDER:
        for pid in getattr(product.links, reason):
            linked = catalog.get(pid)
            if linked is None or pid in seen:
                continue
            seen.add(pid)
            found.append(Recommendation.of(linked, reason))
            if len(found) >= limit:
                return tuple(found)
    return tuple(found)


def cheaper_alternatives(
    product: Product, candidates: Iterable[Product], *, limit: int = 5
) -> tuple[Recommendation, ...]:
    """Same first category, lower effective price, cheapest first, with the saving."""
    if not product.categories:
        return ()
    price = money(product.effective_price)
    cheaper = [
        c
        for c in candidates
        if c.id != product.id
        and c.categories[:1] == product.categories[:1]
        and money(c.effective_price) < price
    ]
    cheaper.sort(key=lambda c: money(c.effective_price))
    return tuple(
        Recommendation.of(c, "cheaper", price - money(c.effective_price)) for c in cheaper[:limit]
    )


def better_rated(
    product: Product, candidates: Iterable[Product], *, limit: int = 5
) -> tuple[Recommendation, ...]:
    """Higher mean rating with at least 2 reviews, best first; none for an unrated product."""
    own = mean_rating(product)
    if own is None:
        return ()
    better = [
        c
        for c in candidates
        if c.id != product.id and len(c.reviews) >= 2 and (mean_rating(c) or 0) > own
    ]
    better.sort(key=lambda c: (-(mean_rating(c) or 0), -len(c.reviews)))
    return tuple(Recommendation.of(c, "better_rated") for c in better[:limit])
