"""The same code on two shops: what one sells is found, what it lacks is refused by name.

Nothing in the code or the lexicon names either shop's kinds of product: each shop's
kinds are learned from its own catalog (index/kinds.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.engine import Assistant
from assistant.state import Conversation
from assistant.web import Session, WebChat
from index.search import Searcher

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("request_text", "head", "sells", "lacks"),
    [
        ("hiking boots under $200", "boot", "eshop", "demo"),
        ("do you have hoodies?", "hood", "demo", "eshop"),
        ("a white bookshelf", "bookshelf", "orocommerce", "eshop"),
        ("trekking poles", "pole", "eshop", "orocommerce"),
    ],
)
def test_one_shop_finds_what_the_other_refuses(
    request_text: str,
    head: str,
    sells: str,
    lacks: str,
    shop_searchers: Callable[[str], Searcher],
) -> None:
    found = shop_searchers(sells).search(request_text)
    assert found.carried and found.not_carried is None and found.hits
    assert head in found.hits[0].product.name.casefold()
    refused = shop_searchers(lacks).search(request_text)
    assert not refused.carried and refused.alternatives
    assert refused.not_carried is not None and head in refused.not_carried


def test_the_assistant_says_no_plainly_and_names_what_was_asked(
    shop_searchers: Callable[[str], Searcher],
) -> None:
    demo = shop_searchers("demo")
    settings = demo.settings.model_copy(update={"llm": "none"})
    turn = Assistant(settings, searcher=demo).ask("enclosed shoe rack", Conversation())
    assert turn.answer.startswith("Sorry, we don't carry enclosed shoe racks.")
    assert "alternatives" in turn.answer and turn.source == "template"
    eshop = shop_searchers("eshop")
    settings = eshop.settings.model_copy(update={"llm": "none"})
    turn = Assistant(settings, searcher=eshop).ask("do you sell ski poles?", Conversation())
    assert turn.answer.startswith("Sorry, we don't carry ski poles.")
    turn = Assistant(settings, searcher=eshop).ask("carbon trekking poles", Conversation())
    assert "don't carry" not in turn.answer and "Trekking Poles" in turn.answer


@pytest.mark.parametrize("shop", ["demo", "eshop", "orocommerce"])
def test_the_pages_examples_come_from_the_shops_own_catalog(
    shop: str, shop_searchers: Callable[[str], Searcher]
) -> None:
    searcher = shop_searchers(shop)
    settings = searcher.settings.model_copy(update={"llm": "none"})
    chat = WebChat(Assistant(settings, searcher=searcher))
    names = {p.name for p in searcher.products}
    assert len(chat.examples) == 4
    assert sum(name in chat.examples[1] for name in names) >= 2
    for example in chat.examples:  # each one is answered, never refused
        view = chat.turn(example, [], [], Session())
        answer = view.history[-1]["content"]
        assert view.cards and "carry" not in answer and "抱歉" not in answer, (example, answer)
