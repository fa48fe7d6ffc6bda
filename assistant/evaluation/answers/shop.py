"""The catalog read plainly: raw JSON rows, their prices and ratings, colour and type words.

Deliberately independent of the project's facts code, so that an expected answer
computed here cannot agree with a bug there.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from index.catalog import resolve_source
from index.query import Lexicon
from index.text import is_cjk

Row = dict[str, Any]

_CENT = Decimal("0.01")
_MARKS = re.compile("[™®©]")


def cents(value: float | str | Decimal) -> Decimal:
    """34 -> Decimal('34.00'); 56.255 -> Decimal('56.26')."""
    return Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)


def effective_price(row: Row) -> Decimal:
    """What the shopper pays: {"price": 32, "special_price": 24} -> Decimal('24.00')."""
    price = cents(row["price"])
    special = row.get("special_price")
    return min(price, cents(special)) if special is not None else price


def mean_rating(row: Row) -> Decimal | None:
    """Mean rating rounded half up to one decimal: ratings 2, 3 -> Decimal('2.5')."""
    ratings = [int(review["rating"]) for review in row.get("reviews") or []]
    if not ratings:
        return None
    tenths = (20 * sum(ratings) + len(ratings)) // (2 * len(ratings))
    return Decimal(tenths) / 10


def spoken(name: str) -> str:
    """A name as a shopper types it: "Quest Flex™ Band" -> "Quest Flex Band"."""
    return _MARKS.sub("", name)


def singular(word: str) -> str:
    """ "watches" -> "watch", "hoodies" -> "hoody", "tees" -> "tee", "pants" -> "pant"."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


class Shop:
    """The raw rows, and the colour and type words questions are made of."""

    def __init__(self, rows: list[Row], lexicon: dict[str, dict[str, list[str]]]) -> None:
        names = Counter(spoken(r["name"]).casefold() for r in rows)
        # A name two products share makes a question ambiguous by construction.
        self.rows = {
            r["id"]: r
            for r in sorted(rows, key=lambda r: r["id"])
            if names[spoken(r["name"]).casefold()] == 1
        }
        self.all_rows = rows
        self.lexicon = lexicon
        self.currency = Counter(r.get("currency", "USD") for r in rows).most_common(1)[0][0]
        self.colours = sorted({c for r in rows for c in r.get("colors") or []})
        leaves = {r["categories"][0].rsplit("/", 1)[-1] for r in rows if r.get("categories")}
        self.types = sorted(
            {
                w.strip().casefold()
                for leaf in leaves
                for w in re.split(r"&|,|\band\b", leaf)
                if w.strip()
            }
        )

    @classmethod
    def load(cls, catalog: Path) -> Shop:
        """The catalog's JSON lines as they are, with the project's lexicon."""
        _, source = resolve_source(catalog)
        with source.open(encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        return cls(rows, Lexicon.read())

    def name(self, pid: str) -> str:
        """The catalog name of a product with a name of its own."""
        return str(self.rows[pid]["name"])

    def names(self, ids: Sequence[str]) -> list[str]:
        """Names for a report; an id stays as it is where its product is not in ``rows``."""
        return [self.name(p) if p in self.rows else p for p in ids]

    def concept(self, group: str, word: str) -> list[str]:
        """The word and every form of its lexicon concept: ("color", "Blue") -> [blue, 蓝色...]."""
        key = word.casefold()
        for canonical, forms in self.lexicon.get(group, {}).items():
            known = {canonical.replace("_", " "), *(f.casefold() for f in forms)}
            if key in known or singular(key) in known:
                return [key, singular(key), *forms]
        return [key, singular(key)]

    def zh(self, group: str, word: str) -> str:
        """The Chinese word for a colour or type, or the catalog's word where none is known."""
        return next((f for f in self.concept(group, word) if is_cjk(f)), word)

    def of_type(self, word: str) -> list[Row]:
        """Every row a search for ``word`` could count as that type (generously)."""
        forms = [f for f in self.concept("type", word) if not is_cjk(f)]
        pattern = re.compile("|".join(rf"(?<![a-z0-9]){re.escape(f)}" for f in forms))
        return [r for r in self.all_rows if pattern.search(_row_text(r))]


def _row_text(row: Row) -> str:
    values = [row["name"], *(row.get("categories") or [])]
    for value in (row.get("attributes") or {}).values():
        values += [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return " ".join(map(str, values)).casefold()
