"""Ask one question through the turn engine and keep what came back, judged."""

from __future__ import annotations

import time
from dataclasses import dataclass

from assistant.engine import Assistant
from assistant.state import Conversation

from .judge import judge, product_ids
from .questions import Question
from .shop import Shop


@dataclass
class Outcome:
    """One judged question: what it asked, what came back, and what was wrong."""

    question: Question
    answer: str
    intent: str
    products: list[str]
    first_products: list[str]  # what the first of two turns showed
    grounded: bool
    source: str
    reason: str
    problems: list[str]
    invented: list[str]
    seconds: float

    @property
    def ok(self) -> bool:
        """Right on every check."""
        return not self.problems


def run(assistant: Assistant, shop: Shop, question: Question) -> Outcome:
    """Ask the question's turns in one conversation and judge the last answer."""
    conversation = Conversation()
    started = time.perf_counter()
    results = [assistant.ask(message, conversation) for message in question.turns]
    seconds = (time.perf_counter() - started) / len(results)
    final = results[-1]
    problems, invented = judge(shop, question, results)
    return Outcome(
        question,
        final.answer,
        final.intent,
        shop.names(product_ids(final)),
        shop.names(product_ids(results[0])) if len(results) > 1 else [],
        final.grounded,
        final.source,
        final.reason,
        problems,
        invented,
        seconds,
    )
