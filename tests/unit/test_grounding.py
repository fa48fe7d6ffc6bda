"""The grounding check against fake LLM outputs over the demo catalog.

Correct phrasings (with numbers computed here from the records) must pass in both
languages; each kind of invention (price, rating, colour, material, product, currency,
wrong comparison) must be caught; and, by Hypothesis, any number that is not a fact,
inserted into a valid answer in any common form, must be caught.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assistant.facts import Facts, availability, compare, price_facts, review_facts
from assistant.grounding import catalog_vocabulary, check, numbers_in
from index.catalog import Catalog, load_catalog
from index.money import CENT
from index.records import Product
from index.settings import DEMO_CATALOG


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(DEMO_CATALOG)


@pytest.fixture(scope="module")
def vocab(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    return catalog_vocabulary(catalog.products)


def pair(catalog: Catalog) -> tuple[Product, Product]:
    duffle, backpack = catalog.get("24-MB01"), catalog.get("24-MB02")
    assert duffle is not None and backpack is not None
    return duffle, backpack


@pytest.fixture(scope="module")
def facts(catalog: Catalog) -> Facts:
    duffle, backpack = pair(catalog)
    parts = [compare([duffle, backpack]), availability(duffle), availability(backpack)]
    return Facts.of([duffle, backpack], parts)


def dollars(amount: float) -> str:
    return f"{amount:.0f}" if float(amount).is_integer() else f"{amount:.2f}"


def correct_sentences(catalog: Catalog) -> list[tuple[str, str]]:
    duffle, backpack = pair(catalog)
    cheap, dear = sorted([duffle, backpack], key=lambda p: p.effective_price)
    diff = dollars(dear.effective_price - cheap.effective_price)
    return [
        (f"The {cheap.name} is ${diff} cheaper than the {dear.name}.", "en"),
        (f"{cheap.name} 比 {dear.name} 便宜 {diff} 美元。", "zh"),
        (f"{dear.name} 比 {cheap.name} 贵 {diff}美元。", "zh"),
        (
            f"The {dear.name} costs ${dear.effective_price:.2f} and the {cheap.name} "
            f"${dollars(cheap.effective_price)}, so the {cheap.name} is ${diff} less expensive.",
            "en",
        ),
        (f"Both bags come in blue; the {backpack.name} also comes in gray.", "en"),
        (f"两款包都有蓝色，{backpack.name} 还有灰色。", "zh"),
        (f"The {duffle.name} is made of nylon and polyester.", "en"),
        (f"1. {cheap.name}: ${dollars(cheap.effective_price)}\n2. {dear.name}", "en"),
        (
            f"{backpack.name} rated {backpack.rating:.1f}/5 from {len(backpack.reviews)} reviews.",
            "en",
        ),
        (f"{backpack.name} 评分 {backpack.rating:.1f} 分（满分5分）。", "zh"),
        (f"The two {backpack.name}s are roomy.", "en"),  # plural name, count of products
    ]


def test_correct_phrasings_pass(catalog: Catalog, facts: Facts, vocab: dict[str, Any]) -> None:
    for text, lang in correct_sentences(catalog):
        result = check(text, facts, lang=lang, **vocab)
        assert result.ok, (text, result.problems)


def test_chinese_numerals_for_a_price(catalog: Catalog, vocab: dict[str, Any]) -> None:
    duffle = catalog.get("24-MB01")
    assert duffle is not None and duffle.effective_price == 34  # the words below say 34
    facts = Facts.of([duffle], [price_facts(duffle)])
    assert check(f"{duffle.name} 售价三十四美元。", facts, lang="zh", **vocab).ok
    assert not check(f"{duffle.name} 售价三十五美元。", facts, lang="zh", **vocab).ok
    assert not check(f"{duffle.name} 售价三十四元。", facts, lang="zh", **vocab).ok


BAD = [
    ("The {cheap} costs $19.", "en", "number"),
    ("The {cheap} is rated 4.5 stars.", "en", "number"),
    ("{cheap} 评分 4.8 分。", "zh", "number"),
    ("The {cheap} comes in red.", "en", "colour"),
    ("{cheap} 有粉色款。", "zh", "colour"),
    ("The {cheap} is made of leather.", "en", "material"),
    ("{cheap} 采用羊毛面料。", "zh", "material"),
    ("The {cheap} is cheaper than the Savvy Shoulder Tote.", "en", "product"),
    ("Try the Driven Backpacks instead.", "en", "product"),
    ("{cheap} 只要 {price} 元。", "zh", "currency"),
    ("{cheap} 只要 ¥{price}。", "zh", "currency"),
    ("The {cheap} is only €{price}.", "en", "currency"),
    ("{cheap} 只要 {price} 人民币。", "zh", "currency"),
    ("The {dear} is ${wrong} cheaper than the {cheap}.", "en", "number"),
    ("The {dear} is ${diff} cheaper than the {cheap}.", "en", "comparison"),
    ("{dear} 比 {cheap} 便宜 {diff} 美元。", "zh", "comparison"),
    ("The {cheap} costs more than the {dear}.", "en", "comparison"),
    ("It has 1,299 reviews.", "en", "number"),
    ("Save 50% today.", "en", "number"),
    ("{cheap} 有三十种颜色。", "zh", "number"),
    ("It is twenty-six dollars.", "en", "number"),
]


@pytest.mark.parametrize(("template", "lang", "kind"), BAD)
def test_inventions_are_caught(
    catalog: Catalog, facts: Facts, vocab: dict[str, Any], template: str, lang: str, kind: str
) -> None:
    cheap, dear = sorted(pair(catalog), key=lambda p: p.effective_price)
    diff = dear.effective_price - cheap.effective_price
    text = template.format(
        cheap=cheap.name,
        dear=dear.name,
        price=dollars(cheap.effective_price),
        diff=dollars(diff),
        wrong=dollars(diff + 1),
    )
    result = check(text, facts, lang=lang, **vocab)
    assert not result.ok, text
    assert any(p.startswith(kind) for p in result.problems), (text, result.problems)


def test_names_not_in_vocabulary_or_facts_are_not_guessed(facts: Facts) -> None:
    # Without the catalog's names, an unknown name cannot be recognised: say so.
    assert check("Try the Driven Backpack.", facts, lang="en").ok


def test_exemptions(catalog: Catalog, facts: Facts, vocab: dict[str, Any]) -> None:
    duffle, _ = pair(catalog)
    ok = [
        f"第1款是 {duffle.name}。",
        f"这是一款好包，十分耐用，{duffle.name} 便宜一点。",
        f"1) {duffle.name}",
        f"The {duffle.name} (24-MB01) is blue.",
    ]
    for text in ok:
        assert check(text, facts, lang="zh", **vocab).ok, text
    # a list marker past the number of products is a number like any other
    assert not check(f"7. {duffle.name}", facts, lang="en", **vocab).ok
    assert not check(f"第7款是 {duffle.name}。", facts, lang="zh", **vocab).ok


def test_special_price_facts_allow_was_and_now(catalog: Catalog, vocab: dict[str, Any]) -> None:
    tote = catalog.get("24-WB05")
    assert tote is not None and tote.special_price is not None
    facts = Facts.of([tote], [price_facts(tote), review_facts(tote)])
    saving = tote.price - tote.special_price
    text = (
        f"The {tote.name} is ${dollars(tote.special_price)} (was ${dollars(tote.price)}), "
        f"you save ${dollars(saving)} ({round(saving / tote.price * 100)}%)."
    )
    assert check(text, facts, lang="en", **vocab).ok
    invented = next(n for n in range(1, 100) if Decimal(n) not in facts.numbers())
    assert not check(f"The {tote.name} is ${invented}.", facts, lang="en", **vocab).ok


def test_numbers_in_reads_common_forms() -> None:
    values = [c.value for c in numbers_in("$34, 34.0, 1,299, 1.5k, 25%, 四点五分, 三十四美元")]
    # digits first, then Chinese numerals, each in text order
    assert values == [34, 34, 1299, 1500, 25, Decimal("4.5"), 34]


def test_fast(catalog: Catalog, facts: Facts, vocab: dict[str, Any]) -> None:
    texts = correct_sentences(catalog)
    check(texts[0][0], facts, lang="en", **vocab)  # compile the vocabulary once
    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        for text, lang in texts:
            check(text, facts, lang=lang, **vocab)
    per_call = (time.perf_counter() - start) / (rounds * len(texts))
    assert per_call < 0.001, per_call


FORMS = ["${n}", "{n} dollars", "{n} 美元", "{n}美元", "{n}%", "{n} stars", "{n}分", "{n} reviews"]


@settings(max_examples=200, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10_000_000),
    whole=st.booleans(),
    form=st.sampled_from(FORMS),
    where=st.integers(min_value=0, max_value=10),
)
def test_any_number_not_in_the_facts_is_caught(
    catalog: Catalog,
    facts: Facts,
    vocab: dict[str, Any],
    cents: int,
    whole: bool,
    form: str,
    where: int,
) -> None:
    value = Decimal(cents // 100) if whole else Decimal(cents) / 100
    assume(value.quantize(CENT) not in facts.numbers())
    number = f"{value:,}" if whole and value >= 1000 and where % 2 else str(value)
    claim = form.format(n=number)
    sentences = correct_sentences(catalog)
    text, lang = sentences[where % len(sentences)]
    result = check(f"{text} {claim}", facts, lang=lang, **vocab)
    assert not result.ok, (text, claim)
    assert any("number" in p for p in result.problems), result.problems


def test_a_runaway_number_is_a_problem_not_a_crash(
    facts: Facts, vocab: dict[str, tuple[str, ...]]
) -> None:
    text = "The Joust Duffle Bag costs $" + "3" * 40 + "."
    result = check(text, facts, lang="en", **vocab)
    assert not result.ok and any("number not in the facts" in p for p in result.problems)
