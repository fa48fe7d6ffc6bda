"""Search on the demo catalog with the real models: filters in both languages, photos, both.

Expectations are computed from the catalog in the test, not written down.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.evaluation import read_jsonl
from index.hashing import file_sha256
from index.query import Constraints
from index.retriever import ProductRetriever
from index.search import Searcher, SearchResult
from index.settings import DEMO_CATALOG

pytestmark = pytest.mark.slow


def _in(product, word: str) -> bool:  # type: ignore[no-untyped-def]
    return any(word in c.casefold() for c in product.categories)


def test_chinese_colour_type_and_price_ceiling(demo_searcher: Searcher) -> None:
    result = demo_searcher.search("红色连帽衫 50美元以下")
    assert result.constraints.price is not None and result.constraints.price.high == 50
    assert result.hits and not result.alternatives
    assert all(_in(h.product, "hoodies") and h.product.effective_price <= 50 for h in result.hits)
    red_hoodies = [
        p
        for p in demo_searcher.products
        if _in(p, "hoodies") and "Red" in p.colors and p.effective_price <= 50
    ]
    first = result.hits[: len(red_hoodies)]
    assert {h.product.id for h in first} == {p.id for p in red_hoodies}
    assert all(h.image is not None and h.image.color == "Red" for h in first)


@pytest.mark.parametrize(
    ("query", "category", "gender", "ceiling"),
    [
        ("women's tank tops for less than $35", "tanks", "Women", 35),
        ("男士短裤,预算40美元以内", "shorts", "Men", 40),
        ("cheap men's t-shirts, max $30", "tees", "Men", 30),
    ],
)
def test_type_is_a_filter_price_a_ceiling_gender_ranks(
    demo_searcher: Searcher, query: str, category: str, gender: str, ceiling: float
) -> None:
    hits = demo_searcher.search(query, k=50).hits
    assert hits
    assert all(_in(h.product, category) and h.product.effective_price <= ceiling for h in hits)
    genders = [gender in h.product.attributes.get("gender", ()) for h in hits]
    assert genders == sorted(genders, reverse=True)  # every matching gender before the others
    assert genders[0]


def test_explicit_options_act_like_words(demo_searcher: Searcher) -> None:
    by_words = demo_searcher.search("blue jacket for men", k=50)
    by_options = demo_searcher.search(
        "jacket", constraints=Constraints(colors=("blue",), genders=("men",)), k=50
    )

    def both_met(result: SearchResult) -> list[str]:
        return [h.product.id for h in result.hits if len(h.matched) == 2]

    assert both_met(by_words)
    assert set(both_met(by_words)) == set(both_met(by_options))
    assert both_met(by_options) == [
        h.product.id for h in by_options.hits[: len(both_met(by_options))]
    ]


def test_not_carried_returns_labelled_alternatives(demo_searcher: Searcher) -> None:
    result = demo_searcher.search("do you have running shoes?")
    # the item is named as the shopper asked for it (index/kinds.py)
    assert result.alternatives and result.unmet == ("running shoes",)
    assert not result.carried and result.not_carried == "running shoes"
    assert result.hits  # the nearest products, for the assistant to offer as such
    no_shoes = demo_searcher.search("shoes under $20")
    assert no_shoes.alternatives and no_shoes.unmet == ("shoes",)
    assert all(h.product.effective_price <= 20 for h in no_shoes.hits)  # the price still holds
    too_cheap = demo_searcher.search("jackets under $5")
    assert too_cheap.alternatives and too_cheap.unmet == ("price ≤ 5",)
    assert too_cheap.hits and all(_in(h.product, "jackets") for h in too_cheap.hits)
    cheapest = min(p.effective_price for p in demo_searcher.products if _in(p, "jackets"))
    assert too_cheap.hits[0].product.effective_price == cheapest


def test_photo_of_another_view_finds_its_product(demo_searcher: Searcher) -> None:
    queries = read_jsonl(DEMO_CATALOG / "dev_photo_queries.jsonl")[:10]
    found = 0
    for item in queries:
        path = DEMO_CATALOG / item["file"]
        hits = demo_searcher.search(photo=path, k=5, exclude_sha256=file_sha256(path)).hits
        found += item["product_id"] in {h.product.id for h in hits}
    assert found >= 8


def test_photo_with_words_keeps_the_look_and_applies_the_colour(demo_searcher: Searcher) -> None:
    path = DEMO_CATALOG / "images" / "mh01-gray_main.jpg"
    plain = demo_searcher.search(photo=path, k=5)
    assert plain.hits[0].product.id == "MH01"
    blue = demo_searcher.search("like this but in blue", photo=Path(path), k=5)
    assert all("Blue" in h.product.colors for h in blue.hits)
    assert all(h.image is not None and h.image.color == "Blue" for h in blue.hits)


def test_langchain_retriever_returns_documents_with_metadata(demo_searcher: Searcher) -> None:
    documents = ProductRetriever(searcher=demo_searcher, k=3).invoke("yoga bag")
    assert len(documents) == 3
    assert documents[0].metadata["product_id"] == documents[0].id
    assert "price" in documents[0].metadata and documents[0].page_content
