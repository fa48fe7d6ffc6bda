"""What every fact shares: the ``to_dict`` protocol, money keys, ratings, attribute lists.

``to_dict()`` output is what the prompt, the UI and the grounding check see, so
``plain`` turns Decimals into JSON numbers and tuples into lists in one place.
``is_money_key`` says which fields hold amounts of money, so that the grounding check
can tell "$34" (a price) from "34 reviews". Ratings are means rounded half up to one
decimal, and only that rounded value is ever shown.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, Protocol

from index.records import Product

TENTH = Decimal("0.1")

Cell = Decimal | int | str | tuple[str, ...] | None

# Fields of ``to_dict()`` that hold amounts of money: any field named for a price
# ("price", "regular_price", "price_range", "variant_prices"; the Comparison's "price"
# row) and these; never a "..._percent", a count or a rating.
MONEY_KEYS = frozenset({"difference", "saving", "discount", "msrp"})


def is_money_key(key: str) -> bool:
    return ("price" in key or key in MONEY_KEYS) and not key.endswith("percent")


def plain(value: Any) -> Any:
    """JSON-ready: Decimal -> int or float, tuples -> lists, dataclasses -> dicts."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class Fact(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class Plain:
    """``to_dict`` for the fact dataclasses of this package."""

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result


def mean_rating(product: Product) -> Fraction | None:
    """The exact mean rating, for ordering; None without reviews."""
    if not product.reviews:
        return None
    return Fraction(sum(r.rating for r in product.reviews), len(product.reviews))


def rating(product: Product) -> Decimal | None:
    """Mean rating rounded to one decimal: ratings 3, 5, 2 -> Decimal('3.3'); None without."""
    mean = mean_rating(product)
    if mean is None:
        return None
    exact = Decimal(mean.numerator) / Decimal(mean.denominator)
    return exact.quantize(TENTH, rounding=ROUND_HALF_UP)


def attr_list(product: Product, key: str) -> tuple[str, ...]:
    """A catalog attribute as a tuple of words, whether stored as one word or many."""
    value = product.attributes.get(key)
    if isinstance(value, tuple):
        return value
    if isinstance(value, str):
        return (value,)
    return ()


def materials(product: Product) -> tuple[str, ...]:
    return attr_list(product, "material")
