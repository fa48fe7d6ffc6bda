"""What a shopper waits for in the browser: first cards, first answer text, checked answer.

Starts ``python app.py`` (default LLM, demo catalog) on 127.0.0.1 and asks each
question in a new browser session (Debian's Chromium through Playwright), timing
from the key press to:

- the first product card on the page;
- the first answer text in the chat (the templated answer, shown with the cards);
- the final answer (the LLM's wording once checked, or the template).

The baseline in the same run is that last figure: a page that waits for the model
before showing anything would show the cards then. The app's resident memory
(current and peak) with the default LLM loaded is read from /proc. Run:

    .venv/bin/python -m benchmarks.ui_latency [--repeat 2] [--index DIR]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from playwright.sync_api import sync_playwright

from benchmarks.shop_page import ANSWER_TIMEOUT_MS, AppServer, ShopPage, launch_browser
from index.settings import DEMO_CATALOG, PROJECT_ROOT

QUESTIONS = (
    "waterproof bags under $60",
    "Which is cheaper, the Joust Duffle Bag or the Fusion Backpack?",
    "women's jackets in blue",
    "men's shorts under $40",
    "yoga pants for women",
    "What do reviewers say about the Josie Yoga Jacket?",
    "有没有100美元以下的女士夹克？",
    "比较 Joust Duffle Bag 和 Fusion Backpack",
    "红色的瑜伽裤",
    "男士T恤",
)
PHOTOS = ("mb01-blue-0.jpg", "mh01-gray_main.jpg", "luma-yoga-brick.jpg")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--index", help="index folder (default: the app's own)")
    args = parser.parse_args(argv)
    extra = ("--index", args.index) if args.index else ()
    log = PROJECT_ROOT / "artifacts" / "ui-latency-app.log"
    photos = [DEMO_CATALOG / "images" / name for name in PHOTOS]
    photos = [p for p in photos if p.exists()]
    times: dict[str, list[tuple[float, float, float]]] = {"text": [], "photo": []}
    started = time.perf_counter()
    with AppServer("--catalog", str(DEMO_CATALOG), "--offline", *extra, log=log) as server:
        print(f"app serving after {time.perf_counter() - started:.1f} s: {server.url}")
        with sync_playwright() as playwright:
            browser = launch_browser(playwright)
            _measure(browser, server.url, QUESTIONS[:2], None)  # warm-up, not counted
            for _ in range(args.repeat):
                times["text"] += _measure(browser, server.url, QUESTIONS, None)
                times["photo"] += _measure(browser, server.url, photos, "photo")
            browser.close()
        rss, peak = server.rss_mb()
    heads = ("first card", "first answer", "checked answer")
    print("\n" + f"{'turns':<7}{'n':>4}" + "".join(f"  {h:>16}" for h in heads))
    print(f"{'':<11}" + "".join(f"  {'p50 / p95 s':>16}" for _ in heads))
    for kind, rows in times.items():
        if not rows:
            continue
        columns = np.array(rows)
        cells = [f"{_p(columns[:, i], 50):.2f} / {_p(columns[:, i], 95):.2f}" for i in range(3)]
        print(f"{kind:<7}{len(rows):>4}  {cells[0]:>16}  {cells[1]:>16}  {cells[2]:>16}")
    every = np.array(times["text"] + times["photo"])
    ratio = np.median(every[:, 2]) / np.median(every[:, 0])
    print(
        f"\nfirst cards come {ratio:.1f}x sooner than a page that waits for the checked "
        "answer (the baseline: the last column)"
    )
    print(f"app memory with the default LLM loaded: RSS {rss:.0f} MB, peak {peak:.0f} MB")
    return 0


def _measure(browser, url: str, items, kind: str | None) -> list[tuple[float, float, float]]:  # type: ignore[no-untyped-def]
    """(first card, first answer, checked answer) seconds for each item, new session each."""
    out = []
    for item in items:
        context = browser.new_context(viewport={"width": 1200, "height": 1000})
        shop = ShopPage(context.new_page(), url)
        page = shop.page
        if kind == "photo":
            page.set_input_files("#ask input[type=file]", str(item))
            page.wait_for_selector("#ask img", timeout=ANSWER_TIMEOUT_MS)
            start = time.perf_counter()
            page.click("#ask .submit-button")
        else:
            page.fill("#ask textarea", item)
            start = time.perf_counter()
            page.press("#ask textarea", "Enter")
        page.wait_for_selector("#cards article.card", timeout=ANSWER_TIMEOUT_MS)
        card = time.perf_counter() - start
        page.wait_for_selector("#chat .bot-row", timeout=ANSWER_TIMEOUT_MS)
        first = time.perf_counter() - start
        shop.wait_for_answer(0)
        out.append((card, first, time.perf_counter() - start))
        context.close()
    return out


def _p(values: np.ndarray, q: float) -> float:
    return float(np.percentile(values, q))


if __name__ == "__main__":
    raise SystemExit(main())
