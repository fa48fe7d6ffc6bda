"""What an answer's text says: amounts of money, the currency they are in, broken phrasing.

Answers are read after ``normalise`` (the grounding check's own: full-width digits and
currency signs made ASCII, ™ and ® dropped), so "＄３４" and "$34" count alike.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from assistant.grounding import normalise, numbers_in
from prompts import read_prompt

from .shop import cents

# The prompt's data fences and labels, or the shopper's message quoted back: an echoed prompt.
_FENCES = ("<<<", ">>>", "‹‹‹", "›››")
_LABELS = tuple(
    label.strip()
    for label in re.findall(r"(?m)^(.*?)<<<", read_prompt("phrase.txt"))
    if label.strip()
)
_SEGMENT = re.compile(r"[,，;；.。!！?？\n、]+")


def plain(text: str) -> str:
    """Text to look for names in: "Trail Pack™ ＄３４" -> "trail pack $34"."""
    return normalise(text).casefold()


def money(text: str, currency: str) -> set[Decimal]:
    """Amounts written as ``currency``: "$34 (was $40)" -> {34.00, 40.00}."""
    return {cents(c.value) for c in numbers_in(normalise(text)) if c.currency == currency}


def numbers(text: str) -> set[Decimal]:
    """Every quantity stated, whatever its unit: "4.5 stars from 2 reviews" -> {4.5, 2}."""
    return {c.value for c in numbers_in(normalise(text))}


def foreign_money(text: str, currency: str) -> list[str]:
    """Amounts marked as another currency: "34 元" in a dollar shop -> ["34 元"]."""
    return [c.text for c in numbers_in(normalise(text)) if c.currency not in (None, currency)]


def fact_numbers(facts: Any, key: str = "") -> set[Decimal]:
    """Every number in a result's facts (ids skipped), in cents, as the UI shows them."""
    if key.endswith(("id", "ids")) or key == "sku":
        return set()
    if isinstance(facts, dict):
        return set().union(*(fact_numbers(v, str(k)) for k, v in facts.items()))
    if isinstance(facts, list):
        return set().union(*(fact_numbers(v, key) for v in facts))
    if isinstance(facts, bool) or facts is None:
        return set()
    if isinstance(facts, int | float):
        return {cents(facts)}
    return {cents(n) for n in re.findall(r"\d+(?:\.\d+)?", str(facts))}


def garbled(answer: str, message: str) -> list[str]:
    """Signs of a broken phrasing: the prompt echoed, or one piece said over and over.

    ("Shopper's message: <<<How much?>>>", "How much?") -> ["leak: prompt echoed"]
    """
    problems = []
    question = (message.rstrip().endswith(("?", "？")) and len(message) >= 6) or len(message) >= 30
    if any(f in answer for f in _FENCES + _LABELS) or (question and message in answer):
        problems.append("leak: prompt echoed")
    pieces = Counter(p.strip() for p in _SEGMENT.split(answer) if p.strip())
    if pieces and max(pieces.values()) >= 4:
        problems.append(f"repetition: {pieces.most_common(1)[0][0][:30]!r}")
    return problems


def subject(text: str, names: Sequence[str], cue: re.Pattern[str]) -> str | None:
    """The name said last before the first cue: the subject of "A is cheaper" / "A 比 B"."""
    said = plain(text)
    found = cue.search(said)
    if found is None:
        return None
    before = {n: said.rfind(plain(n), 0, found.start()) for n in names}
    best = max(before, key=before.__getitem__)
    return best if before[best] >= 0 else None
