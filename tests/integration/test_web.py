"""The web page's handlers without a server: real demo index, scripted or no LLM."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from assistant.engine import Assistant
from assistant.web import Filters, Session, WebChat, views
from assistant.web.layout import build_app
from index.search import Searcher
from index.settings import DEMO_CATALOG, Settings
from tests.fakes import ScriptedLLM

BAG = DEMO_CATALOG / "images" / "mb01-blue-0.jpg"


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, Any]]:
    lines = (DEMO_CATALOG / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["id"]: row for row in map(json.loads, lines)}


@pytest.fixture(scope="module")
def chat(demo_settings: Settings, demo_searcher: Searcher) -> WebChat:
    settings = demo_settings.model_copy(update={"llm": "none"})
    return WebChat(Assistant(settings, searcher=demo_searcher))


def _pays(row: dict[str, Any]) -> float:
    special = row.get("special_price")
    return min(row["price"], special) if special is not None else row["price"]


def test_a_turn_shows_cards_at_once_then_the_checked_answer(
    demo_settings: Settings, demo_searcher: Searcher, rows: dict[str, Any]
) -> None:
    reply = "Have a look at the Voyage Yoga Bag for $32."
    llm = ScriptedLLM(lambda m: reply if "Voyage Yoga Bag" in m[-1]["content"] else "no")
    settings = demo_settings.model_copy(update={"llm": "none"})
    chat = WebChat(Assistant(settings, searcher=demo_searcher, llm=llm))
    session = Session()
    first = chat.turn("waterproof bags under $60", [], [], session)
    assert first.cards and not llm.prompts  # the products come before any LLM call
    assert first.status.startswith("Wording")
    assert all(_pays(rows[c.product_id]) <= 60 for c in first.cards)
    assert first.filters.max_price == 60 and first.filters.category.casefold() == "bag"
    draft = first.history[-1]["content"]
    final = chat.phrase(first.history, session)
    if "Voyage Yoga Bag" in draft:
        assert final.history[-1]["content"] == reply and "LLM" in final.status
    else:
        assert final.history[-1]["content"] == draft and "template" in final.status
    assert [m["role"] for m in final.history] == ["user", "assistant"]
    assert session.pending is None and len(session.conversation.turns) == 2


def test_alternatives_are_shown_as_alternatives(chat: WebChat) -> None:
    """Cards for something the shop does not sell are headed as alternatives."""
    view = chat.turn("a led nightstand", [], [], Session())
    assert view.history[-1]["content"].startswith("Sorry, we don&#x27;t carry led nightstands.")
    assert view.cards and view.alternatives == "en"
    page = views.grid([c.html for c in view.cards], alternatives=view.alternatives)
    assert page.startswith('<p class="alternatives-note">Alternatives')
    found = chat.turn("waterproof bags under $60", [], [], Session())
    assert found.cards and found.alternatives is None
    assert "alternatives-note" not in views.grid([c.html for c in found.cards])
    chinese = chat.turn("50美元以下的鞋子", [], [], Session())
    assert chinese.alternatives == "zh"


def test_an_invented_price_never_replaces_the_template(
    demo_settings: Settings, demo_searcher: Searcher
) -> None:
    settings = demo_settings.model_copy(update={"llm": "none"})
    lying = ScriptedLLM("The Joust Duffle Bag costs $1 today.")
    chat = WebChat(Assistant(settings, searcher=demo_searcher, llm=lying))
    session = Session()
    shown = chat.turn("Joust Duffle Bag", [], [], session)
    final = chat.phrase(shown.history, session)
    assert "$1 " not in final.history[-1]["content"] and "$34" in final.history[-1]["content"]
    assert "template" in final.status and "check failed" in final.status


def test_compare_from_two_cards_gives_a_table_of_catalog_facts(
    chat: WebChat, rows: dict[str, Any]
) -> None:
    session = Session()
    view = chat.turn("bags", [], [], session)
    first, second = view.cards[0], view.cards[1]
    picked = chat.act("compare", first.product_id, view.history, session)
    assert first.name in picked.notice and not picked.table
    compared = chat.act("compare", second.product_id, picked.history, session)
    assert compared.table.startswith('<table class="comparison">')
    for card in (first, second):
        row = rows[card.product_id]
        assert row["name"] in compared.table
        assert f"${_pays(row):g}" in compared.table
    assert {c.product_id for c in compared.cards} == {first.product_id, second.product_id}
    chat.phrase(compared.history, session)
    assert session.conversation.focus == [first.product_id, second.product_id]


def test_more_like_this_and_details(chat: WebChat, rows: dict[str, Any]) -> None:
    session = Session()
    view = chat.turn("Joust Duffle Bag", [], [], session)
    joust = next(c for c in view.cards if c.name == "Joust Duffle Bag")
    similar = chat.act("similar", joust.product_id, view.history, session)
    assert similar.cards and joust.product_id not in {c.product_id for c in similar.cards}
    assert "similar to the Joust Duffle Bag" in similar.history[-2]["content"]
    details = chat.act("details", joust.product_id, similar.history, session)
    assert "Dual top handles" in details.details and "★" in details.details
    assert session.conversation.focus == [joust.product_id]


def test_filters_show_what_was_understood_and_change_the_results(
    chat: WebChat, rows: dict[str, Any]
) -> None:
    session = Session()
    view = chat.turn("women's jackets in blue under $80", [], [], session)
    understood = view.filters
    assert (understood.max_price, understood.color) == (80, "Blue")
    assert "women" in understood.also
    chat.phrase(view.history, session)
    cheaper = chat.apply_filters(
        Filters(max_price=50, category=understood.category, color=""), view.history, session
    )
    assert cheaper.cards and all(_pays(rows[c.product_id]) <= 50 for c in cheaper.cards)
    assert cheaper.filters.max_price == 50 and cheaper.filters.color == ""
    assert all("jacket" in rows[c.product_id]["categories"][0].casefold() for c in cheaper.cards)
    red = chat.apply_filters(Filters(category="Jackets", color="Red"), cheaper.history, session)
    assert red.cards and all("Red" in rows[c.product_id]["colors"] for c in red.cards)


def test_a_photo_turn_is_a_gallery_led_by_that_product(chat: WebChat) -> None:
    session = Session()
    view = chat.turn("", [str(BAG)], [], session)
    assert view.gallery and view.cards[0].name == "Joust Duffle Bag"
    assert view.history[0]["content"]["path"] == str(BAG)


def test_bad_photos_and_empty_messages_get_a_clear_message(chat: WebChat, tmp_path: Path) -> None:
    session = Session()
    empty = chat.turn("  ", [], [], session)
    assert empty.notice and not empty.history
    fake = tmp_path / "notes.jpg"
    fake.write_text("this is text, not a photo")
    bad = chat.turn("like this", [str(fake)], [], session)
    assert "not a photo" in bad.notice and not bad.cards
    assert "not a photo" in bad.history[-1]["content"]
    after = chat.turn("bags", [], bad.history, session)  # the chat goes on
    assert after.cards


def test_user_and_catalog_text_is_escaped_in_the_chat(chat: WebChat) -> None:
    session = Session()
    view = chat.turn("<img src=x onerror=alert(1)> bags", [], [], session)
    contents = " ".join(str(m["content"]) for m in view.history)
    assert "<img" not in contents and "&lt;img" in contents


def test_sessions_do_not_share_products_or_constraints(chat: WebChat) -> None:
    bags, jackets = Session(), Session()
    a = chat.turn("bags under $40", [], [], bags)
    b = chat.turn("women's jackets", [], [], jackets)
    chat.phrase(a.history, bags)
    chat.phrase(b.history, jackets)
    assert bags.conversation.shown and not set(bags.conversation.shown) & set(
        jackets.conversation.shown
    )
    assert jackets.conversation.constraints.price is None


def test_build_app_returns_blocks_without_launching(chat: WebChat) -> None:
    app = build_app(chat)
    assert isinstance(app, gr.Blocks) and not app.is_running
    config = json.dumps(app.config, default=str)
    for elem in ("chat", "ask", "comparison", "details", "max-price", "answer-status"):
        assert f'"elem_id": "{elem}"' in config
    assert re.search(r"text: e5.*LLM: none", config)


def test_a_decompression_bomb_is_refused_with_a_message(chat: WebChat, tmp_path: Path) -> None:
    from PIL import Image

    bomb = tmp_path / "bomb.png"
    Image.new("1", (12_000, 12_000)).save(bomb)  # 144 megapixels in a few kilobytes
    assert bomb.stat().st_size < 100_000
    view = chat.turn("", [str(bomb)], [], Session())
    assert "megapixels" in view.notice and not view.cards


def test_a_missing_llm_is_named_in_the_status(
    demo_settings: Settings, demo_searcher: Searcher, tmp_path: Path
) -> None:
    settings = demo_settings.model_copy(
        update={"llm": "llama-cpp", "llm_model": str(tmp_path / "missing.gguf")}
    )
    chat = WebChat(Assistant(settings, searcher=demo_searcher))
    status = chat.describe()
    assert "LLM: none (templated answers)" in status and "LLM unavailable" in status
    session = Session()
    view = chat.turn("bags", [], [], session)
    assert view.cards and not view.status  # nothing to wait for
    final = chat.phrase(view.history, session)
    assert "template" in final.status and final.history[-1] == view.history[-1]


def test_the_photo_fallback_is_announced(demo_settings: Settings, demo_searcher: Searcher) -> None:
    # The demo index was built offline, where CLIP weights cannot load; a later start
    # (a new Searcher over that index) must still say that the fallback serves.
    settings = demo_settings.model_copy(update={"llm": "none"})
    later = WebChat(Assistant(settings, searcher=Searcher(settings, progress=False)))
    assert later.assistant.searcher.manifest["embedders"]["image"]["name"] == "visual"
    assert "⚠ photos are matched by the visual fallback: clip could not load" in later.describe()


def test_like_this_but_in_blue_keeps_the_photos_kind(chat: WebChat, rows: dict[str, Any]) -> None:
    grey_hoodie = DEMO_CATALOG / "images" / "mh01-gray_main.jpg"
    kind = rows["MH01"]["categories"][0].split("/")[-1]
    view = chat.turn("like this but in blue", [str(grey_hoodie)], [], Session())
    top = [rows[c.product_id] for c in view.cards[:3]]
    assert all("Blue" in row["colors"] for row in top)
    assert all(kind in row["categories"][0] for row in top)
    assert all("– Blue" in c.html for c in view.cards[:3])  # the blue variant's photo
