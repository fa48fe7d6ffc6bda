"""The web page's handlers as plain functions: no gradio here, so tests call them directly.

A turn runs in two steps. ``turn`` decides the products and facts (milliseconds)
and shows the cards, the comparison table and the templated answer at once;
``phrase`` then asks the LLM to reword that answer and shows the rewording only if
it passed every check. The shopper never sees unchecked model text, and never waits
for the model to see the products.

Each browser session owns one ``Session``; the ``WebChat`` (models, catalog,
thumbnails) is shared and holds nothing of any shopper.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import Any

from index.prices import PriceRange
from index.records import Product
from index.text import distinct

from .. import facts as F
from ..engine import Assistant, Prepared
from ..state import Conversation
from ..templates import money
from . import views
from .thumbnails import Thumbnails

log = logging.getLogger(__name__)

Message = dict[str, Any]

ACTIONS = {
    "similar": {"en": "Show me products similar to the {name}", "zh": "有没有类似{name}的商品"},
    "compare": {"en": "Compare the {a} and the {b}", "zh": "比较{a}和{b}"},
}
STATUS_WORDS = {
    "llm": "Answer worded by the LLM and checked against the catalog facts.",
    "template": "Answer from the template",
    "pending": "Wording the answer…",
}
PICKED = {
    "en": "Picked the {name} to compare: choose Compare on another product.",
    "zh": "已选择 {name}：请在另一件商品上点“比较”。",
}


@dataclass
class Session:
    """One browser session: its conversation and what the page's controls refer to."""

    conversation: Conversation = field(default_factory=Conversation)
    pending: Prepared | None = None
    picked: str | None = None
    query: str = ""


@dataclass(frozen=True)
class Card:
    product_id: str
    name: str
    html: str


@dataclass(frozen=True)
class Filters:
    """The filter controls' values; empty strings and None mean "any"."""

    min_price: float | None = None
    max_price: float | None = None
    category: str = ""
    color: str = ""
    size: str = ""
    also: tuple[str, ...] = ()  # understood wishes the controls do not show (gender, terms)


@dataclass
class View:
    """What the page shows after a step; ``layout.py`` maps it onto components."""

    history: list[Message]
    # None leaves a panel as it is: a card's "details" must not clear the cards.
    cards: list[Card] | None = None
    gallery: bool = False
    # the language of the "alternatives" heading, when the cards are not matches
    alternatives: str | None = None
    table: str | None = None
    details: str | None = None
    filters: Filters = field(default_factory=Filters)
    status: str = ""
    notice: str = ""


class WebChat:
    """The page's behaviour over one shared ``Assistant``."""

    def __init__(self, assistant: Assistant, thumbnails: Thumbnails | None = None) -> None:
        self.assistant = assistant
        self.thumbs = thumbnails or Thumbnails()
        products = assistant.catalog.products
        self.categories = _alphabetical(
            seg.strip() for p in products for path in p.categories for seg in path.split("/")[1:]
        )
        self.colors = _alphabetical(c for p in products for c in p.colors)
        self.sizes = distinct(s for p in products for s in p.sizes)
        self.currency = products[0].currency if products else "USD"
        self.examples = _examples(products)

    # -- the two steps of a turn ----------------------------------------------------

    def turn(self, text: str, files: list[str], history: list[Message], session: Session) -> View:
        """Decide the turn and show its products with the templated answer."""
        text = (text or "").strip()
        photo = Path(files[-1]) if files else None
        if not text and photo is None:
            return self._view(history, session, notice=_ask_something(session))
        shown = escape(text) if text else ""
        history = [*history]
        if photo is not None:
            history.append({"role": "user", "content": {"path": str(photo), "alt_text": "photo"}})
        if shown:
            history.append({"role": "user", "content": shown})
        if text and photo is None:
            session.query = text
        prepared = self.assistant.prepare(text, session.conversation, photo=photo)
        return self._show(prepared, history, session)

    def phrase(self, history: list[Message], session: Session) -> View:
        """Replace the templated answer with the LLM's wording if that passes the checks."""
        prepared, session.pending = session.pending, None
        if prepared is None:
            return self._view(history, session)
        result = self.assistant.complete(prepared, session.conversation)
        history = [*history]
        if history and history[-1].get("role") == "assistant":
            history[-1] = {"role": "assistant", "content": escape(result.answer)}
        status = (
            STATUS_WORDS["llm"]
            if result.source == "llm"
            else (f"{STATUS_WORDS['template']} ({result.reason}).")
        )
        view = self._view(history, session, status=status)
        view.notice = "; ".join(result.notices)
        return view

    # -- the page's other controls --------------------------------------------------

    def act(self, action: str, product_id: str, history: list[Message], session: Session) -> View:
        """A card's button: more like this, compare (pick two), or details."""
        product = self.assistant.catalog.get(product_id)
        if product is None:
            return self._view(history, session, notice="That product is no longer in the catalog.")
        lang = session.conversation.lang
        if action == "details":
            session.conversation.focus = [product.id]
            html = views.details(product, product.image_for(), self.thumbs, lang)
            return self._view(history, session, details=html)
        if action == "compare":
            other = self.assistant.catalog.get(session.picked or "")
            if other is None or other.id == product.id:
                session.picked = product.id
                notice = PICKED[lang].format(name=product.name)
                return self._view(history, session, notice=notice)
            session.picked = None
            text = ACTIONS["compare"][lang].format(a=other.name, b=product.name)
        else:
            text = ACTIONS["similar"][lang].format(name=product.name)
        return self.turn(text, [], history, session)

    def apply_filters(self, filters: Filters, history: list[Message], session: Session) -> View:
        """Search again with the controls' constraints in place of those understood."""
        understood = session.conversation.constraints
        low, high = filters.min_price, filters.max_price
        if low is not None and high is not None and low > high:
            low, high = high, low
        wanted = replace(
            understood,
            price=None if low is None and high is None else PriceRange(low, high, (0, 0), ""),
            types=(filters.category,) if filters.category else (),
            scopes=() if filters.category else understood.scopes,
            colors=(filters.color,) if filters.color else (),
            sizes=(filters.size,) if filters.size else (),
        )
        prepared = self.assistant.prepare(session.query, session.conversation, constraints=wanted)
        said = _filter_words(filters, session.conversation.lang, self.currency)
        return self._show(prepared, [*history, {"role": "user", "content": escape(said)}], session)

    def reset(self) -> tuple[list[Message], Session]:
        return [], Session()

    def describe(self) -> str:
        """The status line's model part, with a notice for each fallback that serves."""
        notices = list(self.assistant.notices)
        wanted = self.assistant.settings.image_embedder
        built = self.assistant.searcher.manifest["embedders"]["image"]["name"]
        if built != wanted and not any(built in n for n in notices):
            notices.append(
                f"photos are matched by the {built} fallback: {wanted} could not load when "
                "the index was built (rebuild it once it can)"
            )
        notes = "".join(f"\n\n⚠ {escape(n)}" for n in notices)
        return f"**Active:** {escape(self.assistant.status())}{notes}"

    # -- views ----------------------------------------------------------------------

    def _show(self, prepared: Prepared, history: list[Message], session: Session) -> View:
        session.pending = prepared
        lang = prepared.turn.lang
        draft = prepared.draft
        history.append({"role": "assistant", "content": escape(draft.text)})
        table = ""
        comparison = next(
            (part for part in draft.facts.parts if isinstance(part, F.Comparison)), None
        )
        if comparison is not None:
            table = views.comparison_table(
                comparison, draft.products, prepared.image, self.thumbs, lang
            )
        cards = [self._card(p, prepared, lang) for p in draft.products]
        status = STATUS_WORDS["pending"] if draft.phrase and self.assistant.llm else ""
        view = self._view(history, session, status=status, table=table, details="")
        view.cards = cards
        view.gallery = prepared.turn.intent == "photo"
        view.alternatives = lang if draft.alternatives else None
        view.notice = "; ".join(prepared.notices)
        return view

    def _card(self, product: Product, prepared: Prepared, lang: str) -> Card:
        html = views.card(product, prepared.image(product), self.thumbs, lang)
        return Card(product.id, product.name, html)

    def _view(self, history: list[Message], session: Session, **values: Any) -> View:
        return View(history=history, filters=self._filters(session.conversation), **values)

    def _filters(self, conversation: Conversation) -> Filters:
        """The constraints in force, as the controls show them."""
        wanted = conversation.constraints
        price = wanted.price
        return Filters(
            min_price=price.low if price else None,
            max_price=price.high if price else None,
            category=_choice(wanted.types, self.categories),
            color=_choice(wanted.colors, self.colors),
            size=_choice(wanted.sizes, self.sizes),
            also=(*wanted.genders, *wanted.scopes, *wanted.terms),
        )


def _filter_words(filters: Filters, lang: str, currency: str) -> str:
    """The filter step as the shopper's line in the chat: "Filters: $20–$50, Jackets"."""
    low, high = (
        "" if value is None else money(value, currency, lang)
        for value in (filters.min_price, filters.max_price)
    )
    price = f"{low}–{high}" if low and high else f"≥ {low}" if low else f"≤ {high}" if high else ""
    parts = [p for p in (price, filters.category, filters.color, filters.size) if p]
    head = "筛选" if lang == "zh" else "Filters"
    none = "不限" if lang == "zh" else "none"
    return f"{head}: {', '.join(parts) or none}"


def _choice(values: tuple[str, ...], choices: list[str]) -> str:
    """The control's value for an understood constraint: the catalog's spelling if any."""
    if not values:
        return ""
    folded = {c.casefold(): c for c in choices}
    return folded.get(values[0].casefold(), values[0])


def _alphabetical(values: Iterable[str]) -> list[str]:
    """Filter choices in A-Z order, each once; sizes keep the catalog's order instead."""
    return sorted(distinct(values), key=str.casefold)


def _ask_something(session: Session) -> str:
    if session.conversation.lang == "zh":
        return "请输入问题，或上传一张照片。"
    return "Type a question or add a photo."


def _examples(products: Sequence[Product]) -> list[str]:
    """Questions to try on the page, made from this shop's own catalog: its most common
    kind of product, and two of its most reviewed products to compare (a shop's page
    must never suggest another shop's products)."""
    leaves = Counter(
        path.split("/")[-1].strip() for p in products for path in p.categories if path.strip()
    )
    ranked = sorted(products, key=lambda p: -len(p.reviews))
    names = distinct(p.name for p in ranked)
    out = [f"Show me {leaves.most_common(1)[0][0].casefold()}"] if leaves else []
    if len(names) >= 2:
        first, second = names[:2]
        out += [
            f"Which is cheaper, the {first} or the {second}?",
            f"{first}多少钱？",
            f"比较 {first} 和 {second}",
        ]
    return out
