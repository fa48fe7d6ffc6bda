"""Facts an answer may state, computed in Python from catalog records.

The LLM only phrases; every price, difference, rating, count, colour and material it
may mention is decided here, with exact decimal arithmetic for money (``$59 - $34`` is
``Decimal("25.00")``, never ``24.999999``; see ``index.money``). Each fact is a small
frozen dataclass with ``to_dict()`` for the prompt and the UI.

One module per kind of fact: ``prices``, ``comparison``, ``reviews``, ``product``
(availability, details, the request) and ``recommend``; ``base`` holds what they share
and ``bundle`` the ``Facts`` of one answer, which flattens them for the grounding check:
``numbers()`` (every number in the parts, in cents), ``names()`` (product and variant
names) and ``words()`` (every attribute word: colours, sizes, materials, features...).
Compromises: review themes are keyword matches in English, honest but shallow; ratings
are means rounded to one decimal, and only that rounded value is allowed.
"""

from __future__ import annotations

from .base import Cell, Fact, rating
from .bundle import Facts
from .comparison import Comparison, compare
from .prices import PriceFacts, price_facts
from .product import Availability, Details, ProductRef, Request, availability, details, request
from .recommend import Recommendation, better_rated, cheaper_alternatives, recommendations
from .reviews import ReviewFacts, review_facts, review_themes

__all__ = [
    "Availability",
    "Cell",
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
    "price_facts",
    "rating",
    "recommendations",
    "request",
    "review_facts",
    "review_themes",
]
