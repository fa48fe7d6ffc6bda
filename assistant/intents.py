"""Deciding a turn by its intent: which products, which facts, which templated answer.

One handler per intent (find, ranked, compare, about, availability, reviews,
recommend, similar) searches or looks up the catalog, computes the facts and writes the
templated answer as a ``Draft``. Code decides every fact here ("not in our catalog"
included); the phrasing only rewords the draft. Negative answers ("we don't carry…",
"it does not come in blue") are marked not to be rephrased: a model that drops a "not"
would turn them into false ones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from index.query import Constraints, Lexicon
from index.records import Image, Product
from index.search import Searcher, SearchResult

from . import facts as F
from . import templates
from .state import Conversation
from .understand import Understanding

_SIMILAR = re.compile(
    r"\b(similar|like (it|this|that)|alternatives?|instead)\b|类似|相似|替代", re.I
)
_ABOUT_RATINGS = re.compile(r"\b(rated|ratings?|reviews?|stars?)\b|评分|评价|口碑|好评", re.I)
RANK_POOL = 200
RANK_KEYS: dict[str, Callable[[Product], tuple[float, ...]]] = {
    "cheapest": lambda p: (p.effective_price,),
    "dearest": lambda p: (-p.effective_price,),
    "best_rated": lambda p: (p.rating is None, -(p.rating or 0.0), -len(p.reviews)),
}


@dataclass
class Draft:
    """What code decided for a turn, before any phrasing.

    ``required`` holds what a rephrasing must still state (names, amounts), so that
    a fluent answer that drops the point does not replace the template.
    """

    text: str
    products: list[Product] = field(default_factory=list)
    facts: F.Facts = field(default_factory=lambda: F.Facts(()))
    phrase: bool = True
    alternatives: bool = False
    required: tuple[str | Decimal, ...] = ()
    search: dict[str, Any] = field(default_factory=dict)
    images: dict[str, Image] = field(default_factory=dict)


class Intents:
    """The intent handlers over one catalog and its index; no per-shopper state."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.catalog = searcher.catalog
        self._chinese = templates.chinese_words(Lexicon.read())

    def decide(
        self,
        message: str,
        turn: Understanding,
        conversation: Conversation,
        photo: Path | bytes | None,
    ) -> Draft:
        """The draft for a turn as ``understand`` read it."""
        lang = turn.lang
        if turn.intent in ("help", "chitchat", "out_of_scope"):
            return Draft(templates.fixed(turn.intent, lang), phrase=False)
        if turn.unresolved:
            return Draft(templates.fixed("unresolved", lang), phrase=False)
        products = [p for p in map(self.catalog.get, turn.products) if p is not None]
        if turn.rank:
            return self._ranked(message, turn, products, conversation)
        if turn.intent == "compare":
            return self._compare(message, products, conversation, lang)
        if turn.intent == "recommend":
            return self._recommend(message, turn, products, conversation)
        if products and turn.intent in ("ask", "availability", "reviews"):
            handler = {
                "ask": self._about,
                "availability": self._availability,
                "reviews": self._reviews,
            }[turn.intent]
            return handler(message, products[0], lang)
        return self._find(message, turn, conversation, photo)

    def filtered(
        self,
        message: str,
        turn: Understanding,
        conversation: Conversation,
        photo: Path | bytes | None,
        constraints: Constraints,
    ) -> Draft:
        """A search under the app's filter controls, which replace the constraints in force."""
        result = _best_met(
            self.searcher.search(
                message or None, photo, constraints=constraints, k=50, override=True
            )
        )
        conversation.constraints = result.constraints
        return self._find(message, turn, conversation, photo, result)

    def _search(
        self, message: str, conversation: Conversation, photo: Path | bytes | None, k: int
    ) -> SearchResult:
        """Search under the message's constraints; a follow-up refines the ones in force."""
        parsed = self.searcher.parse(message) if message else None
        wanted = parsed.constraints if parsed else Constraints()
        if _refines(wanted) and conversation.constraints != Constraints():
            wanted = conversation.constraints.merged(wanted)
        result = self.searcher.search(message or None, photo, constraints=wanted, k=k)
        conversation.constraints = result.constraints
        return result

    def _find(
        self,
        message: str,
        turn: Understanding,
        conversation: Conversation,
        photo: Path | bytes | None,
        result: SearchResult | None = None,
    ) -> Draft:
        result = result or self._search(message, conversation, photo, 5)
        products = [hit.product for hit in result.hits[:5]]
        images = {hit.product.id: hit.image for hit in result.hits[:5] if hit.image}
        search = {
            "constraints": result.constraints.to_dict(),
            "unmet": list(result.unmet),
            "alternatives": result.alternatives,
            "carried": result.carried,
        }
        facts = F.Facts.of(products, [F.request(result.constraints)])
        if result.alternatives:
            wanted = result.constraints
            if result.not_carried:  # the shop has no such kind: name it as asked
                wanted = replace(wanted, types=(result.not_carried,), scopes=())
            what = templates.wanted(wanted, facts.currency, turn.lang, self._chinese)
            text = templates.not_carried(what, products, turn.lang)
            return Draft(
                text, products, facts, phrase=False, alternatives=True, search=search, images=images
            )
        if not products:
            text = templates.fixed("nothing_found", turn.lang)
            return Draft(text, phrase=False, search=search)
        text = templates.found(products, turn.lang)
        return Draft(
            text, products, facts, required=(products[0].name,), search=search, images=images
        )

    def _ranked(
        self, message: str, turn: Understanding, products: list[Product], conversation: Conversation
    ) -> Draft:
        """Cheapest, dearest or best rated: of the products shown, or of what matches best.

        Only the hits that meet as many of the wishes as the best hit are ranked, so
        "the cheapest women's tee" is never a men's tee that happens to cost less.
        """
        parts: list[F.Fact] = []
        if not products:
            result = self._search(message, conversation, None, RANK_POOL)
            if result.alternatives or not result.hits:
                return self._find(message, turn, conversation, None, result)
            products = [h.product for h in _best_met(result).hits]
            parts.append(F.request(result.constraints))
        order = sorted(products, key=RANK_KEYS[turn.rank or "cheapest"])[:5]
        ratings = [F.rating(p) for p in order]
        if turn.rank == "best_rated" and ratings[0] is None:
            return Draft(templates.found(order, turn.lang), order, F.Facts.of(order, parts))
        return Draft(
            templates.ranked(turn.rank or "cheapest", order, ratings, turn.lang),
            order,
            F.Facts.of(order, parts),
            required=(order[0].name,),
        )

    def _compare(
        self, message: str, products: list[Product], conversation: Conversation, lang: str
    ) -> Draft:
        if len(products) == 1:
            others = [pid for pid in conversation.focus + conversation.shown
                      if pid != products[0].id]  # fmt: skip
            other = self.catalog.get(others[0]) if others else None
            products = [products[0], other] if other else products
        if len(products) < 2:
            return Draft(templates.fixed("need_two", lang), phrase=False)
        table = F.compare(products)
        parts: list[F.Fact] = [table, *(F.price_facts(p) for p in products)]
        cheaper = next(p.name for p in products if p.id == table.cheapest_id)
        rating_first = bool(_ABOUT_RATINGS.search(message)) and table.better_rated_id is not None
        required: tuple[str | Decimal, ...] = (cheaper, table.difference)
        if not table.difference:  # keep "the same", not "identical" or "similar"
            required = ("相同" if lang == "zh" else "same",)
        if rating_first:
            required = tuple(p.name for p in products if p.id == table.better_rated_id)
        return Draft(
            templates.comparison(table, lang, rating_first=rating_first),
            products,
            F.Facts.of(products, parts),
            required=required,
        )

    def _about(self, message: str, product: Product, lang: str) -> Draft:
        prices = F.price_facts(product)
        stock = F.availability(product)
        about = F.details(product)
        return Draft(
            templates.about(prices, stock, about.materials, lang),
            [product],
            F.Facts.of([product], [prices, stock, about]),
            required=(product.name, prices.effective_price),
        )

    def _availability(self, message: str, product: Product, lang: str) -> Draft:
        stock = F.availability(product)
        wanted = self.searcher.parse(message).constraints
        asked = _offered(wanted.colors, stock.colors) + _offered(wanted.sizes, stock.sizes)
        request = F.Request(None, None, wanted.colors, wanted.sizes)
        return Draft(
            templates.stock(product.name, stock, asked, lang),
            [product],
            F.Facts.of([product], [stock, request]),
            phrase=all(offered for _, offered in asked),
            required=(product.name,),
        )

    def _reviews(self, message: str, product: Product, lang: str) -> Draft:
        reviews = F.review_facts(product)
        required: tuple[str | Decimal, ...] = (product.name,)
        if reviews.average is not None:
            required += (reviews.average,)
        return Draft(
            templates.reviews(product.name, reviews, lang),
            [product],
            F.Facts.of([product], [reviews]),
            phrase=bool(reviews.count),
            required=required,
        )

    def _recommend(
        self, message: str, turn: Understanding, products: list[Product], conversation: Conversation
    ) -> Draft:
        anchor_id = turn.cheaper_than or turn.better_than or (products[0].id if products else None)
        if anchor_id is None and conversation.focus and not _names_a_type(self.searcher, message):
            anchor_id = conversation.focus[0]
        anchor = self.catalog.get(anchor_id) if anchor_id else None
        if anchor is None:
            return self._find(message, turn, conversation, None)
        everything = self.searcher.products
        if turn.cheaper_than:
            picks = F.cheaper_alternatives(anchor, everything, limit=4)
            if not picks:
                text = templates.no_cheaper(anchor.name, turn.lang)
                return Draft(text, [anchor], F.Facts.of([anchor]), phrase=False)
        elif turn.better_than:
            picks = F.better_rated(anchor, _same_kind(anchor, everything), limit=4)
        elif _SIMILAR.search(message):
            picks = self._similar(anchor, 4)
        else:
            picks = F.recommendations(anchor, self.catalog, limit=4)
            picks += self._similar(anchor, 4 - len(picks), exclude={p.product_id for p in picks})
        shown = [p for p in map(self.catalog.get, (r.product_id for r in picks)) if p]
        return Draft(
            templates.suggestions(anchor.name, picks, turn.lang),
            shown or [anchor],
            F.Facts.of([anchor], picks),
            phrase=bool(picks),
            required=tuple(r.name for r in picks[:1]),
        )

    def _similar(
        self, anchor: Product, limit: int, exclude: set[str] | None = None
    ) -> tuple[F.Recommendation, ...]:
        """Nearest products by the index (text and photo), same kind first."""
        if limit <= 0:
            return ()
        skip = {anchor.id, *(exclude or ())}
        photo = anchor.image_for()
        query = " ".join([anchor.name, *anchor.categories[-1:]])
        hits = self.searcher.search(query, photo.path if photo else None, k=limit + len(skip))
        kind = [h.product for h in hits.hits if h.product.id not in skip]
        return tuple(F.Recommendation.of(p, "similar") for p in kind[:limit])


def _best_met(result: SearchResult) -> SearchResult:
    """Only the hits that meet as many wishes as the best one: a filter filters."""
    if not result.hits:
        return result
    best = math.floor(result.hits[0].score)
    return replace(result, hits=[h for h in result.hits if math.floor(h.score) == best])


def _refines(wanted: Constraints) -> bool:
    """A follow-up that only adds soft constraints ("in blue", "for women") refines."""
    return not wanted.types and not wanted.scopes


def _names_a_type(searcher: Searcher, message: str) -> bool:
    wanted = searcher.parse(message).constraints
    return bool(wanted.types or wanted.scopes)


def _offered(asked: tuple[str, ...], offered: tuple[str, ...]) -> list[tuple[str, bool]]:
    """Each asked value in the catalog's spelling when offered ("blue" -> ("Blue", True))."""
    spelled = {value.casefold(): value for value in offered}
    return [
        (spelled.get(a.casefold(), a[:1].upper() + a[1:]), a.casefold() in spelled) for a in asked
    ]


def _same_kind(anchor: Product, products: list[Product]) -> list[Product]:
    return [p for p in products if p.categories[:1] == anchor.categories[:1]]
