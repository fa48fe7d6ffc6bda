"""Read a shopper's query into constraints: price, type, gender, colour, size, terms.

Prices are numbers to filter on, not words to match, so they are parsed first
(``prices.py``) and cut out of the text. The rest is tokenised and scanned longest
match first against the lexicon (synonyms, Chinese) and then against the catalog's
own vocabulary (any word of a category or attribute value is a soft term, any
catalog colour a colour). What is left is free text for the keyword index.

Hard constraints filter: the product type and the price range. Soft ones (gender,
colour, size, terms) rank: a product meeting more of them comes first.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .facets import MAX_NGRAM, FacetIndex, Form
from .prices import PriceRange, parse_price
from .text import Tokenizer, is_cjk, normalize

LEXICON_FILE = Path(__file__).with_name("lexicon.toml")
KINDS = ("gender", "color", "type", "scope", "term")
SIZE_WORDS = {"size", "sized", "尺码", "码", "号", "尺寸", "waist", "腰围"}
LETTER_SIZES = {"xxs", "xs", "xl", "xxl", "xxxl", "2xl", "3xl"}


@dataclass(frozen=True, slots=True)
class Constraints:
    """What the results must (type, price) or should (the rest) satisfy."""

    price: PriceRange | None = None
    types: tuple[str, ...] = ()
    scopes: tuple[str, ...] = ()
    genders: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    def merged(self, explicit: Constraints) -> Constraints:
        """These constraints with every field that ``explicit`` sets taken from it."""
        updates = {
            name: getattr(explicit, name)
            for name in self.__dataclass_fields__
            if getattr(explicit, name)
        }
        return replace(self, **updates)

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.price is not None:
            out["price"] = {"min": self.price.low, "max": self.price.high}
        for name in ("types", "scopes", "genders", "colors", "sizes", "terms"):
            if getattr(self, name):
                out[name] = list(getattr(self, name))
        return out


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str
    free_text: str
    keywords: tuple[str, ...]
    constraints: Constraints
    lang: str = "en"
    matched: tuple[str, ...] = field(default=())


class Lexicon:
    """Concept → surface forms, loaded from lexicon.toml and tokenised once."""

    def __init__(self, raw: dict[str, dict[str, list[str]]], tokenizer: Tokenizer) -> None:
        stopwords = raw.get("stopwords", {}).get("words", [])
        self.stopwords = {t for word in stopwords for t in tokenizer.tokens(word)}
        self.forms: dict[tuple[str, str], set[Form]] = {}
        self.lookup: dict[Form, tuple[str, str]] = {}
        for kind in KINDS:
            for canonical, words in raw.get(kind, {}).items():
                forms = {tuple(tokenizer.tokens(w)) for w in [canonical.replace("_", " "), *words]}
                forms.discard(())
                self.forms[(kind, canonical)] = forms
                for form in forms:
                    self.lookup.setdefault(form, (kind, canonical))

    @staticmethod
    def read(path: Path = LEXICON_FILE) -> dict[str, dict[str, list[str]]]:
        with path.open("rb") as handle:
            return tomllib.load(handle)

    @staticmethod
    def words(raw: dict[str, dict[str, list[str]]]) -> Iterable[str]:
        for kind in KINDS:
            for words in raw.get(kind, {}).values():
                yield from words

    def forms_of(self, kind: str, value: str, tokenizer: Tokenizer) -> set[Form]:
        """Surface forms of a concept; an unlisted value stands for itself."""
        known = self.forms.get((kind, value))
        if known is None:
            for (k, _), forms in self.forms.items():
                if k == kind and tuple(tokenizer.tokens(value)) in forms:
                    return forms
        return known or {tuple(tokenizer.tokens(value))}


class QueryParser:
    """Turns query text into a ``ParsedQuery`` for one catalog's vocabulary."""

    def __init__(self, lexicon: Lexicon, facets: FacetIndex, tokenizer: Tokenizer) -> None:
        self.lexicon = lexicon
        self.tokenizer = tokenizer
        self._stopwords = lexicon.stopwords
        self._fields = {g for g in facets.vocabulary("field") if not set(g) <= self._stopwords}
        self._colors = facets.vocabulary("color")
        self._sizes = {g[0] for g in facets.vocabulary("size") if len(g) == 1}

    def parse(self, text: str) -> ParsedQuery:
        price = parse_price(text)
        rest = text if price is None else text[: price.span[0]] + " " + text[price.span[1] :]
        tokens = self.tokenizer.tokens(rest)
        found: dict[str, list[str]] = {kind: [] for kind in (*KINDS, "size")}
        keywords: list[str] = []
        matched: list[str] = []
        position = 0
        while position < len(tokens):
            length, kind, value = self._match(tokens, position)
            if kind:
                if value not in found[kind]:
                    found[kind].append(value)
                matched.append(" ".join(tokens[position : position + length]))
                keywords.extend(self.tokenizer.tokens(value.replace("_", " ")))
            elif self._is_keyword(tokens[position]):
                keywords.append(tokens[position])
            position += max(length, 1)
        constraints = Constraints(
            price=price,
            types=tuple(found["type"]),
            scopes=tuple(found["scope"]),
            genders=tuple(found["gender"]),
            colors=tuple(found["color"]),
            sizes=tuple(found["size"]),
            terms=tuple(found["term"]),
        )
        return ParsedQuery(
            text=text,
            free_text=normalize(rest).strip(),
            keywords=tuple(keywords),
            constraints=constraints,
            lang="zh" if is_cjk(text) else "en",
            matched=tuple(matched),
        )

    def _is_keyword(self, token: str) -> bool:
        return token not in self._stopwords and not re.fullmatch(r"\W+", token)

    def _match(self, tokens: list[str], start: int) -> tuple[int, str, str]:
        """(length, kind, value) of the longest concept at ``start``; kind "" if none."""
        size = self._size_at(tokens, start)
        if size:
            return size
        for length in range(min(MAX_NGRAM, len(tokens) - start), 0, -1):
            gram = tuple(tokens[start : start + length])
            hit = self.lexicon.lookup.get(gram)
            if hit:
                return length, hit[0], hit[1]
            if gram in self._colors:
                return length, "color", " ".join(gram)
            if gram in self._fields:
                return length, "term", " ".join(gram)
        return 0, "", ""

    def _size_at(self, tokens: list[str], start: int) -> tuple[int, str, str] | None:
        word = tokens[start]
        following = tokens[start + 1] if start + 1 < len(tokens) else ""
        if word in SIZE_WORDS and following in self._sizes:
            return 2, "size", following.upper()
        if following in SIZE_WORDS - {"size", "sized"} and word in self._sizes:
            return 2, "size", word.upper()
        if word in LETTER_SIZES and word in self._sizes:
            return 1, "size", word.upper()
        return None
