"""The page in a real browser: ``python app.py`` on 127.0.0.1, Debian's Chromium.

The app runs as the README runs it, with the default local LLM (Qwen2.5-0.5B), on
the demo catalog and the test session's demo index. Each test is a new browser
context, so a new shopper session. Every step saves a screenshot under
``artifacts/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, sync_playwright

from benchmarks.shop_page import AppServer, ShopPage, launch_browser
from index.search import Searcher
from index.settings import DEMO_CATALOG, PROJECT_ROOT, Settings

pytestmark = pytest.mark.slow

BAG_PHOTO = DEMO_CATALOG / "images" / "mb01-blue-0.jpg"


@pytest.fixture(scope="module")
def server(demo_settings: Settings, demo_searcher: Searcher) -> Iterator[AppServer]:
    log = PROJECT_ROOT / "artifacts" / "app-e2e.log"
    args = ("--catalog", str(DEMO_CATALOG), "--index", str(demo_settings.index_dir), "--offline")
    with AppServer(*args, log=log) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def shop(server: AppServer, browser: Browser) -> Iterator[ShopPage]:
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    yield ShopPage(context.new_page(), server.url)
    context.close()


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, Any]]:
    lines = (DEMO_CATALOG / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
    return {row["name"]: row for row in map(json.loads, lines)}


def _dollars(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\$(\d+(?:\.\d+)?)", text)]


def test_a_typed_query_shows_cards_and_a_checked_answer(
    shop: ShopPage, rows: dict[str, Any]
) -> None:
    status = shop.page.inner_text("#models")
    assert "text: e5" in status and "LLM: llama-cpp (qwen2.5-0.5b" in status
    shop.ask("waterproof bags under $60")
    names = shop.card_names()
    assert names and all(name in rows for name in names)
    assert all(rows[name]["price"] <= 60 for name in names)
    answer = shop.last_answer()
    assert any(name in answer for name in names)
    assert all(price <= 60 for price in _dollars(answer))
    assert re.search(
        r"Answer (worded by the LLM|from the template)", shop.page.inner_text("#answer-status")
    )
    assert shop.page.input_value("#max-price input") == "60"
    images = shop.page.locator("#cards article.card img")
    assert images.count() == len(names) and all(
        images.nth(i).get_attribute("alt") for i in range(len(names))
    )
    shop.screenshot("01-text-query.png")


def test_an_uploaded_photo_finds_its_product(shop: ShopPage) -> None:
    shop.upload(BAG_PHOTO)
    assert "Joust Duffle Bag" in shop.card_names()[:3]
    assert shop.page.locator("#cards .cards-grid.gallery").count() == 1
    assert shop.page.locator("#chat .user-row img").count() == 1  # the shopper's photo
    shop.screenshot("02-photo-query.png")


@pytest.mark.parametrize("how", ["paste", "drop"])
def test_a_pasted_or_dropped_photo_with_words(shop: ShopPage, how: str) -> None:
    shop.upload(BAG_PHOTO, "like this", how=how)
    assert "Joust Duffle Bag" in shop.card_names()[:3]
    assert "like this" in shop.page.inner_text("#chat")


def test_a_comparison_is_a_table_of_catalog_facts(shop: ShopPage, rows: dict[str, Any]) -> None:
    shop.ask("Which is cheaper, the Joust Duffle Bag or the Fusion Backpack, and by how much?")
    table = shop.page.inner_text("#comparison table")
    joust, fusion = rows["Joust Duffle Bag"], rows["Fusion Backpack"]
    assert f"${joust['price']:g}" in table and f"${fusion['price']:g}" in table
    assert shop.page.locator("#comparison table img").count() == 2
    answer = shop.last_answer()
    assert "Joust Duffle Bag" in answer and "25" in answer
    shop.screenshot("03-comparison.png")


def test_chinese_questions_get_chinese_answers(shop: ShopPage) -> None:
    shop.ask("有没有100美元以下的女士夹克？")
    answer = shop.last_answer()
    assert re.search(r"[\u4e00-\u9fff]", answer) and "美元" in answer
    assert shop.card_names() and "颜色" in shop.page.inner_text("#cards")
    shop.screenshot("04-chinese.png")


def test_card_buttons_and_filters(shop: ShopPage, rows: dict[str, Any]) -> None:
    shop.ask("bags")
    first, second = shop.card_names()[:2]
    shop.click_card(0, "details", answered=False)
    shop.page.wait_for_selector("#details section.details")
    assert first in shop.page.inner_text("#details")
    shop.click_card(0, "compare", answered=False)
    shop.page.wait_for_function(
        "document.querySelector('#answer-status').innerText.includes('Picked')"
    )
    shop.click_card(1, "compare")
    table = shop.page.inner_text("#comparison table")
    assert first in table and second in table
    shop.screenshot("05-card-actions.png")
    shop.ask("jackets")
    before = shop.answers()
    shop.page.fill("#max-price input", "50")
    shop.page.click("#apply-filters")
    shop.wait_for_answer(before)
    names = shop.card_names()
    assert names and all(
        rows[n]["price"] <= 50 or rows[n].get("special_price", 99) <= 50 for n in names
    )
    shop.screenshot("06-filters.png")


def test_markup_in_a_message_is_shown_as_text(shop: ShopPage) -> None:
    shop.ask('<img src=x onerror="window.__pwned = 1"> bags')
    assert shop.page.evaluate("window.__pwned") is None
    assert '<img src=x onerror="window.__pwned = 1">' in shop.page.inner_text("#chat")


def test_a_phone_width_page_has_no_sideways_scroll(server: AppServer, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    shop = ShopPage(context.new_page(), server.url)
    shop.ask("women's tees")
    assert shop.card_names()
    overflow = shop.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    shop.screenshot("07-phone.png")
    context.close()


def test_the_keyboard_reaches_a_cards_buttons(shop: ShopPage) -> None:
    shop.ask("backpacks")
    shop.page.focus("#cards article.card .act-details")
    shop.page.keyboard.press("Enter")
    shop.page.wait_for_selector("#details section.details")
    name = shop.card_names()[0]
    assert name in shop.page.inner_text("#details")
    label = shop.page.get_attribute("#cards article.card .act-details", "aria-label")
    assert label == f"Details: {name}"


def test_two_shoppers_at_once_see_only_their_own_answers(
    server: AppServer, browser: Browser, rows: dict[str, Any]
) -> None:
    contexts = [browser.new_context() for _ in range(2)]
    bags, tees = (ShopPage(c.new_page(), server.url) for c in contexts)
    for shop, text in ((bags, "bags"), (tees, "women's tees")):
        shop.page.fill("#ask textarea", text)
    bags.page.press("#ask textarea", "Enter")
    tees.page.press("#ask textarea", "Enter")  # queued behind the first, not mixed with it
    bags.wait_for_answer(0)
    tees.wait_for_answer(0)
    bag_names, tee_names = bags.card_names(), tees.card_names()
    assert all("Gear/Bags" in rows[n]["categories"] for n in bag_names)
    assert all("tee" in rows[n]["categories"][0].casefold() for n in tee_names)
    assert "bags" not in tees.page.inner_text("#chat")
    assert "tees" not in bags.page.inner_text("#chat")
    for context in contexts:
        context.close()
