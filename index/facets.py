"""Which products meet a concept: an n-gram index over each product's structured fields.

A concept ("type: hoodie", "colour: blue", "term: yoga") matches a product when one
of its surface forms, as a token sequence, stands inside one of the product's field
values: categories and type-like attributes for types; categories and all attribute
values ("field") for terms; colours, gender attributes and department names, sizes
for the rest. Matching runs
against the catalog's own words, so a shop's vocabulary works without being listed;
the lexicon only adds synonyms and Chinese.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from .records import Product
from .text import Tokenizer

MAX_NGRAM = 4
GENDER_KEYS = ("gender", "sex", "department")
# Attributes whose values name what a product is (a "style: Jacket"), as opposed to
# what it is made of or good for; only these, with categories, decide a product type.
TYPE_KEY_PARTS = ("type", "style", "category", "kind", "class")
UNISEX = ("unisex",)
Form = tuple[str, ...]


def ngrams(tokens: Sequence[str]) -> Iterable[Form]:
    """Every contiguous run of up to MAX_NGRAM tokens."""
    for start in range(len(tokens)):
        for end in range(start + 1, min(start + MAX_NGRAM, len(tokens)) + 1):
            yield tuple(tokens[start:end])


class FacetIndex:
    """Inverted n-gram index per field group: group → n-gram → product positions."""

    GROUPS = ("type", "field", "color", "gender", "size", "name")

    def __init__(self, products: Sequence[Product], tokenizer: Tokenizer) -> None:
        self.size = len(products)
        self._tokenizer = tokenizer
        self._postings: dict[str, dict[Form, set[int]]] = {g: defaultdict(set) for g in self.GROUPS}
        for position, product in enumerate(products):
            for group, values in product_fields(product).items():
                for value in values:
                    for gram in ngrams(tokenizer.tokens(value)):
                        self._postings[group][gram].add(position)

    def vocabulary(self, group: str) -> set[Form]:
        """All n-grams of a field group (used to spot catalog words in a query)."""
        return set(self._postings[group])

    def matching(self, group: str, forms: Iterable[Form]) -> set[int]:
        """Positions of products whose ``group`` fields hold any of ``forms``."""
        postings = self._postings[group]
        found: set[int] = set()
        for form in forms:
            found |= postings.get(form, set())
        if group == "gender" and found:
            found |= postings.get(UNISEX, set())
        return found

    def mask(self, positions: set[int]) -> np.ndarray:
        out = np.zeros(self.size, dtype=bool)
        if positions:
            out[np.fromiter(positions, dtype=np.int64)] = True
        return out


def product_fields(product: Product) -> dict[str, list[str]]:
    """The values of a product that each field group searches (``kinds.py`` reads the
    same groups: "type" for what a product is, the rest for the words it is known by)."""
    strings: list[str] = []
    kinds: list[str] = []
    gender: list[str] = []
    for key, value in product.attributes.items():
        values = (
            [value] if isinstance(value, str) else list(value) if isinstance(value, tuple) else []
        )
        if key.casefold() in GENDER_KEYS:
            gender.extend(values)
            continue
        strings.extend(values)
        if any(part in key.casefold() for part in TYPE_KEY_PARTS):
            kinds.extend(values)
        if value is True:
            strings.append(key.replace("_", " "))
    segments = [seg for path in product.categories for seg in path.split("/") if seg.strip()]
    gender.extend(path.split("/")[0] for path in product.categories)
    return {
        "type": segments + kinds,
        "field": segments + strings,
        "color": [*product.colors, *(v.color for v in product.variants if v.color)],
        "gender": gender,
        "size": [*product.sizes, *(v.size for v in product.variants if v.size)],
        "name": [product.name],
    }
