"""``Facts``: what one answer may use, flattened for the grounding check.

The flattening walks the ``to_dict()`` output, so a new field is allowed the moment it
is added; keys ending in ``id``/``ids`` or named ``sku`` are skipped so that the digits
of ``24-MB01`` never become an allowed number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from index.money import money
from index.records import Product

from .base import Fact, is_money_key
from .prices import PriceFacts
from .product import ProductRef
from .recommend import Recommendation
from .reviews import ReviewFacts

_NUMBER_IN_TEXT = re.compile(r"\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Facts:
    """The products and facts behind one answer, flattened for the grounding check.

    ``numbers()``: every number in the parts and product refs, as cents, plus the count
    of products (so "the two bags" is allowed when comparing two); ``names()``: product
    and variant names; ``words()``: every other string value, casefolded (colours,
    sizes, materials, features, theme and reason codes). Ids never contribute.
    """

    products: tuple[ProductRef, ...]
    parts: tuple[Fact, ...] = field(default=())

    @classmethod
    def of(cls, products: Iterable[Product], parts: Iterable[Fact] = ()) -> Facts:
        """Facts over ``products``; recommended products in ``parts`` count as used."""
        refs = {p.id: ProductRef.of(p) for p in products}
        parts = tuple(parts)
        for part in parts:
            if isinstance(part, Recommendation) and part.product_id not in refs:
                refs[part.product_id] = ProductRef(
                    part.product_id,
                    part.name,
                    part.price,
                    part.currency,
                    part.rating,
                    part.review_count,
                )
        return cls(tuple(refs.values()), parts)

    @property
    def currency(self) -> str:
        return self.products[0].currency if self.products else "USD"

    def to_dict(self) -> dict[str, Any]:
        return {
            "products": [p.to_dict() for p in self.products],
            "facts": [{"kind": type(p).__name__, **p.to_dict()} for p in self.parts],
        }

    def numbers(self) -> frozenset[Decimal]:
        return self._flat[0]

    def names(self) -> frozenset[str]:
        return self._flat[1]

    def words(self) -> frozenset[str]:
        return self._flat[2]

    def amounts(self) -> frozenset[Decimal]:
        """The amounts of money, in cents: what a number with a currency may be.

        Facts for one $34 bag with 3 reviews -> {Decimal("34.00")}; ``numbers()`` also
        holds 1 (the product count) and 3, which "$1" or "$3" must not pass as.
        """
        return self._flat[3]

    @cached_property
    def _flat(
        self,
    ) -> tuple[frozenset[Decimal], frozenset[str], frozenset[str], frozenset[Decimal]]:
        numbers: set[Decimal] = {money(len(self.products))}
        names: set[str] = set()
        words: set[str] = set()
        amounts: set[Decimal] = set()

        def walk(value: Any, key: str) -> None:
            if key.endswith(("id", "ids")) or key in ("sku", "kind", "currency"):
                return
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, str(k))
            elif isinstance(value, list):
                for v in value:
                    walk(v, key)
            elif isinstance(value, bool) or value is None:
                return
            elif isinstance(value, int | float):
                numbers.add(money(value))
                if is_money_key(key):
                    amounts.add(money(value))
            elif isinstance(value, str):
                (names if key in ("name", "names") else words).add(value)
                numbers.update(money(n) for n in _NUMBER_IN_TEXT.findall(value))

        walk(self.to_dict(), "")
        # Theme counts are keyed by theme: the keys are words too.
        for part in self.parts:
            if isinstance(part, ReviewFacts):
                words.update(t for t, _ in part.praise + part.complaints)
            if isinstance(part, PriceFacts):
                names.update(label for label, _ in part.variant_prices)
        return (
            frozenset(numbers),
            frozenset(names),
            frozenset(w.casefold() for w in words),
            frozenset(amounts),
        )
