"""Facts over the demo catalog, each checked against a direct computation in the test.

Expected values are computed here from the records (fractions, sums, set lookups),
never copied from the module, so a slip in ``assistant/facts/`` cannot hide in both places.
"""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from assistant.facts import (
    Facts,
    availability,
    better_rated,
    cheaper_alternatives,
    compare,
    price_facts,
    recommendations,
    review_facts,
    review_themes,
)
from index.catalog import Catalog, load_catalog
from index.money import money
from index.records import Links, Product, Review
from index.settings import DEMO_CATALOG


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(DEMO_CATALOG)


def product(catalog: Catalog, pid: str) -> Product:
    found = catalog.get(pid)
    assert found is not None, pid
    return found


def test_compare_duffle_and_backpack(catalog: Catalog) -> None:
    duffle, backpack = product(catalog, "24-MB01"), product(catalog, "24-MB02")
    table = compare([duffle, backpack])
    cheap, dear = sorted([duffle, backpack], key=lambda p: p.effective_price)
    assert table.cheapest_id == cheap.id
    assert table.dearest_id == dear.id
    expected = Decimal(str(dear.effective_price)) - Decimal(str(cheap.effective_price))
    assert table.difference == expected
    assert table.row("price") == (money(duffle.effective_price), money(backpack.effective_price))
    assert table.row("reviews") == (len(duffle.reviews), len(backpack.reviews))
    means = [Fraction(sum(r.rating for r in p.reviews), len(p.reviews)) for p in (duffle, backpack)]
    half_up = [Decimal(int(m * 10 + Fraction(1, 2))) / 10 for m in means]
    assert table.row("rating") == tuple(half_up)
    assert table.better_rated_id == (duffle.id if means[0] > means[1] else backpack.id)
    assert table.row("colors") == (duffle.colors, backpack.colors)
    assert table.row("materials") == (
        duffle.attributes["material"],
        backpack.attributes["material"],
    )
    assert table.row("sizes") is None  # bags have no sizes: the row is left out
    json.dumps(table.to_dict())  # JSON-ready


def test_compare_needs_two_and_ties_have_no_winner(catalog: Catalog) -> None:
    bag = product(catalog, "24-MB01")
    with pytest.raises(ValueError):
        compare([bag])
    table = compare([bag, bag])
    assert table.difference == 0
    assert table.better_rated_id is None


def test_unrated_product_makes_no_better_rated(catalog: Catalog) -> None:
    rated = product(catalog, "24-MB01")
    unrated = next(p for p in catalog.products if not p.reviews)
    assert compare([rated, unrated]).better_rated_id is None


def test_special_price(catalog: Catalog) -> None:
    tote = product(catalog, "24-WB05")
    facts = price_facts(tote)
    assert tote.special_price is not None and tote.special_price < tote.price
    assert facts.special_price == money(tote.special_price)
    assert facts.effective_price == money(tote.special_price)
    assert facts.price == money(tote.price)
    assert facts.discount == money(tote.price - tote.special_price)
    assert facts.discount_percent == round((tote.price - tote.special_price) / tote.price * 100)


def test_no_special_means_no_discount(catalog: Catalog) -> None:
    facts = price_facts(product(catalog, "24-MB01"))
    assert facts.special_price is None and facts.discount is None


@pytest.mark.parametrize("pid", ["24-WG080", "24-WG085_Group"])
def test_bundle_and_grouped_price_range(catalog: Catalog, pid: str) -> None:
    item = product(catalog, pid)
    facts = price_facts(item)
    assert item.price_range is not None
    assert facts.price_range == (money(item.price_range[0]), money(item.price_range[1]))
    prices = {money(v.price) for v in item.variants if v.price is not None}
    assert {price for _, price in facts.variant_prices} == prices
    assert len(facts.variant_prices) == len(item.variants)


def test_msrp(catalog: Catalog) -> None:
    jacket = product(catalog, "WJ01")
    assert jacket.msrp is not None
    assert price_facts(jacket).msrp == money(jacket.msrp)


def test_review_stats_match_a_direct_computation(catalog: Catalog) -> None:
    for item in catalog.products:
        facts = review_facts(item)
        assert facts.count == len(item.reviews)
        assert list(facts.distribution) == [
            sum(r.rating == k for r in item.reviews) for k in range(1, 6)
        ]
        if item.reviews:
            mean = sum(r.rating for r in item.reviews) / len(item.reviews)
            assert facts.average is not None
            assert abs(float(facts.average) - mean) <= 0.05 + 1e-9
        else:
            assert facts.average is None
        for _, n in facts.praise + facts.complaints:
            assert 1 <= n <= len(item.reviews)


def test_review_themes() -> None:
    assert review_themes(5, "Fits well and so comfy") == ({"fit", "comfort"}, set())
    assert review_themes(4, "Great bag but it runs too small") == (set(), {"fit"})
    assert review_themes(1, "The fabric tore") == (set(), {"material"})
    assert review_themes(3, "Nice colour") == (set(), set())
    assert review_themes(5, "I wish the material were thicker") == (set(), {"material"})


def test_review_themes_count_each_review_once() -> None:
    item = Product(
        id="X",
        name="X",
        price=1.0,
        reviews=(
            Review(5, "Comfy", "So comfy. Really comfortable."),
            Review(2, "", "Not comfortable"),
        ),
    )
    facts = review_facts(item)
    assert dict(facts.praise) == {"comfort": 1}
    assert dict(facts.complaints) == {"comfort": 1}


def test_availability(catalog: Catalog) -> None:
    hoodie = product(catalog, "MH01")
    facts = availability(hoodie)
    assert facts.colors == hoodie.colors and facts.sizes == hoodie.sizes
    for color, sizes in facts.sizes_by_color:
        expected = {v.size for v in hoodie.variants if v.color == color}
        assert set(sizes) == expected
    assert {c for c, _ in facts.sizes_by_color} == set(hoodie.colors)
    assert facts.color_count == len(hoodie.colors)


def test_recommendations_follow_link_order(catalog: Catalog) -> None:
    bag = product(catalog, "24-MB01")
    recs = recommendations(bag, catalog, limit=100)
    expected: list[tuple[str, str]] = []
    for reason in ("crosssell", "related", "upsell"):
        for pid in getattr(bag.links, reason):
            if catalog.get(pid) and pid not in [e[0] for e in expected] and pid != bag.id:
                expected.append((pid, reason))
    assert [(r.product_id, r.reason) for r in recs] == expected
    first = product(catalog, recs[0].product_id)
    assert recs[0].name == first.name and recs[0].price == money(first.effective_price)
    assert len(recommendations(bag, catalog, limit=2)) == 2


def test_recommendations_skip_unknown_ids(catalog: Catalog) -> None:
    bag = product(catalog, "24-MB01")
    ghost = Product(
        id="G",
        name="Ghost",
        price=1.0,
        links=Links(crosssell=("NOPE", "G", "24-MB01"), related=("24-MB01",)),
    )
    recs = recommendations(ghost, catalog)
    assert [(r.product_id, r.reason) for r in recs] == [(bag.id, "crosssell")]


def test_cheaper_alternatives(catalog: Catalog) -> None:
    backpack = product(catalog, "24-MB02")
    found = cheaper_alternatives(backpack, catalog.products, limit=100)
    expected = {
        p.id
        for p in catalog.products
        if p.categories[:1] == backpack.categories[:1]
        and p.effective_price < backpack.effective_price
    }
    assert {r.product_id for r in found} == expected
    for r in found:
        assert r.saving == money(backpack.effective_price) - r.price
    assert [r.price for r in found] == sorted(r.price for r in found)


def test_better_rated(catalog: Catalog) -> None:
    bag = product(catalog, "24-MB01")
    assert bag.rating is not None
    found = better_rated(bag, catalog.products, limit=1000)
    expected = {
        p.id
        for p in catalog.products
        if len(p.reviews) >= 2 and p.rating is not None and p.rating > bag.rating
    }
    assert {r.product_id for r in found} == expected
    unrated = next(p for p in catalog.products if not p.reviews)
    assert better_rated(unrated, catalog.products) == ()


def test_facts_flatten_numbers_names_words(catalog: Catalog) -> None:
    duffle, backpack = product(catalog, "24-MB01"), product(catalog, "24-MB02")
    table = compare([duffle, backpack])
    facts = Facts.of([duffle, backpack], [table, availability(backpack)])
    numbers = facts.numbers()
    assert money(duffle.price) in numbers and money(backpack.price) in numbers
    assert table.difference in numbers
    assert money(2) in numbers  # two products compared
    assert Decimal("1.00") not in numbers  # "01" of 24-MB01 is an id, not a fact
    assert facts.names() == {duffle.name, backpack.name}
    assert {"blue", "gray", "nylon", "burlap"} <= facts.words()
    json.dumps(facts.to_dict())


def test_recommended_products_count_as_used(catalog: Catalog) -> None:
    bag = product(catalog, "24-MB01")
    recs = recommendations(bag, catalog, limit=2)
    facts = Facts.of([bag], recs)
    assert {p.product_id for p in facts.products} == {bag.id, *(r.product_id for r in recs)}
    assert all(r.name in facts.names() for r in recs)
