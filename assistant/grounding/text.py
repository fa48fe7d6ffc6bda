"""Text as every grounding check reads it: normalised, matched as whole words, masked.

Full-width digits and signs become ASCII and ™/®/© are dropped before anything is read,
so "Trail Duffle Bag™ ３４美元" and "Trail Duffle Bag 34美元" are the same claims. A
name or word is matched between ASCII boundaries (CJK characters are ``\\w``, so ``\\b``
fails next to them), and what one check has read is blanked, keeping every offset, so
that the next does not read it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，％＄￥：", "0123456789.,%$¥:")
_MARKS = re.compile("[™®©]")
_SPACE = re.compile(r"[\s\-]+")
START = r"(?<![A-Za-z0-9])"  # ASCII word boundaries that work next to CJK characters
END = r"(?![A-Za-z0-9])"


def normalise(text: str) -> str:
    """``text`` with full-width digits and signs in ASCII and without ™, ® and ©."""
    return _MARKS.sub("", text.translate(_FULLWIDTH))


def key(name: str) -> str:
    """How a name is compared: normalised, one space for any run of spaces or hyphens,
    casefolded ("Trail Duffle-Bag™" -> "trail duffle bag")."""
    return _SPACE.sub(" ", normalise(name)).strip().casefold()


def alternation(words: Iterable[str], *, plural: bool = False) -> re.Pattern[str] | None:
    """A pattern for any of ``words`` as whole words, longest first, spaces and hyphens
    interchangeable; ``plural`` allows an "s" or "es" after one. None for no words."""
    parts = sorted({key(w) for w in words if key(w)}, key=len, reverse=True)
    if not parts:
        return None
    body = "|".join(r"[\s\-]+".join(map(re.escape, p.split(" "))) for p in parts)
    tail = r"(?:e?s)?" if plural else ""
    return re.compile(f"{START}(?:{body}){tail}{END}", re.I)


def mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each (start, end) span blanked by spaces, every offset kept."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)
