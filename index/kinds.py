"""What the shop sells, learned from its catalog, and what an English request asks for.

"Not carried" used to come only from a product type of the shipped lexicon that the
catalog lacks, so "led nightstand" in a sportswear shop got three watches as matches,
and "shoe rack" was refused as "shoes". Here both sides are read the same way:

- the **head item** of a request is the last word of its first noun phrase, after the
  request's lead-in ("do you sell"), its price, colours and genders, and before the
  words that end an item's name ("bag *for* my laptop" asks for a bag, "shoe rack" for
  a rack, "a pair *of* socks" for socks); a generic head ("navigation gear") defers to
  the word before it;
- the catalog's **kinds** are the head items of its product names ("Wanderer Black
  Hiking Boots" is boots), of its category segments and of its type-like attributes,
  with the lexicon's synonyms ("t-shirt" is a tee) — learned from the catalog, so a
  new shop needs no code or lexicon change.

A request is carried when its head item is one of the catalog's kinds and each word
before the head ("*ski* poles", "*mountain* bike") appears in the name, categories or
attributes of some product of that kind: a shop with trekking poles and skis does not
sell ski poles.

A Chinese request's head is its last word that means a thing (Chinese puts the item
after its modifiers: 黑色拉带**皮鞋**女童, after dropping colours, genders and words
for people); it is read in English through the lexicon's product types, or else
through the CC-CEDICT dictionary (``glossary.py``: 睡袋 is "sleeping bag"), and each
reading is checked as an English one. A request with no head item ("in blue", "the
second one", 有什么推荐) is left undecided, and the search's own constraints decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import glossary
from .facets import product_fields
from .prices import parse_price
from .query import Lexicon
from .records import Product
from .text import Tokenizer, is_cjk, normalize, stem

_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
# What ends a product name's item in the name itself: "Monitor With Card Reader",
# "Steel Storage Shelves, 65 x 55 in.", "Chair - Black".
_NAME_END = re.compile(r"[,;:(|]| - | with | for | by | featuring ", re.IGNORECASE)
_NUMBERISH = re.compile(r"\d[\d.,x×/-]*[a-z]{0,3}")


@dataclass(frozen=True, slots=True)
class Asked:
    """The item an English request names: its words as written, the head last."""

    words: tuple[str, ...]
    # English readings of a Chinese head word (its words are then the Chinese word)
    readings: tuple[Asked, ...] = ()
    # words in Latin letters within a Chinese request ("POS收银机"): often the shop's own
    latin: tuple[str, ...] = ()

    @property
    def head(self) -> str:
        return self.words[-1]

    @property
    def modifiers(self) -> tuple[str, ...]:
        return self.words[:-1]

    @property
    def phrase(self) -> str:
        return "".join(self.words) if self.readings else " ".join(self.words)


class RequestReader:
    """Reads the head item out of an English request or product name (lexicon words)."""

    def __init__(
        self, lexicon: Lexicon, raw: dict[str, dict[str, list[str]]], tokenizer: Tokenizer
    ) -> None:
        self._lexicon, self._tokenizer = lexicon, tokenizer
        words = raw.get("request", {})
        self._people = {stem(w) for w in words.get("people", ())}
        self._leading = set(words.get("leading", ()))
        self._cut = set(words.get("cut", ()))
        self._quantity = {stem(w) for w in words.get("quantity", ())}
        self._generic = {stem(w) for w in words.get("generic", ())}
        self._refers = set(words.get("refers", ()))
        self._skip = {
            form[0]
            for (kind, _), forms in lexicon.forms.items()
            if kind in ("color", "gender")
            for form in forms
            if len(form) == 1
        } | lexicon.stopwords

    def request(self, text: str) -> Asked | None:
        """The item a shopper's request names, or None when it names none."""
        price = parse_price(text)
        if price is not None:
            text = text[: price.span[0]] + " , " + text[price.span[1] :]
        if is_cjk(text):
            return self._chinese(text)
        return self._item(text, cut_words=self._cut, lead=True)

    def _chinese(self, text: str) -> Asked | None:
        """The last Chinese word that means a thing, with its English readings."""
        tokens = self._tokenizer.tokens(text)
        latin = tuple(t for t in tokens if not is_cjk(t) and len(t) > 1 and not t.isdigit())
        words = [t for t in tokens if is_cjk(t) and t not in self._skip]
        for word in reversed(words):
            concept = self._lexicon.lookup.get((word,))
            if concept and concept[0] == "type":
                forms = [f for f in self._lexicon.forms[concept] if not is_cjk("".join(f))]
                return Asked((word,), tuple(Asked(form) for form in forms if form), latin)
            if concept and concept[0] == "scope":
                return None  # 装备, 服装: no kind to check
            meanings = glossary.english(word)
            lasts = [stem(m.split()[-1].casefold()) for m in meanings if m.split()]
            if any(last in self._generic for last in lasts):
                return None  # 东西 "thing", 羽绒服 "down-filled garment": no kind to check
            if lasts and all(last in self._people for last in lasts):
                continue  # 女童 "small girl": who the item is for
            readings = [r for r in map(self._english, meanings) if r is not None]
            things = [r for r in readings if stem(r.head) not in self._people]
            if things:
                return Asked((word,), tuple(things), latin)
        return None

    def _english(self, meaning: str) -> Asked | None:
        return self._item(meaning, cut_words=self._cut, lead=True)

    def name(self, name: str) -> Asked | None:
        """The item a product name or category segment names ("Hiking Boots" → boots)."""
        return self._item(_NAME_END.split(name)[0], cut_words=set(), lead=False)

    def _item(self, text: str, *, cut_words: set[str], lead: bool) -> Asked | None:
        words: list[str] = []
        clean = normalize(text).replace("’", "'")
        end = 0  # where the word before ended: punctuation since then ends the phrase
        for match in _WORD.finditer(clean):
            word, between, end = match.group(), clean[end : match.start()], match.end()
            if words and any(mark in between for mark in ",?!;."):
                break
            if lead and not words and (word in self._leading or word in cut_words):
                continue
            if word == "of" and words and stem(words[-1]) in self._quantity:
                words = []
                continue
            if word in cut_words:
                if words:
                    break
                continue
            if word in self._refers and lead:
                return None
            if _NUMBERISH.fullmatch(word) or len(word) < 2 or word in self._skip:
                continue
            words.append(word)
        while len(words) > 1 and stem(words[-1]) in self._generic:
            words.pop()
        if not words or (lead and len(words) == 1 and stem(words[0]) in self._generic):
            return None  # "any accessories?" names no kind to check
        return Asked(tuple(words))


class CatalogKinds:
    """The kinds of product one catalog sells, and the words its products are known by."""

    def __init__(
        self,
        products: Sequence[Product],
        reader: RequestReader,
        lexicon: Lexicon,
        tokenizer: Tokenizer,
    ) -> None:
        self._reader, self._lexicon, self._tokenizer = reader, lexicon, tokenizer
        self._by_head: dict[str, set[int]] = {}
        self._words: list[set[str]] = []
        for position, product in enumerate(products):
            for asked in self._kinds_of(product):
                self._by_head.setdefault(stem(asked.head), set()).add(position)
            self._words.append(_known_words(product, tokenizer))
        # the words of the product names, for Latin words in a Chinese request
        self._named = {t for p in products for t in tokenizer.tokens(p.name)}

    def carries(self, asked: Asked) -> bool:
        """Carried when the head is a kind here and every modifier fits one of its products
        (for a Chinese word: when one of its English readings is carried)."""
        if asked.readings:
            named = any(word in self._named for word in asked.latin)
            return named or any(self._carried(r) for r in asked.readings)
        return self._carried(asked)

    def _carried(self, asked: Asked) -> bool:
        positions: set[int] = set()
        for head in self._synonyms(asked.head):
            positions |= self._by_head.get(head, set())
        return any(
            all(self._fits(modifier, self._words[p]) for modifier in asked.modifiers)
            for p in positions
        )

    def _kinds_of(self, product: Product) -> Iterable[Asked]:
        """The items its name and its type fields (category segments, type-like
        attributes, as the facets read them) say a product is."""
        named = self._reader.name(product.name)
        if named:
            yield named
        for segment in product_fields(product)["type"]:
            for part in re.split(r"&| and |,", segment):
                found = self._reader.name(part)
                if found:
                    yield found

    def _synonyms(self, head: str) -> set[str]:
        """The head and, through the lexicon's types, the words it is a synonym of."""
        out = {stem(head)}
        form = tuple(self._tokenizer.tokens(head))
        concept = self._lexicon.lookup.get(form)
        if concept and concept[0] == "type":
            out |= {f[-1] for f in self._lexicon.forms[concept] if f}
        return out

    def _fits(self, modifier: str, words: set[str]) -> bool:
        return all(t in words for t in self._tokenizer.tokens(modifier))


def _known_words(product: Product, tokenizer: Tokenizer) -> set[str]:
    """The tokens of a product's name, categories, attribute values (and true flags)
    and colours: the facets' fields, which a modifier must be found in."""
    fields = product_fields(product)
    texts = [*fields["name"], *fields["field"], *fields["color"]]
    return {t for text in texts for t in tokenizer.tokens(text)}
