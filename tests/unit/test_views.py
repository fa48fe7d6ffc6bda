"""Product cards, comparison tables and details: contents from the records, markup escaped."""

from __future__ import annotations

import base64
import io
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from assistant import facts as F
from assistant.web import views
from assistant.web.thumbnails import Thumbnails
from index.catalog import load_catalog
from index.records import Product, Review

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


class Tags(HTMLParser):
    """Every tag and attribute the browser would build from a piece of HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture
def products(small_catalog: Path) -> list[Product]:
    return list(load_catalog(small_catalog).products)


def test_a_card_shows_the_matched_colour_photo_price_rating_and_options(
    products: list[Product],
) -> None:
    tee = next(p for p in products if p.id == "T1")
    blue = tee.image_for("Blue")
    html = views.card(tee, blue, Thumbnails(), "en")
    tags = Tags(html)
    image = next(attrs for tag, attrs in tags.tags if tag == "img")
    assert image["alt"] == "Harbor Cotton Tee – Blue"
    data = base64.b64decode(str(image["src"]).split(",", 1)[1])
    thumb = Image.open(io.BytesIO(data)).convert("RGB")
    red, _green, blue_ = thumb.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))  # type: ignore[misc]
    assert blue_ > red  # the blue variant's photo, not the red one
    text = "".join(tags.text)
    assert "Harbor Cotton Tee" in text and "$25" in text
    assert "★ 4.0" in text and "(1 reviews)" in text
    assert "Red, Blue" in text and "M" in text


def test_a_special_price_is_marked_with_the_regular_one_struck_out(
    products: list[Product],
) -> None:
    tee = replace(products[0], price=40.0, special_price=29.5)
    html = views.price_html(tee, "en")
    assert "$29.50" in html and "special price" in html and "<s" in html and "$40" in html
    assert "特价" in views.price_html(tee, "zh") and "29.50 美元" in views.price_html(tee, "zh")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_catalog_markup_is_shown_as_text(products: list[Product], lang: str) -> None:
    hostile = replace(
        products[0],
        name=HOSTILE,
        description=HOSTILE,
        colors=(HOSTILE,),
        reviews=(Review(1, "bad", HOSTILE),),
    )
    table = F.compare([hostile, products[1]])
    thumbs = Thumbnails()
    pages = [
        views.card(hostile, hostile.image_for(), thumbs, lang),
        views.details(hostile, None, thumbs, lang),
        views.comparison_table(table, [hostile, products[1]], lambda p: None, thumbs, lang),
    ]
    for html in pages:
        tags = Tags(html)
        assert not [t for t, _ in tags.tags if t == "script"]
        assert all("onerror" not in attrs for _, attrs in tags.tags)
        assert "<script>alert(1)</script>" in "".join(tags.text)  # shown, as text


def test_the_comparison_table_holds_the_computed_facts(products: list[Product]) -> None:
    cheap, dear = products[0], products[3]  # $25 tee, $80 backpack
    table = F.compare([cheap, dear])
    html = views.comparison_table(table, [cheap, dear], lambda p: p.image_for(), Thumbnails(), "en")
    tags = Tags(html)
    text = "".join(tags.text)
    assert "$25" in text and "$80" in text and "Cotton" in text and "Nylon" in text
    assert "cheapest" in text
    assert [a["alt"] for t, a in tags.tags if t == "img"] == [
        "Harbor Cotton Tee – Red",
        "Canyon Travel Backpack – Black",
    ]
    headers = [a.get("scope") for t, a in tags.tags if t == "th"]
    assert headers.count("row") == len(table.rows) and headers.count("col") == 2


def test_a_missing_photo_is_a_labelled_placeholder(products: list[Product], tmp_path: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    image = replace(products[0].images[0], path=broken)
    html = views.card(products[0], image, Thumbnails(), "en")
    assert "<img" not in html and 'role="img"' in html and "no photo" in html


def test_thumbnails_are_small_and_cached(products: list[Product]) -> None:
    thumbs = Thumbnails(side=64, max_entries=2)
    paths = [p.images[0].path for p in products[:3]]
    first = thumbs.uri(paths[0])
    assert first.startswith("data:image/jpeg;base64,") and len(first) < 8000
    assert thumbs.uri(paths[0]) is first
    thumbs.uri(paths[1])
    thumbs.uri(paths[2])
    assert thumbs.uri(paths[0]) is not first  # evicted: the cache is bounded


def test_details_cut_a_long_description_and_summarise_reviews(products: list[Product]) -> None:
    long = replace(products[0], description="word " * 1000)
    html = views.details(long, None, Thumbnails(), "en")
    assert len(html) < 4000 and "…" in html and "★ 4.0" in html
