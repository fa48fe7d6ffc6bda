"""The turn engine: understand → retrieve → compute facts → phrase → check.

Code decides every fact (which products, prices, differences, ratings, "not in our
catalog") and writes a templated answer from them. An LLM, if one is configured,
may only rewrite that answer; its text reaches the shopper only if it finished
before the time limit, is in the shopper's language, still states the answer's key
facts, and the grounding check finds every number, name, colour and material in the
facts. Otherwise the templated answer is the answer, and the result says which
spoke and why. Negative answers ("we don't carry…", "it does not come in blue") are
never rephrased: a model that drops a "not" would turn them into false ones.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from index.errors import BadInput, ModelUnavailable
from index.query import Constraints, Lexicon
from index.records import Image, Product
from index.search import Searcher, SearchResult
from index.settings import PROJECT_ROOT, Settings
from index.text import MAX_QUERY_CHARS, clean_text, is_cjk

from . import facts as F
from . import grounding, templates
from .llm.base import LLM, LLMError, create_llm
from .state import Conversation, Turn
from .understand import NameIndex, Understanding, understand

log = logging.getLogger(__name__)

PROMPTS = PROJECT_ROOT / "prompts"
MAX_MESSAGE_CHARS = MAX_QUERY_CHARS
LANGUAGE = {"en": "English", "zh": "Simplified Chinese"}
_SIMILAR = re.compile(
    r"\b(similar|like (it|this|that)|alternatives?|instead)\b|类似|相似|替代", re.I
)
_ABOUT_RATINGS = re.compile(r"\b(rated|ratings?|reviews?|stars?)\b|评分|评价|口碑|好评", re.I)
# More new content words than this share and a rewording is saying something else.
MAX_NOVEL_SHARE = 0.4


@dataclass
class TurnResult:
    """One answer, with what it was built from and who phrased it.

    ``grounded`` is the grounding check's verdict on ``answer`` itself; ``source`` is
    "llm" or "template", and ``reason`` says why the template spoke.
    """

    answer: str
    intent: str
    lang: str
    products: list[dict[str, Any]]
    facts: dict[str, Any]
    grounded: bool = True
    source: str = "template"
    reason: str = ""
    alternatives: bool = False
    notices: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


@dataclass
class Prepared:
    """A decided turn waiting for its phrasing: what the app can show at once."""

    message: str
    turn: Understanding
    draft: Draft
    notices: list[str]

    def image(self, product: Product) -> Image | None:
        """The photo to show: the one that matched (colour, photo query), else the main one."""
        return self.draft.images.get(product.id) or product.image_for()


class Assistant:
    """Answers turns for any number of conversations; holds no per-shopper state."""

    def __init__(
        self, settings: Settings, *, searcher: Searcher | None = None, llm: LLM | None = None
    ) -> None:
        self.settings = settings
        self.searcher = searcher or Searcher(settings)
        self.catalog = self.searcher.catalog
        self.notices: list[str] = list(self.searcher.notices)
        self._no_llm = "no LLM configured"  # or why the configured one could not load
        self.llm = llm if llm is not None else self._load_llm()
        self.names = NameIndex(self.searcher.products, self.searcher.tokenizer)
        self.vocabulary = grounding.catalog_vocabulary(self.searcher.products)
        self._chinese = templates.chinese_words(Lexicon.read())
        self._system = (PROMPTS / "system.txt").read_text(encoding="utf-8")
        self._phrase = (PROMPTS / "phrase.txt").read_text(encoding="utf-8")
        self._labels = re.findall(r"^([^:<>{}\n]+):", self._phrase, re.M)
        log.info("assistant ready: %s", self.status())

    def _load_llm(self) -> LLM | None:
        try:
            return create_llm(self.settings)
        except ModelUnavailable as error:
            notice = f"LLM unavailable, answers are templated: {error}"
            log.warning("%s", notice)
            self.notices.append(notice)
            self._no_llm = f"LLM unavailable: {error}"
            return None

    def status(self) -> str:
        """Which models serve, for logs and the UI's status line."""
        manifest = self.searcher.manifest["embedders"]
        llm = self.llm.info.describe() if self.llm else "none (templated answers)"
        return (
            f"text: {manifest['text']['name']}, photos: {manifest['image']['name']}, "
            f"index: {self.searcher.text_store.kind}, LLM: {llm}"
        )

    def ask(
        self,
        message: str,
        conversation: Conversation,
        *,
        photo: Path | bytes | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> TurnResult:
        """Answer one turn and update ``conversation``.

        ``on_token`` receives the answer only once it has passed the check: streaming
        unchecked tokens would show the shopper what the check may still reject.
        """
        result = self.complete(self.prepare(message, conversation, photo=photo), conversation)
        if on_token:
            on_token(result.answer)
        return result

    def prepare(
        self,
        message: str,
        conversation: Conversation,
        *,
        photo: Path | bytes | None = None,
        constraints: Constraints | None = None,
    ) -> Prepared:
        """Decide a turn's products and facts; fast, no LLM.

        The app shows the products and the templated answer from here at once, then
        calls ``complete`` for the phrasing. ``constraints`` (the app's filter
        controls) replace those in force and make the turn a search.
        """
        notices = []
        message, cut = clean_text(message, MAX_MESSAGE_CHARS)
        if cut:
            notices.append(f"the message was cut to its first {MAX_MESSAGE_CHARS} characters")
        turn = understand(message, conversation, self.names, has_photo=photo is not None)
        try:
            if constraints is not None:
                turn = replace(turn, intent="photo" if photo is not None else "find")
                result = _best_met(
                    self.searcher.search(
                        message or None, photo, constraints=constraints, k=50, override=True
                    )
                )
                conversation.constraints = result.constraints
                draft = self._find(message, turn, conversation, photo, result)
            else:
                draft = self._decide(message, turn, conversation, photo)
        except BadInput as error:
            draft = Draft(templates.bad_input(str(error), turn.lang), phrase=False)
            notices.append(str(error))
        return Prepared(message, turn, draft, notices)

    def complete(self, prepared: Prepared, conversation: Conversation) -> TurnResult:
        """Phrase and check a prepared turn, and remember it in ``conversation``."""
        message, turn, draft = prepared.message, prepared.turn, prepared.draft
        answer, source, reason = self._phrase_answer(message, turn, draft)
        verdict = grounding.GroundingResult(True)
        if draft.products and source == "template":  # the LLM's text passed _problems
            verdict = grounding.check(answer, draft.facts, lang=turn.lang, **self.vocabulary)
        if not verdict.ok:
            log.warning("templated answer fails its own check: %s", verdict.problems)
        self._remember(message, turn, draft, answer, conversation)
        return TurnResult(
            answer=answer,
            intent=turn.intent,
            lang=turn.lang,
            products=[
                {
                    "product_id": p.id,
                    "name": p.name,
                    "price": p.effective_price,
                    "image": image.file if (image := prepared.image(p)) else None,
                }
                for p in draft.products
            ],
            facts={**draft.facts.to_dict(), **({"search": draft.search} if draft.search else {})},
            grounded=verdict.ok,
            source=source,
            reason=reason,
            alternatives=draft.alternatives,
            notices=prepared.notices,
        )

    @staticmethod
    def _remember(
        message: str, turn: Understanding, draft: Draft, answer: str, conversation: Conversation
    ) -> None:
        shown = [p.id for p in draft.products]
        if shown and turn.intent in ("find", "photo", "recommend"):
            conversation.shown = shown
        if shown:
            conversation.focus = shown[:2] if turn.intent == "compare" else shown[:1]
        conversation.lang = turn.lang
        conversation.add(Turn("user", message, list(turn.products), turn.intent))
        conversation.add(Turn("assistant", answer, shown, turn.intent))

    # -- deciding -------------------------------------------------------------------

    def _decide(
        self,
        message: str,
        turn: Understanding,
        conversation: Conversation,
        photo: Path | bytes | None,
    ) -> Draft:
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
        }
        facts = F.Facts.of(products, [F.request(result.constraints)])
        if result.alternatives:
            what = templates.wanted(result.constraints, facts.currency, turn.lang, self._chinese)
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
        self,
        message: str,
        turn: Understanding,
        products: list[Product],
        conversation: Conversation,
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
        self,
        message: str,
        turn: Understanding,
        products: list[Product],
        conversation: Conversation,
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

    # -- phrasing -------------------------------------------------------------------

    def _phrase_answer(
        self, message: str, turn: Understanding, draft: Draft
    ) -> tuple[str, str, str]:
        """(answer, source, reason): the LLM's text if it passes every check, else the draft.

        prompts/system.txt names the language and currency last: llama.cpp reuses the
        cached prompt up to the first token that differs from the previous turn's, so
        a shared start survives a switch between English and Chinese shoppers.
        """
        if self.llm is None or not draft.phrase:
            return draft.text, "template", self._no_llm if self.llm is None else "fixed"
        currency = draft.facts.currency
        system = self._system.format(
            language=LANGUAGE[turn.lang],
            currency_word=templates.CURRENCY_ZH.get(currency, currency)
            if turn.lang == "zh"
            else currency,
            max_sentences=3,
        )
        user = self._phrase.format(
            question=_quoted(message[:500]),
            draft=_quoted(draft.text),
            language=LANGUAGE[turn.lang],
        )
        deadline = time.monotonic() + self.settings.llm_timeout_s
        started = time.monotonic()
        try:
            pieces = list(
                self.llm.stream(
                    [{"role": "system", "content": system}, {"role": "user", "content": user}],
                    max_tokens=self.settings.llm_max_tokens,
                    deadline=deadline,
                )
            )
        except LLMError as error:
            return draft.text, "template", f"LLM failed: {error}"
        text = _clean("".join(pieces))
        log.debug("LLM answered in %.2f s: %r", time.monotonic() - started, text)
        try:
            problems = self._problems(text, message, turn.lang, draft)
            problems += grounding.prompt_echoes(text, system, (draft.text, message))
        # The model's text is arbitrary; a check that cannot read it must not end the
        # turn, and unread text must not reach the shopper.
        except Exception:
            log.exception("the check could not read the LLM's text: %r", text)
            return draft.text, "template", "check failed: unreadable answer"
        if problems:
            return draft.text, "template", "check failed: " + "; ".join(problems)
        return text, "llm", ""

    def _problems(self, text: str, message: str, lang: str, draft: Draft) -> list[str]:
        """Everything that keeps a model's text from replacing the draft."""
        problems = _language_problems(text, lang) + _missing(text, draft.required)
        problems += _echoes(text, message, self._labels) + _moved_amounts(text, draft.text, message)
        novel = grounding.novel_share(text, (draft.text, message))
        if novel > MAX_NOVEL_SHARE:
            problems.append(f"says more than the answer ({novel:.0%} new words)")
        problems += grounding.check(text, draft.facts, lang=lang, **self.vocabulary).problems
        return problems


RANK_POOL = 200
RANK_KEYS: dict[str, Callable[[Product], tuple[float, ...]]] = {
    "cheapest": lambda p: (p.effective_price,),
    "dearest": lambda p: (-p.effective_price,),
    "best_rated": lambda p: (p.rating is None, -(p.rating or 0.0), -len(p.reviews)),
}


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


def _quoted(text: str) -> str:
    """Data for the prompt: the delimiters it sits between cannot be closed from inside."""
    return text.replace("<<<", "‹‹‹").replace(">>>", "›››")


_PREFIX = re.compile(r"^(?:(?:fixed|reworded|rewritten) answer|answer|回答|答)\s*[:：]\s*", re.I)
_WRAPPERS = ("<<<", ">>>"), ('"', '"'), ("“", "”"), ("【", "】"), ("「", "」")


def _clean(text: str) -> str:
    """The model's text without a leading label or the quotes it wrapped around it."""
    text = _PREFIX.sub("", text.strip()).strip()
    for opening, closing in _WRAPPERS:
        if text.startswith(opening) and text.endswith(closing) and len(text) > len(opening) * 2:
            text = text[len(opening) : -len(closing)].strip()
    return text


def _language_problems(text: str, lang: str) -> list[str]:
    if not text:
        return ["empty answer"]
    cjk = sum(1 for ch in text if is_cjk(ch))
    if lang == "zh" and cjk < 4:
        return ["not in Chinese"]
    if lang == "en" and cjk:
        return ["not in English"]
    return []


_SENTENCES = re.compile(r"[.!?。！？\n]+")


def _echoes(text: str, message: str, labels: list[str]) -> list[str]:
    """Prompt scaffolding, the shopper's message, or a sentence said twice."""
    problems = []
    lowered = text.casefold()
    if any(mark in text for mark in ("<<<", ">>>", "‹‹‹", "›››")) or any(
        label.casefold() in lowered for label in labels
    ):
        problems.append("echoed the prompt")
    # A question or a long message said back is an echo; "jackets under $60" is not.
    echo = (message.rstrip().endswith(("?", "？")) and len(message) >= 6) or len(message) >= 30
    if echo and message.casefold() in lowered:
        problems.append("echoed the message")
    sentences = [s.strip() for s in _SENTENCES.split(text) if len(s.strip()) >= 10]
    if len(sentences) != len(set(sentences)):
        problems.append("repeats itself")
    return problems


def _moved_amounts(text: str, draft: str, message: str) -> list[str]:
    """Numbers said more often than the draft and the message say them.

    The grounding check allows any number the facts hold; a model that writes a
    product's saving as its price ("26 美元（便宜 26 美元）") uses only such numbers,
    but one of them twice. A rewording keeps each number as often as the draft has it.
    """

    def counted(source: str) -> Counter[Decimal]:
        return Counter(c.value for c in grounding.numbers_in(grounding.normalise(source)))

    extra = counted(text) - counted(draft) - counted(message)
    return [f"states {value} more often than the answer does" for value in extra]


def _missing(text: str, required: tuple[str | Decimal, ...]) -> list[str]:
    """What the answer must still state: names (any case, ™ optional) and amounts."""
    normal = grounding.normalise(text)
    plain = normal.casefold()
    amounts = {c.value for c in grounding.numbers_in(normal)}
    problems = []
    for item in required:
        if isinstance(item, Decimal):
            if item not in amounts:
                problems.append(f"dropped the amount {item}")
        elif grounding.normalise(item).casefold() not in plain:
            problems.append(f"dropped {item!r}")
    return problems
