"""Currencies, each described once: how answers write it, and how text names it.

Three readers need the same facts about a currency: the answer templates write amounts
("$34", "34 美元"), the grounding check reads the currency an answer states next to a
number (and flags an unambiguous marker of another one anywhere), and the price parser
reads "under 50€" or "两百块". They take their tables and regex pieces from here, so a
currency is written, checked and parsed alike.

Currencies are recognised, never converted: "50€" and "50元" both ask for 50.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Currency:
    """One currency. A space inside a marker matches an optional one ("US $": "US$", "US $").

    ``before`` markers name it on either side of an amount ("$34", "34 USD"); ``after``
    ones only after it ("34 dollars", "34 美元"). ``anywhere`` are those that name it
    wherever they stand (元 or $ only next to a number); ``not_in_queries`` are also
    something else ("5 pounds" is a weight), so the price parser does not read them.
    """

    code: str
    chinese: str  # after the amount in Chinese answers: "34 美元"
    symbol: str | None = None  # before it in English ones: "$34"; else "34 CNY"
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    anywhere: tuple[str, ...] = ()
    not_in_queries: tuple[str, ...] = ()

    @property
    def markers(self) -> tuple[str, ...]:
        return self.before + self.after


CURRENCIES = (
    Currency(
        "USD",
        "美元",
        "$",
        before=("US $", "$", "USD"),
        after=(
            "美元",
            "美金",
            "刀",
            "US dollars",
            "US dollar",
            "dollars",
            "dollar",
            "bucks",
            "buck",
        ),
    ),
    Currency(
        "CNY",
        "元",
        # ¥ is the yen's sign too; in a Chinese-speaking shop it means 元.
        before=("¥", "RMB", "CNY", "人民币"),
        after=("块钱", "块", "元", "yuan"),
        anywhere=("¥", "RMB", "CNY", "人民币"),
    ),
    Currency(
        "EUR",
        "欧元",
        "€",
        before=("€", "EUR"),
        after=("欧元", "euros", "euro"),
        anywhere=("€", "EUR", "欧元"),
    ),
    Currency(
        "GBP",
        "英镑",
        "£",
        before=("£", "GBP"),
        after=("英镑", "quid", "pounds", "pound"),
        anywhere=("£", "GBP", "英镑"),
        not_in_queries=("pounds", "pound"),
    ),
    Currency(
        "JPY",
        "日元",
        before=("JPY",),
        after=("日元", "yen"),
        anywhere=("日元", "JPY"),
    ),
)

SYMBOLS = {c.code: c.symbol for c in CURRENCIES if c.symbol}
CHINESE = {c.code: c.chinese for c in CURRENCIES}
# Markers that name a currency wherever they stand, in table order.
ANYWHERE = tuple(marker for c in CURRENCIES for marker in c.anywhere)
# The one-character signs ("$", "¥"), for stripping them off a price cell ("$34.00").
SIGNS = "".join(dict.fromkeys(m for c in CURRENCIES for m in c.before if len(m) == 1))
_KEY = re.compile(r"\s+")


def _key(marker: str) -> str:
    return _KEY.sub("", marker).casefold()


_BY_MARKER = {_key(m): c.code for c in CURRENCIES for m in c.markers}


def currency_of(marker: str | None) -> str | None:
    """The code a marker names, in any case and spacing: ``"US $" -> "USD"``, ``"元" -> "CNY"``."""
    return _BY_MARKER.get(_key(marker)) if marker else None


def chinese_word(code: str) -> str:
    """How Chinese answers name the currency: ``"USD" -> "美元"``; an unknown code as is."""
    return CHINESE.get(code, code)


def markers(*, before: bool = False, queries: bool = False) -> list[str]:
    """Every marker, or only those that may stand ``before`` an amount; ``queries`` leaves
    out those the price parser does not read."""
    found = [m for c in CURRENCIES for m in (c.before if before else c.markers)]
    if queries:
        skipped = {m for c in CURRENCIES for m in c.not_in_queries}
        found = [m for m in found if m not in skipped]
    return found


def english_words() -> list[str]:
    """The English words that name a currency after an amount ("dollars", "yuan")."""
    return [m for c in CURRENCIES for m in c.after if m.isascii()]


def is_word(marker: str) -> bool:
    """Whether a marker is spelled in Latin letters ("USD", "US $"), so that a pattern
    must keep it from matching inside a longer word."""
    return marker[0].isascii() and marker[0].isalpha()


def alternation(found: Iterable[str]) -> str:
    """A regex alternative of markers, longest first so that "块钱" wins over "块"; a
    space in a marker matches an optional one."""
    spelled = sorted(dict.fromkeys(found), key=len, reverse=True)
    return "|".join(r"\s?".join(map(re.escape, m.split(" "))) for m in spelled)
