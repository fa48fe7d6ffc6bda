"""Facts an answer may state, computed in Python from catalog records.

The LLM only phrases; every price, difference, rating, count, colour and material it
may mention is decided here, with exact decimal arithmetic for money (``$59 - $34`` is
``Decimal("25.00")``, never ``24.999999``). Each fact is a small frozen dataclass with
``to_dict()`` for the prompt and the UI.

``Facts`` gathers what one answer may use and flattens it for the grounding check:
``numbers()`` (every number in the parts, in cents), ``names()`` (product and variant
names) and ``words()`` (every attribute word: colours, sizes, materials, features...).
The flattening walks the ``to_dict()`` output, so a new field is allowed the moment it
is added; keys ending in ``id``/``ids`` or named ``sku`` are skipped so that the digits
of ``24-MB01`` never become an allowed number. Compromises: review themes are keyword
matches in English, honest but shallow; ratings are means rounded to one decimal, and
only that rounded value is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any, Protocol

from index.catalog import Catalog
from index.query import Constraints
from index.records import Product

CENT = Decimal("0.01")
TENTH = Decimal("0.1")

Cell = Decimal | int | str | tuple[str, ...] | None


def money(amount: float | Decimal) -> Decimal:
    """An amount in cents: 34.0 -> Decimal('34.00'), 56.255 -> Decimal('56.26')."""
    return Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)


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


class _Plain:
    """``to_dict`` for the fact dataclasses below."""

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result


def _mean(product: Product) -> Fraction | None:
    if not product.reviews:
        return None
    return Fraction(sum(r.rating for r in product.reviews), len(product.reviews))


def rating(product: Product) -> Decimal | None:
    """Mean rating rounded to one decimal: ratings 3, 5, 2 -> Decimal('3.3'); None without."""
    mean = _mean(product)
    if mean is None:
        return None
    exact = Decimal(mean.numerator) / Decimal(mean.denominator)
    return exact.quantize(TENTH, rounding=ROUND_HALF_UP)


def materials(product: Product) -> tuple[str, ...]:
    return _attr_list(product, "material")


def _attr_list(product: Product, key: str) -> tuple[str, ...]:
    value = product.attributes.get(key)
    if isinstance(value, tuple):
        return value
    if isinstance(value, str):
        return (value,)
    return ()


# -- products -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProductRef(_Plain):
    """A product an answer uses: what it may name and the price it may quote."""

    product_id: str
    name: str
    price: Decimal
    currency: str
    rating: Decimal | None
    review_count: int
    regular_price: Decimal | None = None  # set when on special: answers say "(was $32)"

    @classmethod
    def of(cls, product: Product) -> ProductRef:
        on_special = product.effective_price < product.price
        return cls(
            product.id,
            product.name,
            money(product.effective_price),
            product.currency,
            rating(product),
            len(product.reviews),
            money(product.price) if on_special else None,
        )


# -- prices -------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceFacts(_Plain):
    """Everything about one product's price; ``discount`` only when on special."""

    product_id: str
    name: str
    currency: str
    price: Decimal
    effective_price: Decimal
    special_price: Decimal | None = None
    discount: Decimal | None = None
    discount_percent: int | None = None
    price_range: tuple[Decimal, Decimal] | None = None
    msrp: Decimal | None = None
    variant_prices: tuple[tuple[str, Decimal], ...] = ()


def price_facts(product: Product) -> PriceFacts:
    """The price facts of ``product`` (24-WB05: price 32, special 24, discount 8, 25%)."""
    price = money(product.price)
    effective = money(product.effective_price)
    special = effective if effective < price else None
    discount = price - effective if special is not None else None
    percent = None
    if discount is not None and price:
        percent = int((discount / price * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    variant_prices: tuple[tuple[str, Decimal], ...] = ()
    priced = [v for v in product.variants if v.price is not None]
    if len({v.price for v in priced}) > 1:
        variant_prices = tuple(
            (
                v.name or " ".join(x for x in (v.color, v.size) if x) or v.sku,
                money(v.price or 0),
            )
            for v in priced
        )
    return PriceFacts(
        product_id=product.id,
        name=product.name,
        currency=product.currency,
        price=price,
        effective_price=effective,
        special_price=special,
        discount=discount,
        discount_percent=percent,
        price_range=(
            (money(product.price_range[0]), money(product.price_range[1]))
            if product.price_range
            else None
        ),
        msrp=money(product.msrp) if product.msrp is not None else None,
        variant_prices=variant_prices,
    )


# -- comparison ---------------------------------------------------------------------

_COMPARED_ATTRIBUTES = (("features", "features"), ("style", "style"), ("activity", "activity"))


@dataclass(frozen=True)
class Comparison(_Plain):
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
        (label, tuple(_attr_list(p, key) for p in products)) for label, key in _COMPARED_ATTRIBUTES
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
    maybe = [_mean(p) for p in products]
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


# -- reviews ------------------------------------------------------------------------

THEMES: dict[str, tuple[str, ...]] = {
    "fit": ("fit", "fits", "fitted", "size", "sized", "sizing", "small", "smaller", "large",
            "larger", "big", "bigger", "tight", "loose", "roomy", "snug", "too long",
            "too short"),
    "comfort": ("comfort", "comfortable", "comfy", "soft", "itchy", "scratchy", "padding",
                "padded", "cushion"),
    "quality": ("quality", "durable", "durability", "broke", "broken", "tear", "torn",
                "ripped", "sturdy", "strong", "fell apart", "stitching", "seams", "holes",
                "lasted", "flimsy"),
    "value": ("price", "value", "worth", "cheap", "expensive", "money", "deal", "pricey"),
    "color": ("color", "colour", "colors", "colours", "faded", "fade", "fades"),
    "warmth": ("warm", "warmth", "cold", "chilly", "hot", "breathable", "sweat", "sweaty"),
    "material": ("material", "fabric", "cotton", "polyester", "nylon", "wool", "fleece",
                 "leather", "mesh"),
}  # fmt: skip
_THEME_RE = {
    theme: re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
    for theme, words in THEMES.items()
}
_NEGATIVE = re.compile(
    r"\btoo\s+\w|\b(?:wish|wished|not|no|never|only issue|only problem|broke|broken|hate|"
    r"disappoint\w*|poor|weird|smaller than|bigger than|needs?|fell apart|ripped|"
    r"returned?|uncomfortable|itchy|flimsy)\b|n[’']t\b",
    re.I,
)
# A "but"/"though" clause is usually the reservation, so clauses are judged one by one.
_CLAUSES = re.compile(r"[.!?;]+|\b(?:but|though|although|however)\b", re.I)


@dataclass(frozen=True)
class ReviewFacts(_Plain):
    """Rating statistics and keyword themes; ``distribution[k-1]`` counts k-star reviews."""

    product_id: str
    average: Decimal | None
    count: int
    distribution: tuple[int, int, int, int, int]
    praise: tuple[tuple[str, int], ...]
    complaints: tuple[tuple[str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        # Star levels are keys, not values: "5 stars" is not a fact about the product.
        return {
            "product_id": self.product_id,
            "average": plain(self.average),
            "count": self.count,
            "distribution": {str(k + 1): n for k, n in enumerate(self.distribution)},
            "praise": dict(self.praise),
            "complaints": dict(self.complaints),
        }


def review_themes(rating_value: int, text: str) -> tuple[set[str], set[str]]:
    """(praised, complained) themes of one review.

    A clause naming a theme is a complaint if it carries a negative cue ("too small",
    "wish", "n't") or the review is rated 1-2, praise if rated 4-5 without a cue;
    a 3-star clause without a cue counts for neither.
    (5, "Fits well and so comfy") -> ({"fit", "comfort"}, set())
    """
    praised: set[str] = set()
    complained: set[str] = set()
    for clause in _CLAUSES.split(text):
        themes = {t for t, pattern in _THEME_RE.items() if pattern.search(clause)}
        if not themes:
            continue
        if _NEGATIVE.search(clause) or rating_value <= 2:
            complained |= themes
        elif rating_value >= 4:
            praised |= themes
    return praised, complained


def review_facts(product: Product) -> ReviewFacts:
    """Average, count, distribution and theme counts (each review counts once per theme)."""
    distribution = [0] * 5
    praise: dict[str, int] = {}
    complaints: dict[str, int] = {}
    for review in product.reviews:
        distribution[review.rating - 1] += 1
        good, bad = review_themes(review.rating, f"{review.title}. {review.text}")
        for theme in good:
            praise[theme] = praise.get(theme, 0) + 1
        for theme in bad:
            complaints[theme] = complaints.get(theme, 0) + 1
    return ReviewFacts(
        product_id=product.id,
        average=rating(product),
        count=len(product.reviews),
        distribution=(
            distribution[0],
            distribution[1],
            distribution[2],
            distribution[3],
            distribution[4],
        ),
        praise=_ranked(praise),
        complaints=_ranked(complaints),
    )


def _ranked(counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], list(THEMES).index(item[0]))))


# -- availability -------------------------------------------------------------------


@dataclass(frozen=True)
class Availability(_Plain):
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


# -- the request --------------------------------------------------------------------


@dataclass(frozen=True)
class Request(_Plain):
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


# -- details ------------------------------------------------------------------------


@dataclass(frozen=True)
class Details(_Plain):
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
        _attr_list(product, "features"),
        _attr_list(product, "activity"),
        _attr_list(product, "style"),
    )


# -- recommendations ----------------------------------------------------------------

LINK_ORDER = ("crosssell", "related", "upsell")


@dataclass(frozen=True)
class Recommendation(_Plain):
    """Another product to suggest and why (``reason`` is a code, not prose)."""

    product_id: str
    name: str
    price: Decimal
    currency: str
    reason: str
    saving: Decimal | None = None
    rating: Decimal | None = None
    review_count: int = 0

    @classmethod
    def of(cls, product: Product, reason: str, saving: Decimal | None = None) -> Recommendation:
        return cls(
            product.id,
            product.name,
            money(product.effective_price),
            product.currency,
            reason,
            saving,
            rating(product),
            len(product.reviews),
        )


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
    own = _mean(product)
    if own is None:
        return ()
    better = [
        c
        for c in candidates
        if c.id != product.id and len(c.reviews) >= 2 and (_mean(c) or 0) > own
    ]
    better.sort(key=lambda c: (-(_mean(c) or 0), -len(c.reviews)))
    return tuple(Recommendation.of(c, "better_rated") for c in better[:limit])


# -- what one answer may state ------------------------------------------------------

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


__all__ = [
    "Availability",
    "Comparison",
    "Details",
    "Fact",
    "Facts",
    "PriceFacts",
    "ProductRef",
    "Recommendation",
    "Request",
    "ReviewFacts",
    "availability",
    "better_rated",
    "cheaper_alternatives",
    "compare",
    "details",
    "money",
    "price_facts",
    "rating",
    "recommendations",
    "request",
    "review_facts",
]
