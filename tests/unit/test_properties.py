"""Hypothesis properties of the catalog loader, the price parser and the grounding check.

Each property states an invariant that the code could break, checked against an oracle
written here from the documentation, not from the implementation:

- the loader accepts exactly the rows ``docs/catalog-format.md`` calls valid, in order,
  first id wins; every other row is reported on its own line; every product has a
  non-blank id and name and prices from 0 to the catalog's ``MAX_PRICE``; nothing is
  raised but ``CatalogError``, and that only when no row is usable;
- a price phrase with an amount N ("under $N", "N美元以下", "五十到八十元") parses to
  exactly that bound, whatever the shopper says around it; arbitrary text never raises;
- an answer built from the templates passes the grounding check, and the same answer
  with one number that is not a fact ("$12.34", "12.34 美元", "三十四美元") fails it.

Bugs the properties found are regression tests at the end, each with its minimal
example (a "²" rating, an id of 0, a JSON string row, a sub-cent price, a list with a
special price); a strategy that once had to leave such an input out says so.
Profiles are derandomised and database-free, so CI sees the same examples every run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assistant import templates
from assistant.facts import (
    Facts,
    availability,
    cheaper_alternatives,
    compare,
    price_facts,
    review_facts,
)
from assistant.grounding import check
from index.catalog import build_catalog, load_catalog
from index.errors import CatalogError
from index.money import CENT, MAX_ASKED_PRICE, MAX_PRICE
from index.prices import parse_price
from index.query import QueryParser
from index.records import Product, Review

# Fast pure properties keep Hypothesis' deadline; those that touch disk or load jieba
# (about a second on first use) do not, so that a slow CI machine cannot fail them.
PURE = settings(max_examples=200, derandomize=True, database=None)
SLOW = settings(max_examples=150, derandomize=True, database=None, deadline=None)

# -- 1. the catalog loader -------------------------------------------------------------

# Integers run past float range (10**400 used to overflow math.isfinite). Unicode digits
# that int() refuses ("²") have their own regression test below.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),  # NaN and ±inf included
    st.text(max_size=12),
)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)
money_like = st.one_of(
    st.floats(min_value=0, max_value=1e7),
    st.integers(min_value=-5, max_value=10**6),
    st.sampled_from([MAX_PRICE, MAX_PRICE + 1, 1e300, 10**309, -0.0]),
    st.sampled_from(["$19.5", " 12 ", "-5", "nan", "inf", "1e400", "١٢", "", "abc", "$"]),
    junk,
)
# 0 as an id has its own regression test below (it used to be read as "no id").
id_like = st.one_of(st.text(max_size=6), st.integers(1, 99), junk).filter(
    lambda v: not (isinstance(v, int | float) and not isinstance(v, bool) and v == 0)
)
name_like = st.one_of(st.text(max_size=10), st.sampled_from([" ", "\t\x1c", "Tee"]), junk)
image_file = st.one_of(
    st.sampled_from(["photo.jpg", "./photo.jpg", "../photo.jpg", "/etc/hostname", "a\x00b"]),
    st.text(max_size=20),
)


def _int_refuses(value: object) -> bool:
    """A rating string that looks numeric to isdigit() but not to int(): "²"."""
    return isinstance(value, str) and value.strip().isdigit() and not value.strip().isdecimal()


rating_like = st.one_of(st.integers(-1, 7), st.floats(0, 6), st.sampled_from(["4", " 5 "]), junk)
row_dicts = st.fixed_dictionaries(
    {},
    optional={
        "id": id_like,
        "sku": id_like,
        "name": name_like,
        "price": money_like,
        "special_price": money_like,
        "msrp": money_like,
        "price_range": st.fixed_dictionaries({}, optional={"min": money_like, "max": money_like})
        | junk,
        "variants": st.lists(
            st.fixed_dictionaries(
                {},
                optional={"price": money_like}
                | {k: junk for k in ("sku", "color", "size", "name", "option")},
            )
            | junk,
            max_size=3,
        )
        | junk,
        "images": st.lists(
            image_file | st.fixed_dictionaries({"file": image_file | junk, "view": junk}),
            max_size=3,
        )
        | junk,
        "reviews": st.lists(
            st.fixed_dictionaries({"rating": rating_like.filter(lambda v: not _int_refuses(v))})
            | junk,
            max_size=3,
        )
        | junk,
        "attributes": st.dictionaries(st.text(max_size=4), junk, max_size=3) | junk,
        "colors": st.lists(st.text(max_size=5), max_size=3) | junk,
        "currency": junk,
        "description": junk,
        "links": st.fixed_dictionaries({"related": junk}) | junk,
    },
)
rows = st.one_of(row_dicts, row_dicts, row_dicts, junk)


def _text_field(value: Any) -> str | None:
    """docs/catalog-format.md: a non-blank string, or a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _valid_price(value: Any) -> bool:
    """A number from 0 to the catalog's MAX_PRICE; a string such as "$19.5" is accepted."""
    if isinstance(value, str):
        try:
            value = float(value.strip().lstrip("$"))
        except ValueError:
            return False
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return 0 <= value <= MAX_PRICE  # False for NaN; no float() of a huge int


def expected_ids(numbered: Iterable[tuple[int, Any]]) -> dict[int, str]:
    """Line -> id of the rows the documented format accepts; the first of an id wins."""
    accepted: dict[int, str] = {}
    for line, row in numbered:
        if not isinstance(row, dict):
            continue
        raw_id = row.get("id")
        if raw_id is None or raw_id == "" or raw_id is False or raw_id in ([], {}):
            raw_id = row.get("sku")  # "id: yes (or sku)"
        pid, name = _text_field(raw_id), _text_field(row.get("name"))
        if pid and name and _valid_price(row.get("price")) and pid not in accepted.values():
            accepted[line] = pid
    return accepted


def _finite_money(value: float | None) -> bool:
    return value is None or 0 <= value <= MAX_PRICE


def assert_loaded_as_documented(load: Any, numbered: list[tuple[int, Any]], root: Path) -> None:
    """``load()`` keeps exactly the valid rows and reports every other one on its line."""
    accepted = expected_ids(numbered)
    try:
        catalog = load()
    except CatalogError:
        assert not accepted, "a catalog with usable rows was refused"
        return
    assert [p.id for p in catalog.products] == list(accepted.values())
    rejected = {line for line, _ in numbered if line not in accepted}
    lines = {p.line for p in catalog.problems}
    assert rejected <= lines, "every rejected row is reported on its line"
    assert lines <= {line for line, _ in numbered}
    skipped = {p.line for p in catalog.problems if p.message.startswith("skipped")}
    assert not skipped & set(accepted), "a row that loaded was reported as skipped"
    for product in catalog.products:
        assert product.id and product.id == product.id.strip() and product.name.strip()
        assert _finite_money(product.price) and _finite_money(product.effective_price)
        assert product.effective_price <= product.price
        assert _finite_money(product.special_price) and _finite_money(product.msrp)
        assert all(_finite_money(v.price) for v in product.variants)
        if product.price_range is not None:
            low, high = product.price_range
            assert _finite_money(low) and _finite_money(high) and low <= high
        assert all(1 <= r.rating <= 5 for r in product.reviews)
        for image in product.images:
            assert image.path.is_relative_to(root.resolve()) and image.path.is_file()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A catalog folder with one real photo, rewritten by each example."""
    root = tmp_path_factory.mktemp("shop")
    (root / "photo.jpg").write_bytes(b"\xff\xd8 not decoded by the loader")
    return root


@SLOW
@given(
    st.lists(
        st.tuples(st.integers(1, 3), rows | st.text(max_size=20).map(lambda s: "skipped: " + s)),
        max_size=8,
    )
)
def test_build_catalog_keeps_exactly_the_valid_rows(
    shop: Path, gaps_and_rows: list[tuple[int, Any]]
) -> None:
    numbered, line = [], 0
    for gap, row in gaps_and_rows:  # line numbers increase, with gaps for blank lines
        line += gap
        numbered.append((line, row))
    assert_loaded_as_documented(
        lambda: build_catalog(shop, shop / "catalog.jsonl", numbered), numbered, shop
    )


raw_lines = st.one_of(
    rows.map(lambda row: json.dumps(row).encode()),
    rows.map(lambda row: json.dumps(row, ensure_ascii=False).encode()),
    st.text(max_size=30).map(lambda s: s.replace("\n", " ").encode()),
    st.sampled_from([b"{not json", b"[1, 2]", b"null", b'"x"', b"NaN", b"\xff\xfe{}", b"  "]),
    st.sampled_from([b"[" * 5_000, b'{"price": ' + b"1" * 4301 + b"}"]),  # json's own limits
    rows.map(lambda row: b"\xef\xbb\xbf" + json.dumps(row).encode()),  # a byte-order mark
)


@SLOW
@given(st.lists(raw_lines, max_size=8))
def test_load_catalog_keeps_exactly_the_valid_lines(shop: Path, lines: list[bytes]) -> None:
    (shop / "catalog.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    numbered: list[tuple[int, Any]] = []
    for number, raw in enumerate(lines, start=1):
        try:  # an editor's byte-order mark is allowed at the start of the file
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            numbered.append((number, None))  # not UTF-8: rejected
            continue
        if not text.strip():
            continue  # blank lines are ignored, not reported
        try:
            numbered.append((number, json.loads(text)))
        except (ValueError, RecursionError):
            numbered.append((number, None))  # not JSON: rejected
    assert_loaded_as_documented(lambda: load_catalog(shop), numbered, shop)


# -- 2. price phrases and the query parser ---------------------------------------------

_ZH_DIGITS = "零一二三四五六七八九"


def _zh_section(n: int) -> str:
    """1 <= n <= 9999 in Chinese numerals, zeros inside read as one 零: 1005 -> 一千零五."""
    out, gap = [], False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // value % 10
        if digit == 0:
            gap = gap or bool(out)
            continue
        out.append(("零" if gap else "") + _ZH_DIGITS[digit] + unit)
        gap = False
    return "".join(out)


def chinese_numeral(n: int) -> str:
    """The standard reading of 1 <= n < 10**8: 120 -> 一百二十, 10010 -> 一万零一十, 10 -> 十."""
    high, low = divmod(n, 10_000)
    text = _zh_section(high) + "万" if high else ""
    if low:
        text += ("零" if high and low < 1000 else "") + _zh_section(low)
    return text[1:] if text.startswith("一十") else text


def test_chinese_numeral_reference() -> None:
    cases = {10: "十", 15: "十五", 110: "一百一十", 1005: "一千零五", 10010: "一万零一十"}
    cases |= {120: "一百二十", 100_000: "十万", 1_050_000: "一百零五万", 20_000: "二万"}
    assert {n: chinese_numeral(n) for n in cases} == cases


def _fullwidth(text: str) -> str:
    return text.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))


@st.composite
def amounts(draw: st.DrawFn) -> tuple[str, float]:
    """(as written, value): "50", "1,299", "49.99", "1.5k", up to MAX_ASKED_PRICE."""
    cents = draw(st.integers(min_value=0, max_value=int(MAX_ASKED_PRICE) * 100))
    form = draw(st.sampled_from(["int", "grouped", "cents", "grouped cents", "k"]))
    whole = cents // 100
    if form == "int":
        return str(whole), float(whole)
    if form == "grouped":
        return f"{whole:,}", float(whole)
    if form == "grouped cents":
        return f"{cents / 100:,.2f}", cents / 100
    if form == "k":
        tenths = whole // 100 % 10_000  # 12.3k at most, below MAX_ASKED_PRICE
        return f"{tenths / 10:g}k", tenths * 100.0
    return f"{cents / 100:.2f}", cents / 100


EN_UPPER = [
    "under ${n}", "below {n} dollars", "less than ${n}", "no more than {n} bucks",
    "not more than ${n}", "max ${n}", "${n} max", "at most ${n}", "up to ${n}",
    "within ${n}", "budget of ${n}", "${n} or less", "under {n}€", "under USD {n}",
    "{n} USD or less", "under US${n}", "<= ${n}", "≤{n}", "cheaper than ${n}", "under {n}",
]  # fmt: skip
ZH_UPPER = [
    "{n}美元以下", "{n}元以下", "{n}块以内", "不超过{n}美元", "低于{n}元", "最多{n}美元",
    "预算{n}美元以内", "{n}以下", "少于{n}块钱", "不到{n}元",
]  # fmt: skip
EN_LOWER = ["over ${n}", "above {n} dollars", "at least ${n}", "${n} or more", "from ${n}"]
ZH_LOWER = ["{n}美元以上", "超过{n}元", "至少{n}块", "不低于{n}美元"]
RANGES = [
    "between ${a} and ${b}", "{a} to {b} dollars", "${a}-${b}", "from {a} to {b} usd",
    "{a}到{b}美元", "{a}至{b}元", "在{a}和{b}之间", "{a}~{b}元",
]  # fmt: skip
# What a shopper says around the phrase; nothing here is a number or glued to one.
BEFORE = ["", "blue hoodie ", "any jackets ", "我想要", "有没有", "女士夹克 ", "size 32 jeans ",
          "2 pairs of socks ", "尺码32的裤子", "ViT-B-32 ", "20% off tees "]  # fmt: skip
AFTER = ["", " please", " for men", "的卫衣", "，谢谢", "?", " in size 32", ", 2 pairs", " 3件"]


@st.composite
def phrases(draw: st.DrawFn, forms: list[str]) -> tuple[str, float]:
    """A phrase of ``forms`` around an amount, in digits, full-width or Chinese numerals."""
    form = draw(st.sampled_from(forms))
    written, value = draw(amounts())
    chinese = not form.isascii()
    if chinese and draw(st.booleans()):
        written = _fullwidth(f"{value:.0f}" if value.is_integer() else f"{value:.2f}")
    if chinese and value.is_integer() and 1 <= value < 10**8 and draw(st.booleans()):
        written = chinese_numeral(int(value))
        if written[0] == "二" and written[1:2] in ("百", "千", "万") and draw(st.booleans()):
            written = "两" + written[1:]  # 两百 is how 200 is said
        assume(len(written) <= 12)  # longer runs are not read as prices
    text = draw(st.sampled_from(BEFORE)) + form.format(n=written) + draw(st.sampled_from(AFTER))
    return text, value


@SLOW
@given(phrases(EN_UPPER + ZH_UPPER))
def test_a_ceiling_phrase_parses_to_its_amount(
    parser: QueryParser, phrase: tuple[str, float]
) -> None:
    text, value = phrase
    price = parser.parse(text).constraints.price
    assert price is not None, text
    assert price.low is None and price.high == pytest.approx(value), (text, price)
    assert text[price.span[0] : price.span[1]] == price.text


@PURE
@given(phrases(EN_LOWER + ZH_LOWER))
def test_a_floor_phrase_parses_to_its_amount(phrase: tuple[str, float]) -> None:
    text, value = phrase
    price = parse_price(text)
    assert price is not None, text
    assert price.high is None and price.low == pytest.approx(value), (text, price)


@st.composite
def ranges(draw: st.DrawFn) -> tuple[str, float, float]:
    form = draw(st.sampled_from(RANGES))
    a = draw(st.integers(min_value=1, max_value=100_000))
    b = draw(st.integers(min_value=1, max_value=100_000))
    if "和" in form:  # no currency: two whole numbers in 1900-2100 are read as years
        assume(not (1900 <= a <= 2100 and 1900 <= b <= 2100))
    if not form.isascii() and draw(st.booleans()):  # "五十到八十元"
        return form.format(a=chinese_numeral(a), b=chinese_numeral(b)), min(a, b), max(a, b)
    return form.format(a=a, b=b), min(a, b), max(a, b)


@PURE
@given(ranges())
def test_a_range_phrase_parses_to_its_ends_in_order(phrase: tuple[str, float, float]) -> None:
    text, low, high = phrase
    price = parse_price(text)
    assert price is not None, text
    assert (price.low, price.high) == (low, high), text


PRICE_WORDS = [
    "under", "$", "50", "1,299", ".5", "k", "到", "以下", "美元", "元", "-", "between",
    "and", "五十", "万", "，", "５", "or less", "size", "%", " ", "\x00", "\u200b", "𝟓",
]  # fmt: skip


@SLOW
@given(st.text() | st.lists(st.sampled_from(PRICE_WORDS), max_size=10).map("".join))
def test_any_text_parses_without_raising(parser: QueryParser, text: str) -> None:
    parsed = parser.parse(text)
    price = parsed.constraints.price
    if price is not None:
        assert text[price.span[0] : price.span[1]] == price.text
        assert price.low is None or price.high is None or price.low <= price.high
        for bound in (price.low, price.high):
            assert bound is None or (math.isfinite(bound) and bound >= 0)
    assert parsed.lang in ("en", "zh")


# -- 3. the grounding check ------------------------------------------------------------

NAMES = ["Harbor Tee", "Summit Hoodie", "Canyon Backpack", "Delta Pants", "Ridge Jacket"]


@st.composite
def shop_products(draw: st.DrawFn) -> list[Product]:
    """Two to four products with whole-cent prices, some on special, random reviews."""
    count = draw(st.integers(min_value=2, max_value=4))
    names = draw(st.permutations(NAMES))[:count]
    products = []
    for index, name in enumerate(names):
        cents = draw(st.integers(min_value=1, max_value=500_000))
        special = draw(st.none() | st.integers(min_value=0, max_value=cents - 1))
        ratings = draw(st.lists(st.integers(min_value=1, max_value=5), max_size=6))
        products.append(
            Product(
                id=f"P{index}",
                name=name,
                price=cents / 100,
                special_price=None if special is None else special / 100,
                categories=("Shop/Things",),
                colors=tuple(draw(st.lists(st.sampled_from(["Red", "Blue"]), unique=True))),
                reviews=tuple(Review(rating=r) for r in ratings),
            )
        )
    return products


def templated_answers(products: list[Product], lang: str) -> list[tuple[str, Facts]]:
    """What the templates would say about these products, with the facts behind each."""
    first, *others = products
    pf, stock, stats = price_facts(first), availability(first), review_facts(first)
    table = compare(products[:2])
    picks = cheaper_alternatives(first, others)
    return [
        (templates.found(products, lang), Facts.of(products)),
        (templates.about(pf, stock, (), lang), Facts.of([first], [pf, stock])),
        (templates.reviews(first.name, stats, lang), Facts.of([first], [stats])),
        (templates.comparison(table, lang), Facts.of(products[:2], [table])),
        (templates.suggestions(first.name, picks, lang), Facts.of([first], picks)),
    ]


@PURE
@given(shop_products(), st.sampled_from(["en", "zh"]))
def test_the_templates_restating_facts_pass(products: list[Product], lang: str) -> None:
    for text, facts in templated_answers(products, lang):
        result = check(text, facts, lang=lang, known_names=NAMES)
        assert result.ok, (text, result.problems)


_EN_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
]  # fmt: skip
_EN_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def english_words(n: int) -> str:
    """0 <= n < 1000 spelled out: 126 -> "one hundred and twenty-six"."""
    hundreds, rest = divmod(n, 100)
    words = [f"{_EN_ONES[hundreds]} hundred"] if hundreds else []
    if rest or not hundreds:
        tens, ones = divmod(rest, 10)
        below = (
            _EN_ONES[rest]
            if rest < 20
            else _EN_TENS[tens - 2] + (f"-{_EN_ONES[ones]}" * bool(ones))
        )
        words.append(below)
    return " and ".join(words)


# How an LLM might state a price; {n} is written as templates.money() writes amounts.
CLAIMS = ["${n}", "US${n}", "{n} 美元", "{n}美元", "{n} dollars", "{n} USD", "{n} bucks"]


@st.composite
def invented_claims(draw: st.DrawFn) -> tuple[str, Decimal]:
    """A price claim as an LLM might write it: "$12.34", "12.34 美元", "三十四美元"."""
    cents = draw(st.integers(min_value=0, max_value=10**9))
    value = Decimal(cents) / 100
    if draw(st.booleans()):
        value = Decimal(cents // 100)
    whole = value == value.to_integral_value()
    form = draw(st.sampled_from(["digits", "chinese", "english"]))
    if form == "chinese" and whole and 1 <= value < 10**8:
        return chinese_numeral(int(value)) + draw(st.sampled_from(["美元", " 美元", "美金"])), value
    if form == "english" and whole and value < 1000:
        return english_words(int(value)) + draw(st.sampled_from([" dollars", " bucks"])), value
    written = f"{value:.0f}" if whole else f"{value:.2f}"
    if whole and value >= 1000 and draw(st.booleans()):
        written = f"{value:,.0f}"
    return draw(st.sampled_from(CLAIMS)).format(n=written), value


@PURE
@given(shop_products(), st.sampled_from(["en", "zh"]), invented_claims(), st.integers(0, 4))
def test_a_number_not_in_the_facts_is_caught(
    products: list[Product], lang: str, claim: tuple[str, Decimal], which: int
) -> None:
    text, facts = templated_answers(products, lang)[which]
    written, value = claim
    assume(value.quantize(CENT) not in facts.numbers())
    result = check(f"{text} {written}", facts, lang=lang, known_names=NAMES)
    assert not result.ok, (text, written)
    assert any(p.startswith("number not in the facts") for p in result.problems), result.problems


# -- minimal examples the properties found -------------------------------------------
# The first three crashed the loader until index/catalog.py learnt to compare rather
# than call math.isfinite, and to catch json's ValueError; kept as plain regressions.


def test_price_beyond_float_range_is_a_skipped_row(shop: Path) -> None:
    numbered = [(1, {"id": "a", "name": "a", "price": 10**309})]
    with pytest.raises(CatalogError, match="price"):
        build_catalog(shop, shop / "catalog.jsonl", numbered)


def test_attribute_beyond_float_range_is_ignored(shop: Path) -> None:
    numbered = [(1, {"id": "a", "name": "a", "price": 0, "attributes": {"x": 10**309}})]
    assert build_catalog(shop, shop / "catalog.jsonl", numbered).products[0].attributes == {}


def test_integer_over_the_digit_limit_is_invalid_json(shop: Path) -> None:
    (shop / "catalog.jsonl").write_text('{"id": "a", "name": "a", "price": 0}\n' + "1" * 4301)
    catalog = load_catalog(shop)
    assert [(p.line, "invalid JSON" in p.message) for p in catalog.problems] == [(2, True)]


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("ViT-B-32 max $0", None, 0),  # the property's minimal example
        ("size 32 max $50", None, 50),
        ("size 32 at most 40 dollars", None, 40),
        ("ViT-B-32 at least $50", 50, None),
        ("size 32 or less than $50", None, 50),
    ],
)
def test_a_refused_number_leaves_its_comparative_to_the_next(
    text: str, low: float | None, high: float | None
) -> None:
    # prices.py used to let the refused "32 max" swallow "max", so "$50" read as "around".
    price = parse_price(text)
    assert price is not None and (price.low, price.high) == (low, high), (text, price)


# The rest are bugs in modules outside this task, pinned until fixed there.


def test_a_json_string_line_is_reported_as_not_an_object(shop: Path) -> None:
    (shop / "catalog.jsonl").write_text('"x"\n{"id": "a", "name": "a", "price": 0}\n')
    problems = load_catalog(shop).problems
    assert [(p.line, p.message) for p in problems] == [(1, "skipped: row is not a JSON object")]


def test_superscript_rating_is_a_dropped_review(shop: Path) -> None:
    numbered = [(1, {"id": "a", "name": "a", "price": 0, "reviews": [{"rating": "²"}]})]
    assert_loaded_as_documented(
        lambda: build_catalog(shop, shop / "catalog.jsonl", numbered), numbered, shop
    )


def test_numeric_id_zero_is_an_id(shop: Path) -> None:
    numbered = [(1, {"id": 0, "name": "a", "price": 0}), (2, {"id": "b", "name": "b", "price": 1})]
    assert_loaded_as_documented(
        lambda: build_catalog(shop, shop / "catalog.jsonl", numbered), numbered, shop
    )


def test_sub_cent_price_is_quoted_as_the_fact() -> None:
    """Regression: money() rounded half-even ($1.125 -> $1.12) while the facts hold 1.13."""
    item = Product(id="P0", name="Harbor Tee", price=1.125)
    text = templates.found([item], "en")
    assert check(text, Facts.of([item]), lang="en", known_names=NAMES).ok, text


def test_found_list_with_a_special_price_restates_facts() -> None:
    """Regression: "$24 (was $32)" failed the check, the facts lacked the regular price."""
    item = Product(id="P0", name="Harbor Tee", price=32.0, special_price=24.0)
    text = templates.found([item], "en")
    assert check(text, Facts.of([item]), lang="en", known_names=NAMES).ok, text
