"""Price constraints parsed from shopper messages, English and Chinese.

A table of phrasings with the range each must give, a table of numbers that are not
prices, span checks against the original text, and Hypothesis properties: no input
raises, a parsed range is never inverted, "under $n" / "n美元以下" round-trip.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.prices import PriceRange, parse_price

PHRASINGS = [
    # English: upper bounds
    ("under $50", None, 50),
    ("below 60 dollars", None, 60),
    ("less than $35", None, 35),
    ("cheaper than 40", None, 40),
    ("max $30", None, 30),
    ("$30 max", None, 30),
    ("at most 25", None, 25),
    ("up to $40", None, 40),
    ("no more than 45 bucks", None, 45),
    ("<= 50", None, 50),
    ("< $50", None, 50),
    ("$50 or less", None, 50),
    ("50 or under", None, 50),
    ("within $50", None, 50),
    ("budget of $80", None, 80),
    ("under 50€", None, 50),
    ("under USD 50", None, 50),
    ("50 USD or less", None, 50),
    ("under $49.99", None, 49.99),
    ("under 1,299", None, 1299),
    ("less than $1.5k", None, 1500),
    # English: ranges
    ("between 30 and 60", 30, 60),
    ("between $30-$60", 30, 60),
    ("$30-$60", 30, 60),
    ("30 to 60 dollars", 30, 60),
    ("from 20 to 40 usd", 20, 40),
    ("60 to 30 dollars", 30, 60),
    # English: lower bounds
    ("over $50", 50, None),
    ("above 100", 100, None),
    ("more than $20", 20, None),
    ("at least 30", 30, None),
    ("no less than 30", 30, None),
    ("$50+", 50, None),
    ("50 and up", 50, None),
    ("from $50", 50, None),
    # English: around (±20%) and bare amounts with a currency
    ("around $50", 40, 60),
    ("about 50 dollars", 40, 60),
    ("~$50", 40, 60),
    ("50ish bucks", 40, 60),
    ("$49.99", 39.99, 59.99),
    ("$1,299", 1039.2, 1558.8),
    ("USD 50", 40, 60),
    ("50 USD", 40, 60),
    # English: in a sentence, several constraints
    ("blue hoodie under $50 please", None, 50),
    ("over 20 and under 50", 20, 50),
    ("over $20 but less than $50", 20, 50),
    ("under $50, over $100", None, 50),
    ("a $30 one, under $50", None, 50),
    ("2 pairs of socks under $20", None, 20),
    ("size 32 jeans under 50 dollars", None, 50),
    ("6 foot strap under $30", None, 30),
    ("20% off items over $100", 100, None),
    # Chinese: upper bounds
    ("50美元以下", None, 50),
    ("50元以下", None, 50),
    ("50块以内", None, 50),
    ("预算20美元以内", None, 20),
    ("低于50", None, 50),
    ("不超过50美元", None, 50),
    ("少于30元", None, 30),
    ("最多40", None, 40),
    ("50以下", None, 50),
    ("想要50元以下的蓝色卫衣", None, 50),
    # Chinese: ranges
    ("50到80美元", 50, 80),
    ("50-80元", 50, 80),
    ("50至80", 50, 80),
    ("在30和60之间", 30, 60),
    ("50~80元", 50, 80),
    # Chinese: lower bounds and around
    ("50美元以上", 50, None),
    ("高于100", 100, None),
    ("超过50", 50, None),
    ("至少30", 30, None),
    ("大于20", 20, None),
    ("不低于30元", 30, None),
    ("50左右", 40, 60),
    ("大约50美元", 40, 60),
    # Chinese: full-width characters and Chinese numerals
    ("５０美元以下", None, 50),
    ("不超过１００元", None, 100),
    ("五十美元以下", None, 50),
    ("一百二十元以内", None, 120),
    ("一百二以内", None, 120),
    ("两百块", 160, 240),
    ("三十到六十", 30, 60),
    ("1万元以下", None, 10000),
]

NOT_PRICES = [
    "size 32",
    "32 waist",
    "尺码32",
    "XL",
    "2 pairs",
    "3件",
    "18 inch",
    "10 foot",
    "6 foot strap",
    "2023",
    "best of 2023",
    "ViT-B-32",
    "20% off",
    "50",
    "red dress 42",
    "size 32 or less",
    "尺码32以下",
    "under 18 inches",
    "at least 2 pairs",
    "up to 2 years warranty",
    "ages 5 and up",
    "最多3件",
    "5折",
    "20 to 30",
    "2019到2021",
    "30 and 60",
    "from 20",
    "50+ reviews",
    "under -50 dollars",
    "under $99999999",
    "thunder 50",
    "I <3 this",
    "",
]


@pytest.mark.parametrize(("text", "low", "high"), PHRASINGS)
def test_phrasings(text: str, low: float | None, high: float | None) -> None:
    price = parse_price(text)
    assert price is not None, text
    assert (price.low, price.high) == (
        pytest.approx(low) if low is not None else None,
        pytest.approx(high) if high is not None else None,
    )


@pytest.mark.parametrize("text", NOT_PRICES)
def test_not_prices(text: str) -> None:
    assert parse_price(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("blue hoodie under $50 please", "under $50"),
        ("under 50€ for a bag", "under 50€"),
        ("想要５０美元以下的鞋", "５０美元以下"),
        ("预算20美元以内的包", "预算20美元以内"),
        ("jeans over 20 and under 50, slim", "over 20 and under 50"),
        ("over $20 jeans in blue under $50", "over $20"),
        ("一百二十元以内的双肩包", "一百二十元以内"),
        ("２ pairs ～＄５０", "～＄５０"),
    ],
)
def test_span_is_the_expression_in_the_original_text(text: str, expected: str) -> None:
    price = parse_price(text)
    assert price is not None
    assert text[price.span[0] : price.span[1]] == expected == price.text


def test_explicit_range_positional_fields() -> None:
    price = PriceRange(10.0, None, (0, 0), "")
    assert (price.low, price.high, price.span, price.text) == (10.0, None, (0, 0), "")


WORDS = [
    "under", " ", "$", "50", "3", "1,299", ".5", "k", "到", "至", "以下", "以上", "左右",
    "美元", "元", "块", "-", "~", "and", "between", "over", "and up", "+", "一百", "二十",
    "五", "万", "%", "inch", "尺码", "size", "，", "５", "＄", "or less", "around",
]  # fmt: skip


def _check(text: str) -> None:
    price = parse_price(text)
    if price is not None:
        assert text[price.span[0] : price.span[1]] == price.text
        if price.low is not None and price.high is not None:
            assert price.low <= price.high
        for bound in (price.low, price.high):
            assert bound is None or 0 <= bound <= 1.2e7


@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    _check(text)


@given(st.lists(st.sampled_from(WORDS), max_size=12).map("".join))
def test_price_like_text_is_consistent(text: str) -> None:
    _check(text)


amounts = st.one_of(
    st.integers(min_value=0, max_value=10_000_000).map(str),
    st.integers(min_value=0, max_value=1_000_000_00).map(lambda c: f"{c / 100:.2f}"),
)


@given(amounts)
def test_under_dollars_round_trips(n: str) -> None:
    price = parse_price(f"under ${n}")
    assert price is not None
    assert (price.low, price.high) == (None, float(n))


@given(amounts)
def test_chinese_upper_bound_round_trips(n: str) -> None:
    price = parse_price(f"{n}美元以下")
    assert price is not None
    assert (price.low, price.high, price.span) == (None, float(n), (0, len(n) + 4))
