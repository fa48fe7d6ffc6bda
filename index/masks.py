"""Which products a query's constraints allow, and which of its wishes each one meets.

Hard constraints (a type, a price range) decide which products may be shown at all;
when nothing meets them, only the constraint nothing meets is relaxed and the result
is flagged as alternatives with that constraint named. Soft constraints (gender,
colour, size, each term, the kind of product in a photo) are counted per product, and
the count ranks above relevance: a product meeting more wishes comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import numpy as np

from .facets import FacetIndex
from .prices import PriceRange
from .query import Constraints, Lexicon
from .records import Product
from .text import Tokenizer

Labelled = list[tuple[str, np.ndarray]]


class ConstraintMasks:
    """Boolean masks over the catalog's products, one per constraint of a query."""

    def __init__(
        self,
        products: Sequence[Product],
        facets: FacetIndex,
        lexicon: Lexicon,
        tokenizer: Tokenizer,
    ) -> None:
        self.products = products
        self.facets, self.lexicon, self.tokenizer = facets, lexicon, tokenizer
        self.prices = np.array([_floor_price(p) for p in products], dtype=np.float64)

    def hard(self, wanted: Constraints) -> tuple[np.ndarray, list[str], bool]:
        """(products meeting the hard constraints, unmet ones, whether any was relaxed).

        When nothing meets them, only the constraint that nothing meets is relaxed: no
        shoes under $20 gives other products under $20; no jackets under $5 gives
        jackets, the nearest in price first.
        """
        everything = np.ones(len(self.products), dtype=bool)
        kinds, unmet = self._types(wanted)
        if wanted.price is None:
            return (kinds, unmet, False) if kinds.any() else (everything, unmet, True)
        low = -np.inf if wanted.price.low is None else wanted.price.low
        high = np.inf if wanted.price.high is None else wanted.price.high
        priced = (self.prices >= low) & (self.prices <= high + 1e-9)
        if (kinds & priced).any():
            return kinds & priced, unmet, False
        if kinds.any():
            unmet.append(f"price {_describe_range(low, high)}")
            return kinds, unmet, True
        return (priced if priced.any() else everything), unmet, True

    def _types(self, wanted: Constraints) -> tuple[np.ndarray, list[str]]:
        """Products of the wanted types and scopes; a type nothing is of is unmet."""
        mask = np.ones(len(self.products), dtype=bool)
        unmet: list[str] = []
        type_sets = []
        for value in wanted.types:
            found = self._concept("type", value, "type") or self._concept("type", value, "name")
            if found:
                type_sets.append(found)
            else:
                unmet.append(value)
        if wanted.types and not type_sets:
            return np.zeros(len(self.products), dtype=bool), unmet
        if type_sets:
            both = set.intersection(*type_sets)
            mask &= self.facets.mask(both or set.union(*type_sets))
        for value in wanted.scopes:
            scoped = mask & self.facets.mask(self._concept("scope", value, "type"))
            if scoped.any():
                mask = scoped
        return mask, unmet

    def price_closeness(self, price: PriceRange, candidates: np.ndarray) -> np.ndarray:
        """How near each price is to the range, 2 for the nearest candidate down to 0.

        Weighted above relevance (< 1), so relaxed-price alternatives come nearest first.
        """
        low = -np.inf if price.low is None else price.low
        high = np.inf if price.high is None else price.high
        distance = np.maximum(low - self.prices, 0) + np.maximum(self.prices - high, 0)
        near, far = distance[candidates].min(), distance[candidates].max()
        return 2.0 * (far - distance) / (far - near) if far > near else np.zeros_like(distance)

    def _concept(self, kind: str, value: str, group: str) -> set[int]:
        return self.facets.matching(group, self.lexicon.forms_of(kind, value, self.tokenizer))

    def soft(self, wanted: Constraints) -> tuple[np.ndarray, Labelled]:
        """Count of soft constraints met per product, and a mask per constraint label."""
        requirements: Labelled = []
        for kind, values, group in (
            ("gender", wanted.genders, "gender"),
            ("color", wanted.colors, "color"),
            ("size", wanted.sizes, "size"),
        ):
            if values:
                found: set[int] = set()
                for value in values:
                    found |= self._concept(kind, value, group)
                requirements.append((f"{kind}: {'/'.join(values)}", self.facets.mask(found)))
        for term in wanted.terms:
            requirements.append((term, self.facets.mask(self._concept("term", term, "field"))))
        soft = np.zeros(len(self.products))
        for _, mask in requirements:
            soft += mask
        return soft, requirements

    def photo_kind(
        self, photo: np.ndarray, candidates: np.ndarray
    ) -> tuple[str, np.ndarray] | None:
        """Products of the same kind as the photo's best match: "like this but in blue"
        should bring blue hoodies for a grey hoodie, before blue jackets and tanks.

        The kind is the leaf of the best match's first category; it counts as one more
        soft wish, so the words' wishes (a colour, a size) still rank above it.
        """
        scores = np.where(candidates, photo, -np.inf)
        best = int(np.argmax(scores))
        if not np.isfinite(scores[best]) or not self.products[best].categories:
            return None
        leaf = _leaf(self.products[best].categories[0])
        return f"like the photo: {leaf}", self._leaf_masks[leaf]

    @cached_property
    def _leaf_masks(self) -> dict[str, np.ndarray]:
        """Category leaf -> the products filed under it; built on the first photo + words
        query, not per query (it walks every product's categories)."""
        masks: dict[str, np.ndarray] = {}
        for i, product in enumerate(self.products):
            for leaf in {_leaf(c) for c in product.categories}:
                masks.setdefault(leaf, np.zeros(len(self.products), dtype=bool))[i] = True
        return masks


def _leaf(category: str) -> str:
    """ "Women/Tops/Jackets" -> "Jackets"."""
    return category.split("/")[-1].strip()


def _floor_price(product: Product) -> float:
    """The lowest price a shopper can pay for the product."""
    if product.price_range:
        return min(product.effective_price, product.price_range[0])
    return product.effective_price


def _describe_range(low: float, high: float) -> str:
    if np.isfinite(low) and np.isfinite(high):
        return f"{low:g} to {high:g}"
    return f"≤ {high:g}" if np.isfinite(high) else f"≥ {low:g}"
