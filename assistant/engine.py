"""The turn engine: understand → retrieve → compute facts → phrase → check.

Code decides every fact (which products, prices, differences, ratings, "not in our
catalog") and writes a templated answer from them (``intents.py``). An LLM, if one is
configured, may only rewrite that answer (``phrasing.py``); its text reaches the
shopper only if it passes every check in ``grounding``. Otherwise the templated answer
is the answer, and the result says which spoke and why.

A turn is two steps, so that the app can show the products and the templated answer at
once: ``prepare`` decides it (fast, no LLM), ``complete`` phrases and checks it and
remembers it in the conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from index.errors import BadInput
from index.query import Constraints
from index.records import Image, Product
from index.search import Searcher
from index.text import MAX_QUERY_CHARS, clean_text

from . import grounding, templates
from .intents import Draft, Intents
from .llm.base import LLM
from .phrasing import Phraser
from .settings import AssistantSettings
from .state import Conversation, Turn
from .understand import NameIndex, Understanding, understand

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = MAX_QUERY_CHARS


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
        self,
        settings: AssistantSettings,
        *,
        searcher: Searcher | None = None,
        llm: LLM | None = None,
    ) -> None:
        self.settings = settings
        self.searcher = searcher or Searcher(settings)
        self.catalog = self.searcher.catalog
        self.vocabulary = grounding.catalog_vocabulary(self.searcher.products)
        self.phraser = Phraser(settings, self.vocabulary, llm)
        self.llm = self.phraser.llm
        self.notices: list[str] = [*self.searcher.notices, *self.phraser.notices]
        self.names = NameIndex(self.searcher.products, self.searcher.tokenizer)
        self.intents = Intents(self.searcher)
        log.info("assistant ready: %s", self.status())

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
                draft = self.intents.filtered(message, turn, conversation, photo, constraints)
            else:
                draft = self.intents.decide(message, turn, conversation, photo)
        except BadInput as error:
            draft = Draft(templates.bad_input(str(error), turn.lang), phrase=False)
            notices.append(str(error))
        return Prepared(message, turn, draft, notices)

    def complete(self, prepared: Prepared, conversation: Conversation) -> TurnResult:
        """Phrase and check a prepared turn, and remember it in ``conversation``."""
        message, turn, draft = prepared.message, prepared.turn, prepared.draft
        answer, source, reason = self.phraser.phrase(message, turn.lang, draft)
        verdict = grounding.GroundingResult(True)
        if draft.products and source == "template":  # the LLM's text passed every check
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
