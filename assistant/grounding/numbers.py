"""Numbers an answer states, and whether the facts hold them.

Digits (``$34``, ``34.00``, ``1,299``, ``1.5k``, ``25%``, ``4.5分``, full-width digits)
are read anywhere, spelled numbers when they quantify (``three stars``, ``三十四美元``,
``四点五分``, ``两款``; see ``index/numerals.py``). A number is allowed when, rounded to
cents, it is one of ``facts.numbers()`` (so ``$34`` = ``34.0``); one with a currency
marker must be an amount of money in the facts (``Facts.amounts``): a count, rating or
percentage is a number but no price, so "$1" is refused when one product is shown.
"Free" (``免费``, "no charge") is a price of 0, refused unless an amount is 0 or it is
part of a value the facts hold, repeated whole ("Free Size").

Exempt, because they state no fact: list markers at a line start (``1.``, ``2)``,
``3、``) and ordinals (``第2``, ``2nd``) up to the number of products; the rating scale
(``/5``, ``out of 5``, ``满分5分``); a lone ``一`` used as an article (``一款``, ``一个``)
and ``十分`` (very).

Currency: a marker of another currency (``¥ 元 块 人民币 RMB € £ 欧元``...) next to a
number, or an unambiguous one anywhere, when the facts are priced in, say, USD (the
markers are ``index/currency.py``'s).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from index.currency import (
    ANYWHERE,
    SYMBOLS,
    alternation,
    chinese_word,
    currency_of,
    english_words,
    markers,
)
from index.money import CENT
from index.numerals import (
    EN_NUMBER_WORD,
    ZH_DIGIT_CHARS,
    ZH_UNIT_CHARS,
    chinese_number,
    english_number,
)

from ..facts import Facts
from .text import START

_UNIT = (
    f"{alternation(markers())}|%|percent|per cent|stars?|颗星|星|分|"
    r"条|个|款|件|种|位|倍|折"
)
# A code may stand a space before its amount ("USD 34"); a sign may not ("$ 34").
_PREFIX = "|".join(
    alternation([m]) + (r"\s?" if m[-1].isalpha() else "")
    for m in sorted(markers(before=True), key=len, reverse=True)
)
_DIGITS = re.compile(
    rf"(?P<pre>{_PREFIX})?"
    r"(?P<num>(?<![\d.])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.])\d+(?:\.\d+)?)"
    r"(?P<k>[kK](?![A-Za-z]))?"
    rf"(?:\s*(?P<post>{_UNIT}))?"
    r"(?P<ord>st|nd|rd|th)?",
)
_ZH_DECIMALS = ZH_DIGIT_CHARS.replace("两", "")  # 两 counts things, it is no decimal digit
_ZH_NUM = re.compile(
    rf"(?P<pre>百分之|第)?(?P<num>[{ZH_DIGIT_CHARS}{ZH_UNIT_CHARS}]+(?:点[{_ZH_DECIMALS}]+)?)"
    rf"(?:\s*(?P<post>{_UNIT}))?"
)
_EN_NUM = re.compile(
    rf"{START}(?P<num>(?:(?:{EN_NUMBER_WORD})(?:[\s\-]+(?:and[\s\-]+)?)?)+)"
    rf"(?P<post>{alternation(english_words())}|stars?|percent|per cent|reviews?|ratings?|"
    r"colou?rs?|sizes?|products?|items?|options?|times)\b",
    re.I,
)
_LIST_MARKER = re.compile(r"(?m)^[ \t]*(?:[-*•][ \t]*)?(\d{1,2})(?:[.)、:]|\uff09)(?!\d)")
_SCALE = re.compile(r"(?:/\s*|out of\s+|满分\s*)(?:5|five|五)(?:\s*分|\s*stars?)?(?!\d)|5\s*分制")

# "Free" states a price of 0. Not "feel free (to ...)", "free to choose" or "chafe-free".
_FREE = re.compile(
    r"(?<![\w-])(?<!feel )(?:free(?! to\b)(?: of charge)?|no charge|at no cost|costs? nothing)"
    r"(?![\w-])|免费|不要钱|白送|零元",
    re.I,
)


@dataclass(frozen=True)
class Claim:
    """A number read from the text, with the currency marker next to it, if any."""

    text: str
    value: Decimal
    currency: str | None
    ordinal: bool = False


def numbers_in(text: str) -> list[Claim]:
    """Quantities stated in (normalised, masked) ``text``; exempt ones left out.

    "Save $25 (42%)" -> [Claim("$25", 25, "USD"), Claim("42%", 42, None)]
    Scales ("/5") and list markers are masked before, by ``_mask_exempt``.
    """
    claims: list[Claim] = []
    for m in _DIGITS.finditer(text):
        try:
            value = Decimal(m["num"].replace(",", ""))
        except InvalidOperation:  # pragma: no cover - the pattern only matches numerals
            continue
        if m["k"]:
            value *= 1000
        marker = m["pre"] or m["post"]
        claims.append(Claim(m[0].strip(), value, currency_of(marker), bool(m["ord"])))
    for m in _ZH_NUM.finditer(text):
        raw, post, pre = m["num"], m["post"], m["pre"]
        if not (post or pre == "百分之" or "点" in raw):
            continue  # 一些, 一样, 万一: a numeral with no unit claims nothing
        if raw == "一" and post in ("个", "款", "件", "种", "条", "位", "块"):
            continue  # the article "a" (一块瑜伽砖 = a yoga brick)
        if raw == "十" and post == "分":
            continue  # 十分 = very
        claims.append(Claim(m[0], chinese_number(raw), currency_of(post), pre == "第"))
    for m in _EN_NUM.finditer(text):
        claims.append(Claim(m[0], english_number(m["num"]), currency_of(m["post"])))
    return claims


def check_numbers(text: str, facts: Facts, lang: str) -> list[str]:
    """A problem for each number, "free" or currency in (masked) ``text`` the facts lack."""
    problems = []
    allowed = facts.numbers()
    amounts = facts.amounts()
    ordinal_max = max(len(facts.products), 1)
    for claim in numbers_in(_mask_exempt(text, ordinal_max)):
        if claim.currency and claim.currency != facts.currency:
            problems.append(
                f"currency: {claim.text!r} is not {facts.currency}"
                f" (write {_currency_word(facts.currency, lang)})"
            )
        whole = claim.value == claim.value.to_integral_value()
        if claim.ordinal and whole and 1 <= claim.value <= ordinal_max:
            continue
        # No price has 16 digits; quantizing a longer run of digits would overflow.
        cents = None if claim.value.adjusted() > 15 else claim.value.quantize(CENT, ROUND_HALF_UP)
        if cents is None or cents not in allowed:
            problems.append(f"number not in the facts: {claim.text!r}")
        elif claim.currency and cents not in amounts:
            problems.append(f"number not in the facts as an amount of money: {claim.text!r}")
    if Decimal("0.00") not in amounts:
        problems += [
            f"number not in the facts: {m[0]!r} (a price of 0)"
            for m in _FREE.finditer(_mask_catalog_free(text, facts))
        ]
    for marker in ANYWHERE:
        if marker not in text or currency_of(marker) == facts.currency:
            continue
        if not any(marker in p for p in problems):
            problems.append(f"currency: {marker!r} is not {facts.currency}")
    return problems


def _mask_catalog_free(text: str, facts: Facts) -> str:
    """Blank the facts' own values that say "free" ("Free Size"), each only where the
    text repeats it whole: a size is no price, but "free" in a sentence of its own is."""
    for word in facts.words():
        if _FREE.search(word):
            text = re.sub(re.escape(word), lambda m: " " * len(m[0]), text, flags=re.I)
    return text


def _mask_exempt(text: str, ordinal_max: int) -> str:
    """Blank the rating scale ("/5", "out of 5") and list markers up to ``ordinal_max``."""
    text = _SCALE.sub(lambda m: " " * len(m[0]), text)

    def marker(m: re.Match[str]) -> str:
        return m[0] if int(m[1]) > ordinal_max else " " * len(m[0])

    return _LIST_MARKER.sub(marker, text)


def _currency_word(currency: str, lang: str) -> str:
    """What to write instead: "$" or "美元" for a currency with a sign, else its code."""
    if currency not in SYMBOLS:
        return currency
    return chinese_word(currency) if lang == "zh" else SYMBOLS[currency]
