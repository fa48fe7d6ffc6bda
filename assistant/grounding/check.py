"""The facts check: everything an answer claims must be in the facts it was built from.

Product names and the facts' product ids are masked before numbers are read, so the
``6`` of "Sprite Yoga Strap 6 foot" or the ``01`` of ``24-MB01`` is never a claim; then
numbers and currencies (``numbers.py``) and colours and materials (``words.py``) are
checked, and price comparisons: "A is cheaper than B" / "A 比 B 便宜" (and "more
expensive" / "贵") between two of the facts' products must agree with their prices.

Compromise: only money is typed; a bare "25" passes when 25% is a fact. Money is found
by the facts' field names (``facts.is_money_key``): a money field named otherwise must
be added there, or rewordings that state it fall back to the template.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..facts import Facts
from .numbers import check_numbers
from .text import key, mask, normalise
from .words import check_words, name_spans


@dataclass(frozen=True)
class GroundingResult:
    """``ok`` when nothing in the text goes beyond the facts; else what did, one a line."""

    ok: bool
    problems: list[str] = field(default_factory=list)


def check(
    text: str,
    facts: Facts,
    *,
    lang: str,
    known_names: Iterable[str] = (),
    known_colors: Iterable[str] = (),
    known_materials: Iterable[str] = (),
) -> GroundingResult:
    """Every number, currency, name, colour and material in ``text`` must be in ``facts``.

    ``known_*`` are the catalog's vocabularies (see ``catalog_vocabulary``); a product
    name is only recognised if it is known or in the facts. ``lang`` ("en"/"zh") only
    picks the currency word suggested in a problem: both scripts are always checked,
    since an answer in Chinese quotes English names and an English one may slip.
    """
    problems: list[str] = []
    body = normalise(text)
    allowed_names = {key(n): n for n in facts.names()}
    allowed_names.update({key(p.name): p.name for p in facts.products})
    spans = name_spans(body, frozenset(known_names) | facts.names())
    mentioned: list[tuple[int, str]] = []
    for start, end, name in spans:
        if name in allowed_names:
            mentioned.append((start, allowed_names[name]))
        else:
            problems.append(f"product not in the facts: {body[start:end]!r}")
    masked = mask(body, [(s, e) for s, e, _ in spans])
    for ref in facts.products:
        masked = masked.replace(ref.product_id, " " * len(ref.product_id))

    problems += check_numbers(masked, facts, lang)
    problems += check_words(masked, facts, known_colors, known_materials)
    problems += _check_comparisons(body, mentioned, facts)
    return GroundingResult(not problems, problems)


_CHEAPER = re.compile(
    r"\b(?:cheaper|less expensive|more affordable|lower[- ]priced)\b|比(?=[^比]*便宜)", re.I
)
_DEARER = re.compile(
    r"\b(?:more expensive|pricier|dearer|costs? more|higher[- ]priced)\b|比(?=[^比]*贵)", re.I
)
_SENTENCE = re.compile(r"(?:[^.!?。！？;；\n]|\.(?=\d))+")


def _check_comparisons(text: str, mentioned: list[tuple[int, str]], facts: Facts) -> list[str]:
    """ "A is cheaper than B" / "A 比 B 便宜": A is the last name before the comparative
    (or 比), B the first after it; their facts' prices must agree. Other word orders
    ("compared with B, A is cheaper") are not read."""
    price = {p.name: p.price for p in facts.products}
    problems = []
    for sentence in _SENTENCE.finditer(text):
        names = [(s, n) for s, n in mentioned if sentence.start() <= s < sentence.end()]
        for pattern, cheaper in ((_CHEAPER, True), (_DEARER, False)):
            for m in pattern.finditer(text, sentence.start(), sentence.end()):
                before = [n for s, n in names if s < m.start()]
                after = [n for s, n in names if s >= m.end()]
                if not before or not after or before[-1] == after[0]:
                    continue
                first, second = before[-1], after[0]
                if first not in price or second not in price:
                    continue
                if cheaper and not price[first] < price[second]:
                    problems.append(f"comparison: {first!r} is not cheaper than {second!r}")
                if not cheaper and not price[first] > price[second]:
                    problems.append(f"comparison: {first!r} is not dearer than {second!r}")
    return problems
