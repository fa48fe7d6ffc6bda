"""Review statistics and what reviewers praise or complain about.

Themes are English keyword matches judged clause by clause: honest but shallow. A
review counts once per theme, so one long rant cannot outweigh ten short notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from index.records import Product

from .base import Plain, plain, rating

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
class ReviewFacts(Plain):
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
