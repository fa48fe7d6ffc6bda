"""Text normalisation, tokenising and stemming shared by the keyword index and the parser.

One tokenizer serves queries and catalog text alike, so the two always agree:
NFKC folding (full-width digits become ASCII), lower case, Latin words split on
anything not a letter or digit ("t-shirt" → "t", "shirt"), a light English stemmer
(plural endings only, so that "hoodies" meets "hoodie" without turning "dress" into
"dres"), and Chinese runs segmented by jieba with the lexicon's Chinese words added to
its dictionary. jieba is loaded on first use (about a second), never at import.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable

from .records import Product

_LATIN = re.compile(r"[^\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SPLIT = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_KEEP_S = ("ss", "us", "is")
_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")


MAX_QUERY_CHARS = 2000
_TERMINAL_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")


def clean_text(text: str, limit: int = MAX_QUERY_CHARS) -> tuple[str, bool]:
    """(what a shopper typed, made safe to read; whether it was cut to ``limit``).

    Terminal escapes, NUL, bells and lone surrogates are dropped; other spaces (no-break,
    ideographic, a lone \r) still part words: "black\xa0jackets" is two words.
    "red\x00 bag\x1b[0m" -> ("red bag", False).
    """
    cut = len(text) > limit
    text = "".join(
        ch if ch.isprintable() or ch in "\n\t" else " " if ch.isspace() else ""
        for ch in _TERMINAL_ESCAPE.sub("", text[:limit])
        if not 0xD800 <= ord(ch) <= 0xDFFF
    )
    return text.strip(), cut


def distinct(values: Iterable[str | None]) -> list[str]:
    """The non-empty values, first occurrence kept: ``["Red", None, "", "Red"] -> ["Red"]``."""
    return list(dict.fromkeys(v for v in values if v))


def normalize(text: str) -> str:
    """NFKC-folded, lower-cased text without possessive 's and trademark signs."""
    text = text.replace("™", "").replace("®", "")
    return _POSSESSIVE.sub("", unicodedata.normalize("NFKC", text).casefold())


def stem(word: str) -> str:
    """Fold English plural endings: hoodies→hoody, hoodie→hoody, watches→watch, pants→pant."""
    if not word.isascii() or len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("ie"):
        return word[:-2] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_KEEP_S):
        return word[:-1]
    return word


def is_cjk(text: str) -> bool:
    """True if the text holds any Chinese character."""
    return bool(_CJK.search(text))


class Tokenizer:
    """Turns text into stemmed tokens; Chinese words of ``extra_words`` stay whole."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._extra = sorted({w for w in extra_words if is_cjk(w)})
        self._jieba: object | None = None
        self._lock = threading.Lock()

    def _segmenter(self):  # type: ignore[no-untyped-def]
        with self._lock:
            if self._jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                segmenter = jieba.Tokenizer()
                for word in self._extra:
                    segmenter.add_word(word, freq=200_000)
                self._jieba = segmenter
            return self._jieba

    def tokens(self, text: str) -> list[str]:
        """Stemmed tokens of ``text`` in order."""
        out: list[str] = []
        for part in _SPLIT.split(normalize(text)):
            if not part:
                continue
            if _CJK.fullmatch(part):
                out.extend(w for w in self._segmenter().lcut(part) if w.strip())  # type: ignore[attr-defined]
            else:
                out.extend(stem(w) for w in _LATIN.findall(part))
        return out


EMBED_CHARS = 600


def embedding_text(product: Product) -> str:
    """The start of ``product_text``, for the dense model.

    Name, categories, colours and attributes say what a product is; the long tail of
    a description mostly costs encoding time (attention grows with the square of the
    length), so the dense model sees the first EMBED_CHARS characters and BM25 the rest.
    """
    return product_text(product)[:EMBED_CHARS]


def product_text(product: Product) -> str:
    """What a product says about itself, for keyword indexing and display.

    Name first (it carries the type), then categories, colours and attribute values,
    then the description prose. Catalog text is data: it is indexed, never obeyed.
    """
    parts = [product.name, "; ".join(product.categories)]
    if product.colors:
        parts.append("colours: " + ", ".join(product.colors))
    for key, value in product.attributes.items():
        if value is True:
            parts.append(key.replace("_", " "))
        elif isinstance(value, str):
            parts.append(f"{key.replace('_', ' ')}: {value}")
        elif isinstance(value, tuple) and value:
            parts.append(f"{key.replace('_', ' ')}: {', '.join(value)}")
    parts.append(product.description)
    return "\n".join(p for p in parts if p)
